"""Every act on a real ledger (SQLite and PostgreSQL): recorded, or refused with its reason.

Each test runs one area's acts in order on a ledger holding the demo's
partnership (organisations and people, recorded in one batch). A step either
records the named event, or raises the named error whose message holds the
reason, and leaves the number of stored events unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commands.acts import command_for, handle
from commands.acts.base import record_in_batches
from commands.demo import command_of
from commands.demo_script import set_up
from ledger.application import ScrutinyLedger, open_ledger
from ledger.errors import InvalidInputError, LedgerError, NotFoundError, RefusedError

BU, CHAIR, SCRUTINEER = "jane-porter", "ruth-evans", "helen-morgan"
SCC, POLICE, CCG = "somerset-county-council", "avon-and-somerset-constabulary", "somerset-ccg"


class Steps:
    """Runs acts against one ledger and checks each outcome."""

    def __init__(self, ledger: ScrutinyLedger) -> None:
        self.ledger = ledger

    def count(self) -> int:
        return self.ledger.ledger_recorder.max_notification_id() or 0

    def ok(self, event_type: str, act: str, actor: str, on: str, /, **fields: Any
           ) -> dict[str, Any]:
        before = self.count()
        command = command_for(act).build(actor=actor, occurred_on=on, **fields)
        result = handle(command, self.ledger)
        assert result["event_type"] == event_type, result
        assert self.count() == before + 1
        return result

    def no(self, error: type[LedgerError], why: str, act: str, actor: str, on: str, /,
           **fields: Any) -> None:
        before = self.count()
        with pytest.raises(error, match=why):
            handle(command_for(act).build(actor=actor, occurred_on=on, **fields), self.ledger)
        assert self.count() == before, "a refused act wrote something"


@pytest.fixture
def steps(initialised: tuple[str, Path]) -> Iterator[Steps]:
    app = open_ledger(initialised[0])
    record_in_batches(app, [command_of(row) for row in set_up()], 500)
    yield Steps(app)
    app.close()


def notify_case(s: Steps, case_id: str = "SSCP-2019-01") -> None:
    s.ok("IncidentNotified", "case.notify", "sam-hughes", "2019-09-09", case_id=case_id,
         local_authority_id=SCC, children=["Child A"], became_aware_on="2019-09-04",
         summary="A serious incident.")


def test_organisation_and_people_acts(steps: Steps) -> None:
    s = steps
    s.ok("OrganisationRenamed", "org.rename", BU, "2019-07-01", organisation_id="somerset-stp",
         new_name="Somerset STP")
    s.no(RefusedError, "must change the name", "org.rename", BU, "2019-07-02",
         organisation_id="somerset-stp", new_name="Somerset STP")
    s.no(RefusedError, "a safeguarding partner must name its statutory role", "org.register", BU,
         "2022-07-01", organisation_id="nhs-somerset-icb", name="NHS Somerset ICB",
         kind="safeguarding_partner")
    s.ok("OrganisationRegistered", "org.register", BU, "2022-07-01",
         organisation_id="nhs-somerset-icb", name="NHS Somerset ICB", kind="safeguarding_partner",
         statutory_role="health")
    s.no(RefusedError, "successor must exist on the succession date", "org.succeed", BU,
         "2022-06-30", organisation_id=CCG, successor_id="nhs-somerset-icb")
    s.ok("OrganisationSucceeded", "org.succeed", BU, "2022-07-01", organisation_id=CCG,
         successor_id="nhs-somerset-icb")
    s.no(RefusedError, r"somerset-ccg already ended on 2022-07-01 \(succeeded by "
         r"nhs-somerset-icb\); an organisation ends once", "org.dissolve", BU, "2022-07-01",
         organisation_id=CCG, reason="r")
    s.no(RefusedError, "helen-morgan does not hold any of the roles business_unit",
         "org.dissolve", SCRUTINEER, "2022-07-01", organisation_id="somerset-stp", reason="r")
    s.ok("OrganisationDissolved", "org.dissolve", BU, "2022-07-01",
         organisation_id="somerset-stp", reason="Replaced by the integrated care system.")
    s.no(NotFoundError, "no organisation with id 'ghost'", "org.succeed", BU, "2022-07-01",
         organisation_id="ghost", successor_id=CCG)
    # Appointments name organisations that exist on the date.
    s.no(RefusedError, "somerset-ccg no longer existed on 2022-07-01", "person.appoint", BU,
         "2022-07-01", person_id="new-lead", display_name="New Lead",
         role="lead_safeguarding_partner", organisation_id=CCG)
    s.ok("PersonAppointed", "person.appoint", BU, "2022-07-01", person_id="new-lead",
         display_name="New Lead", role="lead_safeguarding_partner",
         organisation_id="nhs-somerset-icb")
    s.no(RefusedError, "only an independent scrutineer belongs to a pool", "person.appoint", BU,
         "2022-07-01", person_id="x-person", display_name="X", role="moderator",
         organisation_id="sscp", pool="regional")
    # Interests: the business unit for anyone, a scrutineer for themselves.
    s.ok("InterestDeclared", "person.declare-interest", BU, "2020-01-06", person_id="daniel-okafor",
         organisation_id="bathnes-council", nature="employment")
    s.no(RefusedError, r"needed to person declare-interest about daniel-okafor",
         "person.declare-interest", SCRUTINEER, "2020-01-06", person_id="daniel-okafor",
         organisation_id="dorset-council", nature="personal")
    s.no(RefusedError, "already has an interest in bathnes-council", "person.declare-interest",
         "daniel-okafor", "2020-02-01", person_id="daniel-okafor",
         organisation_id="bathnes-council", nature="contract")
    s.ok("InterestEnded", "person.end-interest", "daniel-okafor", "2020-06-30",
         person_id="daniel-okafor", organisation_id="bathnes-council")
    s.no(RefusedError, "no open interest in bathnes-council", "person.end-interest", BU,
         "2020-07-01", person_id="daniel-okafor", organisation_id="bathnes-council")
    # A role ended the day before is refused on the act's date.
    s.ok("RoleStoodDown", "person.stand-down", BU, "2020-04-01", person_id="owen-reed",
         role="lead_safeguarding_partner")
    tor = {"parties": ["bristol-city-council"], "scope": ["look_and_see"], "contract_ref": "c",
           "summary": "s"}
    s.no(RefusedError, "owen-reed does not hold any of the roles lead_safeguarding_partner, "
         "partnership_chair on 2020-04-01", "regional.terms", "owen-reed", "2020-04-01",
         terms_id="TOR-2020-09", **tor)
    s.ok("TermsOfReferenceAgreed", "regional.terms", "owen-reed", "2020-03-31",
         terms_id="TOR-2020-08", **tor)
    s.no(RefusedError, "does not hold lead_safeguarding_partner", "person.stand-down", BU,
         "2020-04-02", person_id="owen-reed", role="lead_safeguarding_partner")


def test_activity_and_cdop_link_acts(steps: Steps) -> None:
    s = steps
    recorded = s.ok("ScrutinyActivityHeld", "activity.record", SCRUTINEER, "2020-02-05",
                    activity_id="ACT-2020-02", kind="look_and_see", title="Front door visit",
                    organisations=[SCC, POLICE], findings=["Waits are long."],
                    evidence=[{"title": "notes", "location": "/notes.pdf", "sha256": "ab" * 32}])
    assert recorded["tier"] == 3 and recorded["evidence"][0]["sha256"] == "ab" * 32
    s.no(RefusedError, "already exists", "activity.record", SCRUTINEER, "2020-02-06",
         activity_id="ACT-2020-02", kind="look_and_see", title="t")
    s.no(RefusedError, "look_and_see is a tier 3 activity, not tier 1", "activity.record",
         SCRUTINEER, "2020-02-06", activity_id="ACT-2020-03", kind="look_and_see", tier=1,
         title="t")
    s.no(NotFoundError, "no organisation with id 'somerset-nhs-ft'", "activity.record",
         SCRUTINEER, "2020-02-06", activity_id="ACT-2020-03", kind="practitioner_contact",
         title="t", organisations=["somerset-nhs-ft"])
    s.ok("OrganisationRegistered", "org.register", BU, "2020-04-01",
         organisation_id="somerset-nhs-ft", name="Somerset NHS FT", kind="relevant_agency")
    s.no(RefusedError, "somerset-nhs-ft was not registered on 2020-02-06", "activity.record",
         SCRUTINEER, "2020-02-06", activity_id="ACT-2020-03", kind="practitioner_contact",
         title="t", organisations=["somerset-nhs-ft"])
    s.no(RefusedError, "ruth-evans does not hold any of the roles independent_scrutineer",
         "activity.record", CHAIR, "2020-02-06", activity_id="ACT-2020-03",
         kind="critical_friend", title="t")
    s.no(NotFoundError, "no case with id 'SSCP-2019-01'", "activity.record", SCRUTINEER,
         "2020-02-06", activity_id="ACT-2020-03", kind="cspr_scrutiny", title="t",
         case_id="SSCP-2019-01")
    s.ok("CdopLearningLinked", "activity.cdop-link", BU, "2020-02-17", link_id="LINK-2020-01",
         cdop_id="somerset-cdop", theme="Safe sleep", learning="Shared learning.")
    s.no(RefusedError, "ofsted is not a local body", "activity.cdop-link", SCRUTINEER,
         "2020-02-18", link_id="LINK-2020-02", cdop_id="ofsted", theme="t", learning="l")
    s.no(InvalidInputError, "kind", "activity.record", SCRUTINEER, "2020-02-06",
         activity_id="ACT-2020-03", kind="tea_party", title="t")


def test_a_challenge_to_the_threshold_links_to_a_case_that_exists(steps: Steps) -> None:
    s = steps
    s.no(NotFoundError, "no case with id 'SSCP-2019-01'", "challenge.raise", SCRUTINEER,
         "2019-10-14", challenge_id="CH-2019-000001", to_partners=[SCC], subject="Threshold",
         tier=1, case_ref="SSCP-2019-01")
    notify_case(s)
    s.no(RefusedError, "case SSCP-2019-01 had not been notified by 2019-09-08",
         "challenge.raise", SCRUTINEER, "2019-09-08", challenge_id="CH-2019-000001",
         to_partners=[SCC], subject="Threshold", tier=1, case_ref="SSCP-2019-01")
    raised = s.ok("ChallengeRaised", "challenge.raise", SCRUTINEER, "2019-10-14",
                  challenge_id="CH-2019-000001", to_partners=[SCC, CCG], subject="Threshold",
                  tier=1, case_ref="SSCP-2019-01")
    assert raised["fields"]["case_ref"] == "SSCP-2019-01"
    s.ok("ChallengeResponded", "challenge.respond", "kate-mills", "2019-10-21",
         challenge_id="CH-2019-000001", response="Health agrees.")
    s.ok("ChallengeEscalated", "challenge.escalate", SCRUTINEER, "2019-10-28",
         challenge_id="CH-2019-000001", to="executive", reason="The council has not answered.")
    s.ok("ChallengeEscalated", "challenge.escalate", SCRUTINEER, "2019-11-04",
         challenge_id="CH-2019-000001", to="disagreement_resolution", reason="Not agreed.")
    s.no(RefusedError, "escalation only goes up", "challenge.escalate", SCRUTINEER, "2019-11-05",
         challenge_id="CH-2019-000001", to="executive", reason="r")
    s.no(RefusedError, "helen-morgan does not hold any of the roles partnership_chair, "
         "lead_safeguarding_partner", "challenge.resolve", SCRUTINEER, "2019-11-21",
         challenge_id="CH-2019-000001", outcome="accepted")
    s.ok("ChallengeResolved", "challenge.resolve", CHAIR, "2019-11-21",
         challenge_id="CH-2019-000001", outcome="accepted", agreed_actions=["Commission a CSPR"])
    s.no(RefusedError, "only the person who raised", "challenge.withdraw", "daniel-okafor",
         "2019-11-22", challenge_id="CH-2019-000001", reason="r")
    s.no(RefusedError, "it was resolved", "challenge.withdraw", SCRUTINEER, "2019-11-22",
         challenge_id="CH-2019-000001", reason="r")
    # A partner that no longer exists can neither be challenged nor respond.
    s.ok("OrganisationRegistered", "org.register", BU, "2022-07-01",
         organisation_id="nhs-somerset-icb", name="NHS Somerset ICB", kind="safeguarding_partner",
         statutory_role="health")
    s.ok("ChallengeRaised", "challenge.raise", SCRUTINEER, "2022-06-27",
         challenge_id="CH-2022-000001", to_partners=[CCG], subject="Dataset", tier=2)
    s.ok("OrganisationSucceeded", "org.succeed", BU, "2022-07-01", organisation_id=CCG,
         successor_id="nhs-somerset-icb")
    s.no(RefusedError, "somerset-ccg no longer existed on 2022-07-04", "challenge.respond",
         "kate-mills", "2022-07-04", challenge_id="CH-2022-000001", response="r")
    s.no(RefusedError, "somerset-ccg no longer existed on 2022-07-04", "challenge.raise",
         SCRUTINEER, "2022-07-04", challenge_id="CH-2022-000002", to_partners=[CCG],
         subject="s", tier=2)
    s.ok("ChallengeWithdrawn", "challenge.withdraw", SCRUTINEER, "2022-07-04",
         challenge_id="CH-2022-000001", reason="The CCG was succeeded.")


def test_a_serious_incident_to_a_published_review(steps: Steps) -> None:
    s = steps
    c = {"case_id": "SSCP-2019-01"}
    s.no(RefusedError, "priya-shah does not hold any of the roles lead_safeguarding_partner, "
         "delegated_safeguarding_partner for somerset-county-council", "case.notify",
         "priya-shah", "2019-09-09", **c, local_authority_id=SCC, children=["Child A"],
         became_aware_on="2019-09-04", summary="s")
    s.no(InvalidInputError, "is not a pseudonym", "case.notify", "sam-hughes", "2019-09-09",
         **c, local_authority_id=SCC, children=["Jane Smith"], became_aware_on="2019-09-04",
         summary="s")
    notified = s.ok("IncidentNotified", "case.notify", "sam-hughes", "2019-09-09", **c,
                    local_authority_id=SCC, children=["Child A"], became_aware_on="2019-09-04",
                    summary="A serious incident.")
    assert notified["fields"]["deadline"]["due"] == "2019-09-11"
    assert notified["fields"]["panel_id"] == "cspr-panel"
    s.no(RefusedError, "already exists", "case.notify", "sam-hughes", "2019-09-10", **c,
         local_authority_id=SCC, children=["Child B"], became_aware_on="2019-09-04", summary="s")
    s.no(RefusedError, "ofsted is not a safeguarding partner", "case.inform-partners",
         "sam-hughes", "2019-09-10", **c, partners=[POLICE, "ofsted"])
    s.ok("PartnersInformed", "case.inform-partners", "sam-hughes", "2019-09-10", **c,
         partners=[POLICE, CCG])
    s.no(RefusedError, "became aware between", "case.rapid-review-start", BU, "2019-09-12", **c,
         partners_aware_on="2019-09-01")
    started = s.ok("RapidReviewStarted", "case.rapid-review-start", BU, "2019-09-12", **c,
                   partners_aware_on="2019-09-10")
    assert started["fields"]["deadline"]["rule_id"] == "rapid-review"
    s.no(RefusedError, "does not hold any of the roles business_unit", "case.rapid-review-complete",
         SCRUTINEER, "2019-09-30", **c, facts="f", immediate_action="i",
         potential_improvements="p", next_steps="n", recommendation="local_cspr")
    s.ok("RapidReviewCompleted", "case.rapid-review-complete", BU, "2019-09-30", **c, facts="f",
         immediate_action="i", potential_improvements="p", next_steps="n",
         recommendation="local_cspr")
    s.no(RefusedError, "cites the criteria", "case.decide", CHAIR, "2019-10-07", **c,
         decision="local_cspr", reasons="r", partners=[SCC, POLICE, CCG])
    decided = s.ok("ReviewDecided", "case.decide", CHAIR, "2019-10-07", **c,
                   decision="local_cspr", criteria=["improvements_needed"], reasons="r",
                   partners=[SCC, POLICE, CCG])
    assert decided["fields"]["publication_deadline"]["due"] == "2020-04-07"
    s.no(RefusedError, "sam-hughes does not hold any of the roles lead_safeguarding_partner "
         "for bathnes-council", "case.sign-decision", "sam-hughes", "2019-10-08", **c,
         organisation_id="bathnes-council")
    for lead in ("sam-hughes", "priya-shah", "owen-reed"):
        s.ok("DecisionSignedOff", "case.sign-decision", lead, "2019-10-08", **c)
    s.no(RefusedError, "kate-mills does not hold any of the roles lead_safeguarding_partner",
         "case.sign-decision", "kate-mills", "2019-10-08", **c)
    s.ok("PanelResponded", "case.panel-response", BU, "2019-10-14", **c, response="agrees",
         comments="Agreed.")
    s.no(RefusedError, "already recorded", "case.panel-response", BU, "2019-10-14", **c,
         response="agrees", comments="Again.")
    s.no(RefusedError, "no review has been commissioned", "case.progress", BU, "2019-10-14",
         **c, status="on_track", note="n")
    s.ok("ReviewCommissioned", "case.commission", CHAIR, "2019-10-21", **c, reviewer="Reviewer",
         scope="s", terms="t")
    s.no(RefusedError, "already commissioned", "case.commission", CHAIR, "2019-10-22", **c,
         reviewer="r", scope="s", terms="t")
    s.ok("ReviewProgressMonitored", "case.progress", SCRUTINEER, "2019-12-02", **c,
         status="on_track", note="n")
    s.no(RefusedError, "no draft of the report", "case.sign-off", CHAIR, "2019-12-02", **c)
    s.ok("ReviewDraftReceived", "case.draft-received", BU, "2020-02-03", **c, draft="v1")
    s.no(RefusedError, "already received", "case.draft-received", BU, "2020-02-04", **c,
         draft="v1")
    s.ok("ReviewReportSignedOff", "case.sign-off", CHAIR, "2020-02-10", **c)
    s.no(RefusedError, "expected publication date must be after", "case.delay", CHAIR,
         "2020-02-11", **c, reason="criminal_proceedings", details="Trial", expected_on="2020-02-11")
    s.ok("PublicationDelayed", "case.delay", CHAIR, "2020-02-11", **c,
         reason="criminal_proceedings", details="Trial pending.", expected_on="2020-06-30")
    s.no(RefusedError, "none have been sent", "case.publish", BU, "2020-06-30", **c,
         location="https://example.org/cspr")
    s.no(RefusedError, "at least 7 working days before the planned publication", "case.send-copies",
         BU, "2020-06-25", **c, planned_publication="2020-06-30")
    copies = s.ok("CopiesSentBeforePublication", "case.send-copies", BU, "2020-06-15", **c,
                  planned_publication="2020-06-30")
    assert [r["organisation_id"] for r in copies["fields"]["recipients"]] == ["cspr-panel", "dfe"]
    s.no(RefusedError, "can be published from 2020-06-24", "case.publish", BU, "2020-06-23", **c,
         location="l")
    s.no(RefusedError, "needs the reasons", "case.publish", BU, "2020-06-30", **c,
         mode="improvements_only", location="l")
    s.ok("ReviewPublished", "case.publish", BU, "2020-06-30", **c, location="https://e.org/c")
    s.no(NotFoundError, "no organisation with id 'somerset-nhs-ft'", "case.recommend", CHAIR,
         "2020-07-01", **c, recommendation_id="R1", text="t", owner_id="somerset-nhs-ft",
         action="a")
    s.ok("RecommendationAgreed", "case.recommend", CHAIR, "2020-07-01", **c,
         recommendation_id="R1", text="Share referrals.", owner_id=SCC, action="Revise protocol.",
         due_on="2020-12-31")
    s.no(RefusedError, "recommendation R2 of SSCP-2019-01 is not agreed", "case.close-action", BU,
         "2020-12-14", **c, recommendation_id="R2", outcome="o")
    s.ok("RecommendationClosed", "case.close-action", BU, "2020-12-14", **c,
         recommendation_id="R1", outcome="Protocol revised.")


def test_audit_acts(steps: Steps) -> None:
    s = steps
    a = {"audit_id": "S11-2019"}
    s.no(RefusedError, "does not hold any of the roles business_unit, partnership_chair",
         "audit.plan", SCRUTINEER, "2019-10-01", **a, kind="section_11", title="t",
         agencies=[SCC])
    s.ok("AuditPlanned", "audit.plan", BU, "2019-10-01", **a, kind="section_11",
         title="Section 11 audit 2019", agencies=[SCC, POLICE, "nps-south-west"])
    s.no(RefusedError, r"sam-hughes does not hold any of the roles business_unit, "
         r"lead_safeguarding_partner, delegated_safeguarding_partner \(lead_safeguarding_partner, "
         r"delegated_safeguarding_partner for avon-and-somerset-constabulary\)",
         "audit.return", "sam-hughes", "2019-11-15", **a, organisation_id=POLICE,
         self_ratings={"S1": "green"})
    s.ok("AgencyReturnSubmitted", "audit.return", "sam-hughes", "2019-11-15", **a,
         organisation_id=SCC, self_ratings={"S1": "green", "S2": "amber"})
    s.no(RefusedError, "has not submitted its return", "audit.peer-challenge", "daniel-okafor",
         "2019-12-04", **a, organisation_id="nps-south-west", challengers=[SCC], notes="n")
    s.ok("PeerChallengeHeld", "audit.peer-challenge", "daniel-okafor", "2019-12-04", **a,
         organisation_id=SCC, challengers=[POLICE], notes="Evidence seen.")
    s.no(RefusedError, "did not rate standard 'S7'", "audit.moderate-rating", "daniel-okafor",
         "2019-12-04", **a, organisation_id=SCC, standard="S7", rating="green", reason="r")
    s.ok("RatingModerated", "audit.moderate-rating", "daniel-okafor", "2019-12-04", **a,
         organisation_id=SCC, standard="S2", rating="green", reason="Evidence seen.")
    s.no(RefusedError, "has no findings yet", "audit.complete", CHAIR, "2019-12-05", **a,
         summary="s")
    s.ok("AuditFindingRecorded", "audit.finding", "daniel-okafor", "2019-12-10", **a,
         finding_id="F1", text="Supervision varies.", organisation_id=SCC)
    s.no(RefusedError, "kate-mills does not hold any of the roles business_unit, "
         "partnership_chair, lead_safeguarding_partner", "audit.agree-action", "kate-mills",
         "2019-12-16", **a, action_id="A1", text="t", owner_id=SCC)
    s.ok("AuditActionAgreed", "audit.agree-action", CHAIR, "2019-12-16", **a, action_id="A1",
         text="Common standard.", owner_id=SCC, due_on="2020-03-31")
    s.ok("AuditCompleted", "audit.complete", CHAIR, "2020-01-15", **a, summary="Adequate.")
    s.no(RefusedError, "it was completed on 2020-01-15", "audit.finding", "daniel-okafor",
         "2020-01-16", **a, finding_id="F2", text="t")
    s.ok("AuditActionClosed", "audit.close-action", BU, "2020-03-30", **a, action_id="A1",
         outcome="Adopted.")
    s.no(RefusedError, "already closed", "audit.close-action", BU, "2020-03-31", **a,
         action_id="A1", outcome="o")
    s.no(RefusedError, "covers education providers", "audit.plan", BU, "2020-01-13",
         audit_id="S175-2020", kind="section_157_175", title="t", agencies=[SCC])


def test_yearly_report_acts(steps: Steps) -> None:
    s = steps
    r = {"report_id": "2019-20"}
    s.ok("ReportPeriodOpened", "report.open", BU, "2020-04-01", **r, period_start="2019-09-29",
         period_end="2020-03-31")
    s.no(RefusedError, "ends after it starts", "report.open", BU, "2020-04-01",
         report_id="2020-21", period_start="2021-03-31", period_end="2020-04-01")
    s.ok("ReportDrafted", "report.draft", BU, "2020-08-03", **r, draft="v1")
    s.no(RefusedError, "ruth-evans does not hold any of the roles independent_scrutineer",
         "report.scrutinise", CHAIR, "2020-08-24", **r, conclusions="c")
    s.ok("ReportScrutinised", "report.scrutinise", SCRUTINEER, "2020-08-24", **r,
         conclusions="Fair.", findings=["More impact."])
    s.no(RefusedError, "is published once signed off", "report.publish", BU, "2020-09-01", **r,
         location="l")
    s.no(RefusedError, "jane-porter does not hold any of the roles lead_safeguarding_partner, "
         "partnership_chair", "report.sign-off", BU, "2020-09-07", **r)
    signed = s.ok("YearlyReportSignedOff", "report.sign-off", "sam-hughes", "2020-09-07", **r)
    s.no(RefusedError, "somerset-county-council has already signed off 2019-20",
         "report.sign-off", "sam-hughes", "2020-09-07", **r)
    s.no(RefusedError, "already signed off; no further drafts", "report.draft", BU,
         "2020-09-07", **r, draft="v2")
    assert signed["fields"]["organisation_id"] == SCC
    assert signed["fields"]["edition"] == "WT2018"
    s.ok("YearlyReportSignedOff", "report.sign-off", CHAIR, "2020-09-07", **r)
    s.no(RefusedError, "is sent once published", "report.send", BU, "2020-09-08", **r,
         recipient="practice_review_panel")
    published = s.ok("YearlyReportPublished", "report.publish", BU, "2020-09-28", **r,
                     location="https://example.org/2019-20")
    assert published["fields"]["copies_deadline"]["due"] == "2020-10-05"
    sent = s.ok("YearlyReportSent", "report.send", BU, "2020-10-02", **r,
                recipient="what_works_centre")
    assert sent["fields"]["recipient"]["organisation_id"] == "what-works-centre"
    s.no(RefusedError, "already sent", "report.send", BU, "2020-10-03", **r,
         recipient="what_works_centre")
    s.ok("ReportPresented", "report.present", CHAIR, "2020-10-08", **r, board_id="somerset-hwb")
    s.no(RefusedError, "ofsted is not a local board", "report.present", CHAIR, "2020-10-09",
         **r, board_id="ofsted")


def test_the_what_works_centre_is_resolved_to_foundations_from_2023_06_06(steps: Steps) -> None:
    s = steps
    r = {"report_id": "2022-23"}
    s.ok("OrganisationRegistered", "org.register", BU, "2023-06-06", organisation_id="foundations",
         name="Foundations", kind="national_body")
    s.ok("OrganisationSucceeded", "org.succeed", BU, "2023-06-06",
         organisation_id="what-works-centre", successor_id="foundations")
    for event, act, actor, on, fields in [
        ("ReportPeriodOpened", "report.open", BU, "2023-04-03",
         {"period_start": "2022-04-01", "period_end": "2023-03-31"}),
        ("ReportDrafted", "report.draft", BU, "2023-05-22", {"draft": "v1"}),
        ("ReportScrutinised", "report.scrutinise", SCRUTINEER, "2023-05-23",
         {"conclusions": "Good."}),
        ("YearlyReportSignedOff", "report.sign-off", CHAIR, "2023-05-24", {}),
        ("YearlyReportPublished", "report.publish", BU, "2023-06-01", {"location": "l"}),
    ]:
        s.ok(event, act, actor, on, **r, **fields)
    before = s.ok("YearlyReportSent", "report.send", BU, "2023-06-05", **r,
                  recipient="what_works_centre")
    assert before["fields"]["recipient"]["organisation_id"] == "what-works-centre"
    assert before["fields"]["recipient"]["name"] == "What Works Centre for Children's Social Care"
    r2 = {"report_id": "2022-23b"}
    for event, act, actor, on, fields in [
        ("ReportPeriodOpened", "report.open", BU, "2023-06-05",
         {"period_start": "2022-04-01", "period_end": "2023-03-31"}),
        ("ReportDrafted", "report.draft", BU, "2023-06-05", {"draft": "v1"}),
        ("ReportScrutinised", "report.scrutinise", SCRUTINEER, "2023-06-05",
         {"conclusions": "Good."}),
        ("YearlyReportSignedOff", "report.sign-off", CHAIR, "2023-06-05", {}),
        ("YearlyReportPublished", "report.publish", BU, "2023-06-05", {"location": "l"}),
    ]:
        s.ok(event, act, actor, on, **r2, **fields)
    after = s.ok("YearlyReportSent", "report.send", BU, "2023-06-06", **r2,
                 recipient="what_works_centre")
    assert after["fields"]["recipient"]["organisation_id"] == "foundations"


def test_inspection_acts(steps: Steps) -> None:
    s = steps
    i = {"inspection_id": "JTAI-2020-01"}
    s.no(RefusedError, r"anna-clarke does not hold any of the roles inspector, business_unit "
         r"\(inspector for cqc\)", "inspection.announce", "anna-clarke", "2020-02-24",
         inspection_id="CQC-2020-01", kind="cqc", inspectorates=["cqc"], theme="t",
         starts_on="2020-03-02")
    s.ok("InspectionAnnounced", "inspection.announce", BU, "2020-02-24", **i, kind="jtai",
         inspectorates=["ofsted", "cqc"], theme="Mental health", starts_on="2020-03-02")
    s.no(RefusedError, "findings follow", "inspection.findings", "anna-clarke", "2020-02-28",
         **i, findings=["f"])
    s.ok("InspectionFindingsRecorded", "inspection.findings", "anna-clarke", "2020-03-06", **i,
         findings=["Strong leadership."])
    s.no(RefusedError, "not graded", "inspection.publish", "anna-clarke", "2020-05-05", **i,
         judgement="good", location="l")
    s.ok("InspectionReportPublished", "inspection.publish", "anna-clarke", "2020-05-05", **i,
         judgement="not_graded", location="https://example.org/jtai")
    s.no(RefusedError, "jane-porter does not hold any of the roles lead_safeguarding_partner",
         "inspection.action-plan", BU, "2020-06-01", **i, actions=["a"], owners=[SCC])
    s.ok("InspectionActionPlanAgreed", "inspection.action-plan", CHAIR, "2020-06-01", **i,
         actions=["Reduce waits."], owners=[SCC, CCG])


def test_regional_acts_and_the_moderation_conflict(steps: Steps) -> None:
    s = steps
    s.no(RefusedError, "dorset-council is not a regional partner", "regional.terms", CHAIR,
         "2019-11-01", terms_id="TOR-2019-01", parties=["dorset-council"], scope=["look_and_see"],
         contract_ref="c", summary="s")
    s.ok("TermsOfReferenceAgreed", "regional.terms", CHAIR, "2019-11-01", terms_id="TOR-2019-01",
         parties=["bristol-city-council"], scope=["section_11_peer_challenge"],
         contract_ref="ASC-REG-2019-07", summary="Reciprocal scrutiny.", until="2021-03-31")
    s.no(RefusedError, "helen-morgan does not hold any of the roles independent_scrutineer in "
         "the regional pool", "regional.activity", SCRUTINEER, "2020-01-22",
         activity_id="RACT-2020-01", terms_id="TOR-2019-01",
         regional_partner_id="bristol-city-council", kind="section_11_peer_challenge", title="t")
    s.no(RefusedError, "outside the scope", "regional.activity", "grace-patel", "2020-01-22",
         activity_id="RACT-2020-01", terms_id="TOR-2019-01",
         regional_partner_id="bristol-city-council", kind="look_and_see", title="t")
    s.ok("RegionalScrutinyActivityHeld", "regional.activity", "grace-patel", "2020-01-22",
         activity_id="RACT-2020-01", terms_id="TOR-2019-01",
         regional_partner_id="bristol-city-council", kind="section_11_peer_challenge",
         title="External challenge of Section 11 returns")
    s.ok("InterestDeclared", "person.declare-interest", "tom-baker", "2020-02-03",
         person_id="tom-baker", organisation_id="bristol-city-council", nature="contract")
    moderation = {"moderation_id": "MOD-2020-01", "scrutineer_id": "grace-patel",
                  "partnership_id": "sscp", "sample": ["RACT-2020-01"], "outcome": "assured"}
    s.no(RefusedError, "tom-baker is not independent of grace-patel's scrutiny of sscp on "
         "2020-03-10: declared a contract interest in bristol-city-council", "regional.moderate",
         "tom-baker", "2020-03-10", **moderation)
    s.no(RefusedError, "does not hold any of the roles moderator", "regional.moderate", BU,
         "2020-03-10", **moderation)
    s.ok("InterestEnded", "person.end-interest", "tom-baker", "2020-03-09",
         person_id="tom-baker", organisation_id="bristol-city-council")
    s.ok("ModerationCompleted", "regional.moderate", "tom-baker", "2020-03-10", **moderation)


def test_corrections_name_the_entry_they_correct(steps: Steps) -> None:
    s = steps
    held = s.ok("ScrutinyActivityHeld", "activity.record", "daniel-okafor", "2019-10-21",
                activity_id="ACT-2019-03", kind="quality_and_performance", title="Attended Q&P")
    fixed = s.ok("EventCorrected", "correct.event", "daniel-okafor", "2019-10-22",
                 stream_id=held["stream_id"], version=1, values={"title": "Chaired Q&P"},
                 reason="The scrutineer chaired it.")
    assert fixed["stream_id"] == "correction:activity:ACT-2019-03@1"
    assert fixed["fields"]["previous_values"] == {"title": "Attended Q&P"}
    by_position = s.ok("EventCorrected", "correct.event", BU, "2019-10-23",
                       position=held["position"], values={"findings": ["Minutes agreed."]},
                       reason="Finding left out.")
    assert by_position["fields"]["target_position"] == held["position"]
    s.no(RefusedError, r"did not record the entry \(daniel-okafor did\)", "correct.event",
         SCRUTINEER, "2019-10-23", stream_id=held["stream_id"], version=1,
         values={"title": "x"}, reason="r")
    s.no(NotFoundError, "no entry activity:ACT-2019-03 version 9", "correct.event", BU,
         "2019-10-23", stream_id=held["stream_id"], version=9, values={"title": "x"}, reason="r")
    s.no(InvalidInputError, "either by stream id and version or by position", "correct.event",
         BU, "2019-10-23", stream_id=held["stream_id"], version=1, position=3,
         values={"title": "x"}, reason="r")
    s.no(RefusedError, "cannot itself be corrected", "correct.event", BU, "2019-10-24",
         stream_id=fixed["stream_id"], version=1, values={"reason": "x"}, reason="r")
