"""A small partnership recorded through the real command handlers.

The bulk of a benchmark ledger comes from ``bench.datasets`` (fast, no
authorisation); these few acts go through ``commands.acts.handle`` so that
the application path (authorisation, loading aggregates, one transaction
per act) and the ``scrutiny`` write commands can be measured on the same log.
Keys start with ``p-`` so they never meet the dataset's streams.
"""

from __future__ import annotations

from typing import Any

from bench.datasets import SUBJECT

ON = "2019-09-02"
ACT_ON = "2019-10-14"
SCRUTINEER = "p-scrutineer"
CHALLENGED = ("p-council", "p-police")

ORGANISATIONS = (
    ("p-sscp", "Bench Safeguarding Children Partnership", "local_body", None),
    ("p-council", "Bench County Council", "safeguarding_partner", "local_authority"),
    ("p-police", "Bench Constabulary", "safeguarding_partner", "police"),
    ("p-health", "Bench Integrated Care Board", "safeguarding_partner", "health"),
)
PEOPLE = (
    ("p-business-unit", "Bench Business Unit", "business_unit", "p-sscp"),
    ("p-lead", "Bench Lead Partner", "lead_safeguarding_partner", "p-council"),
    (SCRUTINEER, "Bench Scrutineer", "independent_scrutineer", "p-sscp"),
)


def set_up(app: Any) -> None:
    """Register the partners and appoint the people, act by act."""
    from commands.acts import AppointPerson, RegisterOrganisation

    for key, name, kind, role in ORGANISATIONS:
        handle(RegisterOrganisation.build(
            actor="p-business-unit", occurred_on=ON, organisation_id=key, name=name,
            kind=kind, statutory_role=role), app)
    for key, name, role, organisation in PEOPLE:
        handle(AppointPerson.build(
            actor="p-business-unit", occurred_on=ON, person_id=key, display_name=name,
            role=role, organisation_id=organisation), app)


def raise_challenge(app: Any, number: int) -> dict[str, Any]:
    """One real act through its handler: a tier 2 challenge to two partners."""
    from commands.acts import RaiseChallenge

    return handle(RaiseChallenge.build(
        actor=SCRUTINEER, occurred_on=ACT_ON, challenge_id=f"CH-2021-H{number:06x}",
        to_partners=list(CHALLENGED), subject=SUBJECT, tier=2), app)


def handle(command: Any, app: Any) -> dict[str, Any]:
    """The handlers' entry point: one act, one unit of work, one transaction."""
    from commands.acts import base

    if hasattr(base, "handle"):  # the unit-of-work handlers
        return base.handle(command, app)  # type: ignore[no-any-return]
    from commands.acts import handle as handle_act

    return handle_act(command, app)


def raise_command(db_url: str, number: int) -> list[str]:
    """The same act as a ``scrutiny`` command line (after the program name)."""
    return ["--db", db_url, "--as", SCRUTINEER, "challenge", "raise",
            "--id", f"CH-2021-C{number:06x}", *[x for org in CHALLENGED for x in ("--to", org)],
            "--subject", SUBJECT, "--tier", "2", "--on", ACT_ON, "--json"]


def import_lines(first: int, count: int) -> list[str]:
    """``count`` acts as lines of a ``scrutiny import`` file (the same act as
    :func:`raise_challenge`, each with its own challenge id)."""
    import json

    return [json.dumps({"act": "challenge.raise", "as": SCRUTINEER, "on": ACT_ON,
                        "challenge_id": f"CH-2022-I{number:06x}", "to_partners": list(CHALLENGED),
                        "subject": SUBJECT, "tier": 2})
            for number in range(first, first + count)]
