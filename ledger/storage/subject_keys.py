"""The subject keys: one AES-256 key per data subject, outside the hashed record.

A key is created the first time personal data of its subject is sealed, in
its own small transaction (a key nobody used is harmless). Erasure sets the
key to NULL inside the transaction that appends the erasure event, so the
two commit together or not at all; the triggers of ``ledger.storage.schema``
refuse every other change, and refuse deleting the row, which is what tells
"erased" apart from "missing".

Every append that seals personal data checks, under the append lock, that
none of its subjects was erased meanwhile: an act that sealed its text with a
key destroyed a moment later is refused, never recorded unreadable.

Keys are cached per store; :meth:`SubjectKeyStore.refresh` forgets them, and
each read operation of a long-running process starts with it, so an erasure
made by another process is honoured from the next read on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from ledger.errors import RefusedError, StorageError
from ledger.records import format_recorded_at
from ledger.sealing import new_subject_key
from ledger.storage import schema
from ledger.storage.database import Database

_ABSENT = object()


@dataclass(frozen=True)
class SubjectStatus:
    """What the ledger knows of one subject's key."""

    subject_id: str
    created_at: str
    erased_at: str | None
    erased_position: int | None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None


class SubjectKeyStore:
    """The :class:`ledger.sealing.KeyRing` of one ledger database."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._mark = "?" if database.is_sqlite else "%s"
        self._cache: dict[str, bytes | None] = {}
        self._lock = threading.Lock()

    # -- the key ring -------------------------------------------------------------

    def sealing_key(self, subject_id: str) -> bytes:
        key = self._lookup(subject_id)
        if key is _ABSENT:
            self._create(subject_id)
            key = self._lookup(subject_id, fresh=True)
        if not isinstance(key, bytes):
            raise RefusedError(
                f"{subject_id} has been erased: personal data about it cannot be recorded again"
            )
        return key

    def opening_key(self, subject_id: str) -> bytes | None:
        key = self._lookup(subject_id)
        if key is _ABSENT:
            raise StorageError(
                f"no key for subject {subject_id}: the subject keys table is incomplete; "
                "restore it from a backup"
            )
        assert key is None or isinstance(key, bytes)
        return key

    def refresh(self) -> None:
        """Forget cached keys (an erasure by another process is then honoured)."""
        with self._lock:
            self._cache.clear()

    def preload(self) -> None:
        """Read every key once (a rebuild opens most subjects)."""
        with self.database.read() as conn:
            rows = conn.execute(select(schema.subject_keys.c.subject_id, schema.subject_keys.c.key))
            loaded = {str(row.subject_id): _key_of(row.key) for row in rows}
        with self._lock:
            self._cache = loaded

    # -- inside the append transaction --------------------------------------------

    def append_guard(
        self, sealed: Iterable[str], erasures: Mapping[str, int]
    ) -> Callable[[Any, int], None]:
        """What must hold, and change, inside the transaction of one append.

        ``sealed``: subjects whose keys sealed data in this append; they must
        still be live. ``erasures``: subject -> offset in the append of the
        event that erases it; its key is destroyed with the append.
        """
        checked = sorted(set(sealed))
        erased = dict(erasures)

        def guard(cursor: Any, first_position: int) -> None:
            if checked:
                self._refuse_erased(cursor, checked)
            now = format_recorded_at(datetime.now(timezone.utc))
            for subject_id, offset in erased.items():
                self._destroy(cursor, subject_id, now, first_position + offset)

        return guard

    def _refuse_erased(self, cursor: Any, subjects: list[str]) -> None:
        marks = ", ".join(self._mark for _ in subjects)
        cursor.execute(
            "SELECT subject_id FROM ledger_subject_keys "
            f"WHERE key IS NULL AND subject_id IN ({marks})",
            subjects,
        )
        row = cursor.fetchone()
        if row is not None:
            raise RefusedError(
                f"{row[0]} was erased while this act was being recorded; nothing was recorded"
            )

    def _destroy(self, cursor: Any, subject_id: str, now: str, position: int) -> None:
        m = self._mark
        cursor.execute(
            f"UPDATE ledger_subject_keys SET key = NULL, erased_at = {m}, erased_position = {m} "
            f"WHERE subject_id = {m} AND key IS NOT NULL",
            (now, position, subject_id),
        )
        if cursor.rowcount == 1:
            return
        cursor.execute(f"SELECT erased_at FROM ledger_subject_keys WHERE subject_id = {m}",
                       (subject_id,))
        row = cursor.fetchone()
        if row is not None:
            raise RefusedError(f"{subject_id} was already erased at {row[0]}")
        # Nothing was ever sealed for it: the erased row still bars new data.
        cursor.execute(
            "INSERT INTO ledger_subject_keys "
            "(subject_id, key, created_at, erased_at, erased_position) "
            f"VALUES ({m}, NULL, {m}, {m}, {m})",
            (subject_id, now, now, position),
        )
        with self._lock:
            self._cache.pop(subject_id, None)

    # -- reading ------------------------------------------------------------------

    def status(self, subject_id: str) -> SubjectStatus | None:
        table = schema.subject_keys
        with self.database.read() as conn:
            row = conn.execute(
                select(table.c.created_at, table.c.erased_at, table.c.erased_position).where(
                    table.c.subject_id == subject_id
                )
            ).first()
        if row is None:
            return None
        position = None if row.erased_position is None else int(row.erased_position)
        return SubjectStatus(subject_id, str(row.created_at), row.erased_at, position)

    def _lookup(self, subject_id: str, *, fresh: bool = False) -> object:
        with self._lock:
            if not fresh and subject_id in self._cache:
                return self._cache[subject_id]
        table = schema.subject_keys
        with self.database.read() as conn:
            row = conn.execute(
                select(table.c.key).where(table.c.subject_id == subject_id)
            ).first()
        if row is None:
            return _ABSENT
        key = _key_of(row.key)
        with self._lock:
            self._cache[subject_id] = key
        return key

    def _create(self, subject_id: str) -> None:
        now = format_recorded_at(datetime.now(timezone.utc))
        table = schema.subject_keys
        row = {"subject_id": subject_id, "key": new_subject_key(), "created_at": now}
        with self.database.write() as conn:
            if not self.database.is_sqlite:
                conn.execute(postgresql.insert(table).values(**row).on_conflict_do_nothing())
                return
            # SQLite: BEGIN IMMEDIATE serialises writers, and the table's
            # triggers refuse an INSERT over an existing row.
            exists = conn.execute(
                select(table.c.subject_id).where(table.c.subject_id == subject_id)
            ).first()
            if exists is None:
                conn.execute(table.insert().values(**row))


def _key_of(stored: bytes | memoryview | None) -> bytes | None:
    return None if stored is None else bytes(stored)
