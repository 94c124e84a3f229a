"""Names in time: what each organisation and person was called from which date."""

from __future__ import annotations

from projections.feed import Item
from projections.store import ViewWriter, schema


class NamesView:
    name = "names"

    def apply(self, writer: ViewWriter, item: Item) -> None:
        event = item.event
        if event is None:
            return
        name = None
        for field in ("name", "new_name", "display_name"):
            value = getattr(event, field, None)
            if isinstance(value, str) and value:
                name = value
                break
        if name is None:
            return
        entity = item.record.stream_id
        if not entity.startswith(("org:", "person:")):
            return
        writer.upsert(
            schema.names,
            {"entity_id": entity, "valid_from": event.occurred_on.isoformat(), "name": name},
        )
