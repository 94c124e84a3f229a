"""Registering and renaming organisations."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from commands.acts.base import Command, Slug, authorise_command, load_or_none, record
from ledger.application import ScrutinyLedger
from ledger.domain.authorisation import Act
from ledger.domain.organisations import Organisation, OrganisationKind, StatutoryRole


class RegisterOrganisation(Command):
    """Register an organisation under its permanent id and first name."""

    organisation_id: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind
    statutory_role: StatutoryRole | None = None


class RenameOrganisation(Command):
    """Record the name an organisation is known by from a date."""

    organisation_id: Slug
    new_name: str = Field(min_length=1, max_length=200)


def register_organisation(command: RegisterOrganisation, ledger: ScrutinyLedger) -> dict[str, Any]:
    attribution = authorise_command(ledger, Act.REGISTER_ORGANISATION, command)
    organisation = load_or_none(ledger, Organisation, command.organisation_id)
    if organisation is None:
        organisation = Organisation.new(command.organisation_id)
    event = organisation.register(
        name=command.name,
        kind=command.kind,
        statutory_role=command.statutory_role,
        evidence=command.evidence,
        **attribution.event_fields(),
    )
    return record(ledger, organisation, event)


def rename_organisation(command: RenameOrganisation, ledger: ScrutinyLedger) -> dict[str, Any]:
    attribution = authorise_command(ledger, Act.RENAME_ORGANISATION, command)
    organisation = ledger.load(Organisation, command.organisation_id)
    event = organisation.rename(
        command.new_name, evidence=command.evidence, **attribution.event_fields()
    )
    return record(ledger, organisation, event)
