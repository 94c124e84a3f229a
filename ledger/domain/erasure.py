"""Erasure of a data subject's personal data (crypto-shredding).

A subject is whose personal data a sealed field is (see ``ledger.sealing``):
a case (``case:<id>``: the child or children it concerns, and every text
linked to the case), a person (``person:<id>``), or any other stream whose
own free text it is (``challenge:<id>``, ``audit:<id>`` ...).

Erasing a subject records one event on the stream ``erasure:<subject id>``
and, in the same transaction, destroys the subject's key. The sealed values
stay in the log, so every hash, proof and checkpoint still verifies, but
nobody can read them again; readers see ``[erased]``. The erasure is itself
on the record: who erased what, when, and why. Its reason is kept in clear
for that purpose and must not repeat the personal data erased.

Events::

    SubjectErased   subject_id, reason

Guards: the subject is a stream of the ledger; a subject is erased once (the
stream holds one event); no personal data about it can be recorded after.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from ledger.domain.acting import DatedAggregate, Stamp, clean_text
from ledger.domain.base import Aggregate, DomainEvent
from ledger.errors import RefusedError

SUBJECT_ID = r"^[a-z][a-z-]{0,30}:[A-Za-z0-9][A-Za-z0-9@:._-]{0,190}$"
# Streams that are records about records, never anybody's personal data.
NOT_SUBJECTS = ("erasure", "import", "correction", "ledger")


def check_subject(subject_id: str) -> None:
    """Refuse a stream that cannot be anybody's personal data."""
    kind = subject_id.split(":", 1)[0]
    if kind in NOT_SUBJECTS:
        raise RefusedError(f"a {kind} stream holds no personal data of its own to erase")


class SubjectErased(DomainEvent):
    """The key of ``subject_id`` was destroyed: its sealed personal data is gone."""

    subject_id: str = Field(pattern=SUBJECT_ID, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)

    strip = field_validator("reason")(clean_text)

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return Erasure


class Erasure(DatedAggregate):
    """The erasure of one subject: a stream of one event."""

    stream_prefix = "erasure"
    noun = "erasure"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.subject_id = ""

    def erase(self, subject_id: str, *, reason: str, at: Stamp) -> SubjectErased:
        if self.version:
            self.refuse(f"{subject_id} was already erased")
        check_subject(subject_id)
        return self.record(SubjectErased, at, subject_id=subject_id, reason=reason)

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, SubjectErased):
            self.subject_id = event.subject_id
        else:
            super().apply(event)
        self.note_act(event)
