"""What every act hands to an aggregate, and the guards most aggregates share.

``Stamp`` is who recorded an act, in which role, on which date, and the
evidence given: the fields every event carries. ``DatedAggregate`` is an
aggregate whose acts are dated in order (none before the act that opened the
stream, none before the previous act), so that its history read "as of" any
date is the state the guards saw. ``check_existed`` is the one guard for "an
act naming an organisation that did not exist on the act's date".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from ledger.domain.base import Aggregate, DomainEvent, EvidenceRef
from ledger.domain.organisations import Organisation
from ledger.errors import InvalidInputError, RefusedError

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{1,62}$"
_KEY = re.compile(KEY_PATTERN)
SLUG = r"^[a-z0-9][a-z0-9-]{1,62}$"
TEvent = TypeVar("TEvent", bound=DomainEvent)


@dataclass(frozen=True)
class Stamp:
    """Who recorded an act, in which role, on which date, with which evidence."""

    actor_id: str
    actor_role: str
    occurred_on: date
    evidence: tuple[EvidenceRef, ...] = ()

    def fields(self) -> dict[str, Any]:
        return {
            "actor_id": self.actor_id,
            "actor_role": self.actor_role,
            "occurred_on": self.occurred_on,
            "evidence": self.evidence,
        }


def check_key(value: str, noun: str) -> str:
    """A record id such as ``SSCP-CSPR-2019-01``, or InvalidInputError."""
    if not isinstance(value, str) or not _KEY.fullmatch(value):
        raise InvalidInputError(
            f"{noun} id {value!r} must be 2-63 letters, digits or hyphens, "
            "starting with a letter or digit"
        )
    return value


def check_existed(organisation: Organisation, on: date) -> None:
    """Refuse an act naming ``organisation`` on a date it did not exist."""
    reason = organisation.absence_on(on)
    if reason is not None:
        raise RefusedError(reason)


def check_each_once(ids: Sequence[str], noun: str) -> None:
    repeated = sorted({i for i in ids if list(ids).count(i) > 1})
    if repeated:
        raise RefusedError(f"each {noun} is named once; repeated: {', '.join(repeated)}")


def clean_text(value: str) -> str:
    """Strip surrounding blanks; refuse a blank text (for field validators)."""
    if not value.strip():
        raise ValueError("cannot be blank")
    return value.strip()


def clean_texts(value: tuple[str, ...]) -> tuple[str, ...]:
    """Each item stripped, 1 to 2000 characters (for field validators)."""
    items = tuple(item.strip() for item in value)
    if any(not item or len(item) > 2000 for item in items):
        raise ValueError("each item must be 1 to 2000 characters")
    return items


class DatedAggregate(Aggregate):
    """An aggregate opened by one act and then changed by acts dated in order."""

    noun = "record"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.opened_on: date | None = None
        self.last_act_on: date | None = None

    def record(self, event_class: type[TEvent], at: Stamp, **fields: Any) -> TEvent:
        """Trigger ``event_class`` with the stamp's fields (guards already checked)."""
        return self.trigger(event_class, **at.fields(), **fields)

    def check_open(self, verb: str, on: date) -> None:
        """The stream exists and ``on`` is not before its last act."""
        if self.opened_on is None or self.last_act_on is None:
            self.refuse(f"{self.noun} {self.key} does not exist yet")
        assert self.opened_on is not None and self.last_act_on is not None
        if on < self.opened_on:
            self.refuse(
                f"cannot {verb} {self.noun} {self.key} on {on.isoformat()}: that is before "
                f"it began on {self.opened_on.isoformat()}"
            )
        if on < self.last_act_on:
            self.refuse(
                f"cannot {verb} {self.noun} {self.key} on {on.isoformat()}: its acts are "
                f"dated in order and its last act was on {self.last_act_on.isoformat()}"
            )

    def check_new(self) -> None:
        if self.opened_on is not None:
            self.refuse(
                f"{self.noun} {self.key} already exists (since {self.opened_on.isoformat()}); "
                "choose another id"
            )

    def note_act(self, event: DomainEvent) -> None:
        """Call at the end of ``apply`` for every event."""
        if self.opened_on is None:
            self.opened_on = event.occurred_on
        self.last_act_on = event.occurred_on
