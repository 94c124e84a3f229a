"""Each independent scrutineer's activity, per tier, kind and month.

Every act recorded by a person acting as an independent scrutineer counts as
scrutiny activity of that kind (the event type), at the event's tier.
"""

from __future__ import annotations

from projections.feed import Item
from projections.store import ViewWriter, schema

SCRUTINEER_ROLES = ("independent_scrutineer", "regional_scrutineer")


class ScrutineersView:
    name = "scrutineers"

    def apply(self, writer: ViewWriter, item: Item) -> None:
        data = item.data
        if data.get("actor_role") not in SCRUTINEER_ROLES:
            return
        tier = data.get("tier")
        writer.insert(
            schema.scrutiny_activity,
            {
                "position": item.position,
                "person_id": data["actor_id"],
                "tier": int(tier) if tier is not None else None,
                "kind": item.event_type,
                "month": str(data.get("occurred_on"))[:7],
            },
        )

    def finish(self, writer: ViewWriter) -> None:
        """Nothing is deferred: rows are written as items are applied."""
