"""Every event, filterable by stream, actor, organisation, tier, kind and date."""

from __future__ import annotations

from typing import Any

from projections.feed import Item
from projections.store import ViewWriter, dumps, schema

_ENVELOPE = {"originator_id", "originator_version", "actor_id", "actor_role", "occurred_on", "tier"}


def event_fields(item: Item) -> dict[str, Any]:
    if item.event is None:
        return {}
    return item.event.model_dump(mode="json", exclude=_ENVELOPE)


def organisations_named(stream_id: str, fields: dict[str, Any]) -> set[str]:
    """Organisation ids an event is about: its own stream, or fields naming them."""
    found: set[str] = set()
    if stream_id.startswith("org:"):
        found.add(stream_id.split(":", 1)[1])
    for key, value in fields.items():
        if "organisation" not in key and "partner" not in key and key not in ("to", "recipient_id"):
            continue
        values = value if isinstance(value, list) else [value]
        found.update(v for v in values if isinstance(v, str) and v and " " not in v)
    return found


class HistoryView:
    name = "history"

    def apply(self, writer: ViewWriter, item: Item) -> None:
        record, event = item.record, item.event
        fields = event_fields(item)
        writer.insert(
            schema.history,
            {
                "position": record.position,
                "stream_id": record.stream_id,
                "stream_kind": record.stream_id.split(":", 1)[0],
                "stream_version": record.stream_version,
                "event_type": type(event).__name__ if event is not None else record.topic,
                "actor_id": getattr(event, "actor_id", None),
                "actor_role": getattr(event, "actor_role", None),
                "tier": int(event.tier) if event is not None and event.tier is not None else None,
                "occurred_on": event.occurred_on.isoformat() if event is not None else None,
                "recorded_at": record.recorded_at,
                "fields": dumps(fields),
                "corrected_by": None,
            },
        )
        for organisation_id in sorted(organisations_named(record.stream_id, fields)):
            writer.insert(
                schema.history_organisations,
                {"organisation_id": organisation_id, "position": record.position},
            )
