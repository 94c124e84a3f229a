"""Appointing people to roles, standing them down, and their declared interests."""

from __future__ import annotations

from pydantic import Field

from commands.acts.base import Command, Slug, UnitOfWork, authorise_command, handler
from ledger.domain.authorisation import Act
from ledger.domain.base import DomainEvent
from ledger.domain.organisations import Organisation
from ledger.domain.people import InterestNature, Person, Role, ScrutineerPool


class AppointPerson(Command):
    """Appoint a person to a role, acting for an organisation.

    ``display_name`` is required for a person's first appointment and
    defaults to their current name afterwards. ``pool`` is for independent
    scrutineers only (default local).
    """

    act = Act.APPOINT_PERSON

    person_id: Slug
    role: Role
    organisation_id: Slug
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    pool: ScrutineerPool | None = None


class StandDown(Command):
    """Stand a person down from a role they hold."""

    act = Act.STAND_DOWN

    person_id: Slug
    role: Role


class DeclareInterest(Command):
    """Record a person's interest in (affiliation with) an organisation from a date."""

    act = Act.DECLARE_INTEREST

    person_id: Slug
    organisation_id: Slug
    nature: InterestNature
    description: str | None = Field(default=None, min_length=1, max_length=2000)


class EndInterest(Command):
    """Record that a person's interest in an organisation ended on a date."""

    act = Act.END_INTEREST

    person_id: Slug
    organisation_id: Slug


@handler(AppointPerson)
def appoint_person(command: AppointPerson, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    organisation = uow.get(Organisation, command.organisation_id)
    person = uow.find_or_new(Person, command.person_id, Person.new)
    return person.appoint(
        command.role,
        organisation,
        display_name=command.display_name,
        pool=command.pool,
        evidence=command.evidence,
        **attribution.event_fields(),
    )


@handler(StandDown)
def stand_down(command: StandDown, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    person = uow.get(Person, command.person_id)
    return person.stand_down(command.role, evidence=command.evidence, **attribution.event_fields())


@handler(DeclareInterest)
def declare_interest(command: DeclareInterest, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command, subject=command.person_id)
    person = uow.get(Person, command.person_id)
    organisation = uow.get(Organisation, command.organisation_id)
    return person.declare_interest(
        organisation,
        command.nature,
        command.description,
        evidence=command.evidence,
        **attribution.event_fields(),
    )


@handler(EndInterest)
def end_interest(command: EndInterest, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command, subject=command.person_id)
    person = uow.get(Person, command.person_id)
    uow.get(Organisation, command.organisation_id)
    return person.end_interest(
        command.organisation_id, evidence=command.evidence, **attribution.event_fields()
    )
