"""What every act shares: the command base model, the unit of work, the result.

A command is a request, validated at the edge: a frozen pydantic model with an
imperative name and the ``Act`` it asks for. ``Command.build(**fields)`` turns
pydantic's errors into one ``InvalidInputError`` line (exit 2).

A handler is a plain function of ``(command, unit of work)``, registered with
``@handler(CommandClass)``: it loads aggregates through the unit of work,
checks who may act, calls one aggregate method and returns the event. The
unit of work keeps every aggregate it loaded or created, so several acts can
run in one unit (an import batch) and each sees the acts before it; its
``commit`` saves every pending event with ONE ``ScrutinyLedger.record`` call,
that is one transaction. A refused act raises before any event is pending on
the aggregate it refuses; a caller that abandons a unit of work after an
error writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, TypeVar

from eventsourcing.utils import get_topic
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ledger.application import ScrutinyLedger
from ledger.domain.authorisation import Act, Attribution, authorise
from ledger.domain.base import (
    Aggregate,
    DomainEvent,
    EvidenceRef,
    decode_event,
    describe_validation_error,
    today_in_london,
)
from ledger.domain.organisations import NationalRole, Organisation, OrganisationRegistered
from ledger.domain.people import Person, PersonAppointed, Role, ScrutineerPool
from ledger.domain.recipients import Recipient, resolve_recipient
from ledger.errors import InvalidInputError, NotFoundError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
PAGE = 500


def _iso_date(value: object) -> date:
    if isinstance(value, datetime):
        raise ValueError("give a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a real date") from None
    raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD")


def _not_in_the_future(value: date) -> date:
    if value > today_in_london():
        raise ValueError(f"{value.isoformat()} is in the future")
    return value


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an id: use 2-63 lowercase letters, digits or hyphens, "
            "starting with a letter or digit"
        )
    return value


ActDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_not_in_the_future)]
Day = Annotated[date, BeforeValidator(_iso_date)]
Slug = Annotated[str, AfterValidator(_slug)]
Key = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{1,62}$")]
Text = Annotated[str, Field(min_length=1, max_length=5000)]
Texts = Annotated[tuple[str, ...], Field(max_length=100)]

TCommand = TypeVar("TCommand", bound="Command")
TAggregate = TypeVar("TAggregate", bound=Aggregate)


class Command(BaseModel):
    """Base of every act's command: who asks, the date it happened, evidence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    act: ClassVar[Act]

    actor: str = Field(min_length=1, max_length=200)
    occurred_on: ActDate = Field(default_factory=today_in_london)
    evidence: tuple[EvidenceRef, ...] = ()

    @classmethod
    def build(cls: type[TCommand], **fields: Any) -> TCommand:
        """Validate ``fields`` into a command, or one InvalidInputError line."""
        try:
            return cls(**fields)
        except ValidationError as exc:
            raise InvalidInputError(describe_validation_error(exc)) from exc


class UnitOfWork:
    """The aggregates one or more acts touch, saved together in one transaction."""

    def __init__(self, ledger: ScrutinyLedger) -> None:
        self.ledger = ledger
        self._aggregates: dict[str, Aggregate] = {}
        self._saved: dict[str, int] = {}
        self._setup_open: bool | None = None
        self._events: dict[tuple[str, int], DomainEvent] = {}
        self._absent: set[str] = set()

    # -- loading ------------------------------------------------------------------

    def find(self, cls: type[TAggregate], key: str) -> TAggregate | None:
        """The aggregate if its stream exists (stored or created in this unit), else None."""
        stream_id = cls.stream_id_for(key)
        aggregate = self._aggregates.get(stream_id)
        if aggregate is None:
            if stream_id in self._absent:
                return None
            try:
                aggregate = self.ledger.load(cls, key)
            except NotFoundError:
                # Known absent for this unit: a writer creating it meanwhile
                # makes this unit's commit conflict, never overwrite it.
                self._absent.add(stream_id)
                return None
            self._aggregates[stream_id] = aggregate
            self._saved[stream_id] = aggregate.version
        if not isinstance(aggregate, cls) or aggregate.version == 0:
            return None
        return aggregate

    def get(self, cls: type[TAggregate], key: str) -> TAggregate:
        """The aggregate, or NotFoundError naming it."""
        found = self.find(cls, key)
        if found is None:
            noun = getattr(cls, "noun", None) or cls.__name__.lower()
            raise NotFoundError(f"no {noun} with id {key!r}")
        return found

    def find_or_new(self, cls: type[TAggregate], key: str, new: Callable[[str], TAggregate]
                    ) -> TAggregate:
        """The existing aggregate, or ``new(key)`` kept in this unit."""
        found = self.find(cls, key)
        if found is not None:
            return found
        created = self._aggregates.get(cls.stream_id_for(key))
        if isinstance(created, cls):
            return created
        created = new(key)
        self._aggregates[created.id] = created
        self._saved[created.id] = 0
        return created

    def has_stream(self, stream_id: str) -> bool:
        """Whether the stream is stored, or has events pending in this unit."""
        pending = self._aggregates.get(stream_id)
        if pending is not None and pending.version > 0:
            return True
        return bool(self.ledger.ledger_recorder.select_events(stream_id, limit=1))

    def organisations(self, keys: tuple[str, ...] | list[str]) -> list[Organisation]:
        return [self.get(Organisation, key) for key in keys]

    def person(self, actor: str) -> Person | None:
        """The Person the ``--as`` value names, or None if there is no such person."""
        if not _SLUG.fullmatch(actor):
            return None
        return self.find(Person, actor)

    def setup_open(self) -> bool:
        """True while nobody has ever been appointed to the business unit."""
        for aggregate in self._aggregates.values():
            if isinstance(aggregate, Person) and any(
                spell.role is Role.BUSINESS_UNIT for spell in aggregate.appointments
            ):
                return False
        if self._setup_open is None:
            self._setup_open = not any(
                event.role is Role.BUSINESS_UNIT
                for event in self._stored(PersonAppointed)
                if isinstance(event, PersonAppointed)
            )
        return self._setup_open

    def recipient(self, role: NationalRole, on: date) -> Recipient:
        """The organisation holding the national ``role`` on ``on`` (following successions)."""
        keys = {
            event.originator_id.split(":", 1)[1]
            for event in self._stored(OrganisationRegistered)
            if isinstance(event, OrganisationRegistered) and event.national_role is role
        }
        keys |= {
            a.key
            for a in self._aggregates.values()
            if isinstance(a, Organisation) and a.national_role is role
        }
        holders = [self.get(Organisation, key) for key in sorted(keys)]
        return resolve_recipient(role, on, holders, lambda key: self.get(Organisation, key))

    def note(self, event: DomainEvent) -> DomainEvent:
        """Keep an act's event, so a later act of this unit can name it before it is saved."""
        self._events[(event.originator_id, event.originator_version)] = event
        return event

    def unsaved_event(self, stream_id: str, version: int) -> DomainEvent | None:
        """An event recorded earlier in this unit and not saved yet, if any."""
        event = self._events.get((stream_id, version))
        if event is None or version <= self._saved.get(stream_id, 0):
            return None
        return event

    def _stored(self, event_class: type[DomainEvent]) -> list[DomainEvent]:
        recorder = self.ledger.ledger_recorder
        topic = get_topic(event_class)
        found: list[DomainEvent] = []
        start: int | None = None
        while True:
            page = recorder.select_notifications(
                start, limit=PAGE, topics=[topic], inclusive_of_start=start is None
            )
            for item in page:
                found.append(
                    decode_event(
                        str(item.originator_id), item.originator_version, item.topic,
                        item.state, self.ledger.subject_keys,
                    )
                )
            if len(page) < PAGE:
                return found
            start = page[-1].id

    # -- saving -------------------------------------------------------------------

    def pending(self) -> list[Aggregate]:
        return [a for a in self._aggregates.values() if a.version > self._saved[a.id]]

    def commit(self) -> dict[tuple[str, int], int]:
        """Save every pending event in one transaction; the position of each event."""
        aggregates = self.pending()
        if not aggregates:
            return {}
        keys = [
            (a.id, version)
            for a in aggregates
            for version in range(self._saved[a.id] + 1, a.version + 1)
        ]
        positions = self.ledger.record(*aggregates)
        for aggregate in aggregates:
            self._saved[aggregate.id] = aggregate.version
        return dict(zip(keys, positions, strict=True))


Handler = Callable[[Any, UnitOfWork], DomainEvent]
HANDLERS: dict[type[Command], Handler] = {}
COMMANDS: dict[Act, type[Command]] = {}


def handler(command_class: type[Command]) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``command_class``."""

    def register(function: Handler) -> Handler:
        HANDLERS[command_class] = function
        COMMANDS[command_class.act] = command_class
        return function

    return register


def run(command: Command, uow: UnitOfWork) -> DomainEvent:
    """Run the handler for ``command`` in ``uow`` (nothing is saved yet)."""
    function = HANDLERS.get(type(command))
    if function is None:
        raise InvalidInputError(f"no handler for {type(command).__name__}")
    return uow.note(function(command, uow))


def authorise_command(
    uow: UnitOfWork,
    command: Command,
    *,
    act: Act | None = None,
    for_organisations: set[str] | None = None,
    bound_roles: set[Role] | None = None,
    raised_by: str | None = None,
    pool: ScrutineerPool | None = None,
    subject: str | None = None,
    original_actor: str | None = None,
) -> Attribution:
    """Check that the command's actor may record its act on its date."""
    chosen = act or command.act
    return authorise(
        chosen,
        command.actor,
        uow.person(command.actor),
        command.occurred_on,
        setup_open=chosen in {Act.REGISTER_ORGANISATION, Act.APPOINT_PERSON}
        and uow.setup_open(),
        for_organisations=for_organisations,
        bound_roles=bound_roles,
        raised_by=raised_by,
        pool=pool,
        subject=subject,
        original_actor=original_actor,
    )


_COMMON_FIELDS = {
    "originator_id",
    "originator_version",
    "actor_id",
    "actor_role",
    "occurred_on",
    "tier",
    "evidence",
}


def describe(event: DomainEvent, position: int) -> dict[str, Any]:
    """What was stored, ready for ``--json``."""
    data = event.model_dump(mode="json")
    return {
        "recorded": True,
        "event_type": type(event).__name__,
        "stream_id": event.originator_id,
        "version": event.originator_version,
        "position": position,
        "occurred_on": data["occurred_on"],
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "tier": data["tier"],
        "evidence": data["evidence"],
        "fields": {k: v for k, v in data.items() if k not in _COMMON_FIELDS},
    }


def record_in_batches(
    ledger: ScrutinyLedger, commands: list[Command], batch_size: int = 100
) -> int:
    """Record ``commands`` in order, ``batch_size`` acts per transaction; how many."""
    for start in range(0, len(commands), batch_size):
        uow = UnitOfWork(ledger)
        for command in commands[start : start + batch_size]:
            run(command, uow)
        uow.commit()
    return len(commands)


def handle(command: Command, ledger: ScrutinyLedger) -> dict[str, Any]:
    """Record one act in its own transaction; what was recorded, as a dict."""
    uow = UnitOfWork(ledger)
    event = run(command, uow)
    positions = uow.commit()
    return describe(event, positions[(event.originator_id, event.originator_version)])
