"""``scrutiny init``, ``scrutiny checkpoint``, ``scrutiny verify``."""

from __future__ import annotations

import click

from commands.cli.common import emit, json_option, pass_settings, progress_printer
from commands.cli.witness_options import witness_policy_options
from commands.settings import Settings


@click.command()
@click.option("--origin", metavar="NAME", help="Log origin for checkpoints, e.g. 'sscp.example.org/scrutiny' (default scrutiny-ledger.local/ledger).")
@json_option
@pass_settings
def init(settings: Settings, origin: str | None, as_json: bool) -> None:
    """Create the ledger database and an Ed25519 signing key file.

    The key file (mode 0600) is written beside the database unless --key says
    otherwise, and is never overwritten: an existing key file is reused.
    Keep it, and its .pub verifier key, outside the database.
    """
    from commands.admin import init_ledger
    from commands.output import key_values, to_json

    result = init_ledger(settings.db_url, settings.key_path, origin)
    if as_json:
        emit(to_json(result.as_dict()))
        return
    emit(
        key_values(
            [
                ("database", result.database),
                ("origin", result.origin),
                ("key file", f"{result.key_path} ({'created' if result.key_created else 'existing'})"),
                ("verifier key", result.vkey),
            ]
        )
    )


@click.command()
@json_option
@pass_settings
def checkpoint(settings: Settings, as_json: bool) -> None:
    """Verify the log, sign its tree head and store the signed checkpoint.

    Prints the C2SP checkpoint (a signed note). Keep a copy outside the
    database: 'scrutiny verify --against FILE' then detects rewriting and
    truncation of anything it covers.
    """
    from commands.admin import make_checkpoint
    from commands.output import to_json

    checkpoint_id, note = make_checkpoint(
        settings.db_url, settings.key_path, progress_printer("verified")
    )
    if as_json:
        emit(to_json({"id": checkpoint_id, "checkpoint": note}))
    else:
        click.echo(note, nl=False)


@click.command()
@click.option("--against", "against_file", type=click.Path(dir_okay=False), metavar="FILE", help="A checkpoint kept outside the database; the ledger must still contain it.")
@witness_policy_options
@json_option
@pass_settings
def verify(
    settings: Settings,
    against_file: str | None,
    witnesses: tuple[str, ...],
    witnesses_required: int | None,
    as_json: bool,
) -> None:
    """Recompute every leaf, tree node and root, and check every checkpoint.

    Exit 0 when the history is intact; exit 3, naming the first bad
    position, when anything stored was changed, removed or reordered.
    """
    from commands.admin import verify as verify_ledger
    from commands.output import key_values, to_json
    from ledger.errors import IntegrityFailure, InvalidInputError

    against = None
    if against_file is not None:
        try:
            with open(against_file, encoding="utf-8") as handle:
                against = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"cannot read checkpoint file {against_file}: {exc}") from exc
    from ledger.witness import WitnessPolicy

    policy = WitnessPolicy.build(witnesses, witnesses_required)
    report, key_source = verify_ledger(
        settings.db_url, settings.key_path, against, progress_printer("verified"), policy
    )
    data = report.as_dict() | {"verifier_key_from": key_source}
    if as_json:
        emit(to_json(data))
    else:
        emit(
            key_values(
                [
                    ("result", "intact" if report.ok else "FAILED"),
                    ("events", report.size),
                    ("root hash", data["root_hash"]),
                    ("checkpoints checked", report.checkpoints_checked),
                    ("against", "checked" if report.against_checked else "-"),
                    ("verifier key from", key_source),
                ]
            )
        )
    if not report.ok:
        raise IntegrityFailure(str(report.problem), report.first_bad_position)


@click.command()
@json_option
@pass_settings
def upgrade(settings: Settings, as_json: bool) -> None:
    """Add the tables and triggers this version needs to an older ledger.

    Only adds what is missing (for example the subject keys table and the
    triggers that refuse INSERT OR REPLACE); no recorded row is read or
    changed, and running it again adds nothing.
    """
    from commands.admin import upgrade_ledger
    from commands.output import to_json

    added = upgrade_ledger(settings.db_url)
    if as_json:
        emit(to_json({"added": added}))
    elif added:
        emit("added: " + ", ".join(added))
    else:
        emit("nothing to add: the ledger is up to date")
