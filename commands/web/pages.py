"""Server-rendered pages for the three audiences (no script, no external resource).

* the Executive: ``/dashboard`` and ``/cases/{id}``;
* inspectors: ``/inspect`` (verification, checkpoints, export bundle),
  ``/inspect/timeline?stream=...`` and ``/inspect/history``, each "as known
  at" a time or checkpoint size and "as of" a date;
* the moderation role: ``/activity`` and ``/activity/{person}``.

``/login`` takes a token and keeps it in an HttpOnly, SameSite=Strict cookie;
``/logout`` forgets it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from commands.tokens import Audience, Grant, TokenRejected, authenticate
from commands.web import charts
from commands.web import reads as web_reads
from commands.web.auth import (
    COOKIE,
    EXECUTIVE,
    INSPECTOR,
    MODERATION,
    optional_grant,
    require,
    web_state,
)
from commands.web.state import WebState
from ledger.errors import InvalidInputError, NotFoundError
from projections.history import HistoryQuery
from projections.reports import CLOSED_STATUSES

router = APIRouter(include_in_schema=False)

State = Annotated[WebState, Depends(web_state)]
HOME_OF = {Audience.EXECUTIVE: "/dashboard", Audience.INSPECTOR: "/inspect", Audience.MODERATION: "/activity"}
MAX_LOGIN_BODY = 4096  # a login form is a token and little else
INSPECTABLE_KINDS = ("case", "challenge", "audit", "report", "inspection", "moderation")


def render(
    request: Request, template: str, title: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    grant: Grant | None = getattr(request.state, "grant", None)
    page = request.app.state.templates.get_template(template).render(
        title=title,
        grant=grant,
        audiences=sorted(a.value for a in grant.audiences) if grant else [],
        roles_label=", ".join(sorted(r.value.replace("_", " ") for r in grant.roles)) if grant else "",
        **context,
    )
    return HTMLResponse(page, status_code=status_code)


def _blank(value: str | None) -> str | None:
    return value if value not in (None, "") else None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(value: str | None, what: str) -> str | None:
    """A filter or id from the address: no control characters, at most 300 characters."""
    value = _blank(value)
    if value is not None and (len(value) > 300 or _CONTROL.search(value)):
        raise InvalidInputError(f"{what} is not valid here")
    return value


def _scope(as_known_at: str | None, as_of: str | None) -> Any:
    return WebState.scope(_blank(as_known_at), _blank(as_of))


@router.get("/", response_model=None)
def home(request: Request) -> Response:
    grant = optional_grant(request)
    if grant is None:
        return RedirectResponse("/login", status_code=303)
    for audience, path in HOME_OF.items():
        if audience in grant.audiences:
            return RedirectResponse(path, status_code=303)
    request.state.grant = grant
    return render(request, "home.html", "Welcome")


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", "Sign in", message=None)


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_LOGIN_BODY:
            break
    form = parse_qs(body.decode("utf-8", "replace")) if len(body) <= MAX_LOGIN_BODY else {}
    token = (form.get("token") or [""])[0].strip()
    try:
        await run_in_threadpool(authenticate, web_state(request).ledger, token)
    except TokenRejected:
        return render(request, "login.html", "Sign in", status_code=401,
                      message="That token is not valid (or has been revoked).")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/"
    )
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/dashboard", dependencies=[Depends(require(EXECUTIVE))])
def dashboard(request: Request, state: State, as_known_at: str | None = None,
              as_of: str | None = None) -> HTMLResponse:
    scope = _scope(as_known_at, as_of)
    data = web_reads.status(state, scope)
    return render(
        request, "dashboard.html", "Executive dashboard",
        d=data, scope=scope,
        overdue_challenges=sum(1 for c in data["open_challenges"] if c["overdue"]),
        open_reviews=sum(1 for r in data["reviews"] if r["status"] not in CLOSED_STATUSES),
        open_audits=sum(1 for r in data["audits"] if r["status"] not in CLOSED_STATUSES),
        deadline_chart=charts.deadline_chart(data["deadlines"]["counts"]),
        coverage_chart=charts.coverage_chart(data["tier_coverage"]),
    )


@router.get("/cases/{case_id}")
def case(request: Request, state: State, case_id: str,
         grant: Annotated[Grant, Depends(require(EXECUTIVE, INSPECTOR))],
         as_known_at: str | None = None, as_of: str | None = None) -> HTMLResponse:
    scope = _scope(as_known_at, as_of)
    data = web_reads.stream_state(state, scope, _text(case_id, "the case id") or "",
                                  INSPECTOR in grant.audiences)
    return render(request, "case.html", f"{data['kind']} {data['key']}", s=data, scope=scope)


@router.get("/inspect", dependencies=[Depends(require(INSPECTOR))])
def inspect(request: Request, state: State) -> HTMLResponse:
    try:
        latest: dict[str, Any] | None = web_reads.latest_checkpoint(state)
    except NotFoundError:
        latest = None
    return render(
        request, "inspect.html", "Inspection",
        v=web_reads.verification(state),
        latest=latest,
        checkpoints=web_reads.checkpoints(state),
        streams=web_reads.streams_of_kinds(state, INSPECTABLE_KINDS),
    )


@router.get("/inspect/timeline", dependencies=[Depends(require(INSPECTOR))])
def timeline(request: Request, state: State, stream: str = "", as_known_at: str | None = None,
             as_of: str | None = None) -> HTMLResponse:
    chosen = _text(stream.strip(), "the stream")
    if chosen is None:
        raise InvalidInputError("say which stream to replay, e.g. challenge:CH-2019-001")
    scope = _scope(as_known_at, as_of)
    data = web_reads.stream_state(state, scope, chosen, True)
    return render(request, "timeline.html", f"Timeline of {data['stream_id']}", s=data, scope=scope)


@router.get("/inspect/history", dependencies=[Depends(require(INSPECTOR))])
def history(request: Request, state: State, stream: str | None = None, actor: str | None = None,
            org: str | None = None, tier: str | None = None, kind: str | None = None,
            since: str | None = None, until: str | None = None, after: str | None = None,
            as_known_at: str | None = None, as_of: str | None = None) -> HTMLResponse:
    scope = _scope(as_known_at, as_of)
    query = HistoryQuery(
        stream=_text(stream, "stream"), actor=_text(actor, "person"), organisation=_text(org, "organisation"),
        tier=_int(tier, "tier"), kind=_text(kind, "act"), since=_text(since, "since"),
        until=_text(until, "until"), after=_int(after, "after"), limit=200,
    )
    filters: dict[str, Any] = {"stream": query.stream, "actor": query.actor, "org": query.organisation,
                               "tier": query.tier, "kind": query.kind, "since": query.since,
                               "until": query.until}
    page = web_reads.history(state, scope, query)
    wanted = {k: v for k, v in filters.items() if v is not None}
    wanted.update({k: v for k, v in (("as_known_at", scope.known_at),
                                     ("as_of", scope.as_of and scope.as_of.isoformat())) if v})
    next_url = f"/inspect/history?{urlencode({**wanted, 'after': page['next_after']})}"
    return render(request, "history.html", "History", page=page, f=filters, scope=scope, next_url=next_url)


def _int(value: str | None, what: str) -> int | None:
    if _blank(value) is None:
        return None
    assert value is not None
    if not value.lstrip("-").isdigit() or len(value) > 18:
        raise InvalidInputError(f"{what} must be a whole number, not {value!r}")
    return int(value)


@router.get("/activity", dependencies=[Depends(require(MODERATION))])
def activity(request: Request, state: State, as_known_at: str | None = None,
             as_of: str | None = None) -> HTMLResponse:
    scope = _scope(as_known_at, as_of)
    people = web_reads.scrutineers(state, scope)
    series = [(f"Tier {t}", c) for t, c in charts.TIER_COLOURS.items()]
    values = {(p["display_name"] or p["person_id"], f"Tier {t}"): int(n)
              for p in people for t, n in p["by_tier"].items() if t != "none"}
    chart = charts.grouped_bar_chart(
        [p["display_name"] or p["person_id"] for p in people], series, values, "Acts per scrutineer and tier"
    )
    return render(request, "activity.html", "Scrutineer activity", scope=scope, scrutineers=people,
                  moderations=web_reads.moderation_outcomes(state, scope), chart=chart)


@router.get("/activity/{person_id}", dependencies=[Depends(require(MODERATION))])
def scrutineer(request: Request, state: State, person_id: str, as_known_at: str | None = None,
               as_of: str | None = None) -> HTMLResponse:
    scope = _scope(as_known_at, as_of)
    data = web_reads.scrutineer_activity(state, scope, _text(person_id, "the person id") or "")
    by_tier: dict[str, int] = {}
    for row in data["activity"]:
        key = "none" if row["tier"] is None else str(row["tier"])
        by_tier[key] = by_tier.get(key, 0) + int(row["count"])
    chart = charts.activity_chart(by_tier, "Acts per tier")
    return render(request, "scrutineer.html", data["display_name"] or person_id, a=data, scope=scope,
                  chart=chart)
