"""What the read side shows of an aggregate's state: a JSON-able summary.

The streams view keeps, for every stream, the state the write side's own
aggregate holds after the stream's last event, so the Executive's view can
never disagree with what the guards saw. This module turns that state into
plain data, and names the deadlines it carries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from ledger.domain.base import Aggregate
from ledger.domain.challenges import Challenge


_SCALARS = frozenset((str, int, float, bool, type(None)))

# The field names of each dataclass met, worked out once per class.
_FIELDS: dict[type, tuple[str, ...]] = {}


def plain(value: Any) -> Any:
    """Dates, enums, dataclasses, tuples and sets as JSON-able values."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is date:
        return value.isoformat()
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    names = _FIELDS.get(kind)
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def state_of(aggregate: Aggregate) -> dict[str, Any]:
    return {
        name: plain(value)
        for name, value in vars(aggregate).items()
        if not name.startswith("_") and name not in ("id", "version")
    }


@dataclass(frozen=True)
class DeadlineRow:
    name: str
    due: date
    rule: str
    description: str
    met_on: date | None


def deadlines_of(aggregate: Aggregate) -> Iterator[DeadlineRow]:
    """Every deadline an aggregate carries, with the rule that produced it."""
    if isinstance(aggregate, Challenge):
        if aggregate.response_due is not None:
            responded = [r.on for r in aggregate.responses]
            met = max(responded) if responded and not aggregate.awaiting() else None
            yield DeadlineRow(
                name="response",
                due=aggregate.response_due,
                rule=f"challenge response: {aggregate.respond_within_working_days} working days "
                f"({getattr(aggregate, 'due_rule', 'local policy')})",
                description=f"response to challenge {aggregate.key}",
                met_on=met if met is not None else (aggregate.closed_on if aggregate.status.closed else None),
            )
        return
    provider = getattr(aggregate, "deadlines", None)
    if callable(provider):
        for item in provider():
            yield DeadlineRow(
                name=str(getattr(item, "name", getattr(item, "rule_id", "deadline"))),
                due=item.due,
                rule=" ".join(
                    str(part) for part in (getattr(item, "rule_id", ""), getattr(item, "edition", "")) if part
                ),
                description=str(getattr(item, "description", "")),
                met_on=getattr(item, "met_on", None),
            )


def status_of(aggregate: Aggregate) -> str | None:
    status = getattr(aggregate, "status", None)
    return None if status is None else str(plain(status))


def tier_of(aggregate: Aggregate) -> int | None:
    tier = getattr(aggregate, "tier", None)
    return None if tier is None else int(tier)


def closed_on_of(aggregate: Aggregate) -> date | None:
    closed = getattr(aggregate, "closed_on", None)
    return closed if isinstance(closed, date) else None
