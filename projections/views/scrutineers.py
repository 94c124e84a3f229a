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
        event = item.event
        if event is None or event.actor_role not in SCRUTINEER_ROLES:
            return
        writer.insert(
            schema.scrutiny_activity,
            {
                "position": item.position,
                "person_id": event.actor_id,
                "tier": int(event.tier) if event.tier is not None else None,
                "kind": type(event).__name__,
                "month": event.occurred_on.isoformat()[:7],
            },
        )
