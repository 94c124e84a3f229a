"""Erasing a data subject: the act that destroys a subject's key."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from commands.acts.base import Command, UnitOfWork, authorise_command, handler
from ledger.domain.authorisation import Act
from ledger.domain.base import DomainEvent
from ledger.domain.erasure import SUBJECT_ID, Erasure, check_subject
from ledger.errors import NotFoundError


class EraseSubject(Command):
    """Destroy the key of a subject's personal data and record why."""

    act = Act.ERASE_SUBJECT

    subject_id: str = Field(max_length=200)
    reason: str = Field(min_length=1, max_length=2000)

    @field_validator("subject_id")
    @classmethod
    def _kind_and_id(cls, value: str) -> str:
        if not re.fullmatch(SUBJECT_ID, value):
            raise ValueError(
                f"{value!r} is not a subject: give KIND:ID, e.g. case:SSCP-2019-01, "
                "person:jane-porter or challenge:CH-2019-0c5a01"
            )
        return value


@handler(EraseSubject)
def erase_subject(command: EraseSubject, uow: UnitOfWork) -> DomainEvent:
    check_subject(command.subject_id)
    if not uow.has_stream(command.subject_id):
        raise NotFoundError(f"no stream {command.subject_id!r} in the ledger to erase")
    attribution = authorise_command(uow, command)
    erasure = uow.find_or_new(Erasure, command.subject_id, lambda k: Erasure(Erasure.stream_id_for(k)))
    return erasure.erase(
        command.subject_id, reason=command.reason, at=attribution.stamp(command.evidence)
    )
