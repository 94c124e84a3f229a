"""The JSON API on both engines: every endpoint for every audience (200 / 401 / 403), and what it says."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import WebLedger, bearer, scrutiny

AUDIENCES = ("executive", "inspector", "moderation")
EVERYONE = frozenset(AUDIENCES)

# path template -> audiences allowed
ENDPOINTS: dict[str, frozenset[str]] = {
    "/api/whoami": EVERYONE,
    "/api/status": frozenset({"executive"}),
    "/api/deadlines": frozenset({"executive"}),
    "/api/history?limit=5": frozenset({"inspector"}),
    "/api/cases/{case}": frozenset({"executive", "inspector"}),
    "/api/cases/challenge:{challenge}": frozenset({"executive", "inspector"}),
    "/api/scrutineers": frozenset({"moderation"}),
    "/api/scrutineers/{scrutineer}/activity": frozenset({"moderation"}),
    "/api/moderation": frozenset({"moderation"}),
    "/api/checkpoint": frozenset({"executive", "inspector"}),
    "/api/checkpoint.json": frozenset({"executive", "inspector"}),
    "/api/checkpoints": frozenset({"executive", "inspector"}),
    "/api/proofs/inclusion/3": frozenset({"inspector"}),
    "/api/verification": frozenset({"inspector"}),
    "/api/bundles/latest.zip?stream=challenge:{challenge}": frozenset({"inspector"}),
}


def names(client: Any, ledger: WebLedger) -> dict[str, str]:
    status = client.get("/api/status", headers=bearer(ledger.tokens["executive"])).json()
    return {
        "case": status["reviews"][0]["key"],
        "challenge": status["open_challenges"][0]["challenge_id"],
        "scrutineer": ledger.people["independent_scrutineer"],
    }


@pytest.mark.parametrize("template", sorted(ENDPOINTS))
def test_each_endpoint_answers_each_audience_by_role(client: Any, web_ledger: WebLedger, template: str) -> None:
    path = template.format(**names(client, web_ledger))
    for audience in AUDIENCES:
        response = client.get(path, headers=bearer(web_ledger.tokens[audience]))
        expected = 200 if audience in ENDPOINTS[template] else 403
        assert response.status_code == expected, (path, audience, response.text)
        if expected == 403:
            assert "may not see this" in response.json()["detail"]
    anonymous = client.get(path)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    for bad in ("nonsense", "slt.0123456789abcdef." + "A" * 43, web_ledger.tokens["executive"][:-1] + "x"):
        assert client.get(path, headers=bearer(bad)).status_code == 401
    assert client.get(path, headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401


def test_whoami_names_the_person_their_roles_and_audiences(client: Any, web_ledger: WebLedger) -> None:
    me = client.get("/api/whoami", headers=bearer(web_ledger.tokens["inspector"])).json()
    assert me["person_id"] == web_ledger.people["inspector"]
    assert me["roles_today"] == ["inspector"]
    assert me["audiences"] == ["inspector"]
    assert me["token_role"] == "inspector"


def test_status_agrees_with_the_command_line(client: Any, web_ledger: WebLedger) -> None:
    api = client.get("/api/status", headers=bearer(web_ledger.tokens["executive"])).json()
    cli = json.loads(scrutiny(web_ledger.url, web_ledger.key, "status", "--json"))
    assert [c["challenge_id"] for c in api["open_challenges"]] == [c["challenge_id"] for c in cli["open_challenges"]]
    assert api["deadlines"]["counts"] == cli["deadlines"]["counts"]
    assert api["tier_coverage"] == cli["tier_coverage"]
    assert api["events"] == cli["events"] > 0
    assert api["reviews"] and all(r["kind"] == "case" for r in api["reviews"])


def test_status_travels_in_time(client: Any, web_ledger: WebLedger) -> None:
    token = bearer(web_ledger.tokens["executive"])
    then = client.get("/api/status?as_known_at=10", headers=token).json()
    assert then["events"] == 10 and then["as_known_at"] == "10"
    early = client.get("/api/status?as_of=2019-07-01", headers=token).json()
    assert early["as_of"] == "2019-07-01" and early["open_challenges"] == []
    assert client.get("/api/status?as_known_at=99999999", headers=token).status_code == 404
    assert client.get("/api/status?as_known_at=2020-13-45T00:00", headers=token).status_code == 400
    assert client.get("/api/status?as_of=2020-02-30", headers=token).status_code == 422


def test_deadlines_filter_by_state_and_say_their_rule(client: Any, web_ledger: WebLedger) -> None:
    token = bearer(web_ledger.tokens["executive"])
    rows = client.get("/api/deadlines", headers=token).json()
    assert rows and all(r["rule"] for r in rows)
    overdue = client.get("/api/deadlines", params={"state": "overdue"}, headers=token).json()
    assert overdue == [r for r in rows if r["state"] == "overdue"]
    met_late = client.get("/api/deadlines", params={"state": "met late"}, headers=token).json()
    assert all(r["state"] == "met late" for r in met_late)
    assert client.get("/api/deadlines?state=nearly", headers=token).status_code == 422


def test_history_filters_page_and_travel_in_time(client: Any, web_ledger: WebLedger) -> None:
    token = bearer(web_ledger.tokens["inspector"])
    challenge = names(client, web_ledger)["challenge"]
    stream = f"challenge:{challenge}"
    rows = client.get("/api/history", params={"stream": stream}, headers=token).json()["rows"]
    assert rows and {r["stream_id"] for r in rows} == {stream}
    assert rows[0]["event_type"] == "ChallengeRaised"
    assert rows[0]["actor"].endswith(f"({rows[0]['actor_id']}, {rows[0]['actor_role']})")

    first = client.get("/api/history", params={"limit": 7}, headers=token).json()
    assert [r["position"] for r in first["rows"]] == list(range(7)) and first["next_after"] == 6
    second = client.get("/api/history", params={"limit": 7, "after": 6}, headers=token).json()
    assert second["rows"][0]["position"] == 7

    tier = client.get("/api/history", params={"tier": 1, "limit": 1000}, headers=token).json()["rows"]
    assert tier and all(r["tier"] == 1 for r in tier)
    kind = client.get("/api/history", params={"kind": "ChallengeRaised", "limit": 1000}, headers=token).json()
    assert kind["rows"] and {r["event_type"] for r in kind["rows"]} == {"ChallengeRaised"}
    assert kind["next_after"] is None
    window = client.get("/api/history", params={"since": "2020-01-01", "until": "2020-06-30", "limit": 1000},
                        headers=token).json()["rows"]
    assert window and all("2020-01-01" <= r["occurred_on"] <= "2020-06-30" for r in window)
    actor = web_ledger.people["independent_scrutineer"]
    mine = client.get("/api/history", params={"actor": actor, "limit": 1000}, headers=token).json()["rows"]
    assert mine and {r["actor_id"] for r in mine} == {actor}

    known = client.get("/api/history", params={"as_known_at": "12", "limit": 1000}, headers=token).json()
    assert [r["position"] for r in known["rows"]] == list(range(12))
    as_of = client.get("/api/history", params={"as_of": "2019-06-05", "limit": 1000}, headers=token).json()
    assert as_of["rows"] and all(r["occurred_on"] <= "2019-06-05" for r in as_of["rows"])

    for bad in ({"tier": 4}, {"limit": 0}, {"after": -2}, {"since": "yesterday"}, {"stream": "no-colon"}):
        assert client.get("/api/history", params=bad, headers=token).status_code == 422, bad


def test_history_names_organisations_as_they_were_then(client: Any, web_ledger: WebLedger) -> None:
    token = bearer(web_ledger.tokens["inspector"])
    rows = client.get("/api/history", params={"kind": "OrganisationRenamed", "limit": 1000}, headers=token).json()["rows"]
    assert rows, "the demo renames organisations"
    for row in rows:
        registered = client.get("/api/history", params={"stream": row["stream_id"], "limit": 1},
                                headers=token).json()["rows"][0]
        assert registered["organisation_name_then"] != row["organisation_name_then"]


def test_a_case_is_found_by_its_id_or_stream_and_only_inspectors_get_the_timeline(
    client: Any, web_ledger: WebLedger
) -> None:
    found = names(client, web_ledger)
    executive = client.get(f"/api/cases/{found['case']}", headers=bearer(web_ledger.tokens["executive"])).json()
    assert executive["stream_id"] == f"case:{found['case']}" and executive["kind"] == "case"
    assert executive["timeline"] is None and executive["deadlines"]
    inspector = client.get(f"/api/cases/case:{found['case']}", headers=bearer(web_ledger.tokens["inspector"])).json()
    assert inspector["stream_id"] == executive["stream_id"]
    assert [r["stream_version"] for r in inspector["timeline"]] == list(range(1, len(inspector["timeline"]) + 1))
    assert inspector["timeline"][-1]["position"] == inspector["last_position"]
    challenge = client.get(f"/api/cases/challenge:{found['challenge']}",
                           headers=bearer(web_ledger.tokens["executive"])).json()
    assert challenge["kind"] == "challenge" and challenge["status"] not in ("resolved", "withdrawn")
    for absent in ("NO-SUCH-CASE", "challenge:NO-SUCH"):
        response = client.get(f"/api/cases/{absent}", headers=bearer(web_ledger.tokens["inspector"]))
        assert response.status_code == 404 and absent in response.json()["detail"]


def test_scrutineer_activity_for_moderation(client: Any, web_ledger: WebLedger) -> None:
    token = bearer(web_ledger.tokens["moderation"])
    everyone = client.get("/api/scrutineers", headers=token).json()
    scrutineer = web_ledger.people["independent_scrutineer"]
    assert scrutineer in {s["person_id"] for s in everyone}
    busiest = max(everyone, key=lambda s: s["acts"])
    detail = client.get(f"/api/scrutineers/{busiest['person_id']}/activity", headers=token).json()
    assert sum(row["count"] for row in detail["activity"]) == busiest["acts"] > 0
    assert any(a["role"] == "independent_scrutineer" for a in detail["appointments"])
    chair = web_ledger.people["partnership_chair"]
    assert client.get(f"/api/scrutineers/{chair}/activity", headers=token).status_code == 404
    assert client.get("/api/scrutineers/nobody-at-all/activity", headers=token).status_code == 404
    outcomes = client.get("/api/moderation", headers=token).json()
    assert all(o["kind"] == "moderation" for o in outcomes)


def stored_checkpoint(ledger: WebLedger) -> tuple[int, str]:
    from ledger.application import open_ledger

    app = open_ledger(ledger.url)
    try:
        _, size, _, note = app.ledger_recorder.checkpoints()[-1]
        return size, note
    finally:
        app.close()


def test_the_checkpoint_is_served_exactly_as_signed(client: Any, web_ledger: WebLedger) -> None:
    from ledger.checkpoints import open_checkpoint
    from ledger.keys import load_verifier

    size, note = stored_checkpoint(web_ledger)
    text = client.get("/api/checkpoint", headers=bearer(web_ledger.tokens["executive"]))
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text == note
    opened = open_checkpoint(text.text, [load_verifier(web_ledger.key)])
    assert opened.size == size
    as_json = client.get("/api/checkpoint.json", headers=bearer(web_ledger.tokens["inspector"])).json()
    assert as_json["note"] == note and as_json["tree_size"] == size
    assert base64.b64decode(as_json["root_hash"]) == opened.root_hash
    listed = client.get("/api/checkpoints", headers=bearer(web_ledger.tokens["inspector"])).json()
    assert listed[-1]["tree_size"] == size


def test_inclusion_proofs_verify_against_the_signed_root(client: Any, web_ledger: WebLedger) -> None:
    from ledger.integrity import verify_inclusion

    size, note = stored_checkpoint(web_ledger)
    token = bearer(web_ledger.tokens["inspector"])
    root = note.split("\n")[2]
    for position in (0, 1, size // 2, size - 1):
        proof = client.get(f"/api/proofs/inclusion/{position}", headers=token).json()
        assert proof["tree_size"] == size and proof["root"] == root and proof["checkpoint"] == note
        leaf_input = base64.b64decode(proof["leaf_input"])
        leaf = hashlib.sha256(b"\x00" + leaf_input).digest()
        assert base64.b64decode(proof["leaf_hash"]) == leaf
        assert json.loads(leaf_input)["position"] == position
        assert verify_inclusion(leaf, position, size, [base64.b64decode(h) for h in proof["proof"]],
                                base64.b64decode(proof["root"]))
    smaller = client.get("/api/proofs/inclusion/2", params={"size": 5}, headers=token).json()
    assert smaller["tree_size"] == 5 and smaller["checkpoint"] is None
    assert verify_inclusion(base64.b64decode(smaller["leaf_hash"]), 2, 5,
                            [base64.b64decode(h) for h in smaller["proof"]], base64.b64decode(smaller["root"]))
    assert client.get(f"/api/proofs/inclusion/{size}", headers=token).status_code == 404
    assert client.get("/api/proofs/inclusion/0", params={"size": 10**9}, headers=token).status_code == 404
    assert client.get("/api/proofs/inclusion/-1", headers=token).status_code == 422


def test_verification_reports_an_intact_ledger(client: Any, web_ledger: WebLedger) -> None:
    result = client.get("/api/verification", headers=bearer(web_ledger.tokens["inspector"])).json()
    assert result["ok"] is True and result["problem"] is None
    assert result["checkpoints_checked"] >= 1 and result["key_source"] == str(web_ledger.key)


def test_the_export_bundle_downloads_as_a_zip_with_the_signed_checkpoint(client: Any, web_ledger: WebLedger) -> None:
    _, note = stored_checkpoint(web_ledger)
    token = bearer(web_ledger.tokens["inspector"])
    leftovers = set(Path(tempfile.gettempdir()).glob("scrutiny-web-bundle-*"))
    response = client.get("/api/bundles/latest.zip", headers=token)
    assert set(Path(tempfile.gettempdir()).glob("scrutiny-web-bundle-*")) == leftovers
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.read("bundle/checkpoint").decode("utf-8") == note
    lines = archive.read("bundle/events.jsonl").decode("utf-8").splitlines()
    assert [json.loads(line)["position"] for line in lines] == list(range(int(note.split("\n")[1])))
    challenge = names(client, web_ledger)["challenge"]
    partial = zipfile.ZipFile(io.BytesIO(client.get(
        "/api/bundles/latest.zip", params={"stream": f"challenge:{challenge}"}, headers=token).content))
    events = [json.loads(line) for line in partial.read("bundle/events.jsonl").decode("utf-8").splitlines()]
    assert any(e.get("stream") == f"challenge:{challenge}" for e in events)
    assert len(events) < len(lines)


def test_the_openapi_document_describes_every_endpoint(client: Any) -> None:
    document = client.get("/openapi.json").json()
    paths = set(document["paths"])
    for template in ENDPOINTS:
        path = template.split("?")[0].replace("{case}", "{case_id}").replace("challenge:{challenge}", "{case_id}")
        path = path.replace("{scrutineer}", "{person_id}").replace("/3", "/{position}")
        assert path in paths, path
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert not any(p.startswith(("/login", "/dashboard", "/inspect")) for p in paths)


def test_corrections_are_marked_on_the_correction_and_on_the_original(client: Any, web_ledger: WebLedger) -> None:
    token = bearer(web_ledger.tokens["inspector"])
    corrections = client.get("/api/history", params={"kind": "EventCorrected", "limit": 1000}, headers=token).json()
    assert corrections["rows"], "the demo corrects an entry"
    correction = corrections["rows"][0]
    target = correction["fields"]["target_stream_id"]
    assert correction["corrects"].startswith(f"{target} version {correction['fields']['target_version']}")
    case = client.get(f"/api/cases/{target}", headers=token).json()
    timeline = {row["position"]: row for row in case["timeline"]}
    assert correction["position"] in timeline, "the timeline shows the correction beside the original"
    original = next(r for r in case["timeline"] if r["stream_id"] == target
                    and r["stream_version"] == correction["fields"]["target_version"])
    assert original["corrected_by"] == correction["position"]
    assert original["fields"] != correction["fields"]  # the original stays visible as recorded
