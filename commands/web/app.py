"""The app factory: routers, error handling that never leaks a stack trace, headers.

Errors are answered as ``{"detail": "..."}`` under ``/api`` and as a page
elsewhere:

=========================  ======  =============================================
what                       status  shown
=========================  ======  =============================================
no or invalid token        401     why (and the login form on pages)
role does not allow        403     why
``NotFoundError``          404     the ledger's one-line message
``InvalidInputError``      400     the ledger's one-line message
``RefusedError``           409     the ledger's one-line message
``IntegrityFailure``       409     the ledger's one-line message
``StorageError``           503     a generic line (database details stay in the log)
anything else              500     a generic line; the traceback goes to the
                                   server's log, never to the client
=========================  ======  =============================================
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from commands.settings import Settings
from commands.web import api, pages
from commands.web.auth import AuthFailure
from commands.web.state import WebState
from commands.web.templates import environment
from ledger.errors import (
    IntegrityFailure,
    InvalidInputError,
    LedgerError,
    NotFoundError,
    RefusedError,
    StorageError,
)

log = logging.getLogger("scrutiny.web")

INTERNAL_ERROR = "internal error: the request could not be answered; the server's log says why"
STORAGE_ERROR = "the ledger's database could not be read just now; try again later"

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
     b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]

DESCRIPTION = """Read-only JSON API of the Scrutiny Ledger.

Every request needs `Authorization: Bearer TOKEN` (a token from
`scrutiny token issue`). What a token may read depends on the role its person
holds **today**: the Executive (partnership chair, lead and delegated
safeguarding partners, business unit) sees state; inspectors see history,
proofs, cases, checkpoints and export bundles; the moderation role sees
scrutineer activity and moderation outcomes. Reads by inspectors and the
moderation role are written to an append-only access log.
"""


def _status_of(exc: LedgerError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, InvalidInputError):
        return 400
    if isinstance(exc, RefusedError | IntegrityFailure):
        return 409
    return 503


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path.startswith("/openapi")


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]


class SecurityHeaders:
    """Pure ASGI middleware: the same protective headers on every response."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value) for name, value in SECURITY_HEADERS if name not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(db_url: str, key_path: Path | None = None) -> FastAPI:
    """The web app over the ledger at ``db_url`` (opened now; ``NotFoundError`` if absent).

    ``key_path`` is the signing key file (or its ``.pub``) that verification
    trusts, as for ``scrutiny verify``; the server never signs anything.
    """
    state = WebState(db_url, key_path if key_path is not None else Settings().key_path)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    try:
        app_version = version("scrutiny-ledger")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        app_version = "0"
    app = FastAPI(
        title="Scrutiny Ledger",
        version=app_version,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load scripts from CDNs; the document is /openapi.json
        redoc_url=None,
    )
    app.state.web = state
    app.state.templates = environment()
    app.include_router(api.router)
    app.include_router(pages.router)
    app.add_middleware(SecurityHeaders)
    _add_error_handlers(app)
    return app


def _page(request: Request, status_code: int, heading: str, message: str) -> HTMLResponse:
    return pages.render(request, "message.html", heading, status_code=status_code,
                        heading=heading, message=message)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AuthFailure)
    async def auth_failure(request: Request, exc: AuthFailure) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=headers)
        if exc.status_code == 401:
            return pages.render(request, "login.html", "Sign in", status_code=401,
                                message="Please sign in with your token.")
        return _page(request, 403, "Not for your role", exc.detail)

    @app.exception_handler(LedgerError)
    async def ledger_error(request: Request, exc: LedgerError) -> Response:
        status_code = _status_of(exc)
        if isinstance(exc, StorageError):
            log.error("storage error answering %s %s", request.method, request.url.path, exc_info=exc)
            detail = STORAGE_ERROR
        else:
            detail = _one_line(str(exc)) or type(exc).__name__
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code)
        return _page(request, status_code, "Cannot show this", detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "error"
        if _wants_json(request):
            return JSONResponse({"detail": detail}, exc.status_code, headers=exc.headers)
        return _page(request, exc.status_code, "Cannot show this", detail)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return await request_validation_exception_handler(request, exc)
        return _page(request, 400, "Cannot show this", "a value in the address is not valid here")

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.error("internal error answering %s %s", request.method, request.url.path, exc_info=exc)
        if _wants_json(request):
            return JSONResponse({"detail": INTERNAL_ERROR}, 500)
        return HTMLResponse(
            "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Error</title>"
            f"</head><body><h1>Something went wrong</h1><p>{INTERNAL_ERROR}</p></body></html>",
            status_code=500,
        )
