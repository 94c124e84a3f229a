"""What every act shares: the command base model, authorisation, the result.

A command is a request, validated at the edge: a frozen pydantic model with an
imperative name. ``Command.build(**fields)`` turns pydantic's errors into one
``InvalidInputError`` line (exit 2). A handler is a plain function of
``(command, ledger)`` that loads aggregates, checks who may act, calls one
aggregate method and records the result in one transaction.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

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
from ledger.domain.people import Person, PersonAppointed, Role
from ledger.errors import InvalidInputError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")


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
Slug = Annotated[str, AfterValidator(_slug)]

TCommand = TypeVar("TCommand", bound="Command")


class Command(BaseModel):
    """Base of every act's command: who asks, the date it happened, evidence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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


TAggregate = TypeVar("TAggregate", bound=Aggregate)


def load_or_none(ledger: ScrutinyLedger, cls: type[TAggregate], key: str) -> TAggregate | None:
    """The aggregate if its stream exists, else None."""
    if not ledger.exists(cls, key):
        return None
    return ledger.load(cls, key)


def acting_person(ledger: ScrutinyLedger, actor: str) -> Person | None:
    """The Person the ``--as`` value names, or None if there is no such person."""
    if not _SLUG.fullmatch(actor):
        return None
    return load_or_none(ledger, Person, actor)


def setup_open(ledger: ScrutinyLedger) -> bool:
    """True while nobody has ever been appointed to the business unit."""
    recorder = ledger.ledger_recorder
    topic = get_topic(PersonAppointed)
    start: int | None = None
    while True:
        page = recorder.select_notifications(
            start, limit=500, topics=[topic], inclusive_of_start=start is None
        )
        for item in page:
            event = decode_event(
                str(item.originator_id), item.originator_version, item.topic, item.state
            )
            if isinstance(event, PersonAppointed) and event.role is Role.BUSINESS_UNIT:
                return False
        if len(page) < 500:
            return True
        start = page[-1].id


def authorise_command(
    ledger: ScrutinyLedger,
    act: Act,
    command: Command,
    *,
    for_organisations: set[str] | None = None,
    raised_by: str | None = None,
) -> Attribution:
    """Check that the command's actor may record ``act`` on its date."""
    return authorise(
        act,
        command.actor,
        acting_person(ledger, command.actor),
        command.occurred_on,
        setup_open=act in {Act.REGISTER_ORGANISATION, Act.APPOINT_PERSON} and setup_open(ledger),
        for_organisations=for_organisations,
        raised_by=raised_by,
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


def record(ledger: ScrutinyLedger, aggregate: Aggregate, event: DomainEvent) -> dict[str, Any]:
    """Save the aggregate's pending event in one transaction; describe what was stored."""
    positions = ledger.record(aggregate)
    data = event.model_dump(mode="json")
    return {
        "recorded": True,
        "event_type": type(event).__name__,
        "stream_id": event.originator_id,
        "version": event.originator_version,
        "position": positions[-1],
        "occurred_on": data["occurred_on"],
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "tier": data["tier"],
        "evidence": data["evidence"],
        "fields": {k: v for k, v in data.items() if k not in _COMMON_FIELDS},
    }
