"""Every top-level command of ``scrutiny``: its name, where it lives, its one-line help.

The root group (``commands.cli.main``) is built from this table and imports a
command's module only when that command is run or its own ``--help`` is
asked for, so ``scrutiny --help`` imports click and little else.

Adding a command or a group is one row: its name, ``"module:attribute"``,
and the first sentence of its help (``tests/unit/test_cli_lazy_imports.py``
checks that the row and the command agree). ``acts=True`` marks a group of
acts (``commands.cli.registry.ACT_GROUPS``); ``subcommands`` and ``listing``
attach the read side's commands to a group of acts when it is loaded.
"""

from __future__ import annotations

from commands.cli.lazy import Entry

# fmt: off
ROOT_COMMANDS: tuple[Entry, ...] = (
    # The ledger itself.
    Entry("init", "commands.cli.admin:init", "Create the ledger database and an Ed25519 signing key file."),
    Entry("upgrade", "commands.cli.admin:upgrade", "Add the tables and triggers this version needs to an older ledger."),
    Entry("checkpoint", "commands.cli.admin:checkpoint", "Verify the log, sign its tree head and store the signed checkpoint."),
    Entry("verify", "commands.cli.admin:verify", "Recompute every leaf, tree node and root, and check every checkpoint."),
    # The groups of acts (each ``scrutiny GROUP COMMAND`` records an act), with the read side's listings.
    Entry("org", "commands.cli.organisations:org", "Organisations: partners, agencies, regulators and other bodies.", acts=True),
    Entry("person", "commands.cli.people:person", "People: the professionals who act in the partnership, and their roles.", acts=True),
    Entry("activity", "commands.cli.activities:activity", "Independent scrutiny activity at the three tiers, and CDOP learning links.", acts=True, listing="commands.cli.reads:activity"),
    Entry("challenge", "commands.cli.challenges:challenge", "Challenges put to partners by a scrutineer or the chair.", acts=True, subcommands=("commands.cli.reads:challenge_list",)),
    Entry("case", "commands.cli.cases:case", "Serious incidents and child safeguarding practice reviews (CSPRs).", acts=True, subcommands=("commands.cli.reads:case_show",)),
    Entry("audit", "commands.cli.audits:audit", "Audits and reviews of practice: the partnership's local scrutiny framework.", acts=True, subcommands=("commands.cli.reads:audit_list",)),
    Entry("report", "commands.cli.reports:report", "The yearly report.", acts=True),
    Entry("inspection", "commands.cli.inspections:inspection", "Regulatory inspections: announce -> findings -> publish -> action-plan.", acts=True),
    Entry("regional", "commands.cli.regional:regional", "Regional scrutiny of the partnership and moderation of the scrutineers.", acts=True),
    Entry("correct", "commands.cli.corrections:correct", "Corrections: a wrong entry is never edited; a correction names it.", acts=True),
    Entry("subject", "commands.cli.subjects:subject", "Personal data, sealed per subject: erasure (crypto-shredding).", acts=True),
    Entry("import", "commands.cli.imports:import_", "Record the acts of FILE.jsonl (one JSON object per line), exactly once."),
    Entry("demo", "commands.cli.demo:demo", "Record a demo of Somerset's partnership in 2019-2020, then check it."),
    # The read side.
    Entry("status", "commands.cli.reads:status", "The Executive's dashboard: open challenges, deadlines, other work, tier coverage."),
    Entry("deadlines", "commands.cli.reads:deadlines", "Every statutory and local deadline, with the rule that produced it: met, due or overdue."),
    Entry("history", "commands.cli.reads:history", "Every recorded act in order, with names as they were on the act's date."),
    Entry("projections", "commands.cli.reads:projections", "The read side's views: their state, and rebuilding them from the log."),
    # Integrity: proofs, bundles, keys, witnesses.
    Entry("prove", "commands.cli.proofs:prove", "Merkle proofs (RFC 9162) that anyone can check without trusting the ledger."),
    Entry("export", "commands.cli.bundles:export", "Write an export bundle an inspector can verify on their own machine."),
    Entry("verify-bundle", "commands.cli.bundles:verify_bundle", "Check an export bundle: signatures, every leaf, the root or each proof."),
    Entry("key", "commands.cli.keys:key", "The ledger's checkpoint signing key."),
    Entry("witness", "commands.cli.witness:witness", "Witness cosigning: another agency vouches for the log's checkpoints."),
    # The web app and its access control.
    Entry("serve", "commands.cli.web:serve", "Serve the read-only web app and JSON API (pages for the Executive, inspectors and moderation; the OpenAPI document at /openapi.json)."),
    Entry("token", "commands.cli.web:token", "Bearer tokens for the web app and JSON API: issue, revoke, list."),
    Entry("access-log", "commands.cli.web:access_log", "What inspectors and the moderation role read through the web app, and when."),
    # Backups.
    Entry("backup", "commands.cli.backups:backup", "Copy the SQLite ledger into FILE while it is in use; never overwrites FILE."),
    Entry("verify-backup", "commands.cli.backups:verify_backup", "Open a backup FILE as a ledger (as a restore would) and verify it."),
)
# fmt: on

__all__ = ["ROOT_COMMANDS"]
