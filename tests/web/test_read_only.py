"""The server never writes to the event log, and never shows a stack trace."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.web.conftest import WebLedger, bearer
from tests.web.test_api import ENDPOINTS, names
from tests.web.test_pages import PAGES, login


def log_state(ledger: WebLedger) -> tuple[Any, ...]:
    """Size, root, a digest of every stored event and tree row, and the checkpoints."""
    from ledger.application import open_ledger

    app = open_ledger(ledger.url)
    try:
        recorder = app.ledger_recorder
        size = recorder.size()
        digest = hashlib.sha256()
        count = 0
        for record in recorder.iter_records():
            digest.update(record.leaf_input())
            count += 1
        return size, count, recorder.root(size), digest.hexdigest(), recorder.count_tree_nodes(), \
            recorder.checkpoints()
    finally:
        app.close()


def test_exercising_every_endpoint_and_page_changes_nothing_in_the_log(client: Any, web_ledger: WebLedger) -> None:
    before = log_state(web_ledger)
    assert before[0] == before[1] > 0
    found = names(client, web_ledger)
    statuses = []
    for template, allowed in ENDPOINTS.items():
        path = template.format(**found)
        for token in [*web_ledger.tokens.values(), ""]:
            statuses.append(client.get(path, headers=bearer(token) if token else {}).status_code)
        reader = bearer(web_ledger.tokens[sorted(allowed)[0]])
        for scope in ("as_known_at=5", "as_of=2020-01-01"):
            statuses.append(client.get(path + ("&" if "?" in path else "?") + scope, headers=reader).status_code)
    for template in PAGES:
        for token in web_ledger.tokens.values():
            login(client, token)
            statuses.append(client.get(template.format(**found)).status_code)
    client.cookies.clear()
    client.post("/login", data={"token": "forged"})
    client.post("/logout")
    statuses.append(client.get("/openapi.json").status_code)
    assert {200, 401, 403} <= set(statuses) and 500 not in statuses
    assert log_state(web_ledger) == before


def test_an_internal_error_shows_no_stack_trace(web_ledger: WebLedger) -> None:
    from fastapi.testclient import TestClient

    from commands.web import create_app

    app = create_app(web_ledger.url, web_ledger.key)
    secret = "secret-detail-in-/srv/ledger/web.py-line-42"

    def explode() -> None:
        raise RuntimeError(secret)

    app.add_api_route("/api/explode", explode)
    app.add_api_route("/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = client.get("/api/explode", headers=bearer(web_ledger.tokens["executive"]))
        page = client.get("/explode")
    assert api.status_code == 500 and page.status_code == 500
    assert api.json() == {"detail": "internal error: the request could not be answered; the server's log says why"}
    assert page.headers["content-type"].startswith("text/html") and "Something went wrong" in page.text
    for body in (api.text, page.text):
        assert secret not in body and "Traceback" not in body and "RuntimeError" not in body


def test_a_storage_failure_is_answered_without_database_details(initialised: tuple[str, Any]) -> None:
    from fastapi.testclient import TestClient

    from commands.web import create_app
    from tests.ledger_helpers import execute

    db_url, key_path = initialised
    app = create_app(db_url, key_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        well_formed = "slt.0123456789abcdef." + "A" * 43
        assert client.get("/api/status", headers=bearer(well_formed)).status_code == 401
        execute(app.state.web.ledger.database, "DROP TABLE web_tokens")  # the database fails under the app
        api = client.get("/api/status", headers=bearer(well_formed))
        client.cookies.set("scrutiny_token", well_formed)
        page = client.get("/dashboard")
    assert api.status_code == 503 and page.status_code == 503
    assert api.json() == {"detail": "the ledger's database could not be read just now; try again later"}
    for body in (api.text, page.text):
        assert "web_tokens" not in body and "Traceback" not in body and "no such table" not in body.lower()
        assert "undefinedtable" not in body.lower() and "does not exist" not in body
