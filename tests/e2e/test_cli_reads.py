"""Every read command, in every output format, on both engines (over the demo ledger)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from commands.cli.main import cli


@pytest.fixture
def demo(db_url: str, tmp_path: Path) -> tuple[str, Path]:
    key = tmp_path / "demo.key"
    result = CliRunner().invoke(cli, ["--db", db_url, "--key", str(key), "demo"])
    assert result.exit_code == 0, result.output
    return db_url, key


def run(demo: tuple[str, Path], *args: str):
    db_url, key = demo
    return CliRunner().invoke(cli, ["--db", db_url, "--key", str(key), *args])


LIST_COMMANDS = [
    ["deadlines"],
    ["audit", "list"],
    ["history", "--limit", "50"],
    ["activity"],
    ["challenge", "list"],
]


@pytest.mark.parametrize("command", LIST_COMMANDS, ids=lambda c: " ".join(c))
def test_list_commands_agree_in_text_json_and_csv(demo, command: list[str]) -> None:
    as_json = run(demo, *command, "--json")
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.stdout)
    assert rows, "the demo ledger has rows for every list"
    as_csv = run(demo, *command, "--csv")
    assert as_csv.exit_code == 0, as_csv.output
    assert len(list(csv.DictReader(io.StringIO(as_csv.stdout)))) == len(rows)
    as_text = run(demo, *command)
    assert as_text.exit_code == 0, as_text.output
    assert len(as_text.stdout.strip().splitlines()) == len(rows) + 1  # header + one line a row


def test_status_shows_open_challenges_and_overdue_deadlines(demo) -> None:
    text = run(demo, "status")
    assert text.exit_code == 0, text.output
    data = json.loads(run(demo, "status", "--json").stdout)
    open_ids = {c["challenge_id"] for c in data["open_challenges"]}
    listed = json.loads(run(demo, "challenge", "list", "--json").stdout)
    assert open_ids == {c["challenge_id"] for c in listed if c["status"] not in ("resolved", "withdrawn")}
    for challenge_id in open_ids:
        assert challenge_id in text.stdout
    assert data["deadlines"]["counts"]["overdue"] == len(data["deadlines"]["overdue"]) > 0
    assert "formerly Somerset County Council" in text.stdout


def test_history_filters_narrow_the_rows(demo) -> None:
    everything = json.loads(run(demo, "history", "--json", "--limit", "1000").stdout)
    for option, value, field in [("--tier", "1", "tier"), ("--kind", "ChallengeRaised", "event_type"),
                                 ("--actor", "helen-morgan", "actor_id")]:
        rows = json.loads(run(demo, "history", "--json", option, value).stdout)
        expected = [r["position"] for r in everything if str(r[field]) == value]
        assert [r["position"] for r in rows] == expected and expected
    stream = everything[-1]["stream_id"]
    rows = json.loads(run(demo, "history", "--json", "--stream", stream).stdout)
    assert {r["stream_id"] for r in rows} == {stream}
    rows = json.loads(run(demo, "history", "--json", "--since", "2020-01-01", "--until", "2020-06-30").stdout)
    assert rows and all("2020-01-01" <= r["occurred_on"] <= "2020-06-30" for r in rows)
    rows = json.loads(run(demo, "history", "--json", "--org", "somerset-ccg").stdout)
    assert rows and any(r["stream_id"] == "org:somerset-ccg" for r in rows)


def test_history_names_people_and_organisations_as_they_were_then(demo) -> None:
    rows = json.loads(run(demo, "history", "--json", "--stream", "org:somerset-county-council").stdout)
    registered, renamed = rows[0], rows[-1]
    assert registered["organisation_name_then"] == "Somerset County Council"
    assert renamed["organisation_name_then"] == "Somerset Council"


def test_as_known_at_a_tree_size_shows_only_what_was_recorded_by_then(demo) -> None:
    rows = json.loads(run(demo, "history", "--json", "--as-known-at", "10", "--limit", "1000").stdout)
    assert [r["position"] for r in rows] == list(range(10))
    now = json.loads(run(demo, "challenge", "list", "--json").stdout)
    then = json.loads(run(demo, "challenge", "list", "--json", "--as-known-at", "10").stdout)
    assert now and then == []


def test_as_known_at_a_time_before_anything_shows_nothing(demo) -> None:
    rows = json.loads(run(demo, "history", "--json", "--as-known-at", "2000-01-01T00:00:00Z").stdout)
    assert rows == []


def test_as_of_a_date_keeps_only_facts_that_had_occurred(demo) -> None:
    rows = json.loads(run(demo, "history", "--json", "--as-of", "2019-12-31", "--limit", "1000").stdout)
    assert rows and all(r["occurred_on"] <= "2019-12-31" for r in rows)
    challenges = json.loads(run(demo, "challenge", "list", "--json", "--as-of", "2019-12-31").stdout)
    assert challenges and all(c["raised_on"] <= "2019-12-31" for c in challenges)


@pytest.mark.parametrize("args, code", [
    (["history", "--as-known-at", "not-a-time"], 2),
    (["history", "--as-of", "2019-02-30"], 2),
    (["history", "--as-known-at", "99999"], 1),
    (["projections", "rebuild", "nonsense"], 2),
])
def test_bad_read_options_are_one_line_errors(demo, args: list[str], code: int) -> None:
    result = run(demo, *args)
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1


def test_projections_status_and_rebuild(demo) -> None:
    before = json.loads(run(demo, "history", "--json", "--limit", "1000").stdout)
    status = json.loads(run(demo, "projections", "status", "--json").stdout)
    assert status and all(row["behind"] == 0 for row in status)
    rebuilt = run(demo, "projections", "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert json.loads(run(demo, "history", "--json", "--limit", "1000").stdout) == before
    one = run(demo, "projections", "rebuild", "streams")
    assert one.exit_code == 0 and "rebuilt streams" in one.stderr


def test_case_show_gives_the_stage_deadlines_with_rules_and_history(demo) -> None:
    cases = json.loads(run(demo, "history", "--json", "--kind", "IncidentNotified").stdout)
    assert cases
    case_id = cases[0]["stream_id"].split(":", 1)[1]
    data = json.loads(run(demo, "case", "show", case_id, "--json").stdout)
    assert data["case_id"] == case_id
    assert [r["stream_id"] for r in data["history"]] == [f"case:{case_id}"] * len(data["history"])
    assert data["deadlines"] and all(d["rule"] for d in data["deadlines"])
    text = run(demo, "case", "show", case_id)
    assert text.exit_code == 0 and data["status"] in text.stdout
    before = json.loads(run(demo, "case", "show", case_id, "--json", "--as-known-at",
                            str(data["history"][0]["position"] + 1)).stdout)
    assert len(before["history"]) == 1
    missing = run(demo, "case", "show", "NO-SUCH-CASE")
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: no case")
