"""Corrections: a wrong entry is never edited; a new event names it and corrects it.

The stream of corrections of one recorded event is
``correction:<stream id>@<version>`` (for example
``correction:challenge:CH-2019-0c5a01@1``), so every correction of an event
is a version of one stream and two people cannot correct it at once.

Events::

    EventCorrected   target_stream_id, target_version, target_position,
                     target_event_type, corrected_values, previous_values, reason

``corrected_values`` holds only the fields that change, as JSON values;
``previous_values`` the values in effect just before (the original, or an
earlier correction), so the history shows both. ``corrected(event, ...)``
gives the event as corrected; views show that and keep the original visible.

Guards: the target is an event of the ledger (not a correction, nor an
import key); at least one field; each field belongs to the event and is not
its identity or its attribution (stream, version, actor, role); the
corrected event is valid; a correction changes something; it is not dated
before the act it corrects, nor in the future.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from eventsourcing.utils import get_topic
from pydantic import Field, ValidationError, field_validator

from ledger.domain.acting import DatedAggregate, Stamp, clean_text
from ledger.domain.base import (
    Aggregate,
    DomainEvent,
    describe_validation_error,
    event_class_named,
    today_in_london,
)
from ledger.sealing import FieldPath
from ledger.errors import InvalidInputError

PROTECTED_FIELDS = frozenset({"originator_id", "originator_version", "actor_id", "actor_role"})
UNCORRECTABLE_PREFIXES = ("correction", "import")


def correction_key(stream_id: str, version: int) -> str:
    return f"{stream_id}@{version}"


class EventCorrected(DomainEvent):
    target_stream_id: str = Field(min_length=3, max_length=200)
    target_version: int = Field(ge=1)
    target_position: int | None = Field(default=None, ge=0)
    target_event_type: str = Field(min_length=1, max_length=200)
    corrected_values: dict[str, Any] = Field(min_length=1, max_length=50)
    previous_values: dict[str, Any] = Field(max_length=50)
    reason: str = Field(min_length=1, max_length=2000)
    # Whose key seals the personal values corrected (the corrected entry's subject).
    subject_id: str | None = Field(default=None, min_length=3, max_length=200)

    strip = field_validator("reason")(clean_text)

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return Correction

    @classmethod
    def personal_paths(cls, state: Mapping[str, Any]) -> list[FieldPath]:
        """The reason, and the corrected entry's personal fields among the values."""
        target = event_class_named(str(state.get("target_event_type", "")))
        personal = target.personal_fields if target is not None else ()
        paths: list[FieldPath] = [("reason",)]
        for values in ("corrected_values", "previous_values"):
            named = state.get(values)
            if isinstance(named, Mapping):
                paths += [(values, name) for name in personal if name in named]
        return paths

    def personal_subject(self) -> str:
        return self.subject_id or self.originator_id


class Correction(DatedAggregate):
    """Every correction of one recorded event."""

    stream_prefix = "correction"
    noun = "correction"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.target_stream_id = ""
        self.target_version = 0
        self.values: dict[str, Any] = {}
        self.reasons: tuple[str, ...] = ()

    @classmethod
    def new(cls, stream_id: str, version: int) -> Correction:
        return cls(cls.stream_id_for(correction_key(stream_id, version)))

    def correct(
        self,
        *,
        target: DomainEvent,
        position: int | None,
        values: Mapping[str, Any],
        reason: str,
        at: Stamp,
    ) -> EventCorrected:
        prefix = target.originator_id.split(":", 1)[0]
        if prefix in UNCORRECTABLE_PREFIXES:
            self.refuse(f"a {prefix} entry cannot itself be corrected; correct the entry it names")
        if not values:
            raise InvalidInputError("name at least one field to correct")
        fields = type(target).model_fields
        for name in values:
            if name not in fields:
                raise InvalidInputError(
                    f"{type(target).__name__} has no field {name!r}; its fields are "
                    + ", ".join(sorted(set(fields) - PROTECTED_FIELDS))
                )
            if name in PROTECTED_FIELDS:
                self.refuse(f"{name} identifies or attributes the entry and cannot be corrected")
        current = corrected(target, self.values)
        updated = _revalidate(current, values)
        if updated.occurred_on > today_in_london():
            raise InvalidInputError("occurred_on: a corrected date cannot be in the future")
        before = current.model_dump(mode="json")
        after = updated.model_dump(mode="json")
        changed = {name: after[name] for name in values if after[name] != before[name]}
        if not changed:
            self.refuse("a correction must change at least one value")
        if at.occurred_on < target.occurred_on:
            self.refuse(
                f"a correction cannot be dated before the entry it corrects "
                f"({target.occurred_on.isoformat()})"
            )
        if self.last_act_on is not None and at.occurred_on < self.last_act_on:
            self.refuse(f"corrections of an entry are dated in order; the last was on "
                        f"{self.last_act_on.isoformat()}")
        return self.record(
            EventCorrected,
            at,
            target_stream_id=target.originator_id,
            target_version=target.originator_version,
            target_position=position,
            target_event_type=type(target).__name__,
            corrected_values=changed,
            previous_values={name: before[name] for name in changed},
            reason=reason,
            subject_id=target.personal_subject(),
        )

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, EventCorrected):
            self.target_stream_id = event.target_stream_id
            self.target_version = event.target_version
            self.values = {**self.values, **event.corrected_values}
            self.reasons = (*self.reasons, event.reason)
        else:
            super().apply(event)
        self.note_act(event)


def _revalidate(event: DomainEvent, values: Mapping[str, Any]) -> DomainEvent:
    data = event.model_dump(mode="json")
    data.update(values)
    try:
        return type(event).model_validate(data, context={"replay": True})
    except ValidationError as exc:
        raise InvalidInputError(describe_validation_error(exc)) from exc


def corrected(event: DomainEvent, values: Mapping[str, Any]) -> DomainEvent:
    """``event`` with ``values`` (JSON values of some of its fields) in place."""
    if not values:
        return event
    return _revalidate(event, values)


def corrections_by_target(events: Iterable[DomainEvent]) -> dict[tuple[str, int], dict[str, Any]]:
    """For each corrected (stream, version), the values in effect after every correction."""
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for event in events:
        if isinstance(event, EventCorrected):
            target = (event.target_stream_id, event.target_version)
            found[target] = {**found.get(target, {}), **event.corrected_values}
    return found


CORRECTION_TOPIC = get_topic(EventCorrected)
__all__ = [
    "CORRECTION_TOPIC",
    "Correction",
    "EventCorrected",
    "corrected",
    "corrections_by_target",
]
