"""The pages on both engines: login by cookie, each audience's pages, escaping, no external resource."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import WebLedger, a_safeguarding_partner, bearer, scrutiny

PAGES = {
    "/dashboard": {"executive"},
    "/cases/{case}": {"executive", "inspector"},
    "/inspect": {"inspector"},
    "/inspect/timeline?stream=challenge:{challenge}": {"inspector"},
    "/inspect/history": {"inspector"},
    "/activity": {"moderation"},
    "/activity/{scrutineer}": {"moderation"},
}


def login(client: Any, token: str) -> Any:
    client.cookies.clear()
    response = client.post("/login", data={"token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def found(client: Any, ledger: WebLedger) -> dict[str, str]:
    status = client.get("/api/status", headers=bearer(ledger.tokens["executive"])).json()
    return {
        "case": status["reviews"][0]["key"],
        "challenge": status["open_challenges"][0]["challenge_id"],
        "scrutineer": ledger.people["independent_scrutineer"],
    }


def test_login_sets_a_strict_httponly_cookie_and_logout_clears_it(client: Any, web_ledger: WebLedger) -> None:
    client.cookies.clear()
    form = client.get("/login")
    assert form.status_code == 200 and 'name="token"' in form.text and 'type="password"' in form.text
    response = login(client, web_ledger.tokens["executive"])
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("scrutiny_token=") and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert response.headers["location"] == "/"
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    out = client.post("/logout", follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert 'scrutiny_token=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    client.cookies.clear()
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    bad = client.post("/login", data={"token": "slt.nope"}, follow_redirects=False)
    assert bad.status_code == 401 and "not valid" in bad.text and "set-cookie" not in bad.headers
    huge = client.post("/login", data={"token": web_ledger.tokens["executive"], "pad": "x" * 10_000},
                       follow_redirects=False)
    assert huge.status_code == 401 and "set-cookie" not in huge.headers


def test_each_page_answers_each_audience_by_role(client: Any, web_ledger: WebLedger) -> None:
    names = found(client, web_ledger)
    for template, allowed in PAGES.items():
        path = template.format(**names)
        for audience in ("executive", "inspector", "moderation"):
            login(client, web_ledger.tokens[audience])
            response = client.get(path)
            expected = 200 if audience in allowed else 403
            assert response.status_code == expected, (path, audience, response.text[:300])
            assert response.headers["content-type"].startswith("text/html")
            if expected == 403:
                assert "Not for your role" in response.text
        client.cookies.clear()
        anonymous = client.get(path)
        assert anonymous.status_code == 401 and 'action="/login"' in anonymous.text


def test_the_dashboard_shows_the_executive_figures_with_charts(client: Any, web_ledger: WebLedger) -> None:
    status = client.get("/api/status", headers=bearer(web_ledger.tokens["executive"])).json()
    login(client, web_ledger.tokens["executive"])
    page = client.get("/dashboard").text
    for challenge in status["open_challenges"]:
        assert challenge["challenge_id"] in page
    counts = status["deadlines"]["counts"]
    overdue = re.search(r'id="kpi-overdue"><div class="n">(\d+)</div>', page)
    assert overdue is not None and int(overdue.group(1)) == counts["overdue"]
    assert f'id="kpi-open-challenges"><div class="n">{len(status["open_challenges"])}</div>' in page
    assert page.count("<svg") == 2 and "Deadlines by state" in page and "Scrutiny acts per tier and year" in page
    for review in status["reviews"]:
        assert review["key"] in page
    as_of = client.get("/dashboard?as_of=2019-07-01&as_known_at=").text
    assert "as of <strong>2019-07-01</strong>" in as_of and "No open challenges." in as_of


def test_pages_load_nothing_from_elsewhere_and_send_protective_headers(client: Any, web_ledger: WebLedger) -> None:
    names = found(client, web_ledger)
    for audience, path in (("executive", "/dashboard"), ("inspector", "/inspect"),
                           ("inspector", f"/inspect/timeline?stream=challenge:{names['challenge']}"),
                           ("moderation", "/activity")):
        login(client, web_ledger.tokens[audience])
        response = client.get(path)
        assert "<script" not in response.text and "<link" not in response.text
        assert not re.search(r'(src|href)="(https?:)?//', response.text)
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"


def test_the_inspector_replays_a_timeline_with_names_then_and_checks_verification(
    client: Any, web_ledger: WebLedger
) -> None:
    names = found(client, web_ledger)
    login(client, web_ledger.tokens["inspector"])
    inspect = client.get("/inspect").text
    assert '<span class="badge ok">verified</span>' in inspect
    assert 'href="/api/bundles/latest.zip"' in inspect and "<pre>" in inspect
    stream = f"challenge:{names['challenge']}"
    rows = client.get("/api/history", params={"stream": stream}, headers=bearer(web_ledger.tokens["inspector"])).json()["rows"]
    page = client.get("/inspect/timeline", params={"stream": stream}).text
    for row in rows:
        assert f'id="p{row["position"]}"' in page and row["event_type"] in page
    known = client.get("/inspect/timeline", params={"stream": stream, "as_known_at": str(rows[0]["position"] + 1)}).text
    assert f'id="p{rows[0]["position"]}"' in known and f'id="p{rows[-1]["position"]}"' not in known
    assert "as known at" in known
    history = client.get("/inspect/history", params={"kind": "OrganisationRenamed"}).text
    assert "organisation then:" in history
    assert client.get("/inspect/timeline", params={"stream": "challenge:NOPE"}).status_code == 404
    assert client.get("/inspect/history", params={"tier": "x"}).status_code == 400
    assert client.get("/inspect/history", params={"as_of": "someday"}).status_code == 400


def test_moderation_pages_show_each_scrutineer(client: Any, web_ledger: WebLedger) -> None:
    login(client, web_ledger.tokens["moderation"])
    everyone = client.get("/api/scrutineers", headers=bearer(web_ledger.tokens["moderation"])).json()
    page = client.get("/activity").text
    for person in everyone:
        assert f'href="/activity/{person["person_id"]}"' in page
    assert "<svg" in page
    detail = client.get(f"/activity/{web_ledger.people['independent_scrutineer']}")
    assert detail.status_code == 200 and "Declared interests" in detail.text


def test_text_from_the_ledger_is_escaped_on_every_page(client: Any, web_ledger: WebLedger) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    scrutiny(web_ledger.url, web_ledger.key, "--as", web_ledger.people["independent_scrutineer"],
             "challenge", "raise", "--id", "CH-2020-XSS01", "--tier", "2",
             "--to", a_safeguarding_partner(web_ledger.url), "--subject", hostile, "--respond-within", "10",
             "--on", "2020-06-01")
    pages = []
    for audience, path in (("executive", "/dashboard"), ("executive", "/cases/challenge:CH-2020-XSS01"),
                           ("inspector", "/inspect/timeline?stream=challenge:CH-2020-XSS01"),
                           ("inspector", "/inspect/history?stream=challenge:CH-2020-XSS01")):
        login(client, web_ledger.tokens[audience])
        response = client.get(path)
        assert response.status_code == 200, response.text
        pages.append(response.text)
    for page in pages:
        assert hostile not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page



def test_hostile_addresses_get_a_plain_refusal_on_both_engines(client: Any, web_ledger: WebLedger) -> None:
    for audience, path in (("inspector", "/inspect/timeline?stream=a%00b"), ("inspector", "/cases/a%00b"),
                           ("moderation", "/activity/a%00b"), ("inspector", "/inspect/history?actor=a%00b"),
                           ("inspector", "/inspect/history?kind=%ED%B3%BF%01"), ("inspector", "/inspect/history?since=a%00"),
                           ("inspector", "/inspect/history?stream=" + "s" * 400),
                           ("inspector", "/inspect/history?as_known_at=%00"), ("executive", "/dashboard?as_of=%00")):
        login(client, web_ledger.tokens[audience])
        response = client.get(path)
        assert response.status_code == 400, (path, response.status_code, response.text[-300:])
        assert "Traceback" not in response.text
    login(client, web_ledger.tokens["inspector"])
    odd = client.get("/inspect/history?kind=%ED%B3%BF")  # not UTF-8: decoded with replacement characters
    assert odd.status_code == 200 and "No acts." in odd.text


def test_the_timeline_page_marks_corrections_both_ways(client: Any, web_ledger: WebLedger) -> None:
    token = bearer(web_ledger.tokens["inspector"])
    correction = client.get("/api/history", params={"kind": "EventCorrected"}, headers=token).json()["rows"][0]
    login(client, web_ledger.tokens["inspector"])
    page = client.get("/inspect/timeline", params={"stream": correction["fields"]["target_stream_id"]}).text
    assert f"corrected by position {correction['position']}" in page
    assert f"corrects {correction['fields']['target_stream_id']} version" in page
