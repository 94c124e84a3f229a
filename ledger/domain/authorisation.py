"""Who may record which act: one table, checked on the act's own date.

Every act names the person recording it (``--as PERSON``). The person must
hold one of the roles allowed for the act on the act's ``occurred_on`` date
(not merely today), and the event records the person's id and the role they
acted in (the first role of the table's list that they hold).

``PERMISSIONS`` is the table: for each act, the roles allowed and any further
condition, in words. ``docs/authorisation.md`` prints the same table (a test
keeps them equal, and checks that every act of the command line is in it).
The conditions are enforced by the arguments of ``authorise``:

* ``for_organisations`` (+ ``bound_roles``): the role must be held for one of
  these organisations (for the roles in ``bound_roles``; all roles if None);
* ``raised_by``: only this person (withdrawing a challenge);
* ``pool``: an independent scrutineer of this pool (regional activity);
* ``subject``: the person the act is about; the roles in ``SELF_ONLY`` may
  act only when that is themselves (declaring interests);
* ``original_actor``: the person who recorded the entry corrected; they may
  correct it holding any role on the date.

Setup: until somebody has been appointed to ``business_unit`` (ever, on any
date), ``org register`` and ``person appoint`` are open to any ``--as``
value and are recorded with the actor role ``setup``. That is how the first
organisation and the first business-unit officer get into an empty ledger.
Once a business-unit appointment is recorded, setup is over for good; to
hand over, appoint the successor before standing the last officer down.

Keep the rules here, and only here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from ledger.domain.acting import Stamp
from ledger.domain.base import EvidenceRef
from ledger.domain.people import Person, Role, ScrutineerPool
from ledger.errors import RefusedError

SETUP_ROLE = "setup"


class Act(StrEnum):
    """Every act of the ledger, named as on the command line."""

    REGISTER_ORGANISATION = "org register"
    RENAME_ORGANISATION = "org rename"
    SUCCEED_ORGANISATION = "org succeed"
    DISSOLVE_ORGANISATION = "org dissolve"
    APPOINT_PERSON = "person appoint"
    STAND_DOWN = "person stand-down"
    DECLARE_INTEREST = "person declare-interest"
    END_INTEREST = "person end-interest"
    RECORD_ACTIVITY = "activity record"
    LINK_CDOP_LEARNING = "activity cdop-link"
    RAISE_CHALLENGE = "challenge raise"
    RESPOND_TO_CHALLENGE = "challenge respond"
    ESCALATE_CHALLENGE = "challenge escalate"
    RESOLVE_CHALLENGE = "challenge resolve"
    WITHDRAW_CHALLENGE = "challenge withdraw"
    NOTIFY_INCIDENT = "case notify"
    INFORM_PARTNERS = "case inform-partners"
    START_RAPID_REVIEW = "case rapid-review-start"
    COMPLETE_RAPID_REVIEW = "case rapid-review-complete"
    DECIDE_REVIEW = "case decide"
    SIGN_DECISION = "case sign-decision"
    RECORD_PANEL_RESPONSE = "case panel-response"
    COMMISSION_REVIEW = "case commission"
    MONITOR_REVIEW = "case progress"
    RECEIVE_DRAFT = "case draft-received"
    SIGN_OFF_REVIEW = "case sign-off"
    SEND_REVIEW_COPIES = "case send-copies"
    PUBLISH_REVIEW = "case publish"
    DELAY_PUBLICATION = "case delay"
    AGREE_RECOMMENDATION = "case recommend"
    CLOSE_RECOMMENDATION = "case close-action"
    PLAN_AUDIT = "audit plan"
    SUBMIT_RETURN = "audit return"
    HOLD_PEER_CHALLENGE = "audit peer-challenge"
    MODERATE_RATING = "audit moderate-rating"
    RECORD_AUDIT_FINDING = "audit finding"
    AGREE_AUDIT_ACTION = "audit agree-action"
    CLOSE_AUDIT_ACTION = "audit close-action"
    COMPLETE_AUDIT = "audit complete"
    OPEN_REPORT = "report open"
    DRAFT_REPORT = "report draft"
    SCRUTINISE_REPORT = "report scrutinise"
    SIGN_OFF_REPORT = "report sign-off"
    PUBLISH_REPORT = "report publish"
    SEND_REPORT = "report send"
    PRESENT_REPORT = "report present"
    ANNOUNCE_INSPECTION = "inspection announce"
    RECORD_INSPECTION_FINDINGS = "inspection findings"
    PUBLISH_INSPECTION = "inspection publish"
    AGREE_ACTION_PLAN = "inspection action-plan"
    AGREE_TERMS = "regional terms"
    RECORD_REGIONAL_ACTIVITY = "regional activity"
    MODERATE_SCRUTINEER = "regional moderate"
    CORRECT_EVENT = "correct event"
    ERASE_SUBJECT = "subject erase"

    @property
    def import_name(self) -> str:
        """The name used in an import file: ``challenge.raise``."""
        return self.value.replace(" ", ".")


@dataclass(frozen=True)
class Permission:
    roles: tuple[Role, ...]
    condition: str = ""


BU = Role.BUSINESS_UNIT
CHAIR = Role.PARTNERSHIP_CHAIR
LEAD = Role.LEAD_SAFEGUARDING_PARTNER
DELEGATE = Role.DELEGATED_SAFEGUARDING_PARTNER
SCRUTINEER = Role.INDEPENDENT_SCRUTINEER
INSPECTOR = Role.INSPECTOR
MODERATOR = Role.MODERATOR

_SETUP = "setup: anyone, until a business_unit appointment is recorded"
_SELF = "scrutineers, moderators and the chair only for themselves"
_INSPECTORATE = "an inspector only for one of the inspection's inspectorates"

PERMISSIONS: dict[Act, Permission] = {
    Act.REGISTER_ORGANISATION: Permission((BU,), _SETUP),
    Act.RENAME_ORGANISATION: Permission((BU,)),
    Act.SUCCEED_ORGANISATION: Permission((BU,)),
    Act.DISSOLVE_ORGANISATION: Permission((BU,)),
    Act.APPOINT_PERSON: Permission((BU,), _SETUP),
    Act.STAND_DOWN: Permission((BU,)),
    Act.DECLARE_INTEREST: Permission((BU, SCRUTINEER, MODERATOR, CHAIR), _SELF),
    Act.END_INTEREST: Permission((BU, SCRUTINEER, MODERATOR, CHAIR), _SELF),
    Act.RECORD_ACTIVITY: Permission((SCRUTINEER,)),
    Act.LINK_CDOP_LEARNING: Permission((SCRUTINEER, BU)),
    Act.RAISE_CHALLENGE: Permission((SCRUTINEER, CHAIR)),
    Act.RESPOND_TO_CHALLENGE: Permission(
        (LEAD, DELEGATE), "for the responding organisation, one of those challenged"
    ),
    Act.ESCALATE_CHALLENGE: Permission((SCRUTINEER, CHAIR, LEAD)),
    Act.RESOLVE_CHALLENGE: Permission((CHAIR, LEAD)),
    Act.WITHDRAW_CHALLENGE: Permission((SCRUTINEER, CHAIR), "only the person who raised it"),
    Act.NOTIFY_INCIDENT: Permission((LEAD, DELEGATE), "for the notifying local authority"),
    Act.INFORM_PARTNERS: Permission((LEAD, DELEGATE), "for the case's local authority"),
    Act.START_RAPID_REVIEW: Permission((BU, LEAD, DELEGATE)),
    Act.COMPLETE_RAPID_REVIEW: Permission((BU, LEAD, DELEGATE)),
    Act.DECIDE_REVIEW: Permission((CHAIR, LEAD)),
    Act.SIGN_DECISION: Permission((LEAD,), "for the partner signing, one of the decision's"),
    Act.RECORD_PANEL_RESPONSE: Permission((BU,)),
    Act.COMMISSION_REVIEW: Permission((CHAIR, LEAD)),
    Act.MONITOR_REVIEW: Permission((BU, CHAIR, SCRUTINEER)),
    Act.RECEIVE_DRAFT: Permission((BU,)),
    Act.SIGN_OFF_REVIEW: Permission((CHAIR, LEAD)),
    Act.SEND_REVIEW_COPIES: Permission((BU,)),
    Act.PUBLISH_REVIEW: Permission((BU, CHAIR)),
    Act.DELAY_PUBLICATION: Permission((CHAIR, LEAD)),
    Act.AGREE_RECOMMENDATION: Permission((CHAIR, LEAD)),
    Act.CLOSE_RECOMMENDATION: Permission((BU, CHAIR, LEAD)),
    Act.PLAN_AUDIT: Permission((BU, CHAIR)),
    Act.SUBMIT_RETURN: Permission(
        (BU, LEAD, DELEGATE), "a lead or delegated partner only for their own organisation"
    ),
    Act.HOLD_PEER_CHALLENGE: Permission((BU, SCRUTINEER, CHAIR)),
    Act.MODERATE_RATING: Permission((BU, SCRUTINEER, CHAIR)),
    Act.RECORD_AUDIT_FINDING: Permission((BU, SCRUTINEER, CHAIR)),
    Act.AGREE_AUDIT_ACTION: Permission((BU, CHAIR, LEAD)),
    Act.CLOSE_AUDIT_ACTION: Permission((BU, CHAIR, LEAD)),
    Act.COMPLETE_AUDIT: Permission((BU, CHAIR)),
    Act.OPEN_REPORT: Permission((BU,)),
    Act.DRAFT_REPORT: Permission((BU,)),
    Act.SCRUTINISE_REPORT: Permission((SCRUTINEER,)),
    Act.SIGN_OFF_REPORT: Permission(
        (LEAD, CHAIR), "a lead partner signs for their organisation; under WT2023 lead "
        "partners only"
    ),
    Act.PUBLISH_REPORT: Permission((BU, CHAIR)),
    Act.SEND_REPORT: Permission((BU,)),
    Act.PRESENT_REPORT: Permission((CHAIR, LEAD, BU)),
    Act.ANNOUNCE_INSPECTION: Permission((INSPECTOR, BU), _INSPECTORATE),
    Act.RECORD_INSPECTION_FINDINGS: Permission((INSPECTOR, BU), _INSPECTORATE),
    Act.PUBLISH_INSPECTION: Permission((INSPECTOR, BU), _INSPECTORATE),
    Act.AGREE_ACTION_PLAN: Permission((LEAD, CHAIR)),
    Act.AGREE_TERMS: Permission((LEAD, CHAIR)),
    Act.RECORD_REGIONAL_ACTIVITY: Permission((SCRUTINEER,), "of the regional pool"),
    Act.MODERATE_SCRUTINEER: Permission(
        (MODERATOR,), "independent of the scrutineer's agency and the partnership"
    ),
    Act.CORRECT_EVENT: Permission(
        (BU,), "or the person who recorded the entry, holding any role on the date"
    ),
    Act.ERASE_SUBJECT: Permission((BU,), "the subject is a stream of the ledger"),
}

ALLOWED_ROLES: dict[Act, tuple[Role, ...]] = {act: p.roles for act, p in PERMISSIONS.items()}

# Acts open to anyone while no business-unit officer has ever been appointed.
SETUP_ACTS = frozenset({Act.REGISTER_ORGANISATION, Act.APPOINT_PERSON})

# Roles that may record an act about a person only when that person is themselves.
SELF_ONLY: dict[Act, frozenset[Role]] = {
    Act.DECLARE_INTEREST: frozenset({SCRUTINEER, MODERATOR, CHAIR}),
    Act.END_INTEREST: frozenset({SCRUTINEER, MODERATOR, CHAIR}),
}


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

    def stamp(self, evidence: tuple[EvidenceRef, ...] = ()) -> Stamp:
        """The stamp an aggregate puts on the event: this attribution and the evidence."""
        return Stamp(self.actor_id, self.actor_role, self.occurred_on, evidence)


def authorise(
    act: Act,
    actor_id: str,
    person: Person | None,
    on: date,
    *,
    setup_open: bool = False,
    for_organisations: Collection[str] | None = None,
    bound_roles: Collection[Role] | None = None,
    raised_by: str | None = None,
    pool: ScrutineerPool | None = None,
    subject: str | None = None,
    original_actor: str | None = None,
) -> Attribution:
    """The attribution for ``act`` by ``actor_id`` on ``on``, or RefusedError.

    ``person`` is the actor's Person aggregate (None if no such person).
    ``setup_open`` is True while nobody has ever been appointed to the
    business unit. The other arguments are the conditions of the module
    docstring.
    """
    if setup_open and act in SETUP_ACTS:
        return Attribution(actor_id, SETUP_ROLE, on)
    allowed = ALLOWED_ROLES[act]
    if raised_by is not None and actor_id != raised_by:
        raise RefusedError(
            f"only the person who raised the challenge ({raised_by}) can "
            f"{act.value.split()[-1]} it; {actor_id} did not raise it"
        )
    if subject is not None and subject != actor_id:
        allowed = tuple(r for r in allowed if r not in SELF_ONLY.get(act, frozenset()))
    spells = [] if person is None else person.appointments_on(on)
    bound = set(allowed if bound_roles is None else bound_roles)
    for role in allowed:
        for spell in spells:
            if spell.role is not role:
                continue
            if (
                for_organisations is not None
                and role in bound
                and spell.organisation_id not in for_organisations
            ):
                continue
            if pool is not None and spell.pool is not pool:
                continue
            return Attribution(actor_id, role.value, on, spell.organisation_id)
    if original_actor is not None and original_actor == actor_id and spells:
        first = min(spells, key=lambda s: list(Role).index(s.role))
        return Attribution(actor_id, first.role.value, on, first.organisation_id)
    raise RefusedError(_refusal(act, actor_id, on, allowed, for_organisations, bound, pool,
                                subject, original_actor))


def _refusal(
    act: Act,
    actor_id: str,
    on: date,
    allowed: tuple[Role, ...],
    for_organisations: Collection[str] | None,
    bound: set[Role],
    pool: ScrutineerPool | None,
    subject: str | None,
    original_actor: str | None,
) -> str:
    roles = ", ".join(role.value for role in allowed) or "none"
    where = ""
    if for_organisations is not None:
        names = ", ".join(sorted(for_organisations)) or "a named organisation"
        where = f" for {names}" if bound >= set(allowed) else (
            f" ({', '.join(r.value for r in allowed if r in bound)} for {names})"
        )
    if pool is not None:
        where += f" in the {pool.value} pool"
    about = f" about {subject}" if subject is not None and subject != actor_id else ""
    own = (
        f", and did not record the entry ({original_actor} did)"
        if original_actor is not None and original_actor != actor_id
        else ""
    )
    return (
        f"{actor_id} does not hold any of the roles {roles}{where} on {on.isoformat()} "
        f"(needed to {act.value}{about}){own}"
    )


def acting_organisations(person: Person | None, act: Act, on: date) -> set[str]:
    """The organisations ``person`` acts for, in a role allowed for ``act``, on ``on``."""
    if person is None:
        return set()
    allowed = set(ALLOWED_ROLES[act])
    return {spell.organisation_id for spell in person.appointments_on(on) if spell.role in allowed}


def authorisation_table() -> str:
    """The table of ``PERMISSIONS`` as Markdown (docs/authorisation.md prints it)."""
    lines = ["| act | roles allowed (the first held is recorded) | further condition |",
             "|---|---|---|"]
    for act, permission in PERMISSIONS.items():
        roles = ", ".join(role.value for role in permission.roles)
        lines.append(f"| {act.value} | {roles} | {permission.condition} |")
    return "\n".join(lines)
