"""Who is asking, and may they see this: bearer tokens and cookies, 401 and 403.

A request carries its token as ``Authorization: Bearer TOKEN`` or, from the
pages, in the ``scrutiny_token`` cookie (HttpOnly, SameSite=Strict) that the
login form sets. The header wins when both are present.

* no token, a malformed, unknown or revoked one: **401**;
* an authentic token whose person holds no role today that the resource
  allows: **403**.

Reads by an inspector or the moderation role, allowed or refused, are
written to the access log before anything is served; if the log cannot be
written, nothing is served.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from commands.output import safe_text
from commands.tokens import (
    LOGGED_AUDIENCES,
    Audience,
    Grant,
    TokenRejected,
    authenticate,
    record_access,
)
from commands.web.state import WebState

COOKIE = "scrutiny_token"

bearer = HTTPBearer(
    auto_error=False,
    description="A token from `scrutiny token issue --person ID [--role ROLE]`.",
)


class AuthFailure(Exception):
    """401 (who are you?) or 403 (your role does not allow this)."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def token_of(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    if credentials is not None:
        return credentials.credentials
    if request.headers.get("authorization"):
        return ""  # a header of another scheme is not a token, and no cookie overrides it
    return request.cookies.get(COOKIE)


def grant_for(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Grant:
    try:
        return authenticate(web_state(request).ledger, token_of(request, credentials))
    except TokenRejected as exc:
        raise AuthFailure(401, "a valid token is needed (Authorization: Bearer TOKEN)") from exc


def _log(request: Request, grant: Grant, outcome: str) -> None:
    """Write the read to the access log: the path as sent (still percent-encoded), the query."""
    if grant.audiences & LOGGED_AUDIENCES:
        raw = request.scope.get("raw_path")
        path = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
        record_access(
            web_state(request).ledger, grant, request.method, safe_text(path[:2000]),
            safe_text(request.url.query[:2000]), outcome,
        )


def require(*audiences: Audience) -> Callable[..., Grant]:
    """A dependency: the grant of a token whose person may see this resource today."""
    allowed = frozenset(audiences)
    names = ", ".join(sorted(a.value for a in allowed))

    def dependency(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
    ) -> Grant:
        grant = grant_for(request, credentials)
        request.state.grant = grant
        permitted = bool(grant.audiences & allowed)
        _log(request, grant, "allowed" if permitted else "refused")
        if not permitted:
            held = ", ".join(sorted(r.value for r in grant.roles)) or "no role"
            raise AuthFailure(403, f"{grant.person_id} ({held} today) may not see this; it is for: {names}")
        return grant

    return dependency


def authenticated(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Grant:
    """Any authentic token (for ``whoami`` and the pages' home)."""
    grant = grant_for(request, credentials)
    _log(request, grant, "allowed")
    request.state.grant = grant
    return grant


def optional_grant(request: Request) -> Grant | None:
    """The grant of the cookie or header if it is authentic; None otherwise (never raises)."""
    try:
        header = request.headers.get("authorization")
        if header:
            scheme, _, value = header.partition(" ")
            token: str | None = value.strip() if scheme.lower() == "bearer" else ""
        else:
            token = request.cookies.get(COOKIE)
        return authenticate(web_state(request).ledger, token)
    except TokenRejected:
        return None


EXECUTIVE = Audience.EXECUTIVE
INSPECTOR = Audience.INSPECTOR
MODERATION = Audience.MODERATION
