"""What the web app shows, as plain data: shared by the JSON API and the pages.

No SQL here and no HTTP: each function takes the app's :class:`WebState`, a
time-travel scope where it applies, and returns dicts shaped like the API's
response models. Everything is read; nothing is recorded.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from commands.reads import Scope
from commands.web.state import WebState
from ledger.checkpoints import parse_checkpoint
from ledger.errors import IntegrityFailure, NotFoundError
from ledger.integrity import (
    inclusion_proof_from_store,
    leaf_hash,
    nodes_needed_for_inclusion,
    verify_inclusion,
)
from projections.history import HistoryQuery, history_rows
from projections.reports import Names, dashboard, deadlines
from projections.store import ProjectionStore
from projections.store import queries as q

STREAM_SUMMARY = ("stream_id", "kind", "key", "status", "tier", "opened_on", "closed_on")
TIMELINE_LIMIT = 100_000
SCRUTINEER = "independent_scrutineer"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _summaries(store: ProjectionStore, kind: str) -> list[dict[str, Any]]:
    return [{k: row[k] for k in STREAM_SUMMARY} for row in q.streams(store, kind)]


def status(state: WebState, scope: Scope) -> dict[str, Any]:
    """The Executive's dashboard: ``projections.reports.dashboard`` and the open work by kind."""
    with state.views(scope) as store:
        data = dashboard(store, scope.today())
        data["reviews"] = _summaries(store, "case")
        data["audits"] = _summaries(store, "audit")
        data["reports"] = _summaries(store, "report")
        data["all_deadlines"] = deadlines(store, scope.today())
    data["as_known_at"] = scope.known_at
    return data


def streams_of_kinds(state: WebState, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    """The current summaries of every stream of these kinds (for choosing a timeline)."""
    with state.views(Scope()) as store:
        return [row for kind in kinds for row in _summaries(store, kind)]


def deadline_rows(state: WebState, scope: Scope, wanted: str | None = None) -> list[dict[str, Any]]:
    with state.views(scope) as store:
        rows = deadlines(store, scope.today())
    return [row for row in rows if wanted is None or row["state"] == wanted]


def mark_corrections(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Say which event a correction corrects (and keep any ``corrected_by`` of the view)."""
    for row in rows:
        fields = row["fields"]
        row["corrects"] = None
        if fields.get("corrects") is not None:
            row["corrects"] = str(fields["corrects"])
        elif row["event_type"] == "EventCorrected" and fields.get("target_stream_id"):
            target = f"{fields['target_stream_id']} version {fields.get('target_version')}"
            if fields.get("target_position") is not None:
                target += f" (position {fields['target_position']})"
            row["corrects"] = target
    return rows


def history(state: WebState, scope: Scope, query: HistoryQuery) -> dict[str, Any]:
    with state.views(scope) as store:
        rows = mark_corrections(history_rows(store, query))
    full = len(rows) == query.limit
    return {"rows": rows, "next_after": rows[-1]["position"] if full and rows else None}


def _timeline(store: ProjectionStore, stream_id: str) -> list[dict[str, Any]]:
    """Every act of a stream, and every correction of one of them, in order.

    An original that was corrected gets ``corrected_by`` (the correction's
    position) so a reader sees both the original and what replaced it.
    """
    rows = history_rows(store, HistoryQuery(stream=stream_id, limit=TIMELINE_LIMIT))
    corrections = [
        r for r in history_rows(store, HistoryQuery(kind="EventCorrected", limit=TIMELINE_LIMIT))
        if r["fields"].get("target_stream_id") == stream_id
    ]
    by_version = {r["stream_version"]: r for r in rows}
    for correction in corrections:
        original = by_version.get(correction["fields"].get("target_version"))
        if original is not None and original.get("corrected_by") is None:
            original["corrected_by"] = correction["position"]
    return mark_corrections(sorted(rows + corrections, key=lambda r: r["position"]))


def _find_stream(store: ProjectionStore, identifier: str) -> dict[str, Any] | None:
    row = q.stream(store, f"case:{identifier}")
    if row is None and ":" in identifier:
        row = q.stream(store, identifier)
    return row


def stream_state(state: WebState, scope: Scope, identifier: str, timeline: bool) -> dict[str, Any]:
    """A case (``case:<id>``), or any stream by its full id; ``NotFoundError`` when absent."""
    with state.views(scope) as store:
        row = _find_stream(store, identifier)
        if row is None:
            raise NotFoundError(f"no case {identifier!r} and no stream of that id")
        row["deadlines"] = [d for d in deadlines(store, scope.today()) if d["stream_id"] == row["stream_id"]]
        row["timeline"] = _timeline(store, row["stream_id"]) if timeline else None
    return row


def _scrutineer_ids(store: ProjectionStore) -> dict[str, dict[str, Any]]:
    """Every person who has held the independent scrutineer role: id -> stream data."""
    return {
        row["key"]: row["data"]
        for row in q.streams(store, "person")
        if any(a.get("role") == SCRUTINEER for a in row["data"].get("appointments", []))
    }


def scrutineers(state: WebState, scope: Scope) -> list[dict[str, Any]]:
    with state.views(scope) as store:
        people = _scrutineer_ids(store)
        activity = q.activity(store)
        ids = sorted(set(people) | {row["person_id"] for row in activity})
        names = Names(store, [f"person:{p}" for p in ids])
        result = []
        for person_id in ids:
            mine = [row for row in activity if row["person_id"] == person_id]
            by_tier: dict[str, int] = {}
            for row in mine:
                tier = "none" if row["tier"] is None else str(row["tier"])
                by_tier[tier] = by_tier.get(tier, 0) + int(row["count"])
            result.append({
                "person_id": person_id,
                "display_name": names.on(f"person:{person_id}", None),
                "acts": sum(by_tier.values()),
                "by_tier": by_tier,
            })
    return result


def scrutineer_activity(state: WebState, scope: Scope, person_id: str) -> dict[str, Any]:
    """One scrutineer's acts per month, tier and kind; their roles and declared interests."""
    with state.views(scope) as store:
        people = _scrutineer_ids(store)
        activity = q.activity(store, person_id)
        if person_id not in people and not activity:
            raise NotFoundError(f"no independent scrutineer {person_id!r}")
        data = people.get(person_id, {})
        name = Names(store, [f"person:{person_id}"]).on(f"person:{person_id}", None)
    return {
        "person_id": person_id,
        "display_name": name or data.get("display_name"),
        "appointments": list(data.get("appointments", [])),
        "interests": list(data.get("interests", [])),
        "activity": [{k: row[k] for k in ("month", "tier", "kind", "count")} for row in activity],
    }


def moderation_outcomes(state: WebState, scope: Scope) -> list[dict[str, Any]]:
    with state.views(scope) as store:
        rows = q.streams(store, "moderation")
    return [dict({k: row[k] for k in STREAM_SUMMARY}, data=row["data"]) for row in rows]


def checkpoints(state: WebState) -> list[dict[str, Any]]:
    return [
        {"id": cid, "tree_size": size, "recorded_at": at}
        for cid, size, at, _ in state.recorder.checkpoints()
    ]


def latest_checkpoint(state: WebState) -> dict[str, Any]:
    stored = state.recorder.checkpoints()
    if not stored:
        raise NotFoundError("the ledger has no checkpoint yet")
    checkpoint_id, size, recorded_at, note = stored[-1]
    body = parse_checkpoint(note.split("\n\n", 1)[0] + "\n")
    return {
        "id": checkpoint_id,
        "tree_size": size,
        "recorded_at": recorded_at,
        "origin": body.origin,
        "root_hash": b64(body.root_hash),
        "note": note,
    }


def inclusion(state: WebState, position: int, size: int | None) -> dict[str, Any]:
    """RFC 9162 inclusion proof of ``position`` in the tree of ``size`` events
    (default: the latest checkpoint's size), read from the stored subtrees and
    verified against the stored root before it is returned."""
    recorder = state.recorder
    stored = recorder.checkpoints()
    if size is None:
        if not stored:
            raise NotFoundError("the ledger has no checkpoint yet; give ?size=N")
        size = stored[-1][1]
    held = recorder.size()
    if size > held:
        raise NotFoundError(f"size {size} is beyond the log, which holds {held} events")
    if not 0 <= position < size:
        raise NotFoundError(f"position {position} is not in a tree of {size} events")
    nodes = recorder.tree_nodes(sorted(nodes_needed_for_inclusion(position, size)))
    missing = [node for node in nodes_needed_for_inclusion(position, size) if node not in nodes]
    if missing:
        raise IntegrityFailure(f"tree node {min(missing)} is missing; run 'scrutiny verify'")
    proof = inclusion_proof_from_store(position, size, lambda level, idx: nodes[(level, idx)])
    record = next(recorder.iter_records(position, position + 1))
    leaf_input = record.leaf_input()
    leaf = leaf_hash(leaf_input)
    root = recorder.root(size)
    if not verify_inclusion(leaf, position, size, proof, root):
        raise IntegrityFailure(f"the stored tree does not prove position {position}; run 'scrutiny verify'")
    notes = [note for _, stored_size, _, note in stored if stored_size == size]
    return {
        "type": "inclusion",
        "origin": recorder.get_meta("origin"),
        "leaf_index": position,
        "tree_size": size,
        "leaf_input": b64(leaf_input),
        "leaf_hash": b64(leaf),
        "root": b64(root),
        "proof": [b64(h) for h in proof],
        "checkpoint": notes[-1] if notes else None,
    }


def verification(state: WebState) -> dict[str, Any]:
    verified = state.verification()
    report = verified.report
    return {
        "ok": report.ok,
        "tree_size": report.size,
        "root_hash": b64(report.root),
        "checkpoints_checked": report.checkpoints_checked,
        "problem": report.problem,
        "first_bad_position": report.first_bad_position,
        "key_source": verified.key_source,
    }


def bundle_zip(state: WebState, stream: str | None) -> tuple[str, Path]:
    """The export bundle of the latest checkpoint (all events, or one stream's), zipped
    into a temporary directory; the caller removes ``path.parent`` once it is sent."""
    from commands.bundles import export

    work = Path(tempfile.mkdtemp(prefix="scrutiny-web-bundle-"))
    try:
        target = work / "bundle"
        result = export(state.db_url, state.key_path, target, streams=(stream,) if stream else ())
        kind = "" if result.kind == "full" else f"-{result.kind}"
        archive_path = work / f"scrutiny-bundle-{result.tree_size}{kind}.zip"
        with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(target.rglob("*")):
                if path.is_file():
                    archive.write(path, f"bundle/{path.relative_to(target).as_posix()}")
        shutil.rmtree(target)
        return archive_path.name, archive_path
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
