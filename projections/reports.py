"""What each audience asks, assembled from the views (no SQL here).

* the Executive's dashboard: open challenges and their age, deadlines met /
  due / overdue, other open work by kind, scrutiny coverage of each tier;
* deadlines with the rule that produced each;
* names: current names with "formerly ...", or the name on a given date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from projections.store import ProjectionStore, Row
from projections.store import queries as q

CLOSED_STATUSES = {"resolved", "withdrawn", "closed", "completed", "published", "dissolved", "cancelled"}
ENTITY_KINDS = {"org", "person", "import"}


class Names:
    """Names of organisations and people, in time."""

    def __init__(self, store: ProjectionStore, entity_ids: list[str]) -> None:
        self._spans = q.name_spans(store, entity_ids)

    def on(self, entity_id: str, day: str | None) -> str | None:
        spans = self._spans.get(entity_id, [])
        chosen = None
        for valid_from, name in spans:
            if day is None or valid_from <= day:
                chosen = name
        return chosen if chosen is not None else (spans[0][1] if spans else None)

    def current(self, entity_id: str) -> str:
        """The current name, with "formerly ..." when it changed."""
        spans = self._spans.get(entity_id, [])
        if not spans:
            return entity_id.split(":", 1)[-1]
        names = [name for _, name in spans]
        current = names[-1]
        former = [n for n in dict.fromkeys(reversed(names[:-1])) if n != current]
        return f"{current} (formerly {', '.join(former)})" if former else current


def deadline_state(row: Row, today: date) -> str:
    if row.get("met_on"):
        return "met late" if row["met_on"] > row["due"] else "met"
    if row.get("status") in CLOSED_STATUSES:
        return "closed"
    return "overdue" if row["due"] < today.isoformat() else "due"


def deadlines(store: ProjectionStore, today: date) -> list[dict[str, Any]]:
    rows = q.deadlines(store)
    for row in rows:
        row["state"] = deadline_state(row, today)
        if row["state"] in ("due", "overdue"):
            row["days_left"] = (date.fromisoformat(row["due"]) - today).days
        else:
            row["days_left"] = None
    return rows


def open_challenges(store: ProjectionStore, today: date) -> list[dict[str, Any]]:
    challenges = q.streams(store, "challenge")
    names = Names(store, [f"org:{p}" for c in challenges for p in c["data"].get("to_partners", [])])
    result = []
    for c in challenges:
        if c["status"] in CLOSED_STATUSES:
            continue
        data = c["data"]
        answered = {r["organisation_id"] for r in data.get("responses", [])}
        awaiting = [p for p in data.get("to_partners", []) if p not in answered]
        due = data.get("response_due")
        result.append({
            "challenge_id": c["key"],
            "tier": c["tier"],
            "status": c["status"],
            "raised_on": c["opened_on"],
            "age_days": (today - date.fromisoformat(c["opened_on"])).days if c["opened_on"] else None,
            "response_due": due,
            "overdue": bool(due and due < today.isoformat() and awaiting),
            "escalations": len(data.get("escalations", [])),
            "awaiting": [names.current(f"org:{p}") for p in awaiting],
            "subject": data.get("subject"),
            "case_ref": data.get("case_ref"),
        })
    return result


def challenge_list(store: ProjectionStore, today: date, status: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for c in q.streams(store, "challenge", [status] if status else None):
        data = c["data"]
        rows.append({
            "challenge_id": c["key"],
            "tier": c["tier"],
            "status": c["status"],
            "raised_on": c["opened_on"],
            "raised_by": data.get("raised_by"),
            "to_partners": data.get("to_partners", []),
            "response_due": data.get("response_due"),
            "escalations": len(data.get("escalations", [])),
            "outcome": data.get("outcome"),
            "closed_on": c["closed_on"],
            "age_days": (today - date.fromisoformat(c["opened_on"])).days if c["opened_on"] else None,
            "subject": data.get("subject"),
        })
    return rows


def other_work(store: ProjectionStore) -> list[dict[str, Any]]:
    """Open and closed streams of every other kind (cases, audits, reports ...)."""
    return [r for r in q.kind_status_counts(store) if r["kind"] not in ENTITY_KINDS | {"challenge"}]


def dashboard(store: ProjectionStore, today: date) -> dict[str, Any]:
    all_deadlines = deadlines(store, today)
    counts = {state: 0 for state in ("met", "met late", "due", "overdue", "closed")}
    for row in all_deadlines:
        counts[row["state"]] += 1
    challenges = open_challenges(store, today)
    return {
        "as_of": today.isoformat(),
        "events": q.event_count(store),
        "open_challenges": challenges,
        "deadlines": {
            "counts": counts,
            "overdue": [d for d in all_deadlines if d["state"] == "overdue"],
            "due": [d for d in all_deadlines if d["state"] == "due"],
        },
        "other_work": other_work(store),
        "tier_coverage": q.tier_coverage(store),
    }


def case_view(store: ProjectionStore, case_id: str, today: date) -> dict[str, Any]:
    """One case (or any stream named by id): stage, deadlines, history."""
    from ledger.errors import NotFoundError
    from projections.history import HistoryQuery, history_rows

    stream_id = case_id if ":" in case_id else f"case:{case_id}"
    row = q.stream(store, stream_id)
    if row is None:
        raise NotFoundError(f"no case {case_id!r}")
    own = [d for d in deadlines(store, today) if d["stream_id"] == stream_id]
    return {
        "case_id": row["key"],
        "stream_id": stream_id,
        "status": row["status"],
        "opened_on": row["opened_on"],
        "closed_on": row["closed_on"],
        "state": row["data"],
        "deadlines": own,
        "history": history_rows(store, HistoryQuery(stream=stream_id, limit=100_000)),
    }


def audit_list(store: ProjectionStore, status: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for audit in q.streams(store, "audit", [status] if status else None):
        data = audit["data"]
        rows.append({
            "audit_id": audit["key"],
            "kind": data.get("kind"),
            "status": audit["status"],
            "opened_on": audit["opened_on"],
            "agencies": len(data.get("agencies") or []),
            "returns": len(data.get("returns") or []),
            "findings": len(data.get("findings") or []),
            "open_actions": len(data.get("open_actions") or []),
            "closed_on": audit["closed_on"],
            "title": data.get("title"),
        })
    return rows
