"""The ledger's recorder: eventsourcing's ``ApplicationRecorder`` on SQLAlchemy Core.

One call of :meth:`LedgerRecorder.insert_events` is one transaction that

1. takes the append lock (``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR
   UPDATE`` of the head row on PostgreSQL) and reads the tree size ``n``;
2. gives the events the dense positions ``n, n+1, ...`` and one
   ``recorded_at`` (UTC, never before the previous event's);
3. inserts the rows, their leaf hashes and every complete Merkle subtree the
   append completes (O(k + log n) hashes, one read of the old frontier);
4. moves the head and commits.

A failure anywhere rolls the whole transaction back: no position is consumed
and no partial batch remains. Notification ids are positions plus one, because
the library numbers its application sequence from 1.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    Notification,
    StoredEvent,
    Subscription,
)
from sqlalchemy import Connection, and_, func, or_, select

from ledger import integrity
from ledger.integrity import leaf_hash
from ledger.errors import InvalidInputError, StorageError
from ledger.records import StoredRecord, format_recorded_at, leaf_input
from ledger.storage import schema
from ledger.sealing import subjects_in
from ledger.storage.database import Database
from ledger.storage.subject_keys import SubjectKeyStore

NOTIFICATION_ID_OFFSET = 1


class LedgerRecorder(ApplicationRecorder):
    """Append-only, Merkle-hashed event storage for SQLite and PostgreSQL."""

    def __init__(self, database: Database, *, uuid_ids: bool = False) -> None:
        self.database = database
        self.subject_keys = SubjectKeyStore(database)
        self.uuid_ids = uuid_ids
        self._sql = _HotPathSQL.for_dialect(database.is_sqlite)
        self._frontier_lock = threading.Lock()
        self._frontier: tuple[int, dict[tuple[int, int], bytes]] = (-1, {})

    # -- writing ----------------------------------------------------------------

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        in_transaction: Callable[[Any, int], None] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        """Append the events at the next positions, with their tree hashes.

        ``in_transaction(cursor, first_position)``, if given, runs inside the
        append transaction after the rows are written: what it writes commits
        with the events, and whatever it raises rolls them back.
        """
        if not stored_events:
            return []
        for stored in stored_events:
            _check_storable(stored)
        sealed = set().union(*(subjects_in(stored.state) for stored in stored_events))
        now = format_recorded_at(datetime.now(timezone.utc))
        # The hot path talks to a pooled driver connection: no statement
        # compilation, no result wrapping (see Database.write_cursor).
        with self.database.write_cursor(begin_in_pipeline=True) as cursor:
            # On PostgreSQL the statements travel pipelined, in two round
            # trips: the BEGIN, the head and the keys' settlement, then the
            # rows and tree nodes with the COMMIT behind them. No row is sent
            # before the keys are judged live, and a refused write (a rival's
            # stream version) surfaces when its block ends, as one error.
            with self.database.pipeline(cursor, begin=True):
                # One statement takes the append lock, reads the head and moves it.
                cursor.execute(self._sql.advance_head, (len(stored_events), now, now))
                head = self.database.row_of(cursor)
                # Under that lock: the keys of every sealed field are live, new ones stored.
                keys_are_live = self.subject_keys.send_settlement(cursor, sealed, now)
            size, recorded_at = self._advanced_head(head(), len(stored_events))
            keys_are_live()
            frontier = self._frontier_for(cursor, size)
            rows = []
            leaf_hashes = []
            for offset, stored in enumerate(stored_events):
                position = size + offset
                stream_id = str(stored.originator_id)
                version = stored.originator_version
                rows.append((position, stream_id, version, stored.topic, recorded_at, stored.state))
                leaf_hashes.append(leaf_hash(
                    leaf_input(position, stream_id, version, stored.topic, recorded_at, stored.state)
                ))
            nodes = integrity.complete_subtrees_after_append(
                size, leaf_hashes, lambda level, idx: frontier[(level, idx)]
            )
            with self.database.pipeline(cursor):
                cursor.executemany(self._sql.insert_events, rows)
                self._sql.write_nodes(cursor, nodes)
                if in_transaction is None:
                    self.database.send_commit(cursor)
            if in_transaction is not None:
                in_transaction(cursor, size)
            new_size = size + len(stored_events)
            known = frontier | {(level, idx): digest for level, idx, digest in nodes}
            new_frontier = {key: known[key] for key in integrity.subtree_plan(0, new_size)}
        self.subject_keys.stored(sealed)
        with self._frontier_lock:
            self._frontier = (new_size, new_frontier)
        return list(range(size + NOTIFICATION_ID_OFFSET, new_size + NOTIFICATION_ID_OFFSET))

    def _advanced_head(self, row: Any, count: int) -> tuple[int, str]:
        """(old size, recorded_at) from the row returned by the head update,
        which added ``count``."""
        if row is None:
            raise StorageError("the ledger's head row is missing; run 'scrutiny init'")
        return int(row[0]) - count, str(row[1])

    def _frontier_for(self, cursor: Any, size: int) -> dict[tuple[int, int], bytes]:
        """Hashes of the complete subtrees of the first ``size`` leaves.

        Kept from this recorder's last append when the log has not moved since;
        otherwise (another process appended) read in one query.
        """
        with self._frontier_lock:
            cached_size, cached = self._frontier
        if cached_size == size:
            return cached
        frontier: dict[tuple[int, int], bytes] = {}
        for level, idx in integrity.subtree_plan(0, size):
            cursor.execute(self._sql.select_node, (level, idx))
            row = cursor.fetchone()
            if row is None:
                raise StorageError(f"tree node ({level}, {idx}) is missing; run 'scrutiny verify'")
            frontier[(level, idx)] = bytes(row[0])
        return frontier

    # -- reading events -----------------------------------------------------------

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        e = schema.events.c
        query = select(e.stream_id, e.stream_version, e.topic, e.state).where(
            e.stream_id == str(originator_id)
        )
        if gt is not None:
            query = query.where(e.stream_version > gt)
        if lte is not None:
            query = query.where(e.stream_version <= lte)
        query = query.order_by(e.stream_version.desc() if desc else e.stream_version)
        if limit is not None:
            query = query.limit(limit)
        with self.database.read() as conn:
            rows = conn.execute(query).all()
        return [
            StoredEvent(
                originator_id=self._originator_id(row.stream_id),
                originator_version=row.stream_version,
                topic=row.topic,
                state=bytes(row.state),
            )
            for row in rows
        ]

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        e = schema.events.c
        query = select(e.position, e.stream_id, e.stream_version, e.topic, e.state)
        if start is not None:
            first = start - NOTIFICATION_ID_OFFSET
            query = query.where(e.position >= first if inclusive_of_start else e.position > first)
        if stop is not None:
            query = query.where(e.position <= stop - NOTIFICATION_ID_OFFSET)
        if topics:
            query = query.where(e.topic.in_(list(topics)))
        query = query.order_by(e.position).limit(limit)
        with self.database.read() as conn:
            rows = conn.execute(query).all()
        return [
            Notification(
                id=row.position + NOTIFICATION_ID_OFFSET,
                originator_id=self._originator_id(row.stream_id),
                originator_version=row.stream_version,
                topic=row.topic,
                state=bytes(row.state),
            )
            for row in rows
        ]

    def max_notification_id(self) -> int | None:
        with self.database.read() as conn:
            size = conn.execute(select(func.max(schema.events.c.position))).scalar()
        return None if size is None else int(size) + NOTIFICATION_ID_OFFSET

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        return PollingSubscription(self, gt=gt, topics=topics)

    def _originator_id(self, stream_id: str) -> UUID | str:
        return UUID(stream_id) if self.uuid_ids else stream_id

    # -- reading the ledger itself -----------------------------------------------

    def size(self) -> int:
        """The tree size according to the head row (not trusted by verify)."""
        with self.database.read() as conn:
            return int(
                conn.execute(select(schema.head.c.size).where(schema.head.c.id == 1)).scalar_one()
            )

    def iter_records(
        self, start: int = 0, stop: int | None = None, page_size: int = 5000
    ) -> Iterator[StoredRecord]:
        """Stored rows from position ``start`` up to (not including) ``stop``, in
        position order, read in pages; never the whole log at once.

        Each page is one transaction on the driver's cursor reading a fixed
        range of ``page_size`` positions by primary key, so no plan can read
        beyond the page, with or without table statistics (a keyset ``LIMIT``
        can be planned as a scan of the rest of the table on PostgreSQL). When
        a range comes back short (the end of the log, or positions missing
        from a damaged one), the next stored position is looked up in the same
        transaction and reading goes on from there: the rows are exactly those
        stored in ``[start, stop)``, as a later page also sees rows appended
        meanwhile.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        p = "?" if self.database.is_sqlite else "%s"
        rows_sql = (
            f"SELECT {_RECORD_COLUMNS} FROM ledger_events "
            f"WHERE position >= {p} AND position < {p} ORDER BY position"
        )
        next_sql = f"SELECT MIN(position) FROM ledger_events WHERE position >= {p} AND position < {p}"
        upper = stop if stop is not None else 2**62
        first: int | None = start
        while first is not None and first < upper:
            end = min(first + page_size, upper)
            with self.database.read_cursor() as cursor:
                cursor.execute(rows_sql, (first, end))
                rows = cursor.fetchall()
                following: int | None = end
                if len(rows) < end - first and end < upper:
                    cursor.execute(next_sql, (end, upper))
                    found = cursor.fetchone()
                    following = None if found is None or found[0] is None else int(found[0])
            for row in rows:
                yield _record(row)
            first = following

    def records_at(self, positions: Sequence[int], chunk: int = 500) -> list[StoredRecord]:
        """The stored rows at the given positions, in position order (one
        primary-key ``IN`` read per ``chunk`` positions); absent ones are left out."""
        wanted = sorted(set(positions))
        p = "?" if self.database.is_sqlite else "%s"
        found: list[StoredRecord] = []
        for first in range(0, len(wanted), chunk):
            part = wanted[first:first + chunk]
            with self.database.read_cursor() as cursor:
                cursor.execute(
                    f"SELECT {_RECORD_COLUMNS} FROM ledger_events "
                    f"WHERE position IN ({', '.join(p for _ in part)}) ORDER BY position",
                    part,
                )
                rows = cursor.fetchall()
            found.extend(_record(row) for row in rows)
        return found

    def iter_leaf_pages(
        self, page_size: int = 5000, *, stop: int
    ) -> Iterator[tuple[list[tuple[Any, ...]], dict[int, bytes], dict[tuple[int, int], bytes]]]:
        """Positions 0 .. ``stop - 1`` in pages of ``page_size`` positions, in
        order, for verification. Each page is

        * the stored rows in its range, as the driver returns them: (position,
          stream_id, stream_version, topic, recorded_at, state);
        * the stored leaf hashes (tree level 0) of its range, by position;
        * the stored inner nodes completed by a leaf of its range, by (level, idx).

        Nothing is checked here: a missing row, leaf hash or node is simply
        absent (a page may be short, or empty). Each page is three bounded
        primary-key range reads on the driver's cursor, in one transaction: no
        plan can read beyond the page, with or without table statistics, and
        the log is streamed, never loaded.
        """
        p = "?" if self.database.is_sqlite else "%s"
        rows_sql = (
            f"SELECT {_RECORD_COLUMNS} FROM ledger_events "
            f"WHERE position >= {p} AND position < {p} ORDER BY position"
        )
        leaves_sql = f"SELECT idx, hash FROM ledger_tree WHERE level = 0 AND idx >= {p} AND idx < {p}"
        for start in range(0, stop, page_size):
            end = min(start + page_size, stop)
            with self.database.read_cursor() as cursor:
                cursor.execute(rows_sql, (start, end))
                rows = cursor.fetchall()
                cursor.execute(leaves_sql, (start, end))
                leaf_hashes = dict(cursor.fetchall())
                inner = self._inner_nodes_on(cursor, start, end)
            yield rows, leaf_hashes, inner

    def _inner_nodes_on(self, cursor: Any, start: int, stop: int) -> dict[tuple[int, int], bytes]:
        """Stored nodes above the leaves completed by a leaf in [start, stop), read
        on ``cursor``: one primary-key range per level, in one statement."""
        p = "?" if self.database.is_sqlite else "%s"
        terms: list[str] = []
        params: list[int] = []
        level = 1
        while (1 << level) <= stop:
            first = max((start + (1 << level)) // (1 << level) - 1, 0)
            last = stop // (1 << level) - 1
            if first <= last:
                terms.append(f"(level = {p} AND idx BETWEEN {p} AND {p})")
                params.extend((level, first, last))
            level += 1
        if not terms:
            return {}
        cursor.execute("SELECT level, idx, hash FROM ledger_tree WHERE " + " OR ".join(terms), params)
        return {(level, idx): digest for level, idx, digest in cursor.fetchall()}

    def stored_leaf_hashes(self, start: int, stop: int) -> dict[int, bytes]:
        t = schema.tree.c
        with self.database.read() as conn:
            rows = conn.execute(
                select(t.idx, t.hash).where(and_(t.level == 0, t.idx >= start, t.idx < stop))
            ).all()
        return {int(row.idx): bytes(row.hash) for row in rows}

    def first_position_recorded_after(self, moment: str) -> int:
        """The first position recorded after ``moment`` (the log size if none).

        ``recorded_at`` never decreases along positions, so a binary search by
        primary key answers in O(log n) reads.
        """
        e = schema.events.c
        low, high = 0, self.size()
        with self.database.read() as conn:
            while low < high:
                middle = (low + high) // 2
                at = conn.execute(select(e.recorded_at).where(e.position == middle)).scalar()
                if at is not None and at > moment:
                    high = middle
                else:
                    low = middle + 1
        return low

    def bounds_check(self, bound: int) -> tuple[int, int, int, int]:
        """In one statement (one consistent snapshot on both engines):
        (head size, highest stored position or -1, tree rows inside the first
        ``bound`` leaves, tree rows reaching beyond the head)."""
        p = "?" if self.database.is_sqlite else "%s"
        sql = (
            "SELECT (SELECT size FROM ledger_head WHERE id = 1), "
            "(SELECT COALESCE(MAX(position), -1) FROM ledger_events), "
            f"(SELECT COUNT(*) FROM ledger_tree WHERE ((idx + 1) << level) <= {p}), "
            "(SELECT COUNT(*) FROM ledger_tree WHERE ((idx + 1) << level) > "
            "(SELECT size FROM ledger_head WHERE id = 1))"
        )
        with self.database.read_cursor() as cursor:
            cursor.execute(sql, (bound,))
            row = cursor.fetchone()
        return int(row[0]), int(row[1]), int(row[2]), int(row[3])

    def count_tree_nodes(self) -> int:
        with self.database.read() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.tree)).scalar_one())

    def tree_nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        with self.database.read() as conn:
            return self._fetch_nodes(conn, keys)

    def _fetch_nodes(
        self, conn: Connection, keys: Sequence[tuple[int, int]]
    ) -> dict[tuple[int, int], bytes]:
        """One query; grouped by level so each term is a primary-key lookup on
        both engines (SQLite scans the whole table for a row-value IN list)."""
        if not keys:
            return {}
        by_level: dict[int, list[int]] = {}
        for level, idx in keys:
            by_level.setdefault(level, []).append(idx)
        t = schema.tree.c
        condition = or_(
            *(and_(t.level == level, t.idx.in_(sorted(set(idxs)))) for level, idxs in by_level.items())
        )
        rows = conn.execute(select(t.level, t.idx, t.hash).where(condition)).all()
        return {(int(row.level), int(row.idx)): bytes(row.hash) for row in rows}

    def root(self, size: int) -> bytes:
        """The Merkle root of the first ``size`` events, from stored subtrees."""
        nodes = self.tree_nodes(integrity.subtree_plan(0, size))
        return integrity.root_from_store(size, lambda level, idx: nodes[(level, idx)])

    # -- checkpoints and facts ------------------------------------------------------

    def append_checkpoint(self, tree_size: int, signed_note: str) -> int:
        with self.database.write() as conn:
            c = schema.checkpoints.c
            if not self.database.is_sqlite:
                # Checkpoint ids are dense too: concurrent checkpointers queue on
                # the head row (SQLite's BEGIN IMMEDIATE already serialises them).
                conn.execute(select(schema.head.c.id).where(schema.head.c.id == 1).with_for_update())
            next_id: int = conn.execute(select(func.coalesce(func.max(c.id), 0) + 1)).scalar_one()
            conn.execute(
                schema.checkpoints.insert().values(
                    id=next_id,
                    tree_size=tree_size,
                    recorded_at=format_recorded_at(datetime.now(timezone.utc)),
                    signed_note=signed_note,
                )
            )
        return int(next_id)

    def checkpoints(self) -> list[tuple[int, int, str, str]]:
        """(id, tree_size, recorded_at, signed_note) of every stored checkpoint."""
        c = schema.checkpoints.c
        with self.database.read() as conn:
            rows = conn.execute(
                select(c.id, c.tree_size, c.recorded_at, c.signed_note).order_by(c.id)
            ).all()
        return [(int(r.id), int(r.tree_size), r.recorded_at, r.signed_note) for r in rows]

    def get_meta(self, key: str) -> str | None:
        m = schema.meta.c
        with self.database.read() as conn:
            return conn.execute(select(m.value).where(m.key == key)).scalar()

    def put_meta(self, key: str, value: str) -> None:
        with self.database.write() as conn:
            conn.execute(schema.meta.insert().values(key=key, value=value))


@dataclass(frozen=True)
class _HotPathSQL:
    """The append path's statements, written for the driver (no compile step)."""

    advance_head: str
    insert_events: str
    insert_nodes: str
    select_node: str
    is_sqlite: bool

    @classmethod
    def for_dialect(cls, is_sqlite: bool) -> _HotPathSQL:
        p = "?" if is_sqlite else "%s"
        return cls(
            advance_head=(
                f"UPDATE ledger_head SET size = size + {p}, last_recorded_at = "
                f"CASE WHEN last_recorded_at > {p} THEN last_recorded_at ELSE {p} END "
                f"WHERE id = 1 RETURNING size, last_recorded_at"
            ),
            insert_events=(
                "INSERT INTO ledger_events "
                "(position, stream_id, stream_version, topic, recorded_at, state) "
                f"VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
            ),
            insert_nodes=(
                "INSERT INTO ledger_tree (level, idx, hash) VALUES (?, ?, ?)" if is_sqlite else
                "INSERT INTO ledger_tree (level, idx, hash) "
                "SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])"
            ),
            select_node=f"SELECT hash FROM ledger_tree WHERE level = {p} AND idx = {p}",
            is_sqlite=is_sqlite,
        )

    def write_nodes(self, cursor: Any, nodes: Sequence[tuple[int, int, bytes]]) -> None:
        """Insert an append's tree nodes: one statement per node on SQLite (in
        process, no round trip); on PostgreSQL one statement for them all, as
        three arrays, so the server runs one insert where a batch of 100 events
        would cost it about 200."""
        if self.is_sqlite:
            cursor.executemany(self.insert_nodes, nodes)
        elif nodes:
            levels, indexes, hashes = zip(*nodes)
            cursor.execute(self.insert_nodes, (list(levels), list(indexes), list(hashes)))


# A stored row as the driver returns it, in this order, and as a record.
_RECORD_COLUMNS = "position, stream_id, stream_version, topic, recorded_at, state"


def _record(row: Sequence[Any]) -> StoredRecord:
    return StoredRecord(int(row[0]), row[1], int(row[2]), row[3], row[4], bytes(row[5]))


def _check_storable(stored: StoredEvent) -> None:
    """Refuse, on both engines alike, what one of them could not store as text."""
    for what, value in (("stream id", str(stored.originator_id)), ("topic", stored.topic)):
        if not value or "\x00" in value:
            raise InvalidInputError(f"a {what} must be non-empty text without NUL characters")
    if not isinstance(stored.state, bytes | bytearray):
        raise InvalidInputError("an event's state must be bytes")


class PollingSubscription(Subscription[ApplicationRecorder]):
    """Follows the log by polling; neither engine pushes to this recorder."""

    poll_interval = 0.05
    page_size = 500

    def __init__(
        self, recorder: LedgerRecorder, gt: int | None = None, topics: Sequence[str] = ()
    ) -> None:
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._buffer: list[Notification] = []

    def __next__(self) -> Notification:
        while not self._has_been_stopped:
            if self._buffer:
                notification = self._buffer.pop(0)
                self._last_notification_id = notification.id
                return notification
            self._buffer = list(
                self._recorder.select_notifications(
                    start=self._last_notification_id,
                    limit=self.page_size,
                    topics=self._topics,
                    inclusive_of_start=False,
                )
            )
            if not self._buffer:
                time.sleep(self.poll_interval)
        raise StopIteration
