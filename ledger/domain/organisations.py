"""Organisations: the partners, agencies, regulators and bodies of the partnership.

An organisation keeps one permanent id for life (a lowercase slug such as
``somerset-ccg``); its names change by dated events. Stream ids are
``org:<id>``.

Events::

    OrganisationRegistered   name, kind, statutory_role (safeguarding partners only);
                             registered on its occurred_on
    OrganisationRenamed      new_name, effective from its occurred_on

Guards (each refusal raises ``RefusedError`` and records nothing):

* the id is a lowercase slug ``[a-z0-9][a-z0-9-]{1,62}``;
* a safeguarding partner names its statutory role (local authority, police,
  health) and no other kind may;
* an id is registered once (the command layer checks the store; the store's
  uniqueness of ``(stream, version)`` is the backstop);
* a rename changes the name in effect on its date, is not dated before the
  registration, and is not dated on the same day as another rename.
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

    clean_name = field_validator("name")(normalise_name)

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return Organisation


class OrganisationRenamed(DomainEvent):
    """The organisation has been known by ``new_name`` from ``occurred_on``."""

    new_name: str = Field(min_length=1, max_length=200)

    clean_name = field_validator("new_name")(normalise_name)


class Organisation(Aggregate):
    """One organisation's registration and dated names."""

    stream_prefix = "org"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.kind: OrganisationKind | None = None
        self.statutory_role: StatutoryRole | None = None
        self.registered_on: date | None = None
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
        return self.trigger(
            OrganisationRegistered,
            name=name,
            kind=kind,
            statutory_role=role,
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

    # -- queries ------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The name in effect on the latest date the ledger knows of."""
        return self.names[-1][1]

    def existed_on(self, day: date) -> bool:
        """Whether the organisation had been registered by ``day``."""
        return self.registered_on is not None and self.registered_on <= day

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
            self.registered_on = event.occurred_on
            self.names = [(event.occurred_on, event.name)]
        elif isinstance(event, OrganisationRenamed):
            # A stable sort: a rename dated on the day of registration follows it.
            self.names = sorted([*self.names, (event.occurred_on, event.new_name)], key=_effective)
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
