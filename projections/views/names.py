"""Names in time: what each organisation and person was called from which date."""

from __future__ import annotations

from projections.feed import Item
from projections.store import ViewWriter, schema


class NamesView:
    name = "names"

    def apply(self, writer: ViewWriter, item: Item) -> None:
        data = item.data
        if not data:
            return
        name = None
        for field in ("name", "new_name", "display_name"):
            value = data.get(field)
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
            {"entity_id": entity, "valid_from": str(data.get("occurred_on")), "name": name},
        )

    def finish(self, writer: ViewWriter) -> None:
        """Nothing is deferred: rows are written as items are applied."""
