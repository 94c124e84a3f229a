"""Tokens and the access log, on both engines: issued once, stored as a hash, revoked,
checked against the roles held today; reads by inspectors and moderation logged, append-only."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ledger.domain.base import today_in_london
from ledger.errors import AppendOnlyViolation
from ledger.storage.database import Database
from tests.ledger_helpers import execute, fetch_one
from tests.web.conftest import WebLedger, a_safeguarding_partner, bearer, scrutiny


def run(ledger: WebLedger, *args: str) -> Any:
    from commands.cli.main import cli

    return CliRunner().invoke(cli, ["--db", ledger.url, "--key", str(ledger.key), *args])


def test_a_token_is_printed_once_and_only_its_hash_is_stored(web_ledger: WebLedger, client: Any) -> None:
    person = web_ledger.people["lead_safeguarding_partner"]
    result = run(web_ledger, "token", "issue", "--person", person)
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("slt.") and len(token.split(".")) == 3
    token_id, secret = token.split(".")[1:]
    assert token_id in result.stderr and secret not in result.stderr

    listed = run(web_ledger, "token", "list", "--json")
    assert secret not in listed.output
    row = next(r for r in json.loads(listed.output) if r["token_id"] == token_id)
    assert row == {**row, "person_id": person, "role": None, "state": "active", "revoked_at": None}
    database = Database(web_ledger.url)
    try:
        stored = fetch_one(database, "SELECT secret_sha256 FROM web_tokens WHERE token_id = :i", i=token_id)
    finally:
        database.dispose()
    assert bytes(stored[0]) == hashlib.sha256(secret.encode()).digest()
    csv_rows = list(csv.DictReader(io.StringIO(run(web_ledger, "token", "list", "--csv").output)))
    assert token_id in {r["token_id"] for r in csv_rows}
    assert "TOKEN_ID" in run(web_ledger, "token", "list").output

    assert client.get("/api/status", headers=bearer(token)).status_code == 200
    revoked = run(web_ledger, "token", "revoke", token_id)
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/status", headers=bearer(token)).status_code == 401
    again = run(web_ledger, "token", "revoke", token_id)
    assert again.exit_code == 1 and again.stderr.startswith("Error:")
    assert run(web_ledger, "token", "revoke", "0123456789abcdef").exit_code == 1
    assert run(web_ledger, "token", "revoke", "not-an-id").exit_code == 2
    listed_after = json.loads(run(web_ledger, "token", "list", "--json").output)
    assert next(r for r in listed_after if r["token_id"] == token_id)["state"] == "revoked"


def test_tokens_are_refused_to_people_without_a_role_that_sees_anything(web_ledger: WebLedger) -> None:
    cases = [
        (["--person", web_ledger.people["independent_scrutineer"]], 1, "holds no role"),
        (["--person", web_ledger.people["independent_scrutineer"], "--role", "independent_scrutineer"], 1,
         "no access"),
        (["--person", web_ledger.people["partnership_chair"], "--role", "inspector"], 1, "does not hold"),
        (["--person", "nobody-here"], 1, "no person"),
        (["--person", web_ledger.people["partnership_chair"], "--role", "emperor"], 2, "no role"),
    ]
    for args, code, message in cases:
        result = run(web_ledger, "token", "issue", *args)
        assert result.exit_code == code, (args, result.output)
        assert result.stderr.startswith("Error:") and message in result.stderr, result.stderr
        assert "Traceback" not in result.output


def test_a_person_stood_down_loses_access_without_touching_their_token(web_ledger: WebLedger, client: Any) -> None:
    from commands.tokens import issue_token

    person, today = "web-test-partner", today_in_london().isoformat()
    business_unit = web_ledger.people["business_unit"]
    scrutiny(web_ledger.url, web_ledger.key, "--as", business_unit, "person", "appoint", person,
             "--name", "Pat Tester", "--role", "delegated_safeguarding_partner",
             "--org", a_safeguarding_partner(web_ledger.url), "--on", today)
    token = issue_token(web_ledger.url, person, None).token
    assert client.get("/api/deadlines", headers=bearer(token)).status_code == 200
    scrutiny(web_ledger.url, web_ledger.key, "--as", business_unit, "person", "stand-down", person,
             "--role", "delegated_safeguarding_partner", "--on", today)
    refused = client.get("/api/deadlines", headers=bearer(token))
    assert refused.status_code == 403 and "no role" in refused.json()["detail"]
    assert client.get("/api/whoami", headers=bearer(token)).json()["audiences"] == []


def test_reads_by_inspectors_and_moderation_are_logged_and_executive_reads_are_not(
    web_ledger: WebLedger, client: Any
) -> None:
    from commands.tokens import now_utc

    inspector, moderator = web_ledger.people["inspector"], web_ledger.people["moderator"]
    since = now_utc()
    client.get("/api/status", headers=bearer(web_ledger.tokens["executive"]))
    client.get("/api/history?tier=2&limit=3", headers=bearer(web_ledger.tokens["inspector"]))
    client.get("/api/proofs/inclusion/1", headers=bearer(web_ledger.tokens["inspector"]))
    client.get("/api/scrutineers", headers=bearer(web_ledger.tokens["moderation"]))
    client.get("/api/status", headers=bearer(web_ledger.tokens["moderation"]))  # refused, and logged
    client.get("/api/status")  # nobody: not logged (there is no one to name)
    entries = json.loads(run(web_ledger, "access-log", "--json", "--since", since).output)
    seen = [(e["person_id"], e["path"], e["query"], e["outcome"]) for e in entries]
    assert seen == [
        (inspector, "/api/history", "tier=2&limit=3", "allowed"),
        (inspector, "/api/proofs/inclusion/1", "", "allowed"),
        (moderator, "/api/scrutineers", "", "allowed"),
        (moderator, "/api/status", "", "refused"),
    ]
    assert {e["role"] for e in entries} == {"inspector", "moderator"}
    assert all(e["accessed_at"] >= since and e["method"] == "GET" for e in entries)
    mine = json.loads(run(web_ledger, "access-log", "--json", "--person", moderator, "--since", since).output)
    assert [e["path"] for e in mine] == ["/api/scrutineers", "/api/status"]
    everything = json.loads(run(web_ledger, "access-log", "--json").output)
    assert everything[-len(entries):] == entries and [e["id"] for e in everything] == sorted(e["id"] for e in everything)
    assert json.loads(run(web_ledger, "access-log", "--json", "--since", "2999-01-01T00:00:00Z").output) == []
    as_csv = list(csv.DictReader(io.StringIO(run(web_ledger, "access-log", "--csv", "--since", since).output)))
    assert [r["path"] for r in as_csv] == [e["path"] for e in entries]
    assert "/api/proofs/inclusion/1" in run(web_ledger, "access-log").output
    assert run(web_ledger, "access-log", "--since", "last tuesday").exit_code == 2


@pytest.mark.parametrize("statement", [
    "UPDATE web_access_log SET outcome = 'allowed'",
    "DELETE FROM web_access_log",
])
def test_the_database_refuses_to_change_the_access_log(web_ledger: WebLedger, client: Any, statement: str) -> None:
    client.get("/api/verification", headers=bearer(web_ledger.tokens["inspector"]))
    database = Database(web_ledger.url)
    try:
        before = fetch_one(database, "SELECT COUNT(*), MAX(id) FROM web_access_log")
        assert before[0] >= 1
        with pytest.raises(AppendOnlyViolation, match="append-only"):
            execute(database, statement)
        if not database.is_sqlite:
            with pytest.raises(AppendOnlyViolation, match="append-only"):
                execute(database, "TRUNCATE web_access_log")
        assert fetch_one(database, "SELECT COUNT(*), MAX(id) FROM web_access_log") == before
    finally:
        database.dispose()


def test_token_commands_on_a_ledger_that_does_not_exist_fail_in_one_line(tmp_path: Path) -> None:
    from commands.cli.main import cli

    missing = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    result = CliRunner().invoke(cli, ["--db", missing, "token", "issue", "--person", "someone"])
    assert result.exit_code == 1 and result.stderr.startswith("Error: no ledger")


@pytest.mark.parametrize("args", [["token", "list"], ["token", "revoke", "0123456789abcdef"], ["access-log"]])
def test_token_and_access_log_commands_never_create_a_ledger(tmp_path: Path, args: list[str]) -> None:
    from commands.cli.main import cli

    path = tmp_path / "none.sqlite3"
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{path}", *args])
    assert result.exit_code == 1 and result.stderr.startswith("Error: no ledger")
    assert not path.exists()
