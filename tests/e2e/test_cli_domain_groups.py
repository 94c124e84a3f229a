"""Every domain command group end to end through click, with --json, on SQLite and PostgreSQL.

The partnership (organisations and people of the demo) is recorded first
with ``scrutiny import``; then each test drives one group's commands and
checks what they print, and that a refusal is one ``Error:`` line that
writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from commands.cli.main import cli
from commands.cli.registry import ACT_GROUPS
from commands.demo_script import set_up
from ledger.application import open_ledger

Run = Callable[..., Result]
BU, CHAIR, SCRUTINEER = "jane-porter", "ruth-evans", "helen-morgan"
SCC, POLICE, CCG = "somerset-county-council", "avon-and-somerset-constabulary", "somerset-ccg"


def event_count(db_url: str) -> int:
    app = open_ledger(db_url)
    try:
        return app.ledger_recorder.max_notification_id() or 0
    finally:
        app.close()


@pytest.fixture
def run(initialised: tuple[str, Path], tmp_path: Path) -> Run:
    db_url, key_path = initialised
    runner = CliRunner()

    def invoke(*args: str, actor: str | None = None) -> Result:
        prefix = ["--db", db_url, "--key", str(key_path)]
        if actor is not None:
            prefix += ["--as", actor]
        return runner.invoke(cli, [*prefix, *args], catch_exceptions=False)

    setup = tmp_path / "setup.jsonl"
    setup.write_text("\n".join(json.dumps(row) for row in set_up()) + "\n", encoding="utf-8")
    result = invoke("import", str(setup), "--batch-size", "500")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"{len(set_up())} recorded, 0 already present"
    return invoke


def ok(result: Result, event_type: str) -> dict[str, Any]:
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["event_type"] == event_type, data
    return data


def refused(run: Run, db_url: str, fragment: str, *args: str, actor: str,
            exit_code: int = 1) -> None:
    before = event_count(db_url)
    result = run(*args, actor=actor)
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert fragment in lines[0], lines[0]
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert event_count(db_url) == before


def test_org_group_registers_succeeds_and_dissolves(run: Run, initialised: tuple[str, Path]
                                                    ) -> None:
    registered = ok(run("org", "register", "nhs-somerset-icb", "--name", "NHS Somerset ICB",
                        "--kind", "safeguarding_partner", "--statutory-role", "health",
                        "--on", "2022-07-01", "--json", actor=BU), "OrganisationRegistered")
    assert registered["fields"]["statutory_role"] == "health"
    body = ok(run("org", "register", "foundations", "--name", "Foundations", "--kind",
                  "national_body", "--national-role", "what_works_centre", "--on", "2023-06-06",
                  "--json", actor=BU), "OrganisationRegistered")
    assert body["fields"]["national_role"] == "what_works_centre"
    succeeded = ok(run("org", "succeed", CCG, "--by", "nhs-somerset-icb", "--on", "2022-07-01",
                       "--json", actor=BU), "OrganisationSucceeded")
    assert succeeded["fields"] == {"successor_id": "nhs-somerset-icb"}
    ok(run("org", "dissolve", "somerset-stp", "--reason", "Replaced by the ICS.", "--on",
           "2022-07-01", "--json", actor=BU), "OrganisationDissolved")
    refused(run, initialised[0], "somerset-ccg already ended on 2022-07-01", "org", "dissolve",
            CCG, "--reason", "again", "--on", "2022-08-01", actor=BU)


def test_person_group_appoints_to_a_pool_and_records_interests(
    run: Run, initialised: tuple[str, Path]
) -> None:
    appointed = ok(run("person", "appoint", "sara-king", "--name", "Sara King", "--role",
                       "independent_scrutineer", "--org", "north-somerset-council", "--pool",
                       "regional", "--on", "2020-01-06", "--json", actor=BU), "PersonAppointed")
    assert appointed["fields"]["pool"] == "regional"
    declared = ok(run("person", "declare-interest", "sara-king", "--org", "bathnes-council",
                      "--nature", "employment", "--on", "2020-01-06", "--json",
                      actor="sara-king"), "InterestDeclared")
    assert declared["actor_role"] == "independent_scrutineer"
    refused(run, initialised[0], "about sara-king", "person", "declare-interest", "sara-king",
            "--org", "dorset-council", "--nature", "personal", "--on", "2020-01-07",
            actor=SCRUTINEER)
    ok(run("person", "end-interest", "sara-king", "--org", "bathnes-council", "--on",
           "2020-06-01", "--json", actor=BU), "InterestEnded")
    ok(run("person", "stand-down", "sara-king", "--role", "independent_scrutineer", "--on",
           "2020-06-01", "--json", actor=BU), "RoleStoodDown")


def test_activity_group_records_scrutiny_with_evidence_and_a_cdop_link(
    run: Run, initialised: tuple[str, Path], tmp_path: Path
) -> None:
    notes = tmp_path / "visit.txt"
    notes.write_bytes(b"front door visit notes")
    held = ok(run("activity", "record", "ACT-2020-02", "--kind", "look_and_see", "--title",
                  "Front door visit", "--org", SCC, "--org", POLICE, "--finding",
                  "Waits are long.", "--evidence", str(notes), "--on", "2020-02-05", "--json",
                  actor=SCRUTINEER), "ScrutinyActivityHeld")
    assert held["tier"] == 3
    assert held["fields"]["findings"] == ["Waits are long."]
    assert held["evidence"][0]["sha256"] == hashlib.sha256(b"front door visit notes").hexdigest()
    refused(run, initialised[0], "look_and_see is a tier 3 activity, not tier 1", "activity",
            "record", "ACT-2020-03", "--kind", "look_and_see", "--tier", "1", "--title", "t",
            "--on", "2020-02-06", actor=SCRUTINEER)
    linked = ok(run("activity", "cdop-link", "LINK-2020-01", "--cdop", "somerset-cdop",
                    "--theme", "Safe sleep", "--learning", "Shared learning.", "--on",
                    "2020-02-17", "--json", actor=SCRUTINEER), "CdopLearningLinked")
    assert linked["fields"]["cdop_id"] == "somerset-cdop"


def test_challenge_group_links_a_threshold_challenge_to_its_case(
    run: Run, initialised: tuple[str, Path]
) -> None:
    refused(run, initialised[0], "no case with id 'SSCP-2019-01'", "challenge", "raise",
            "--to", SCC, "--subject", "Threshold", "--tier", "1", "--case", "SSCP-2019-01",
            "--on", "2019-10-14", actor=SCRUTINEER)
    ok(run("case", "notify", "SSCP-2019-01", "--la", SCC, "--child", "Child A", "--aware-on",
           "2019-09-04", "--summary", "An incident.", "--on", "2019-09-09", "--json",
           actor="sam-hughes"), "IncidentNotified")
    raised = ok(run("challenge", "raise", "--id", "CH-2019-000001", "--to", SCC, "--subject",
                    "Threshold", "--tier", "1", "--case", "SSCP-2019-01", "--on", "2019-10-14",
                    "--json", actor=SCRUTINEER), "ChallengeRaised")
    assert raised["fields"]["case_ref"] == "SSCP-2019-01"
    assert raised["fields"]["due_rule"] == "challenge-response"


def test_case_group_from_notification_to_closed_actions(run: Run, initialised: tuple[str, Path]
                                                        ) -> None:
    case = "SSCP-2019-01"
    refused(run, initialised[0], "is not a pseudonym", "case", "notify", case, "--la", SCC,
            "--child", "Jane Smith", "--aware-on", "2019-09-04", "--summary", "s", "--on",
            "2019-09-09", actor="sam-hughes", exit_code=2)
    notified = ok(run("case", "notify", case, "--la", SCC, "--child", "Child A", "--child",
                      "Child B", "--aware-on", "2019-09-04", "--summary", "An incident.",
                      "--on", "2019-09-09", "--json", actor="sam-hughes"), "IncidentNotified")
    assert notified["fields"]["deadline"] == {
        "due": "2019-09-11", "rule_id": "serious-incident-notification", "edition": "WT2018",
        "description": notified["fields"]["deadline"]["description"]}
    steps: list[tuple[str, str, list[str]]] = [
        ("PartnersInformed", "sam-hughes", ["inform-partners", case, "--partner", POLICE,
                                            "--partner", CCG, "--on", "2019-09-10"]),
        ("RapidReviewStarted", BU, ["rapid-review-start", case, "--aware-on", "2019-09-10",
                                    "--on", "2019-09-12"]),
        ("RapidReviewCompleted", BU, ["rapid-review-complete", case, "--facts", "f",
                                      "--immediate-action", "i", "--improvements", "p",
                                      "--next-steps", "n", "--recommendation", "local_cspr",
                                      "--on", "2019-09-30"]),
        ("ReviewDecided", CHAIR, ["decide", case, "--decision", "local_cspr", "--criterion",
                                  "improvements_needed", "--reasons", "r", "--partner", SCC,
                                  "--partner", POLICE, "--partner", CCG, "--on", "2019-10-07"]),
        ("DecisionSignedOff", "sam-hughes", ["sign-decision", case, "--on", "2019-10-08"]),
        ("DecisionSignedOff", "priya-shah", ["sign-decision", case, "--on", "2019-10-08"]),
        ("DecisionSignedOff", "owen-reed", ["sign-decision", case, "--org", CCG, "--on",
                                            "2019-10-08"]),
        ("PanelResponded", BU, ["panel-response", case, "--response", "agrees", "--comments",
                                "Agreed.", "--on", "2019-10-14"]),
        ("ReviewCommissioned", CHAIR, ["commission", case, "--reviewer", "A reviewer",
                                       "--scope", "s", "--terms", "t", "--on", "2019-10-21"]),
        ("ReviewProgressMonitored", BU, ["progress", case, "--status", "at_risk", "--note",
                                         "n", "--on", "2019-12-02"]),
        ("PublicationDelayed", CHAIR, ["delay", case, "--reason", "criminal_proceedings",
                                       "--details", "Trial.", "--expected-on", "2020-06-30",
                                       "--on", "2020-01-06"]),
        ("ReviewDraftReceived", BU, ["draft-received", case, "--draft", "v1", "--on",
                                     "2020-02-03"]),
        ("ReviewReportSignedOff", CHAIR, ["sign-off", case, "--on", "2020-02-10"]),
        ("CopiesSentBeforePublication", BU, ["send-copies", case, "--publication-planned",
                                             "2020-06-30", "--on", "2020-06-15"]),
        ("ReviewPublished", BU, ["publish", case, "--where", "https://example.org/cspr",
                                 "--on", "2020-06-30"]),
        ("RecommendationAgreed", CHAIR, ["recommend", case, "--id", "R1", "--text", "t",
                                         "--owner", SCC, "--action", "a", "--due-on",
                                         "2020-12-31", "--on", "2020-07-01"]),
        ("RecommendationClosed", BU, ["close-action", case, "--id", "R1", "--outcome", "o",
                                      "--on", "2020-12-14"]),
    ]
    for event_type, actor, args in steps:
        ok(run("case", *args, "--json", actor=actor), event_type)
    refused(run, initialised[0], "was published on 2020-06-30", "case", "delay", case,
            "--reason", "other", "--details", "d", "--on", "2020-12-15", actor=CHAIR)


def test_audit_group_with_self_ratings(run: Run, initialised: tuple[str, Path]) -> None:
    audit = "S11-2019"
    steps: list[tuple[str, str, list[str]]] = [
        ("AuditPlanned", BU, ["plan", audit, "--kind", "section_11", "--title", "Section 11",
                              "--agency", SCC, "--agency", POLICE, "--on", "2019-10-01"]),
        ("AgencyReturnSubmitted", "sam-hughes", ["return", audit, "--org", SCC, "--rating",
                                                 "S1=green", "--rating", "S2=amber", "--on",
                                                 "2019-11-15"]),
        ("PeerChallengeHeld", "daniel-okafor", ["peer-challenge", audit, "--org", SCC,
                                                "--challenger", POLICE, "--notes", "n",
                                                "--on", "2019-12-04"]),
        ("RatingModerated", "daniel-okafor", ["moderate-rating", audit, "--org", SCC,
                                              "--standard", "S2", "--rating", "green",
                                              "--reason", "Evidence.", "--on", "2019-12-04"]),
        ("AuditFindingRecorded", "daniel-okafor", ["finding", audit, "--id", "F1", "--text",
                                                   "t", "--on", "2019-12-10"]),
        ("AuditActionAgreed", CHAIR, ["agree-action", audit, "--id", "A1", "--text", "t",
                                      "--owner", SCC, "--on", "2019-12-16"]),
        ("AuditCompleted", CHAIR, ["complete", audit, "--summary", "s", "--on", "2020-01-15"]),
        ("AuditActionClosed", BU, ["close-action", audit, "--id", "A1", "--outcome", "o",
                                   "--on", "2020-03-30"]),
    ]
    results = [ok(run("audit", *args, "--json", actor=actor), event)
               for event, actor, args in steps]
    assert results[1]["fields"]["self_ratings"] == {"S1": "green", "S2": "amber"}
    refused(run, initialised[0], "is not STANDARD=RATING", "audit", "return", audit, "--org",
            POLICE, "--rating", "S1", "--on", "2019-11-15", actor=BU, exit_code=2)


def test_report_group_sends_to_recipients_resolved_by_role(
    run: Run, initialised: tuple[str, Path]
) -> None:
    report = "2019-20"
    steps: list[tuple[str, str, list[str]]] = [
        ("ReportPeriodOpened", BU, ["open", report, "--from", "2019-09-29", "--to",
                                    "2020-03-31", "--on", "2020-04-01"]),
        ("ReportDrafted", BU, ["draft", report, "--draft", "v1", "--on", "2020-08-03"]),
        ("ReportScrutinised", SCRUTINEER, ["scrutinise", report, "--conclusions", "Fair.",
                                           "--finding", "More impact.", "--on", "2020-08-24"]),
        ("YearlyReportSignedOff", CHAIR, ["sign-off", report, "--on", "2020-09-07"]),
        ("YearlyReportPublished", BU, ["publish", report, "--where", "https://example.org/r",
                                       "--on", "2020-09-28"]),
        ("YearlyReportSent", BU, ["send", report, "--to", "practice_review_panel", "--on",
                                  "2020-10-01"]),
        ("ReportPresented", CHAIR, ["present", report, "--to", "somerset-hwb", "--on",
                                    "2020-10-08"]),
    ]
    results = [ok(run("report", *args, "--json", actor=actor), event)
               for event, actor, args in steps]
    assert results[5]["fields"]["recipient"]["organisation_id"] == "cspr-panel"
    assert results[5]["fields"]["deadline"]["due"] == "2020-10-05"
    refused(run, initialised[0], "already sent to the practice_review_panel", "report", "send",
            report, "--to", "practice_review_panel", "--on", "2020-10-09", actor=BU)


def test_inspection_group(run: Run, initialised: tuple[str, Path]) -> None:
    jtai = "JTAI-2020-01"
    ok(run("inspection", "announce", jtai, "--kind", "jtai", "--inspectorate", "ofsted",
           "--inspectorate", "cqc", "--theme", "Mental health", "--starts-on", "2020-03-02",
           "--on", "2020-02-24", "--json", actor=BU), "InspectionAnnounced")
    ok(run("inspection", "findings", jtai, "--finding", "Strong leadership.", "--on",
           "2020-03-06", "--json", actor="anna-clarke"), "InspectionFindingsRecorded")
    refused(run, initialised[0], "not graded", "inspection", "publish", jtai, "--judgement",
            "good", "--where", "l", "--on", "2020-05-05", actor="anna-clarke")
    published = ok(run("inspection", "publish", jtai, "--judgement", "not_graded", "--where",
                       "https://example.org/jtai", "--on", "2020-05-05", "--json",
                       actor="anna-clarke"), "InspectionReportPublished")
    assert published["actor_role"] == "inspector"
    ok(run("inspection", "action-plan", jtai, "--action", "Reduce waits.", "--owner", CCG,
           "--on", "2020-06-01", "--json", actor=CHAIR), "InspectionActionPlanAgreed")


def test_regional_group_refuses_a_conflicted_moderator(run: Run, initialised: tuple[str, Path]
                                                       ) -> None:
    ok(run("regional", "terms", "TOR-2019-01", "--party", "bristol-city-council", "--scope",
           "section_11_peer_challenge", "--contract", "ASC-REG-2019-07", "--summary", "s",
           "--until", "2021-03-31", "--on", "2019-11-01", "--json", actor=CHAIR),
       "TermsOfReferenceAgreed")
    ok(run("regional", "activity", "RACT-2020-01", "--terms", "TOR-2019-01", "--partner",
           "bristol-city-council", "--kind", "section_11_peer_challenge", "--title", "t",
           "--on", "2020-01-22", "--json", actor="grace-patel"), "RegionalScrutinyActivityHeld")
    moderate = ["regional", "moderate", "MOD-2020-01", "--scrutineer", "grace-patel",
                "--partnership", "south-gloucestershire-council", "--sample", "RACT-2020-01",
                "--outcome", "assured", "--on", "2020-03-10"]
    refused(run, initialised[0], "declared a contract interest in south-gloucestershire-council "
            "(the partnership being scrutinised)", *moderate, actor="tom-baker")
    moderate[6] = "sscp"
    done = ok(run(*moderate, "--json", actor="tom-baker"), "ModerationCompleted")
    assert done["fields"]["sample"] == ["RACT-2020-01"]


def test_correct_group_names_the_entry_and_keeps_the_original(
    run: Run, initialised: tuple[str, Path]
) -> None:
    held = ok(run("activity", "record", "ACT-2019-03", "--kind", "quality_and_performance",
                  "--title", "Attended Q&P", "--on", "2019-10-21", "--json",
                  actor="daniel-okafor"), "ScrutinyActivityHeld")
    fixed = ok(run("correct", "event", "--stream", held["stream_id"], "--version", "1",
                   "--set", "title=Chaired Q&P", "--set", "findings=[\"Minutes agreed.\"]",
                   "--reason", "Chaired, not attended.", "--on", "2019-10-22", "--json",
                   actor="daniel-okafor"), "EventCorrected")
    assert fixed["fields"]["corrected_values"] == {"title": "Chaired Q&P",
                                                   "findings": ["Minutes agreed."]}
    assert fixed["fields"]["previous_values"] == {"title": "Attended Q&P", "findings": []}
    refused(run, initialised[0], "either by stream id and version or by position", "correct",
            "event", "--set", "title=x", "--reason", "r", actor=BU, exit_code=2)


def test_import_refuses_a_malformed_file_naming_the_line_and_skips_what_is_present(
    run: Run, initialised: tuple[str, Path], tmp_path: Path
) -> None:
    rows = [{"act": "org.register", "as": BU, "on": "2019-07-01", "organisation_id": f"a-{i}",
             "name": f"Agency {i}", "kind": "relevant_agency"} for i in range(5)]
    path = tmp_path / "acts.jsonl"
    path.write_text("\n".join([*map(json.dumps, rows[:3]), "{broken", json.dumps(rows[3])]),
                    encoding="utf-8")
    refused(run, initialised[0], "line 4: not JSON", "import", str(path), actor=None,
            exit_code=2)
    path.write_text("\n".join(map(json.dumps, rows)) + "\n\n", encoding="utf-8")
    first = run("import", str(path), "--batch-size", "2", "--json")
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout) == {"lines": 5, "recorded": 5, "already_present": 0,
                                        "batches": 3}
    again = run("import", str(path))
    assert again.exit_code == 0 and again.stdout.strip() == "0 recorded, 5 already present"
    assert again.stderr == ""  # no progress bar when stderr is not a terminal


# Commands of act groups that record no act: the read side's listings
# (``commands.cli.reads``) and ``subject status`` / ``subject scrub``: no --on.
READ_COMMANDS = ("list", "show", "status", "scrub")


def every_command() -> list[list[str]]:
    return [[group.name or "", name] for group in ACT_GROUPS for name in group.commands
            if isinstance(group, click.Group)] + [["import"], ["demo"]]


@pytest.mark.parametrize("path", every_command(), ids=" ".join)
def test_every_domain_command_has_help(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.stdout
    summary = [line for line in result.stdout.splitlines()[1:4] if line.strip()]
    assert summary, result.stdout
    if path[0] not in ("import", "demo") and path[1] not in READ_COMMANDS:
        assert "--on DATE" in result.stdout and "--json" in result.stdout
    elif path[0] not in ("import", "demo"):
        assert "--on DATE" not in result.stdout and "--json" in result.stdout
