"""Idempotency keys of bulk-imported acts.

``scrutiny import`` records, in the same transaction as each act, a tiny
stream ``import:<key>`` whose only event names the act's stream and version.
The store's uniqueness of ``(stream, version)`` then makes recording the same
key twice impossible, even by two processes at once: a re-run finds the key
and skips the act.

Events::

    ActImported   act, stream_id, stream_version
"""

from __future__ import annotations

import re

from pydantic import Field

from ledger.domain.base import Aggregate, DomainEvent
from ledger.errors import InvalidInputError

IMPORT_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$"
_KEY = re.compile(IMPORT_KEY_PATTERN)


class ActImported(DomainEvent):
    act: str = Field(min_length=3, max_length=60)
    stream_id: str = Field(min_length=3, max_length=200)
    stream_version: int = Field(ge=1)

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return ImportedAct


class ImportedAct(Aggregate):
    """The record that the act with this idempotency key was imported."""

    stream_prefix = "import"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.act = ""
        self.stream_id = ""
        self.stream_version = 0

    @classmethod
    def new(cls, key: str) -> ImportedAct:
        return cls(cls.stream_id_for(check_import_key(key)))

    def imported(self, event: DomainEvent, act: str) -> ActImported:
        if self.version:
            self.refuse(f"the act with key {self.key} was already imported")
        return self.trigger(
            ActImported,
            act=act,
            stream_id=event.originator_id,
            stream_version=event.originator_version,
            actor_id=event.actor_id,
            actor_role=event.actor_role,
            occurred_on=event.occurred_on,
        )

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ActImported):
            self.act = event.act
            self.stream_id = event.stream_id
            self.stream_version = event.stream_version
        else:
            super().apply(event)


def check_import_key(value: str) -> str:
    if not isinstance(value, str) or not _KEY.fullmatch(value):
        raise InvalidInputError(
            f"import key {value!r} must be 1-128 letters, digits, '.', '_', '~' or '-'"
        )
    return value
