"""People: the named professionals who act in the partnership, and their roles.

People here are professionals acting in a role (scrutineers, the chair, lead
and delegated safeguarding partners, the business unit, inspectors,
moderators), never children or family members, so their display names are
recorded in clear. A person's id is a lowercase slug (``ss-jones``); stream
ids are ``person:<id>``.

Events::

    PersonAppointed   role, organisation_id (whom they act for), display_name,
                      pool (independent scrutineers only: local or regional)
    RoleStoodDown     role
    InterestDeclared  organisation_id, nature, description: an affiliation
    InterestEnded     organisation_id

Independent scrutineers belong to a pool: ``local`` (Somerset's own) or
``regional`` (the pool shared by the five local-authority areas of the Avon
and Somerset police region). Regional scrutiny activity needs the regional
pool.

A person's affiliations on a date are the organisations they act for in a
role held that day and the organisations of their declared interests open
that day; independence (moderation) is judged from them.

A role (or an interest) is held from its start date up to, but not
including, its end date: someone stood down on 2020-03-31 no longer holds the role
that day, and a successor appointed on 2020-03-31 does.

Guards (each refusal raises ``RefusedError`` and records nothing):

* the organisation exists on the appointment date;
* lead and delegated safeguarding partners act for a safeguarding partner,
  inspectors for a regulator;
* a person may hold several roles, but never the same role twice at once;
* only a role currently held can be stood down, and not before the day it
  was taken up;
* only an independent scrutineer has a pool (local unless said otherwise);
* an interest names an organisation that exists on the declaration date,
  is declared once while open, and ends after it began.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from pydantic import Field, field_validator

from ledger.domain.base import Aggregate, DomainEvent, EvidenceRef
from ledger.domain.organisations import (
    Organisation,
    OrganisationKind,
    check_slug,
    normalise_name,
    parse_choice,
)
from ledger.errors import InvalidInputError


class ScrutineerPool(StrEnum):
    """Where an independent scrutineer is drawn from."""

    LOCAL = "local"
    REGIONAL = "regional"


class InterestNature(StrEnum):
    """What ties a person to an organisation."""

    EMPLOYMENT = "employment"
    GOVERNANCE = "governance"
    CONTRACT = "contract"
    PERSONAL = "personal"
    OTHER = "other"


class Role(StrEnum):
    INDEPENDENT_SCRUTINEER = "independent_scrutineer"
    PARTNERSHIP_CHAIR = "partnership_chair"
    LEAD_SAFEGUARDING_PARTNER = "lead_safeguarding_partner"
    DELEGATED_SAFEGUARDING_PARTNER = "delegated_safeguarding_partner"
    BUSINESS_UNIT = "business_unit"
    INSPECTOR = "inspector"
    MODERATOR = "moderator"


# Roles that can only be held for an organisation of a particular kind.
REQUIRED_KIND: dict[Role, OrganisationKind] = {
    Role.LEAD_SAFEGUARDING_PARTNER: OrganisationKind.SAFEGUARDING_PARTNER,
    Role.DELEGATED_SAFEGUARDING_PARTNER: OrganisationKind.SAFEGUARDING_PARTNER,
    Role.INSPECTOR: OrganisationKind.REGULATOR,
}


class PersonAppointed(DomainEvent):
    """The person took up ``role`` for ``organisation_id`` on ``occurred_on``."""

    personal_fields = ("display_name",)

    role: Role
    organisation_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    display_name: str = Field(min_length=1, max_length=200)
    pool: ScrutineerPool | None = None

    clean_name = field_validator("display_name")(normalise_name)

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return Person


class RoleStoodDown(DomainEvent):
    """The person stopped holding ``role`` on ``occurred_on``."""

    role: Role


class InterestDeclared(DomainEvent):
    """From ``occurred_on`` the person has an interest in ``organisation_id``."""

    personal_fields = ("description",)

    organisation_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    nature: InterestNature
    description: str | None = Field(default=None, min_length=1, max_length=2000)


class InterestEnded(DomainEvent):
    """From ``occurred_on`` the person no longer has an interest in ``organisation_id``."""

    organisation_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")


@dataclass(frozen=True)
class Interest:
    """One declared affiliation: from ``start`` up to, not including, ``end``."""

    organisation_id: str
    nature: InterestNature
    start: date
    end: date | None = None
    description: str | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Appointment:
    """One spell in a role: from ``start`` up to, not including, ``end``."""

    role: Role
    organisation_id: str
    start: date
    end: date | None = None
    pool: ScrutineerPool | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


class Person(Aggregate):
    """A professional and the roles they have held."""

    stream_prefix = "person"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.display_name = ""
        self.appointments: list[Appointment] = []
        self.interests: list[Interest] = []

    # -- commands -----------------------------------------------------------------

    @classmethod
    def new(cls, key: str) -> Person:
        """A blank person with a valid id, ready for a first appointment."""
        return cls(cls.stream_id_for(check_slug(key, "person")))

    def appoint(
        self,
        role: Role | str,
        organisation: Organisation,
        *,
        display_name: str | None = None,
        pool: ScrutineerPool | str | None = None,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> PersonAppointed:
        role = parse_choice(Role, role, "role")
        chosen_pool = None if pool is None else parse_choice(ScrutineerPool, pool, "pool")
        if role is Role.INDEPENDENT_SCRUTINEER:
            chosen_pool = chosen_pool or ScrutineerPool.LOCAL
        elif chosen_pool is not None:
            self.refuse(f"only an independent scrutineer belongs to a pool, not a {role.value}")
        if not (display_name or self.display_name):
            raise InvalidInputError(f"the first appointment of {self.key} needs their display name")
        absence = organisation.absence_on(occurred_on)
        if absence is not None:
            self.refuse(absence)
        required = REQUIRED_KIND.get(role)
        if required is not None and organisation.kind is not required:
            kind = organisation.kind.value if organisation.kind else "unknown"
            self.refuse(
                f"a {role.value} acts for a {required.value}; {organisation.key} is a {kind}"
            )
        for spell in self.appointments:
            if spell.role is role and (spell.end is None or spell.end > occurred_on):
                self.refuse(
                    f"{self.key} already holds {role.value} from {spell.start.isoformat()}"
                    + ("" if spell.end is None else f" to {spell.end.isoformat()}")
                    + "; a role cannot be held twice at once"
                )
        return self.trigger(
            PersonAppointed,
            role=role,
            organisation_id=organisation.key,
            display_name=display_name or self.display_name,
            pool=chosen_pool,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def stand_down(
        self,
        role: Role | str,
        *,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> RoleStoodDown:
        role = parse_choice(Role, role, "role")
        current = self.current_appointment(role)
        if current is None:
            self.refuse(f"{self.key} does not hold {role.value}, so cannot stand down from it")
        assert current is not None
        if occurred_on < current.start:
            self.refuse(
                f"{self.key} cannot stand down from {role.value} before taking it up "
                f"on {current.start.isoformat()}"
            )
        return self.trigger(
            RoleStoodDown,
            role=role,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def declare_interest(
        self,
        organisation: Organisation,
        nature: InterestNature | str,
        description: str | None = None,
        *,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> InterestDeclared:
        nature = parse_choice(InterestNature, nature, "nature of interest")
        absence = organisation.absence_on(occurred_on)
        if absence is not None:
            self.refuse(absence)
        for interest in self.interests:
            if interest.organisation_id == organisation.key and (
                interest.end is None or interest.end > occurred_on
            ):
                self.refuse(
                    f"{self.key} already has an interest in {organisation.key} from "
                    f"{interest.start.isoformat()}; end it before declaring it again"
                )
        return self.trigger(
            InterestDeclared,
            organisation_id=organisation.key,
            nature=nature,
            description=description,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def end_interest(
        self,
        organisation_id: str,
        *,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> InterestEnded:
        current = next(
            (
                i
                for i in self.interests
                if i.organisation_id == organisation_id and i.end is None
            ),
            None,
        )
        if current is None:
            self.refuse(f"{self.key} has no open interest in {organisation_id} to end")
        assert current is not None
        if occurred_on <= current.start:
            self.refuse(
                f"an interest ends after it began: {self.key}'s interest in "
                f"{organisation_id} began on {current.start.isoformat()}"
            )
        return self.trigger(
            InterestEnded,
            organisation_id=organisation_id,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    # -- queries ------------------------------------------------------------------

    def interests_on(self, day: date) -> list[Interest]:
        return [interest for interest in self.interests if interest.covers(day)]

    def affiliations_on(self, day: date) -> set[str]:
        """Organisations the person acts for or has an open interest in on ``day``."""
        return {s.organisation_id for s in self.appointments_on(day)} | {
            i.organisation_id for i in self.interests_on(day)
        }

    def pools_on(self, day: date) -> set[ScrutineerPool]:
        return {s.pool for s in self.appointments_on(day) if s.pool is not None}

    def current_appointment(self, role: Role) -> Appointment | None:
        """The spell in ``role`` that has not been stood down, if any."""
        return next((s for s in self.appointments if s.role is role and s.end is None), None)

    def appointments_on(self, day: date) -> list[Appointment]:
        return [spell for spell in self.appointments if spell.covers(day)]

    def holds(self, role: Role | str, on: date) -> bool:
        role = Role(role)
        return any(spell.role is role for spell in self.appointments_on(on))

    def roles_on(self, day: date) -> set[Role]:
        return {spell.role for spell in self.appointments_on(day)}

    # -- state --------------------------------------------------------------------

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, PersonAppointed):
            self.display_name = event.display_name
            self.appointments.append(
                Appointment(
                    event.role, event.organisation_id, event.occurred_on, pool=event.pool
                )
            )
        elif isinstance(event, RoleStoodDown):
            self.appointments = [
                replace(s, end=event.occurred_on)
                if s.role is event.role and s.end is None
                else s
                for s in self.appointments
            ]
        elif isinstance(event, InterestDeclared):
            self.interests.append(
                Interest(
                    event.organisation_id,
                    event.nature,
                    event.occurred_on,
                    description=event.description,
                )
            )
        elif isinstance(event, InterestEnded):
            self.interests = [
                replace(i, end=event.occurred_on)
                if i.organisation_id == event.organisation_id and i.end is None
                else i
                for i in self.interests
            ]
        else:
            super().apply(event)
