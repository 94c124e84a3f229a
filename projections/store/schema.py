"""Tables of the read side: one set per view, plus each view's tracked position.

These live in the ledger's database beside the log (``view_`` prefix), or in
a temporary in-memory SQLite database for time travel. They can be dropped and
rebuilt from the log at any time; nothing here is evidence.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)

views_metadata = MetaData()

# A position: BIGINT, and on SQLite INTEGER, so that a single-column primary
# key of it is the table's rowid (one B-tree, read in position order without
# a separate index), as in the log's own tables.
Position = BigInteger().with_variant(Integer(), "sqlite")

positions = Table(
    "view_positions",
    views_metadata,
    Column("view", Text, primary_key=True),
    Column("position", BigInteger, nullable=False),
)

history = Table(
    "view_history",
    views_metadata,
    Column("position", Position, primary_key=True, autoincrement=False),
    Column("stream_id", Text, nullable=False),
    Column("stream_kind", Text, nullable=False),
    Column("stream_version", BigInteger, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("actor_id", Text),
    Column("actor_role", Text),
    Column("tier", Integer),
    Column("occurred_on", Text),
    Column("recorded_at", Text, nullable=False),
    # No copy of the event's fields: readers take them from the log by
    # position (projections.feed.opened_fields), so no view holds personal data.
    Index("view_history_stream", "stream_id", "position"),
    Index("view_history_actor", "actor_id", "position"),
    Index("view_history_tier", "tier", "position"),
    Index("view_history_kind", "event_type", "position"),
    Index("view_history_occurred", "occurred_on", "position"),
)

history_organisations = Table(
    "view_history_organisations",
    views_metadata,
    Column("organisation_id", Text, primary_key=True),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
)

history_corrections = Table(
    "view_history_corrections",
    views_metadata,
    Column("stream_id", Text, primary_key=True),
    Column("stream_version", BigInteger, primary_key=True, autoincrement=False),
    Column("corrected_by", BigInteger, nullable=False),
    Column("corrected_values", Text, nullable=False),
)

stream_corrections = Table(
    "view_stream_corrections",
    views_metadata,
    Column("stream_id", Text, primary_key=True),
    Column("stream_version", BigInteger, primary_key=True, autoincrement=False),
    Column("corrected_values", Text, nullable=False),
)

names = Table(
    "view_names",
    views_metadata,
    Column("entity_id", Text, primary_key=True),
    Column("valid_from", Text, primary_key=True),
    Column("name", Text, nullable=False),
)

streams = Table(
    "view_streams",
    views_metadata,
    Column("stream_id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("status", Text),
    Column("tier", Integer),
    Column("opened_on", Text),
    Column("closed_on", Text),
    Column("version", BigInteger, nullable=False),
    Column("last_position", BigInteger, nullable=False),
    Column("data", Text, nullable=False),
    Index("view_streams_kind", "kind", "status"),
)

deadlines = Table(
    "view_deadlines",
    views_metadata,
    Column("stream_id", Text, primary_key=True),
    Column("name", Text, primary_key=True),
    Column("due", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("met_on", Text),
    Column("description", Text, nullable=False),
    Index("view_deadlines_due", "due"),
)

scrutiny_activity = Table(
    "view_scrutiny_activity",
    views_metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("person_id", Text, nullable=False),
    Column("tier", Integer),
    Column("kind", Text, nullable=False),
    Column("month", Text, nullable=False),
    Index("view_scrutiny_activity_person", "person_id", "month"),
    Index("view_scrutiny_activity_tier", "tier", "month"),
)

VIEW_TABLES: dict[str, tuple[Table, ...]] = {
    "history": (history, history_organisations, history_corrections),
    "names": (names,),
    "streams": (streams, deadlines, stream_corrections),
    "scrutineers": (scrutiny_activity,),
}
