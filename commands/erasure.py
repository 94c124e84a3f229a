"""Erasing a data subject end to end: record it, rebuild the views, scrub the files.

Recording the erasure destroys the subject's key in the same transaction
(``ledger.application.ScrutinyLedger.record``), so the sealed values in the
log can never be read again. The views, though, hold what they showed in
clear; they are rebuilt from the log, where the subject now reads
``[erased]``, and the freed space of the database is reclaimed so that no
old copy of a row survives in the file (see ``Database.reclaim_freed_space``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commands.acts import EraseSubject, handle
from commands.reads import Progress, rebuild_views
from ledger.application import open_ledger
from ledger.errors import NotFoundError
from ledger.storage.schema import subject_keys
from ledger.storage.subject_keys import SubjectStatus
from projections.store.schema import VIEW_TABLES
from projections.views import VIEW_NAMES


@dataclass(frozen=True)
class Scrubbed:
    """What scrubbing did: the events replayed into fresh views, and the files."""

    events_replayed: int
    files: str


def erase_subject(db_url: str, command: EraseSubject, progress: Progress | None = None
                  ) -> tuple[dict[str, Any], Scrubbed]:
    """Record the erasure (the key dies with it), then scrub; (act recorded, scrub)."""
    ledger = open_ledger(db_url)
    try:
        recorded = handle(command, ledger)
    finally:
        ledger.close()
    return recorded, scrub(db_url, progress)


def scrub(db_url: str, progress: Progress | None = None) -> Scrubbed:
    """Rebuild every view from the log and reclaim the space of what they held."""
    replayed = rebuild_views(db_url, list(VIEW_NAMES), progress)
    tables = [subject_keys.name] + [t.name for group in VIEW_TABLES.values() for t in group]
    ledger = open_ledger(db_url)
    try:
        files = ledger.database.reclaim_freed_space(tables)
    finally:
        ledger.close()
    return Scrubbed(replayed, files)


def subject_status(db_url: str, subject_id: str) -> SubjectStatus:
    """Whether a subject has personal data sealed, and whether it was erased."""
    ledger = open_ledger(db_url)
    try:
        status = ledger.subject_keys.status(subject_id)
    finally:
        ledger.close()
    if status is None:
        raise NotFoundError(f"no personal data of {subject_id!r} has been recorded")
    return status
