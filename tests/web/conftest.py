"""Fixtures of the web tests: the demo ledger on each engine, tokens per audience, a client.

The demo is built once per engine per session (``web_ledger``); a test that
records acts on it keeps to ids of its own and to what stays true whatever
else was recorded. Nothing is mocked: the
app reads the real database, tokens are issued by the real handler, and
people are found by the roles the ledger says they hold today.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ENGINES, drop_pg_schema, make_db_url


@dataclass
class WebLedger:
    url: str
    key: Path
    tokens: dict[str, str] = field(default_factory=dict)  # audience or label -> token
    people: dict[str, str] = field(default_factory=dict)  # role -> a person holding it today


def scrutiny(url: str, key: Path, *args: str) -> str:
    from commands.cli.main import cli

    result = CliRunner().invoke(cli, ["--db", url, "--key", str(key), *args], catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    return result.output


def holders_today(url: str) -> dict[str, list[str]]:
    """Role -> the people who hold it today, read from the ledger's own person aggregates."""
    from commands.reads import Scope, views
    from ledger.application import open_ledger
    from ledger.domain.base import today_in_london
    from ledger.domain.people import Person
    from projections.store import queries as q

    with views(url, Scope()) as store:
        ids = [row["key"] for row in q.streams(store, "person")]
    app = open_ledger(url)
    try:
        held: dict[str, list[str]] = {}
        for person_id in ids:
            for role in app.load(Person, person_id).roles_on(today_in_london()):
                held.setdefault(role.value, []).append(person_id)
        return held
    finally:
        app.close()


def build_demo(url: str, key: Path) -> WebLedger:
    from commands.tokens import issue_token

    key.parent.mkdir(parents=True, exist_ok=True)
    scrutiny(url, key, "demo")
    ledger = WebLedger(url, key)
    held = holders_today(url)
    for role in ("partnership_chair", "inspector", "moderator", "independent_scrutineer",
                 "lead_safeguarding_partner", "business_unit"):
        assert held.get(role), f"the demo has nobody holding {role} today: {held}"
        ledger.people[role] = sorted(held[role])[0]
    for audience, role in (("executive", "partnership_chair"), ("inspector", "inspector"),
                           ("moderation", "moderator")):
        ledger.tokens[audience] = issue_token(url, ledger.people[role], role).token
    return ledger


@pytest.fixture(scope="session", params=ENGINES)
def web_ledger(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebLedger]:
    directory = tmp_path_factory.mktemp(f"web-{request.param}")
    url, schema = make_db_url(str(request.param), directory)
    try:
        yield build_demo(url, directory / "keys" / "scrutiny.key")
    finally:
        if schema is not None:
            drop_pg_schema(schema)


@pytest.fixture(scope="module")
def client(web_ledger: WebLedger) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from commands.web import create_app

    with TestClient(create_app(web_ledger.url, web_ledger.key), raise_server_exceptions=False) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def a_safeguarding_partner(url: str) -> str:
    from commands.reads import Scope, views
    from projections.store import queries as q

    with views(url, Scope()) as store:
        partners = [row["key"] for row in q.streams(store, "org")
                    if row["data"].get("kind") == "safeguarding_partner" and row["status"] != "dissolved"]
    assert partners, "the demo has no safeguarding partner"
    return sorted(partners)[0]
