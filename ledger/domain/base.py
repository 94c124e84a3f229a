"""Events, aggregates and the mapper that stores events as canonical JSON.

Events are facts: frozen pydantic models that forbid unknown fields, named in
the past tense. Every event carries who recorded it (``actor_id`` and the role
they acted in), when it happened (``occurred_on``, a Europe/London date that is
never in the future), the tier where that applies and references to evidence.
When it was recorded is not a field of the event: the recorder stamps
``recorded_at`` inside the append transaction (see ``ledger.records``).

Aggregates are plain classes. A command method checks its guards first and
only then triggers an event; ``apply`` is the only place state changes, so
replaying the stored events rebuilds exactly the state the guards saw.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar
from zoneinfo import ZoneInfo

from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from ledger.errors import InvalidInputError, LedgerError, RefusedError
from ledger.records import canonical_json
from ledger.sealing import FieldPath, KeyRing, open_state, seal_state

LONDON = ZoneInfo("Europe/London")


def today_in_london() -> date:
    return datetime.now(LONDON).date()


class Tier(int, Enum):
    """The three tiers of the partnership where scrutiny happens."""

    EXECUTIVE = 1
    STRATEGIC_PARTNERSHIP = 2
    DELIVERY = 3

    @property
    def label(self) -> str:
        return {1: "Executive", 2: "Strategic Partnership", 3: "Delivery"}[self.value]


class EvidenceRef(BaseModel):
    """A document that supports an act: title, where it is kept, its SHA-256."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    location: str = Field(min_length=1, max_length=2000)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @classmethod
    def from_file(cls, path: Path, title: str | None = None) -> EvidenceRef:
        try:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            raise InvalidInputError(f"cannot read evidence file {path}: {exc.strerror}") from exc
        return cls(title=title or path.name, location=str(path), sha256=digest.hexdigest())


class DomainEvent(BaseModel):
    """Base of every event the ledger records."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: str
    originator_version: int = Field(ge=1)
    actor_id: str = Field(min_length=1, max_length=200)
    actor_role: str = Field(min_length=1, max_length=100)
    occurred_on: date
    tier: Tier | None = None
    evidence: tuple[EvidenceRef, ...] = ()

    # Fields that may identify a person: stored sealed (see ledger.sealing).
    personal_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def personal_paths(cls, state: Mapping[str, Any]) -> list[FieldPath]:
        """Where personal values sit in this event's stored state."""
        return [(name,) for name in cls.personal_fields]

    def personal_subject(self) -> str:
        """Whose personal data the sealed fields are: this stream's, by default."""
        return self.originator_id

    @field_validator("occurred_on")
    @classmethod
    def _not_in_the_future(cls, value: date, info: ValidationInfo) -> date:
        replaying = bool(info.context and info.context.get("replay"))
        if not replaying and value > today_in_london():
            raise ValueError(f"occurred_on {value.isoformat()} is in the future")
        return value

    def mutate(self, aggregate: Aggregate | None) -> Aggregate:
        """The library's projector calls this for each stored event."""
        if aggregate is None:
            aggregate_class = self.creates()
            aggregate = aggregate_class(self.originator_id)
        if self.originator_version != aggregate.version + 1:
            raise LedgerError(
                f"event version {self.originator_version} does not follow "
                f"version {aggregate.version} of {self.originator_id}"
            )
        aggregate.apply(self)
        aggregate.version = self.originator_version
        return aggregate

    @classmethod
    def creates(cls) -> type[Aggregate]:
        raise LedgerError(f"{cls.__name__} cannot start a new stream")


TEvent = TypeVar("TEvent", bound=DomainEvent)


def event_class_named(name: str) -> type[DomainEvent] | None:
    """The ledger's event class of that name (as a correction names its target)."""
    pending: list[type[DomainEvent]] = [DomainEvent]
    while pending:
        cls = pending.pop()
        if cls.__name__ == name and cls is not DomainEvent:
            return cls
        pending.extend(cls.__subclasses__())
    return None


class Aggregate:
    """A consistency boundary: one stream of events, one version counter."""

    stream_prefix: ClassVar[str]

    def __init__(self, stream_id: str) -> None:
        self.id = stream_id
        self.version = 0
        self._pending: list[DomainEvent] = []

    @classmethod
    def stream_id_for(cls, key: str) -> str:
        return f"{cls.stream_prefix}:{key}"

    @property
    def key(self) -> str:
        return self.id.split(":", 1)[1]

    def trigger(self, event_class: type[TEvent], **fields: Any) -> TEvent:
        """Build the next event (validating it), apply it, keep it pending."""
        try:
            new_event = event_class(
                originator_id=self.id, originator_version=self.version + 1, **fields
            )
        except ValidationError as exc:
            raise InvalidInputError(describe_validation_error(exc)) from exc
        new_event.mutate(self)
        self._pending.append(new_event)
        return new_event

    def apply(self, event: DomainEvent) -> None:
        raise LedgerError(f"{type(self).__name__} cannot apply {type(event).__name__}")

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        """Events triggered and not yet collected for saving, in order."""
        return tuple(self._pending)

    def collect_events(self) -> list[DomainEvent]:
        collected, self._pending = self._pending, []
        return collected

    def refuse(self, reason: str) -> None:
        raise RefusedError(reason)


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming the first invalid field and why."""
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first.get("loc", ()) if part != "__root__")
    message = first.get("msg", "invalid value")
    message = message.removeprefix("Value error, ")
    return f"{location}: {message}" if location else message


class CanonicalJSONMapper(Mapper[str], Generic[TEvent]):
    """Stores each event's fields as RFC 8785 canonical JSON bytes.

    ``originator_id`` and ``originator_version`` are columns of the record, so
    they are left out of the state; the topic names the event class. Personal
    fields are sealed under their subject's key first (``ledger.sealing``).
    """

    def __init__(self, keys: KeyRing, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keys = keys

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if not isinstance(domain_event, DomainEvent):
            raise LedgerError(f"not a ledger event: {type(domain_event).__name__}")
        state = domain_event.model_dump(
            mode="json", exclude={"originator_id", "originator_version"}
        )
        paths = domain_event.personal_paths(state)
        if paths:
            seal_state(
                state,
                paths,
                subject_id=domain_event.personal_subject(),
                stream_id=domain_event.originator_id,
                version=domain_event.originator_version,
                keys=self.keys,
            )
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(type(domain_event)),
            state=canonical_json(state),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return decode_event(
            str(stored_event.originator_id),
            stored_event.originator_version,
            stored_event.topic,
            stored_event.state,
            self.keys,
        )


def decode_event(
    stream_id: str, stream_version: int, topic: str, state: bytes, keys: KeyRing
) -> DomainEvent:
    """Turn a stored record back into the event it records, personal fields opened."""
    event_class = resolve_topic(topic)
    fields = json.loads(state)
    paths = event_class.personal_paths(fields)
    if paths:
        open_state(fields, paths, stream_id=stream_id, version=stream_version, keys=keys)
    fields["originator_id"] = stream_id
    fields["originator_version"] = stream_version
    # What was valid when recorded stays readable forever: replaying skips the
    # checks that depend on today's date.
    event: DomainEvent = event_class.model_validate(fields, context={"replay": True})
    return event
