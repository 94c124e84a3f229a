"""The domain commands end to end through click, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from commands.cli.main import cli
from ledger.application import open_ledger

Run = Callable[..., Result]


@pytest.fixture
def run(initialised: tuple[str, Path]) -> Run:
    db_url, key_path = initialised
    runner = CliRunner()

    def invoke(*args: str, actor: str | None = None) -> Result:
        prefix = ["--db", db_url, "--key", str(key_path)]
        if actor is not None:
            prefix += ["--as", actor]
        return runner.invoke(cli, [*prefix, *args], catch_exceptions=False)

    return invoke


def event_count(db_url: str) -> int:
    app = open_ledger(db_url)
    try:
        return app.ledger_recorder.max_notification_id() or 0
    finally:
        app.close()


def ok_json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def assert_one_error_line(result: Result, exit_code: int, fragment: str) -> None:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def set_up(run: Run) -> None:
    for key, name, kind, role in [
        ("sscp", "Somerset Safeguarding Children Partnership", "local_body", None),
        (
            "somerset-county-council",
            "Somerset County Council",
            "safeguarding_partner",
            "local_authority",
        ),
        ("somerset-ccg", "Somerset CCG", "safeguarding_partner", "health"),
    ]:
        args = ["org", "register", key, "--name", name, "--kind", kind, "--on", "2019-06-03"]
        if role:
            args += ["--statutory-role", role]
        assert run(*args, actor="bu-jane").exit_code == 0
    for key, name, role, org in [
        ("bu-jane", "Jane Porter", "business_unit", "sscp"),
        ("sam-hughes", "Sam Hughes", "lead_safeguarding_partner", "somerset-county-council"),
        ("kate-mills", "Kate Mills", "delegated_safeguarding_partner", "somerset-ccg"),
        ("helen-morgan", "Helen Morgan", "independent_scrutineer", "sscp"),
        ("ruth-evans", "Ruth Evans", "partnership_chair", "sscp"),
    ]:
        result = run(
            "person",
            "appoint",
            key,
            "--name",
            name,
            "--role",
            role,
            "--org",
            org,
            "--on",
            "2019-06-03",
            actor="bu-jane",
        )
        assert result.exit_code == 0, result.stderr


def test_a_challenge_from_raising_to_resolution_with_json(run: Run, tmp_path: Path) -> None:
    registered = ok_json(
        run(
            "org",
            "register",
            "sscp",
            "--name",
            "SSCP",
            "--kind",
            "local_body",
            "--on",
            "2019-06-03",
            "--json",
            actor="bu-jane",
        )
    )
    assert registered["actor_role"] == "setup" and registered["position"] == 0
    appointed = ok_json(
        run(
            "person",
            "appoint",
            "bu-jane",
            "--name",
            "Jane Porter",
            "--role",
            "business_unit",
            "--org",
            "sscp",
            "--on",
            "2019-06-03",
            "--json",
            actor="bu-jane",
        )
    )
    assert appointed["event_type"] == "PersonAppointed"
    assert appointed["fields"] == {
        "display_name": "Jane Porter",
        "organisation_id": "sscp",
        "role": "business_unit",
        "pool": None,
    }
    for key, role in [("somerset-county-council", "local_authority"), ("somerset-ccg", "health")]:
        result = run(
            "org",
            "register",
            key,
            "--name",
            key.title(),
            "--kind",
            "safeguarding_partner",
            "--statutory-role",
            role,
            "--on",
            "2019-06-03",
            actor="bu-jane",
        )
        assert result.exit_code == 0 and "OrganisationRegistered" in result.stdout
    for key, role, org in [
        ("sam-hughes", "lead_safeguarding_partner", "somerset-county-council"),
        ("helen-morgan", "independent_scrutineer", "sscp"),
        ("ruth-evans", "partnership_chair", "sscp"),
    ]:
        assert (
            run(
                "person",
                "appoint",
                key,
                "--name",
                key,
                "--role",
                role,
                "--org",
                org,
                "--on",
                "2019-06-10",
                actor="bu-jane",
            ).exit_code
            == 0
        )

    note = tmp_path / "visit-notes.txt"
    note.write_bytes(b"look-and-see visit notes")
    raised = ok_json(
        run(
            "challenge",
            "raise",
            "--id",
            "CH-2019-0c5a01",
            "--to",
            "somerset-county-council",
            "--to",
            "somerset-ccg",
            "--subject",
            "Threshold for a CSPR",
            "--tier",
            "1",
            "--respond-within",
            "5",
            "--on",
            "2021-12-23",
            "--evidence",
            str(note),
            "--json",
            actor="helen-morgan",
        )
    )
    assert raised["stream_id"] == "challenge:CH-2019-0c5a01"
    assert raised["fields"]["response_due"] == "2022-01-04"
    assert (raised["fields"]["due_rule"], raised["fields"]["due_edition"]) == (
        "challenge-response",
        "SSCP",
    )
    assert raised["fields"]["to_partners"] == ["somerset-county-council", "somerset-ccg"]
    assert (
        raised["evidence"][0]["sha256"] == hashlib.sha256(b"look-and-see visit notes").hexdigest()
    )
    responded = ok_json(
        run(
            "challenge",
            "respond",
            "CH-2019-0c5a01",
            "--response",
            "Agreed.",
            "--on",
            "2022-01-04",
            "--json",
            actor="sam-hughes",
        )
    )
    assert responded["fields"]["organisation_id"] == "somerset-county-council"
    escalated = ok_json(
        run(
            "challenge",
            "escalate",
            "CH-2019-0c5a01",
            "--to",
            "disagreement_resolution",
            "--reason",
            "Health did not answer.",
            "--on",
            "2022-01-10",
            "--json",
            actor="helen-morgan",
        )
    )
    assert escalated["fields"]["to"] == "disagreement_resolution"
    resolved = ok_json(
        run(
            "challenge",
            "resolve",
            "CH-2019-0c5a01",
            "--outcome",
            "accepted",
            "--action",
            "Commission a CSPR",
            "--action",
            "Report back",
            "--on",
            "2022-01-20",
            "--json",
            actor="ruth-evans",
        )
    )
    assert resolved["fields"] == {
        "agreed_actions": ["Commission a CSPR", "Report back"],
        "outcome": "accepted",
    }
    assert resolved["version"] == 4

    second = ok_json(
        run(
            "challenge",
            "raise",
            "--to",
            "somerset-ccg",
            "--subject",
            "Dataset",
            "--tier",
            "2",
            "--on",
            "2022-02-01",
            "--json",
            actor="helen-morgan",
        )
    )
    key = second["stream_id"].split(":", 1)[1]
    withdrawn = run(
        "challenge",
        "withdraw",
        key,
        "--reason",
        "Superseded",
        "--on",
        "2022-02-02",
        actor="helen-morgan",
    )
    assert withdrawn.exit_code == 0
    assert "ChallengeWithdrawn" in withdrawn.stdout
    assert "helen-morgan (independent_scrutineer)" in withdrawn.stdout


@pytest.mark.parametrize("bad_date", ["2019-13-01", "01/07/2019", "yesterday", "2999-01-01"])
def test_a_bad_date_is_one_error_line_and_exit_2(
    run: Run, initialised: tuple[str, Path], bad_date: str
) -> None:
    set_up(run)
    before = event_count(initialised[0])
    result = run(
        "org",
        "register",
        "new-org",
        "--name",
        "New",
        "--kind",
        "relevant_agency",
        "--on",
        bad_date,
        actor="bu-jane",
    )
    assert_one_error_line(result, 2, "--on")
    assert event_count(initialised[0]) == before


def test_usage_errors_are_one_line_and_write_nothing(
    run: Run, initialised: tuple[str, Path]
) -> None:
    set_up(run)
    before = event_count(initialised[0])
    assert_one_error_line(
        run("challenge", "raise", "--to", "somerset-ccg", "--tier", "1", actor="helen-morgan"),
        2,
        "--subject",
    )
    assert_one_error_line(
        run(
            "challenge",
            "raise",
            "--to",
            "somerset-ccg",
            "--subject",
            "s",
            "--tier",
            "4",
            actor="helen-morgan",
        ),
        2,
        "--tier",
    )
    assert_one_error_line(
        run("org", "register", "Bad Id", "--name", "X", "--kind", "local_body", actor="bu-jane"),
        2,
        "organisation_id",
    )
    assert_one_error_line(
        run("org", "register", "x-org", "--name", "X", "--kind", "local_body"), 2, "--as PERSON"
    )
    assert_one_error_line(
        run(
            "org",
            "register",
            "x-org",
            "--name",
            "X",
            "--kind",
            "local_body",
            "--evidence",
            "/no/such/file",
            actor="bu-jane",
        ),
        2,
        "cannot read evidence file",
    )
    assert event_count(initialised[0]) == before


def test_an_unauthorised_act_exits_1_and_writes_nothing(
    run: Run, initialised: tuple[str, Path]
) -> None:
    set_up(run)
    before = event_count(initialised[0])
    assert_one_error_line(
        run(
            "challenge",
            "raise",
            "--to",
            "somerset-ccg",
            "--subject",
            "s",
            "--tier",
            "1",
            "--on",
            "2019-07-01",
            actor="sam-hughes",
        ),
        1,
        "sam-hughes does not hold any of the roles independent_scrutineer, partnership_chair "
        "on 2019-07-01",
    )
    assert_one_error_line(
        run(
            "org",
            "register",
            "x-org",
            "--name",
            "X",
            "--kind",
            "local_body",
            "--on",
            "2019-07-01",
            actor="someone-else",
        ),
        1,
        "does not hold any of the roles business_unit",
    )
    ok_json(
        run(
            "challenge",
            "raise",
            "--id",
            "CH-2019-000001",
            "--to",
            "somerset-ccg",
            "--subject",
            "s",
            "--tier",
            "1",
            "--on",
            "2019-07-01",
            "--json",
            actor="helen-morgan",
        )
    )
    after_raise = event_count(initialised[0])
    assert_one_error_line(
        run(
            "challenge",
            "respond",
            "CH-2019-000001",
            "--response",
            "r",
            "--on",
            "2019-07-02",
            actor="sam-hughes",
        ),
        1,
        "for somerset-ccg",
    )
    assert_one_error_line(
        run(
            "challenge",
            "withdraw",
            "CH-2019-000001",
            "--reason",
            "r",
            "--on",
            "2019-07-02",
            actor="ruth-evans",
        ),
        1,
        "only the person who raised",
    )
    assert event_count(initialised[0]) == after_raise == before + 1


def test_unknown_organisation_and_challenge_exit_1(run: Run, initialised: tuple[str, Path]) -> None:
    set_up(run)
    before = event_count(initialised[0])
    assert_one_error_line(
        run(
            "challenge",
            "raise",
            "--to",
            "no-such-org",
            "--subject",
            "s",
            "--tier",
            "2",
            "--on",
            "2019-07-01",
            actor="helen-morgan",
        ),
        1,
        "no organisation with id 'no-such-org'",
    )
    assert_one_error_line(
        run(
            "person",
            "appoint",
            "new-person",
            "--name",
            "N",
            "--role",
            "moderator",
            "--org",
            "no-such-org",
            "--on",
            "2019-07-01",
            actor="bu-jane",
        ),
        1,
        "no organisation with id 'no-such-org'",
    )
    assert_one_error_line(
        run(
            "challenge",
            "escalate",
            "CH-2019-ffffff",
            "--to",
            "executive",
            "--reason",
            "r",
            "--on",
            "2019-07-01",
            actor="helen-morgan",
        ),
        1,
        "no challenge with id",
    )
    assert event_count(initialised[0]) == before


def test_a_domain_refusal_names_the_rule(run: Run, initialised: tuple[str, Path]) -> None:
    set_up(run)
    ok_json(
        run(
            "challenge",
            "raise",
            "--id",
            "CH-2019-000001",
            "--to",
            "somerset-ccg",
            "--subject",
            "s",
            "--tier",
            "1",
            "--on",
            "2019-07-01",
            "--json",
            actor="helen-morgan",
        )
    )
    before = event_count(initialised[0])
    assert_one_error_line(
        run(
            "challenge",
            "resolve",
            "CH-2019-000001",
            "--outcome",
            "accepted",
            "--on",
            "2019-07-02",
            actor="ruth-evans",
        ),
        1,
        "cannot be resolved before a partner has responded",
    )
    assert event_count(initialised[0]) == before


def test_the_demo_builds_a_ledger_and_reports_it_intact(db_url: str, key_path: Path) -> None:
    from commands.demo_script import demo_script

    runner = CliRunner()
    args = ["--db", db_url, "--key", str(key_path), "demo"]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    acts = len(demo_script())
    assert f"Demo ledger recorded: {acts} acts" in out
    assert "organisations   32" in out
    assert "7: 2 open, 1 responded, 1 escalated, 1 resolved, 2 withdrawn" in out
    assert "cases           2: 1 decided_national_referral, 1 published" in out
    assert "(1 regional); 1 moderation(s); 1 correction(s); 1 erasure(s)" in out
    assert "deadlines       12: 11 met, 1 met_late" in out
    assert "Open challenges (4, 3 overdue)" in out
    assert "CH-2020-9c1d06" in out and "OVERDUE" in out
    assert "Verification: intact" in out
    assert len(out.splitlines()) < 30
    count = event_count(db_url)
    assert count == acts
    again = runner.invoke(cli, args, catch_exceptions=False)
    assert again.exit_code == 1
    assert again.stderr.startswith("Error: ") and f"already holds {acts} events" in again.stderr
    assert event_count(db_url) == count


@pytest.mark.parametrize(
    "path",
    [
        ["org", "register"],
        ["org", "rename"],
        ["person", "appoint"],
        ["person", "stand-down"],
        ["challenge", "raise"],
        ["challenge", "respond"],
        ["challenge", "escalate"],
        ["challenge", "resolve"],
        ["challenge", "withdraw"],
        ["demo"],
    ],
)
def test_every_domain_command_has_help(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.stdout
    lines = result.stdout.splitlines()
    assert any(line.strip() and not line.startswith("Usage") for line in lines[1:4])
    if path != ["demo"]:
        assert "--on DATE" in result.stdout and "--json" in result.stdout
