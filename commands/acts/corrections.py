"""Correcting a recorded entry by a new event that names it."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from commands.acts.base import Command, UnitOfWork, authorise_command, handler
from ledger.domain.authorisation import Act
from ledger.domain.base import DomainEvent, decode_event
from ledger.domain.corrections import Correction, correction_key
from ledger.errors import InvalidInputError, LedgerError, NotFoundError


class CorrectEvent(Command):
    """Correct some fields of a recorded entry, named by stream and version or by position."""

    act = Act.CORRECT_EVENT

    stream_id: str | None = Field(default=None, min_length=3, max_length=200)
    version: int | None = Field(default=None, ge=1)
    position: int | None = Field(default=None, ge=0)
    values: dict[str, Any] = Field(min_length=1, max_length=50)
    reason: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _one_way_to_name_the_entry(self) -> CorrectEvent:
        by_stream = self.stream_id is not None or self.version is not None
        if by_stream and (self.stream_id is None or self.version is None):
            raise ValueError("name the entry by stream id and version together")
        if by_stream == (self.position is not None):
            raise ValueError("name the entry either by stream id and version or by position")
        return self


def find_entry(uow: UnitOfWork, command: CorrectEvent) -> tuple[DomainEvent, int | None]:
    """The recorded event the command names, and its position when named by it."""
    recorder = uow.ledger.ledger_recorder
    if command.position is not None:
        page = recorder.select_notifications(command.position + 1, limit=1)
        if not page or page[0].id != command.position + 1:
            raise NotFoundError(f"no entry at position {command.position}")
        item = page[0]
        return _decode(uow, str(item.originator_id), item.originator_version, item.topic,
                       item.state), command.position
    assert command.stream_id is not None and command.version is not None
    unsaved = uow.unsaved_event(command.stream_id, command.version)
    if unsaved is not None:
        return unsaved, None
    stored = recorder.select_events(
        command.stream_id, gt=command.version - 1, lte=command.version
    )
    if not stored:
        raise NotFoundError(f"no entry {command.stream_id} version {command.version}")
    [record] = stored
    return _decode(
        uow, str(record.originator_id), record.originator_version, record.topic, record.state
    ), None


def _decode(uow: UnitOfWork, stream_id: str, version: int, topic: str, state: bytes
            ) -> DomainEvent:
    try:
        return decode_event(stream_id, version, topic, state, uow.ledger.subject_keys)
    except LedgerError:
        raise
    except Exception as exc:  # a record that is not one of the ledger's own events
        raise InvalidInputError(f"{stream_id} version {version} is not a ledger entry") from exc


@handler(CorrectEvent)
def correct_event(command: CorrectEvent, uow: UnitOfWork) -> DomainEvent:
    target, position = find_entry(uow, command)
    attribution = authorise_command(uow, command, original_actor=target.actor_id)
    key = correction_key(target.originator_id, target.originator_version)
    correction = uow.find_or_new(Correction, key, lambda k: Correction(Correction.stream_id_for(k)))
    return correction.correct(
        target=target,
        position=position,
        values=command.values,
        reason=command.reason,
        at=attribution.stamp(command.evidence),
    )
