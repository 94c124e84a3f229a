"""Every event, filterable by stream, actor, organisation, tier, kind and date."""

from __future__ import annotations

import json
from typing import Any

from projections.feed import Item
from projections.store import ViewWriter, dumps, schema

# The fields every event carries; none of them names an organisation, so
# organisations_named gives the same answer with or without them.
ENVELOPE = {"originator_id", "originator_version", "actor_id", "actor_role", "occurred_on", "tier", "evidence"}


def _naming(key: str) -> bool:
    """Can a field of this name hold organisation ids?"""
    return "organisation" in key or "partner" in key or key in ("to", "recipient_id")


# The fields of an event that can name organisations, by its set of field
# names (an event type's fields are the same in every event of it).
_NAMING_FIELDS: dict[tuple[str, ...], tuple[str, ...]] = {}


def organisations_named(stream_id: str, fields: dict[str, Any]) -> set[str]:
    """Organisation ids an event is about: its own stream, or fields naming them."""
    found: set[str] = set()
    if stream_id.startswith("org:"):
        found.add(stream_id.split(":", 1)[1])
    names = tuple(fields)
    naming = _NAMING_FIELDS.get(names)
    if naming is None:
        naming = tuple(key for key in names if _naming(key))
        if len(_NAMING_FIELDS) < 1024:
            _NAMING_FIELDS[names] = naming
    for key in naming:
        value = fields[key]
        values = value if isinstance(value, list) else [value]
        found.update(v for v in values if isinstance(v, str) and v and " " not in v)
    return found


class HistoryView:
    name = "history"

    def apply(self, writer: ViewWriter, item: Item) -> None:
        record, data = item.record, item.data
        stream_id = record.stream_id
        tier = data.get("tier")
        writer.insert(
            schema.history,
            {
                "position": record.position,
                "stream_id": stream_id,
                "stream_kind": stream_id.partition(":")[0],
                "stream_version": record.stream_version,
                "event_type": item.event_type,
                "actor_id": data.get("actor_id"),
                "actor_role": data.get("actor_role"),
                "tier": int(tier) if tier is not None else None,
                "occurred_on": data.get("occurred_on"),
                "recorded_at": record.recorded_at,
            },
        )
        if "target_stream_id" in data and stream_id.startswith("correction:"):
            target = (data["target_stream_id"], int(data["target_version"]))
            earlier = writer.get(schema.history_corrections, *target)
            values = dict(json.loads(earlier["corrected_values"])) if earlier else {}
            values.update(data.get("corrected_values", {}))
            writer.upsert(
                schema.history_corrections,
                {"stream_id": target[0], "stream_version": target[1],
                 "corrected_by": record.position, "corrected_values": dumps(values)},
            )
        for organisation_id in sorted(organisations_named(stream_id, data)):
            writer.insert(
                schema.history_organisations,
                {"organisation_id": organisation_id, "position": record.position},
            )

    def finish(self, writer: ViewWriter) -> None:
        """Nothing is deferred: rows are written as items are applied."""
