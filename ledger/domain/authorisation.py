"""Who may record which act: one table, checked on the act's own date.

Every act names the person recording it (``--as PERSON``). The person must
hold one of the roles allowed for the act on the act's ``occurred_on`` date
(not merely today), and the event records the person's id and the role they
acted in.

==================  ==============================================  =======================
act                 roles allowed (the first held is recorded)      further condition
==================  ==============================================  =======================
org register        business_unit                                   setup: anyone (below)
org rename          business_unit
person appoint      business_unit                                   setup: anyone (below)
person stand-down   business_unit
challenge raise     independent_scrutineer, partnership_chair
challenge respond   lead_safeguarding_partner,                      appointed for the
                    delegated_safeguarding_partner                  responding organisation,
                                                                    one of those challenged
challenge escalate  independent_scrutineer, partnership_chair,
                    lead_safeguarding_partner
challenge resolve   partnership_chair, lead_safeguarding_partner
challenge withdraw  independent_scrutineer, partnership_chair       only the person who
                                                                    raised it
==================  ==============================================  =======================

Setup: until somebody has been appointed to ``business_unit`` (ever, on any
date), ``org register`` and ``person appoint`` are open to any ``--as``
value and are recorded with the actor role ``setup``. That is how the first
organisation and the first business-unit officer get into an empty ledger.
Once a business-unit appointment is recorded, setup is over for good; to
hand over, appoint the successor before standing the last officer down.

Issue 3 extends the table; keep the rules here, and only here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from ledger.domain.people import Person, Role
from ledger.errors import RefusedError

SETUP_ROLE = "setup"


class Act(StrEnum):
    """The acts of this slice, named as on the command line."""

    REGISTER_ORGANISATION = "org register"
    RENAME_ORGANISATION = "org rename"
    APPOINT_PERSON = "person appoint"
    STAND_DOWN = "person stand-down"
    RAISE_CHALLENGE = "challenge raise"
    RESPOND_TO_CHALLENGE = "challenge respond"
    ESCALATE_CHALLENGE = "challenge escalate"
    RESOLVE_CHALLENGE = "challenge resolve"
    WITHDRAW_CHALLENGE = "challenge withdraw"


ALLOWED_ROLES: dict[Act, tuple[Role, ...]] = {
    Act.REGISTER_ORGANISATION: (Role.BUSINESS_UNIT,),
    Act.RENAME_ORGANISATION: (Role.BUSINESS_UNIT,),
    Act.APPOINT_PERSON: (Role.BUSINESS_UNIT,),
    Act.STAND_DOWN: (Role.BUSINESS_UNIT,),
    Act.RAISE_CHALLENGE: (Role.INDEPENDENT_SCRUTINEER, Role.PARTNERSHIP_CHAIR),
    Act.RESPOND_TO_CHALLENGE: (
        Role.LEAD_SAFEGUARDING_PARTNER,
        Role.DELEGATED_SAFEGUARDING_PARTNER,
    ),
    Act.ESCALATE_CHALLENGE: (
        Role.INDEPENDENT_SCRUTINEER,
        Role.PARTNERSHIP_CHAIR,
        Role.LEAD_SAFEGUARDING_PARTNER,
    ),
    Act.RESOLVE_CHALLENGE: (Role.PARTNERSHIP_CHAIR, Role.LEAD_SAFEGUARDING_PARTNER),
    Act.WITHDRAW_CHALLENGE: (Role.INDEPENDENT_SCRUTINEER, Role.PARTNERSHIP_CHAIR),
}

# Acts open to anyone while no business-unit officer has ever been appointed.
SETUP_ACTS = frozenset({Act.REGISTER_ORGANISATION, Act.APPOINT_PERSON})


@dataclass(frozen=True)
class Attribution:
    """Who recorded an act, in which role, and the date it happened."""

    actor_id: str
    actor_role: str
    occurred_on: date
    organisation_id: str | None = None

    def event_fields(self) -> dict[str, Any]:
        """The keyword arguments every aggregate command takes."""
        return {
            "actor_id": self.actor_id,
            "actor_role": self.actor_role,
            "occurred_on": self.occurred_on,
        }


def authorise(
    act: Act,
    actor_id: str,
    person: Person | None,
    on: date,
    *,
    setup_open: bool = False,
    for_organisations: Collection[str] | None = None,
    raised_by: str | None = None,
) -> Attribution:
    """The attribution for ``act`` by ``actor_id`` on ``on``, or RefusedError.

    ``person`` is the actor's Person aggregate (None if no such person).
    ``setup_open`` is True while nobody has ever been appointed to the
    business unit. ``for_organisations`` limits the appointments that count
    to those for these organisations; ``raised_by`` names the only person
    allowed (withdrawal).
    """
    if setup_open and act in SETUP_ACTS:
        return Attribution(actor_id, SETUP_ROLE, on)
    allowed = ALLOWED_ROLES[act]
    if raised_by is not None and actor_id != raised_by:
        raise RefusedError(
            f"only the person who raised the challenge ({raised_by}) can "
            f"{act.value.split()[-1]} it; {actor_id} did not raise it"
        )
    spells = [] if person is None else person.appointments_on(on)
    for role in allowed:
        for spell in spells:
            if spell.role is not role:
                continue
            if for_organisations is not None and spell.organisation_id not in for_organisations:
                continue
            return Attribution(actor_id, role.value, on, spell.organisation_id)
    roles = ", ".join(role.value for role in allowed)
    where = ""
    if for_organisations is not None:
        where = f" for {', '.join(sorted(for_organisations)) or 'a challenged organisation'}"
    raise RefusedError(
        f"{actor_id} does not hold any of the roles {roles}{where} on {on.isoformat()} "
        f"(needed to {act.value})"
    )


def acting_organisations(person: Person | None, act: Act, on: date) -> set[str]:
    """The organisations ``person`` acts for, in a role allowed for ``act``, on ``on``."""
    if person is None:
        return set()
    allowed = set(ALLOWED_ROLES[act])
    return {spell.organisation_id for spell in person.appointments_on(on) if spell.role in allowed}
