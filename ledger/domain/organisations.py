"""Organisations: the partners, agencies, regulators and bodies of the partnership.

An organisation keeps one permanent id for life (a lowercase slug such as
``somerset-ccg``); its names change by dated events, and it ends by a dated
succession or dissolution. Stream ids are ``org:<id>``.

Events::

    OrganisationRegistered   name, kind, statutory_role (safeguarding partners only),
                             national_role (national bodies only); exists from occurred_on
    OrganisationRenamed      new_name, effective from its occurred_on
    OrganisationSucceeded    successor_id: from occurred_on the successor carries on
                             the organisation's functions and it no longer exists
    OrganisationDissolved    reason: it no longer exists from occurred_on

An organisation exists from its registration date up to, not including, the
date of its succession or dissolution. Every act that names an organisation
is refused on a date it did not exist (see ``absence_on``). So Somerset CCG
(registered 2019) succeeded by NHS Somerset ICB on 2022-07-01 can be named
up to 2022-06-30 and the ICB from 2022-07-01.

National bodies that receive the partnership's notifications and reports
carry a ``national_role`` (the Panel, the Secretary of State, the What Works
Centre); a recipient is resolved by role and date, following successions, so
a report sent on 2023-06-06 or later goes to Foundations, the What Works
Centre's successor.

Guards (each refusal raises ``RefusedError`` and records nothing):

* the id is a lowercase slug ``[a-z0-9][a-z0-9-]{1,62}``;
* a safeguarding partner names its statutory role (local authority, police,
  health) and no other kind may; only a national body has a national role;
* an id is registered once (the command layer checks the store; the store's
  uniqueness of ``(stream, version)`` is the backstop);
* a rename changes the name in effect on its date, is not dated before the
  registration, nor on the same day as another rename, nor once the
  organisation has ended;
* an organisation ends once, after its registration and its renames; a
  successor is another organisation that exists on the succession date.
"""

from __future__ import annotations

import re
from datetime import date
from enum import Enum, StrEnum
from typing import TypeVar

from pydantic import Field, field_validator

from ledger.domain.base import Aggregate, DomainEvent, EvidenceRef
from ledger.errors import InvalidInputError

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
_SLUG = re.compile(SLUG_PATTERN)
E = TypeVar("E", bound=Enum)


def check_slug(value: str, noun: str) -> str:
    """The id itself, or InvalidInputError saying what a valid id looks like."""
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        raise InvalidInputError(
            f"{noun} id {value!r} must be 2-63 lowercase letters, digits or hyphens, "
            "starting with a letter or digit"
        )
    return value


class OrganisationKind(StrEnum):
    SAFEGUARDING_PARTNER = "safeguarding_partner"
    RELEVANT_AGENCY = "relevant_agency"
    REGULATOR = "regulator"
    NATIONAL_BODY = "national_body"
    REGIONAL_PARTNER = "regional_partner"
    LOCAL_BODY = "local_body"
    INDEPENDENT_BODY = "independent_body"


class StatutoryRole(StrEnum):
    """The three statutory safeguarding partners (Children Act 2004 s16E)."""

    LOCAL_AUTHORITY = "local_authority"
    POLICE = "police"
    HEALTH = "health"


class NationalRole(StrEnum):
    """What a national body receives from the partnership."""

    PRACTICE_REVIEW_PANEL = "practice_review_panel"
    SECRETARY_OF_STATE = "secretary_of_state"
    WHAT_WORKS_CENTRE = "what_works_centre"


def normalise_name(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError("a name cannot be blank")
    return cleaned


class OrganisationRegistered(DomainEvent):
    """An organisation was registered, under its first name, on ``occurred_on``."""

    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind
    statutory_role: StatutoryRole | None = None
    national_role: NationalRole | None = None

    clean_name = field_validator("name")(normalise_name)

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return Organisation


class OrganisationRenamed(DomainEvent):
    """The organisation has been known by ``new_name`` from ``occurred_on``."""

    new_name: str = Field(min_length=1, max_length=200)

    clean_name = field_validator("new_name")(normalise_name)


class OrganisationSucceeded(DomainEvent):
    """From ``occurred_on`` ``successor_id`` carries on; this organisation has ended."""

    successor_id: str = Field(pattern=SLUG_PATTERN)


class OrganisationDissolved(DomainEvent):
    """The organisation ended on ``occurred_on`` without a successor."""

    reason: str = Field(min_length=1, max_length=2000)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("cannot be blank")
        return value.strip()


class Organisation(Aggregate):
    """One organisation's registration and dated names."""

    stream_prefix = "org"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.kind: OrganisationKind | None = None
        self.statutory_role: StatutoryRole | None = None
        self.national_role: NationalRole | None = None
        self.registered_on: date | None = None
        self.ended_on: date | None = None
        self.successor_id: str | None = None
        # (effective from, name), kept in date order.
        self.names: list[tuple[date, str]] = []

    # -- commands -----------------------------------------------------------------

    @classmethod
    def new(cls, key: str) -> Organisation:
        """A blank organisation with a valid id, ready to be registered."""
        return cls(cls.stream_id_for(check_slug(key, "organisation")))

    def register(
        self,
        *,
        name: str,
        kind: OrganisationKind | str,
        statutory_role: StatutoryRole | str | None,
        national_role: NationalRole | str | None = None,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> OrganisationRegistered:
        kind = parse_choice(OrganisationKind, kind, "kind")
        role = (
            None
            if statutory_role is None
            else parse_choice(StatutoryRole, statutory_role, "statutory role")
        )
        national = (
            None
            if national_role is None
            else parse_choice(NationalRole, national_role, "national role")
        )
        if self.registered_on is not None:
            self.refuse(
                f"organisation {self.key} is already registered "
                f"(on {self.registered_on.isoformat()}); an id is registered once"
            )
        if kind is OrganisationKind.SAFEGUARDING_PARTNER and role is None:
            self.refuse(
                "a safeguarding partner must name its statutory role "
                "(local_authority, police or health)"
            )
        if kind is not OrganisationKind.SAFEGUARDING_PARTNER and role is not None:
            self.refuse(
                f"only a safeguarding partner has a statutory role; {self.key} is a {kind.value}"
            )
        if national is not None and kind is not OrganisationKind.NATIONAL_BODY:
            self.refuse(
                f"only a national body has a national role; {self.key} is a {kind.value}"
            )
        return self.trigger(
            OrganisationRegistered,
            name=name,
            kind=kind,
            statutory_role=role,
            national_role=national,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def rename(
        self,
        new_name: str,
        *,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> OrganisationRenamed:
        if self.registered_on is None:
            self.refuse(f"organisation {self.key} is not registered")
        assert self.registered_on is not None
        if occurred_on < self.registered_on:
            self.refuse(
                f"a rename cannot predate the registration of {self.key} "
                f"on {self.registered_on.isoformat()}"
            )
        if self.ended_on is not None and occurred_on >= self.ended_on:
            self.refuse(self.absence_on(occurred_on) or f"{self.key} has ended")
        if any(effective == occurred_on for effective, _ in self.names[1:]):
            self.refuse(f"{self.key} already has a rename effective on {occurred_on.isoformat()}")
        if " ".join(new_name.split()) == self.name_on(occurred_on):
            self.refuse(
                f"a rename must change the name: {self.key} is already called "
                f"{new_name!r} on {occurred_on.isoformat()}"
            )
        return self.trigger(
            OrganisationRenamed,
            new_name=new_name,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def succeed(
        self,
        successor: Organisation,
        *,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> OrganisationSucceeded:
        """Record that ``successor`` carries on from ``occurred_on``."""
        self._check_can_end(occurred_on)
        if successor.id == self.id:
            self.refuse(f"{self.key} cannot succeed itself")
        absence = successor.absence_on(occurred_on)
        if absence is not None:
            self.refuse(f"the successor must exist on the succession date: {absence}")
        return self.trigger(
            OrganisationSucceeded,
            successor_id=successor.key,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def dissolve(
        self,
        reason: str,
        *,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> OrganisationDissolved:
        """Record that the organisation ended on ``occurred_on`` with no successor."""
        self._check_can_end(occurred_on)
        return self.trigger(
            OrganisationDissolved,
            reason=reason,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def _check_can_end(self, occurred_on: date) -> None:
        if self.registered_on is None:
            self.refuse(f"organisation {self.key} is not registered")
        assert self.registered_on is not None
        if self.ended_on is not None:
            self.refuse(
                f"organisation {self.key} already ended on {self.ended_on.isoformat()} "
                f"({self._ending()}); an organisation ends once"
            )
        last_change = self.names[-1][0]
        if occurred_on <= last_change:
            self.refuse(
                f"{self.key} can only end after its registration and renames "
                f"(the last on {last_change.isoformat()}), not on {occurred_on.isoformat()}"
            )

    # -- queries ------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The name in effect on the latest date the ledger knows of."""
        return self.names[-1][1]

    def existed_on(self, day: date) -> bool:
        """Whether the organisation existed on ``day``: registered, not yet ended."""
        return self.absence_on(day) is None

    def absence_on(self, day: date) -> str | None:
        """Why the organisation did not exist on ``day``; None if it did."""
        if self.registered_on is None or day < self.registered_on:
            return f"organisation {self.key} was not registered on {day.isoformat()}"
        if self.ended_on is not None and day >= self.ended_on:
            return (
                f"organisation {self.key} no longer existed on {day.isoformat()} "
                f"({self._ending()} on {self.ended_on.isoformat()})"
            )
        return None

    def _ending(self) -> str:
        return f"succeeded by {self.successor_id}" if self.successor_id else "dissolved"

    def name_on(self, day: date) -> str | None:
        """The name in effect on ``day``; None before registration."""
        current = None
        for effective, name in self.names:
            if effective > day:
                break
            current = name
        return current

    # -- state --------------------------------------------------------------------

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, OrganisationRegistered):
            self.kind = event.kind
            self.statutory_role = event.statutory_role
            self.national_role = event.national_role
            self.registered_on = event.occurred_on
            self.names = [(event.occurred_on, event.name)]
        elif isinstance(event, OrganisationRenamed):
            # A stable sort: a rename dated on the day of registration follows it.
            self.names = sorted([*self.names, (event.occurred_on, event.new_name)], key=_effective)
        elif isinstance(event, OrganisationSucceeded):
            self.ended_on = event.occurred_on
            self.successor_id = event.successor_id
        elif isinstance(event, OrganisationDissolved):
            self.ended_on = event.occurred_on
        else:
            super().apply(event)


def _effective(entry: tuple[date, str]) -> date:
    return entry[0]


def parse_choice(enum: type[E], value: object, label: str) -> E:
    """``enum(value)``, or InvalidInputError listing the choices."""
    try:
        return enum(value)
    except ValueError as exc:
        choices = ", ".join(member.value for member in enum)
        raise InvalidInputError(f"{label} {value!r} is not one of {choices}") from exc
