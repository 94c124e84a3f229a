"""Registering, renaming, succeeding and dissolving organisations."""

from __future__ import annotations

from pydantic import Field

from commands.acts.base import Command, Slug, UnitOfWork, authorise_command, handler
from ledger.domain.authorisation import Act
from ledger.domain.base import DomainEvent
from ledger.domain.organisations import (
    NationalRole,
    Organisation,
    OrganisationKind,
    StatutoryRole,
)


class RegisterOrganisation(Command):
    """Register an organisation under its permanent id and first name."""

    act = Act.REGISTER_ORGANISATION

    organisation_id: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind
    statutory_role: StatutoryRole | None = None
    national_role: NationalRole | None = None


class RenameOrganisation(Command):
    """Record the name an organisation is known by from a date."""

    act = Act.RENAME_ORGANISATION

    organisation_id: Slug
    new_name: str = Field(min_length=1, max_length=200)


class SucceedOrganisation(Command):
    """Record that another organisation carries on from a date (the first one ends)."""

    act = Act.SUCCEED_ORGANISATION

    organisation_id: Slug
    successor_id: Slug


class DissolveOrganisation(Command):
    """Record that an organisation ended without a successor."""

    act = Act.DISSOLVE_ORGANISATION

    organisation_id: Slug
    reason: str = Field(min_length=1, max_length=2000)


@handler(RegisterOrganisation)
def register_organisation(command: RegisterOrganisation, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    organisation = uow.find_or_new(Organisation, command.organisation_id, Organisation.new)
    return organisation.register(
        name=command.name,
        kind=command.kind,
        statutory_role=command.statutory_role,
        national_role=command.national_role,
        evidence=command.evidence,
        **attribution.event_fields(),
    )


@handler(RenameOrganisation)
def rename_organisation(command: RenameOrganisation, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    organisation = uow.get(Organisation, command.organisation_id)
    return organisation.rename(
        command.new_name, evidence=command.evidence, **attribution.event_fields()
    )


@handler(SucceedOrganisation)
def succeed_organisation(command: SucceedOrganisation, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    organisation = uow.get(Organisation, command.organisation_id)
    successor = uow.get(Organisation, command.successor_id)
    return organisation.succeed(
        successor, evidence=command.evidence, **attribution.event_fields()
    )


@handler(DissolveOrganisation)
def dissolve_organisation(command: DissolveOrganisation, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    organisation = uow.get(Organisation, command.organisation_id)
    return organisation.dissolve(
        command.reason, evidence=command.evidence, **attribution.event_fields()
    )
