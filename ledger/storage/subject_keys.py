"""The subject keys: one AES-256 key per data subject, outside the hashed record.

A subject's key is generated in memory the first time its personal data is
sealed, and stored by the append that first uses it, inside that append's
transaction: the key and the ciphertext it opens commit together, and an act
costs one commit. Erasure sets the key to NULL inside the transaction that
appends the erasure event, so the two commit together or not at all; the
triggers of ``ledger.storage.schema`` refuse every other change, and refuse
deleting the row, which is what tells "erased" apart from "missing".

Every append that seals personal data checks, under the append lock, that
none of its subjects was erased meanwhile (an act that sealed its text with a
key destroyed a moment later is refused, never recorded unreadable), and that
no other writer stored a different key for a new subject first (the act is
refused as a conflict, to be retried; nothing is recorded).

Keys are cached per store. Every read of the log reads the keys of the
subjects it is about to open afresh first (:meth:`SubjectKeyStore.prefetch`,
once per page), so an erasure made by another process is honoured from the
next read on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from ledger.errors import ConflictError, RefusedError, StorageError
from ledger.records import format_recorded_at
from ledger.sealing import Cipher, cipher_for, new_subject_key
from ledger.storage import schema
from ledger.storage.database import Database

_ABSENT = object()

# Openers kept for the most recently used subjects (a replay meets a subject's
# events close together); the cache starts over when full.
CIPHER_CACHE_SIZE = 4096


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
        # Each subject's opener, beside the cached key it was made from.
        self._ciphers: dict[str, tuple[bytes, Cipher]] = {}
        # Keys generated for new subjects, not yet stored by an append.
        self._pending: dict[str, bytes] = {}
        self._lock = threading.Lock()

    # -- the key ring -------------------------------------------------------------

    def sealing_key(self, subject_id: str) -> bytes:
        with self._lock:
            pending = self._pending.get(subject_id)
        if pending is not None:
            return pending
        key = self._lookup(subject_id)
        if key is _ABSENT:
            with self._lock:
                return self._pending.setdefault(subject_id, new_subject_key())
        if not isinstance(key, bytes):
            raise RefusedError(
                f"{subject_id} has been erased: personal data about it cannot be recorded again"
            )
        return key

    def opening_key(self, subject_id: str) -> bytes | None:
        with self._lock:
            pending = self._pending.get(subject_id)
        if pending is not None:
            return pending
        key = self._lookup(subject_id)
        if key is _ABSENT:
            raise StorageError(
                f"no key for subject {subject_id}: the subject keys table is incomplete; "
                "restore it from a backup"
            )
        assert key is None or isinstance(key, bytes)
        return key

    def opening_cipher(self, subject_id: str) -> Cipher | None:
        """An opener of the subject's key, or None once erased. An opener is
        reused only while the key it was made from is still the cached one, so
        forgetting or erasing a key forgets its opener too."""
        kept = self._ciphers.get(subject_id)
        if kept is not None and self._cache.get(subject_id) is kept[0]:
            return kept[1]
        key = self.opening_key(subject_id)
        if key is None:
            return None
        cipher = cipher_for(key)
        with self._lock:
            if self._cache.get(subject_id) is key:  # a stored key, not a pending one
                if len(self._ciphers) >= CIPHER_CACHE_SIZE:
                    self._ciphers.clear()
                self._ciphers[subject_id] = (key, cipher)
        return cipher

    def prefetch(self, subject_ids: Iterable[str], chunk: int = 500, *,
                 forget_others: bool = False) -> None:
        """Read these subjects' keys afresh, one query per ``chunk`` (a page of
        the log opens fields of many subjects; an erasure made meanwhile by
        another process is honoured). ``forget_others``: keep only these
        keys, so that a replay's cache holds one page's subjects, never the
        whole log's."""
        wanted = sorted(set(subject_ids))
        loaded: dict[str, bytes | None] = {}
        if wanted:
            with self.database.read_cursor() as cursor:  # the driver's: no statement compiling
                for first in range(0, len(wanted), chunk):
                    part = wanted[first:first + chunk]
                    cursor.execute(
                        "SELECT subject_id, key FROM ledger_subject_keys "
                        f"WHERE subject_id IN ({', '.join(self._mark for _ in part)})", part)
                    loaded.update((str(row[0]), _key_of(row[1])) for row in cursor.fetchall())
        with self._lock:
            if forget_others:
                self._cache = loaded
                self._ciphers.clear()
                return
            for subject_id in wanted:
                self._ciphers.pop(subject_id, None)
                if subject_id in loaded:
                    self._cache[subject_id] = loaded[subject_id]
                else:
                    self._cache.pop(subject_id, None)

    # -- inside the append transaction --------------------------------------------

    def erasure_guard(self, erasures: Mapping[str, int]) -> Callable[[Any, int], None]:
        """Destroy, inside an append's transaction, the key of each subject it erases.

        ``erasures``: subject -> offset in the append of the event that erases it.
        """
        erased = dict(erasures)

        def guard(cursor: Any, first_position: int) -> None:
            now = format_recorded_at(datetime.now(timezone.utc))
            for subject_id, offset in erased.items():
                self._destroy(cursor, subject_id, now, first_position + offset)

        return guard

    def settle(self, cursor: Any, subjects: Iterable[str]) -> None:
        """Inside an append's transaction: every key that sealed its data is live.

        A stored key must not be erased; a key generated here for a new
        subject is stored now, unless another writer stored one first (a
        conflict); a subject with neither is refused, so nothing is ever
        stored that its own ledger could not open.
        """
        self.send_settlement(cursor, subjects)()

    def send_settlement(self, cursor: Any, subjects: Iterable[str],
                        now: str | None = None) -> Callable[[], None]:
        """:meth:`settle` in two halves, for a pipelined append.

        This half sends the statements (on PostgreSQL one statement reads the
        stored keys and stores the new ones); the returned call, made once
        their results are in and before the commit, raises unless every key
        is live. ``now``: the append's own timestamp, stored as a new key's
        ``created_at``.
        """
        checked = sorted(set(subjects))
        if not checked:
            return _nothing_to_check
        if now is None:
            now = format_recorded_at(datetime.now(timezone.utc))
        with self._lock:
            pending = {s: self._pending[s] for s in checked if s in self._pending}
        # A cursor of its own: ``cursor`` may still hold a result its owner
        # has yet to read (the head, in an append).
        own = cursor.connection.cursor()
        if self.database.is_sqlite:
            stored = self._stored_keys_sqlite(own, checked)
            new = [(s, key, now) for s, key in pending.items() if s not in stored]
            if new:  # the append lock is held: no rival can store one meanwhile
                own.executemany(
                    "INSERT INTO ledger_subject_keys (subject_id, key, created_at) "
                    "VALUES (?, ?, ?)", new)
            added = {s for s, _key, _now in new}
            return lambda: self._judge(checked, pending, stored, added)
        own.execute(_SETTLE_POSTGRESQL, (checked, [pending.get(s) for s in checked], now))

        def check() -> None:
            rows = own.fetchall()
            stored = {str(row[0]): _key_of(row[1]) for row in rows if not row[2]}
            self._judge(checked, pending, stored, {str(row[0]) for row in rows if row[2]})

        return check

    def stored(self, subjects: Iterable[str]) -> None:
        """After an append committed: its new subjects' keys are stored ones now."""
        with self._lock:
            for subject_id in subjects:
                key = self._pending.pop(subject_id, None)
                if key is not None:
                    self._cache[subject_id] = key

    def _stored_keys_sqlite(self, cursor: Any, subjects: list[str]) -> dict[str, bytes | None]:
        cursor.execute(
            "SELECT subject_id, key FROM ledger_subject_keys "
            f"WHERE subject_id IN ({', '.join('?' for _ in subjects)})",
            subjects,
        )
        return {str(row[0]): _key_of(row[1]) for row in cursor.fetchall()}

    def _judge(self, subjects: list[str], pending: Mapping[str, bytes],
               stored: Mapping[str, bytes | None], added: set[str]) -> None:
        """Raise unless every subject's sealing key is live: stored before this
        append and not erased, or generated here and stored by it."""
        for subject_id in subjects:
            ours = pending.get(subject_id)
            if subject_id in stored:
                if stored[subject_id] is None:
                    raise RefusedError(f"{subject_id} was erased while this act was being "
                                       "recorded; nothing was recorded")
                if ours is not None and stored[subject_id] != ours:
                    self._conflict(subject_id)
            elif ours is None:
                raise StorageError(f"personal data of {subject_id} was sealed with a key this "
                                   "ledger does not hold; nothing was recorded")
            elif subject_id not in added:  # another writer stored one meanwhile
                self._conflict(subject_id)

    def _conflict(self, subject_id: str) -> None:
        self._forget(subject_id)
        raise ConflictError(f"another writer stored the key of {subject_id} first; "
                            "nothing was recorded: retry")

    def _forget(self, subject_id: str) -> None:
        with self._lock:
            self._pending.pop(subject_id, None)
            self._cache.pop(subject_id, None)
            self._ciphers.pop(subject_id, None)

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
            self._ciphers.pop(subject_id, None)

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

    def _lookup(self, subject_id: str) -> object:
        with self._lock:
            if subject_id in self._cache:
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


def _nothing_to_check() -> None:
    return None


# One statement, one round trip: the stored keys of the subjects (as they were
# before this statement), and the new keys it stores (a subject whose key is
# NULL here has none pending). Under the append lock no rival can store a key
# meanwhile; ON CONFLICT keeps that true even if one did.
_SETTLE_POSTGRESQL = """
WITH wanted AS (SELECT * FROM unnest(%s::text[], %s::bytea[]) AS w(subject_id, key)),
stored AS (SELECT k.subject_id, k.key FROM ledger_subject_keys k JOIN wanted USING (subject_id)),
added AS (
    INSERT INTO ledger_subject_keys (subject_id, key, created_at)
    SELECT w.subject_id, w.key, %s FROM wanted w
    WHERE w.key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stored s WHERE s.subject_id = w.subject_id)
    ON CONFLICT DO NOTHING RETURNING subject_id
)
SELECT subject_id, key, false FROM stored
UNION ALL SELECT subject_id, NULL, true FROM added
"""


def _key_of(stored: bytes | memoryview | None) -> bytes | None:
    return None if stored is None else bytes(stored)
