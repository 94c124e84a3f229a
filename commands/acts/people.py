"""Appointing people to roles and standing them down."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from commands.acts.base import Command, Slug, authorise_command, load_or_none, record
from ledger.application import ScrutinyLedger
from ledger.domain.authorisation import Act
from ledger.domain.organisations import Organisation
from ledger.domain.people import Person, Role


class AppointPerson(Command):
    """Appoint a person to a role, acting for an organisation.

    ``display_name`` is required for a person's first appointment and
    defaults to their current name afterwards.
    """

    person_id: Slug
    role: Role
    organisation_id: Slug
    display_name: str | None = Field(default=None, min_length=1, max_length=200)


class StandDown(Command):
    """Stand a person down from a role they hold."""

    person_id: Slug
    role: Role


def appoint_person(command: AppointPerson, ledger: ScrutinyLedger) -> dict[str, Any]:
    attribution = authorise_command(ledger, Act.APPOINT_PERSON, command)
    organisation = ledger.load(Organisation, command.organisation_id)
    person = load_or_none(ledger, Person, command.person_id) or Person.new(command.person_id)
    event = person.appoint(
        command.role,
        organisation,
        display_name=command.display_name,
        evidence=command.evidence,
        **attribution.event_fields(),
    )
    return record(ledger, person, event)


def stand_down(command: StandDown, ledger: ScrutinyLedger) -> dict[str, Any]:
    attribution = authorise_command(ledger, Act.STAND_DOWN, command)
    person = ledger.load(Person, command.person_id)
    event = person.stand_down(command.role, evidence=command.evidence, **attribution.event_fields())
    return record(ledger, person, event)
