"""The JSON API: read-only, one audience per resource (see ``commands.tokens``).

Every route answers 401 without a valid token and 403 when the person's
role today does not allow the resource; errors are ``{"detail": "..."}``.
Time travel: ``as_known_at`` (a tree size or a UTC time: the state as
recorded by then) and ``as_of`` (a date: only facts that had occurred by
then), as on the command line.
"""

from __future__ import annotations

import shutil
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import FileResponse, PlainTextResponse
from starlette.background import BackgroundTask

from commands.reads import Scope
from commands.tokens import Grant
from commands.web import models
from commands.web import reads as web_reads
from commands.web.auth import EXECUTIVE, INSPECTOR, MODERATION, authenticated, require, web_state
from commands.web.state import WebState
from projections.history import HistoryQuery

MAX_INT = 2**62
SLUG = r"^[a-z0-9][a-z0-9-]{0,99}$"
TEXT = r"^[^\x00-\x1f\x7f]{1,300}$"
STREAM = r"^[a-z][a-z-]{0,30}:[^\x00-\x1f\x7f]{1,300}$"
KNOWN_AT = r"^[0-9TZ:.+ -]{1,40}$"

Problem = {"model": models.Problem}
AUTH: dict[int | str, dict[str, Any]] = {
    401: {**Problem, "description": "No token, or not a valid one"},
    403: {**Problem, "description": "The person's role today does not allow this"},
}
SCOPED: dict[int | str, dict[str, Any]] = {
    **AUTH,
    400: {**Problem, "description": "An as_known_at that is neither a tree size nor a time"},
    404: {**Problem, "description": "as_known_at names a tree size beyond the log"},
}
FOUND: dict[int | str, dict[str, Any]] = {
    **SCOPED,
    404: {**Problem, "description": "No such resource (or a tree size beyond the log)"},
}

router = APIRouter(prefix="/api", tags=["api"])

AsKnownAt = Annotated[
    str | None,
    Query(pattern=KNOWN_AT, description="A tree size (e.g. a checkpoint's) or a UTC time "
          "(2020-03-31T17:00:00Z): the state as recorded by then"),
]
AsOf = Annotated[date | None, Query(description="Only facts that had occurred by this date")]
State = Annotated[WebState, Depends(web_state)]


def scope_of(as_known_at: str | None, as_of: date | None) -> Scope:
    return WebState.scope(as_known_at, None if as_of is None else as_of.isoformat())


@router.get("/whoami", response_model=models.Whoami, responses=AUTH)
def whoami(grant: Annotated[Grant, Depends(authenticated)]) -> dict[str, Any]:
    """Who the token belongs to, and what they may see today."""
    return {
        "person_id": grant.person_id,
        "display_name": grant.display_name,
        "token_id": grant.token_id,
        "token_role": grant.token_role,
        "roles_today": sorted(r.value for r in grant.roles),
        "audiences": sorted(a.value for a in grant.audiences),
    }


@router.get("/status", response_model=models.Status, responses=SCOPED,
            dependencies=[Depends(require(EXECUTIVE))])
def status(state: State, as_known_at: AsKnownAt = None, as_of: AsOf = None) -> dict[str, Any]:
    """The Executive's dashboard: open challenges, deadlines, reviews, audits, reports, coverage."""
    return web_reads.status(state, scope_of(as_known_at, as_of))


@router.get("/deadlines", response_model=list[models.Deadline], responses=SCOPED,
            dependencies=[Depends(require(EXECUTIVE))])
def deadlines(
    state: State,
    as_known_at: AsKnownAt = None,
    as_of: AsOf = None,
    deadline_state: Annotated[
        str | None, Query(alias="state", pattern="^(met|met late|due|overdue|closed)$")
    ] = None,
) -> list[dict[str, Any]]:
    """Every deadline with the rule (and edition) that produced it: met, due or overdue."""
    return web_reads.deadline_rows(state, scope_of(as_known_at, as_of), deadline_state)


@router.get("/history", response_model=models.HistoryPage, responses=SCOPED,
            dependencies=[Depends(require(INSPECTOR))])
def history(
    state: State,
    stream: Annotated[str | None, Query(pattern=STREAM, description="e.g. challenge:CH-2019-001")] = None,
    actor: Annotated[str | None, Query(pattern=SLUG, description="A person id")] = None,
    org: Annotated[str | None, Query(pattern=SLUG, description="Acts about this organisation")] = None,
    tier: Annotated[int | None, Query(ge=1, le=3)] = None,
    kind: Annotated[str | None, Query(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,99}$",
                                      description="An event type, e.g. ChallengeRaised")] = None,
    since: Annotated[date | None, Query(description="Acts that occurred on or after")] = None,
    until: Annotated[date | None, Query(description="Acts that occurred on or before")] = None,
    after: Annotated[int | None, Query(ge=-1, le=MAX_INT, description="Positions after this")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 200,
    as_known_at: AsKnownAt = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """Every recorded act in order, with people and organisations named as they were then."""
    query = HistoryQuery(
        stream=stream, actor=actor, organisation=org, tier=tier, kind=kind,
        since=None if since is None else since.isoformat(),
        until=None if until is None else until.isoformat(),
        after=after, limit=limit,
    )
    return web_reads.history(state, scope_of(as_known_at, as_of), query)


@router.get("/cases/{case_id}", response_model=models.StreamState, responses=FOUND)
def case(
    state: State,
    grant: Annotated[Grant, Depends(require(EXECUTIVE, INSPECTOR))],
    case_id: Annotated[str, Path(pattern=TEXT, description="A case id (stream case:<id>) or any stream id")],
    as_known_at: AsKnownAt = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """A case's state and deadlines (and, for inspectors, its timeline); any stream id also works."""
    timeline = INSPECTOR in grant.audiences
    return web_reads.stream_state(state, scope_of(as_known_at, as_of), case_id, timeline)


@router.get("/scrutineers", response_model=list[models.ScrutineerSummary], responses=SCOPED,
            dependencies=[Depends(require(MODERATION))])
def scrutineers(state: State, as_known_at: AsKnownAt = None, as_of: AsOf = None) -> list[dict[str, Any]]:
    """Every independent scrutineer and their acts per tier."""
    return web_reads.scrutineers(state, scope_of(as_known_at, as_of))


@router.get("/scrutineers/{person_id}/activity", response_model=models.ScrutineerActivity,
            responses=FOUND, dependencies=[Depends(require(MODERATION))])
def scrutineer_activity(
    state: State,
    person_id: Annotated[str, Path(pattern=SLUG)],
    as_known_at: AsKnownAt = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """One scrutineer's acts per month, tier and kind, their roles and declared interests."""
    return web_reads.scrutineer_activity(state, scope_of(as_known_at, as_of), person_id)


@router.get("/moderation", response_model=list[models.ModerationRecord], responses=SCOPED,
            dependencies=[Depends(require(MODERATION))])
def moderation(state: State, as_known_at: AsKnownAt = None, as_of: AsOf = None) -> list[dict[str, Any]]:
    """Moderation outcomes: each moderation of a scrutineer's activity."""
    return web_reads.moderation_outcomes(state, scope_of(as_known_at, as_of))


CHECKPOINT_FOUND: dict[int | str, dict[str, Any]] = {
    **AUTH, 404: {**Problem, "description": "The ledger has no checkpoint yet"},
}


@router.get(
    "/checkpoint",
    response_class=PlainTextResponse,
    responses={**CHECKPOINT_FOUND, 200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                                          "description": "The latest signed note, exactly as signed"}},
    dependencies=[Depends(require(EXECUTIVE, INSPECTOR))],
)
def checkpoint_note(state: State) -> PlainTextResponse:
    """The latest signed checkpoint (C2SP signed note), exactly as signed."""
    return PlainTextResponse(web_reads.latest_checkpoint(state)["note"])


@router.get("/checkpoint.json", response_model=models.CheckpointInfo, responses=CHECKPOINT_FOUND,
            dependencies=[Depends(require(EXECUTIVE, INSPECTOR))])
def checkpoint_json(state: State) -> dict[str, Any]:
    """The latest signed checkpoint with its size, root and origin."""
    return web_reads.latest_checkpoint(state)


@router.get("/checkpoints", response_model=list[models.CheckpointListItem], responses=AUTH,
            dependencies=[Depends(require(EXECUTIVE, INSPECTOR))])
def checkpoint_list(state: State) -> list[dict[str, Any]]:
    """Every stored checkpoint: its id, tree size and when it was signed."""
    return web_reads.checkpoints(state)


@router.get("/proofs/inclusion/{position}", response_model=models.InclusionProof,
            responses={**AUTH, 404: {**Problem, "description": "Position or size not in the log"}},
            dependencies=[Depends(require(INSPECTOR))])
def inclusion_proof(
    state: State,
    position: Annotated[int, Path(ge=0, le=MAX_INT)],
    size: Annotated[int | None, Query(ge=1, le=MAX_INT,
                                      description="Tree size; default the latest checkpoint's")] = None,
) -> dict[str, Any]:
    """RFC 9162 inclusion proof of the event at POSITION, from the stored subtrees (base64)."""
    return web_reads.inclusion(state, position, size)


@router.get("/verification", response_model=models.Verification, responses=AUTH,
            dependencies=[Depends(require(INSPECTOR))])
def verification(state: State) -> dict[str, Any]:
    """Every leaf, node, root and checkpoint signature recomputed (reused for 30 s)."""
    return web_reads.verification(state)


@router.get(
    "/bundles/latest.zip",
    response_class=FileResponse,
    responses={**AUTH, 400: {**Problem, "description": "Not a stream the bundle can select"},
               404: {**Problem, "description": "No checkpoint yet, or no such stream"},
               200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
                     "description": "The export bundle (scrutiny export), zipped"}},
    dependencies=[Depends(require(INSPECTOR))],
)
def bundle(
    state: State,
    stream: Annotated[
        str | None, Query(pattern=STREAM, description="Only this stream (a partial bundle)")
    ] = None,
) -> FileResponse:
    """The export bundle of the latest checkpoint, zipped: everything, or one stream with proofs."""
    name, path = web_reads.bundle_zip(state, stream)
    return FileResponse(path, media_type="application/zip", filename=name,
                        background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True))
