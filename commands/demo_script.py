"""The demo's content: Somerset's partnership in 2019-2020 (and the changes since).

Each act is a plain dict in the format of an import line (``act``, ``as``,
``on`` and the act's fields), so the same script can be recorded by the demo
or written out as a JSONL file for ``scrutiny import``. People are
fictional professionals; children appear only as pseudonyms.
"""

from __future__ import annotations

from typing import Any

BU = "jane-porter"
SCC = "somerset-county-council"
POLICE = "avon-and-somerset-constabulary"
CCG = "somerset-ccg"
ICB = "nhs-somerset-icb"
SSCP = "sscp"
PARTNERS = [SCC, POLICE, CCG]
CASE_1 = "SSCP-2019-01"
CASE_2 = "SSCP-2020-02"
DISTRICTS = [
    ("mendip-district-council", "Mendip District Council"),
    ("sedgemoor-district-council", "Sedgemoor District Council"),
    ("somerset-west-and-taunton-council", "Somerset West and Taunton Council"),
    ("south-somerset-district-council", "South Somerset District Council"),
]

Act = dict[str, Any]


def act(act_name: str, actor: str, on: str, /, **fields: Any) -> Act:
    return {"act": act_name, "as": actor, "on": on, **fields}


def org(on: str, key: str, name: str, kind: str, **extra: Any) -> Act:
    return act("org.register", BU, on, organisation_id=key, name=name, kind=kind, **extra)


def appoint(on: str, key: str, name: str, role: str, organisation: str, **extra: Any) -> Act:
    return act("person.appoint", BU, on, person_id=key, display_name=name, role=role,
               organisation_id=organisation, **extra)


def set_up() -> list[Act]:
    """The partnership, its partners and agencies, the bodies it reports to, its people."""
    return [
        org("2019-06-03", SSCP, "Somerset Safeguarding Children Partnership", "local_body"),
        org("2019-06-03", SCC, "Somerset County Council", "safeguarding_partner",
            statutory_role="local_authority"),
        org("2019-06-03", POLICE, "Avon and Somerset Constabulary", "safeguarding_partner",
            statutory_role="police"),
        org("2019-06-03", CCG, "Somerset Clinical Commissioning Group", "safeguarding_partner",
            statutory_role="health"),
        appoint("2019-06-03", BU, "Jane Porter", "business_unit", SSCP),
        *[org("2019-06-10", key, name, "relevant_agency") for key, name in DISTRICTS],
        org("2019-06-10", "levels-and-moors-learning-trust", "Levels and Moors Learning Trust",
            "relevant_agency"),
        org("2019-06-10", "bridgwater-and-taunton-college", "Bridgwater and Taunton College",
            "relevant_agency"),
        org("2019-06-10", "nps-south-west", "National Probation Service (South West)",
            "relevant_agency"),
        org("2019-06-10", "taunton-and-somerset-nhs-ft", "Taunton and Somerset NHS Foundation "
            "Trust", "relevant_agency"),
        org("2019-06-10", "somerset-hwb", "Somerset Health and Wellbeing Board", "local_body"),
        org("2019-06-10", "scc-scrutiny-children", "Children and Families Scrutiny Committee",
            "local_body"),
        org("2019-06-10", "avon-and-somerset-pcc", "Avon and Somerset Police and Crime "
            "Commissioner", "local_body"),
        org("2019-06-10", "somerset-stp", "Somerset Sustainability and Transformation "
            "Partnership", "local_body"),
        org("2019-06-10", "somerset-cdop", "Somerset Child Death Overview Panel", "local_body"),
        org("2019-06-10", "ofsted", "Ofsted", "regulator"),
        org("2019-06-10", "cqc", "Care Quality Commission", "regulator"),
        org("2019-06-10", "hmicfrs", "HM Inspectorate of Constabulary and Fire & Rescue "
            "Services", "regulator"),
        org("2019-06-10", "hmi-probation", "HM Inspectorate of Probation", "regulator"),
        org("2019-06-10", "cspr-panel", "Child Safeguarding Practice Review Panel",
            "national_body", national_role="practice_review_panel"),
        org("2019-06-10", "dfe", "Secretary of State for Education (DfE)", "national_body",
            national_role="secretary_of_state"),
        org("2019-06-10", "what-works-centre", "What Works Centre for Children's Social Care",
            "national_body", national_role="what_works_centre"),
        org("2019-06-10", "bristol-city-council", "Bristol City Council", "regional_partner"),
        org("2019-06-10", "north-somerset-council", "North Somerset Council", "regional_partner"),
        org("2019-06-10", "south-gloucestershire-council", "South Gloucestershire Council",
            "regional_partner"),
        org("2019-06-10", "bathnes-council", "Bath and North East Somerset Council",
            "regional_partner"),
        org("2019-06-10", "dorset-council", "Dorset Council", "independent_body"),
        appoint("2019-06-10", "sam-hughes", "Sam Hughes", "lead_safeguarding_partner", SCC),
        appoint("2019-06-10", "priya-shah", "Priya Shah", "lead_safeguarding_partner", POLICE),
        appoint("2019-06-10", "owen-reed", "Owen Reed", "lead_safeguarding_partner", CCG),
        appoint("2019-06-10", "kate-mills", "Kate Mills", "delegated_safeguarding_partner", CCG),
        appoint("2019-06-10", "anna-clarke", "Anna Clarke", "inspector", "ofsted"),
        appoint("2019-09-02", "ruth-evans", "Ruth Evans", "partnership_chair", SSCP),
        appoint("2019-09-02", "helen-morgan", "Dr Helen Morgan", "independent_scrutineer", SSCP),
        appoint("2019-09-02", "daniel-okafor", "Daniel Okafor", "independent_scrutineer", SSCP),
        act("person.declare-interest", "helen-morgan", "2019-09-02", person_id="helen-morgan",
            organisation_id="levels-and-moors-learning-trust", nature="governance",
            description="Trustee"),
        appoint("2019-11-01", "grace-patel", "Grace Patel", "independent_scrutineer",
                "bristol-city-council", pool="regional"),
        appoint("2020-01-06", "tom-baker", "Tom Baker", "moderator", "dorset-council"),
        act("person.declare-interest", "tom-baker", "2020-01-06", person_id="tom-baker",
            organisation_id="south-gloucestershire-council", nature="contract",
            description="Commissioned reviews 2018-19"),
    ]


def first_case() -> list[Act]:
    """A serious incident that became a local CSPR, after a challenge to the threshold."""
    c = {"case_id": CASE_1}
    return [
        act("case.notify", "sam-hughes", "2019-09-09", **c, local_authority_id=SCC,
            children=["Child A"], became_aware_on="2019-09-04",
            summary="Serious injury to a child known to early help; referral information "
                    "was not shared at the front door."),
        act("case.inform-partners", "sam-hughes", "2019-09-10", **c, partners=[POLICE, CCG]),
        act("case.rapid-review-start", BU, "2019-09-12", **c, partners_aware_on="2019-09-10"),
        act("case.rapid-review-complete", BU, "2019-09-30", **c,
            facts="Three agencies held information that was not brought together.",
            immediate_action="Safety plan in place; learning note to front-door staff.",
            potential_improvements="Information sharing at the point of referral.",
            next_steps="The Executive to decide whether a local review is needed.",
            recommendation="no_review"),
    ]


def first_case_review() -> list[Act]:
    c = {"case_id": CASE_1}
    return [
        act("case.decide", "ruth-evans", "2019-11-25", **c, decision="local_cspr",
            criteria=["improvements_needed", "multi_agency_concerns"],
            reasons="After the independent scrutineer's challenge: the information-sharing "
                    "findings raise issues of importance to Somerset.",
            partners=PARTNERS),
        act("case.sign-decision", "sam-hughes", "2019-11-26", **c),
        act("case.sign-decision", "priya-shah", "2019-11-27", **c),
        act("case.sign-decision", "owen-reed", "2019-11-28", **c),
        act("case.panel-response", BU, "2019-12-02", **c, response="agrees",
            comments="The Panel agrees that a local review is appropriate."),
        act("case.commission", "ruth-evans", "2019-12-09", **c, reviewer="Independent "
            "reviewer (commissioned through the regional framework)",
            scope="Information sharing at the point of referral, March to August 2019.",
            terms="Systems methodology; report to the Executive within six months."),
        act("activity.record", "helen-morgan", "2020-01-20", activity_id="ACT-2020-03",
            kind="cspr_scrutiny", title="Scrutiny of the terms of the local CSPR", **c),
        act("case.progress", BU, "2020-02-03", **c, status="on_track",
            note="Practitioner events held."),
        act("case.progress", "helen-morgan", "2020-04-06", **c, status="at_risk",
            note="Practitioner interviews paused by the first lockdown."),
        act("case.delay", "ruth-evans", "2020-05-11", **c, reason="criminal_proceedings",
            details="The police have asked that publication wait for the criminal trial.",
            expected_on="2020-09-30"),
        act("case.draft-received", BU, "2020-06-15", **c, draft="v1"),
        act("case.draft-received", BU, "2020-07-20", **c, draft="v2"),
        act("case.sign-off", "ruth-evans", "2020-07-27", **c, note="Signed off by the Executive."),
        act("case.send-copies", BU, "2020-09-14", **c, planned_publication="2020-09-30"),
        act("case.publish", BU, "2020-09-30", **c, mode="full",
            location="https://sscp.example.org/cspr/SSCP-2019-01"),
        act("case.recommend", "ruth-evans", "2020-10-05", **c, recommendation_id="R1",
            text="Partners share referral information within one working day.", owner_id=SCC,
            action="Revise the front-door information-sharing protocol.", due_on="2020-12-31"),
        act("case.recommend", "ruth-evans", "2020-10-05", **c, recommendation_id="R2",
            text="Health visitors join strategy discussions for children under one.",
            owner_id=CCG, action="Amend the strategy discussion standard.",
            due_on="2021-03-31"),
        act("case.close-action", BU, "2020-12-14", **c, recommendation_id="R1",
            outcome="Protocol revised and reissued."),
    ]


def second_case() -> list[Act]:
    """A serious incident referred to the Panel for a national review."""
    c = {"case_id": CASE_2}
    return [
        act("case.notify", "sam-hughes", "2020-05-11", **c, local_authority_id=SCC,
            children=["Child B", "Child C"], became_aware_on="2020-05-05",
            summary="Two siblings harmed during lockdown; neither was seen by professionals "
                    "for eight weeks."),
        act("case.inform-partners", "sam-hughes", "2020-05-12", **c, partners=[POLICE, CCG]),
        act("case.rapid-review-start", BU, "2020-05-13", **c, partners_aware_on="2020-05-12"),
        act("case.rapid-review-complete", BU, "2020-06-01", **c,
            facts="Contact moved to telephone; no agency saw the children.",
            immediate_action="Visiting guidance for vulnerable children reissued.",
            potential_improvements="Seeing children during national restrictions.",
            next_steps="Refer to the Panel: the issues are of national importance.",
            recommendation="national_review"),
        act("case.decide", "priya-shah", "2020-06-08", **c, decision="national_referral",
            reasons="National learning on children unseen during restrictions.",
            partners=PARTNERS),
        act("case.sign-decision", "sam-hughes", "2020-06-09", **c),
        act("case.sign-decision", "priya-shah", "2020-06-09", **c),
        act("case.sign-decision", "maria-lopez", "2020-06-10", **c),
        act("case.panel-response", BU, "2020-06-22", **c, response="national_review",
            comments="The Panel will include the case in its national review."),
    ]


def challenges() -> list[Act]:
    cspr, front_door, dataset = "CH-2019-0c5a01", "CH-2020-3d9f03", "CH-2020-5a2c04"
    report, neglect, risk = "CH-2020-1b7e02", "CH-2020-7e4b05", "CH-2020-9c1d06"
    return [
        act("challenge.raise", "helen-morgan", "2019-10-14", challenge_id=cspr,
            to_partners=PARTNERS, tier=1, respond_within_working_days=10, case_ref=CASE_1,
            subject="Challenge to the Executive's view that the rapid review of SSCP-2019-01 "
                    "does not meet the criteria for a local CSPR."),
        act("challenge.respond", "sam-hughes", "2019-10-24", challenge_id=cspr,
            response="The local authority proposes a thematic learning review instead."),
        act("challenge.escalate", "helen-morgan", "2019-11-04", challenge_id=cspr,
            to="executive", reason="Police and health have not responded by the due date."),
        act("challenge.respond", "priya-shah", "2019-11-18", challenge_id=cspr,
            response="The constabulary supports a review limited to information sharing."),
        act("challenge.resolve", "ruth-evans", "2019-11-21", challenge_id=cspr,
            outcome="partly_accepted",
            agreed_actions=["Decide on a local CSPR of SSCP-2019-01 limited to information "
                            "sharing.", "Restate the criteria for a local review."]),
        act("challenge.raise", "helen-morgan", "2020-02-10", challenge_id=front_door,
            to_partners=[SCC, POLICE], tier=3, respond_within_working_days=10,
            subject="After a look-and-see visit: police referrals wait up to five working days "
                    "for a strategy discussion."),
        act("challenge.respond", "priya-shah", "2020-02-21", challenge_id=front_door,
            response="A police supervisor will join the daily front-door meeting."),
        act("challenge.escalate", "helen-morgan", "2020-03-02", challenge_id=front_door,
            to="executive", reason="The local authority has not responded."),
        act("challenge.respond", "sam-hughes", "2020-03-16", challenge_id=front_door,
            response="Front-door staffing is being reviewed."),
        act("challenge.raise", "ruth-evans", "2020-03-02", challenge_id=dataset,
            to_partners=[CCG], tier=2, respond_within_working_days=15,
            subject="The health dataset has not reached the Quality and Performance group."),
        act("challenge.withdraw", "ruth-evans", "2020-03-23", challenge_id=dataset,
            reason="Superseded: reporting paused for the first lockdown."),
        act("challenge.escalate", "helen-morgan", "2020-04-20", challenge_id=front_door,
            to="disagreement_resolution",
            reason="The Executive could not agree the threshold for police referrals."),
        act("challenge.raise", "daniel-okafor", "2020-09-21", challenge_id=report,
            to_partners=PARTNERS, tier=2, respond_within_working_days=15,
            subject="The draft yearly report 2019-20 gives little evidence of impact."),
        act("challenge.respond", "kate-mills", "2020-10-05", challenge_id=report,
            response="Health partners will add outcome measures."),
        act("challenge.raise", "daniel-okafor", "2020-11-16", challenge_id=neglect,
            to_partners=[CCG, SCC], tier=3, respond_within_working_days=10,
            subject="Practitioners do not know the neglect strategy and toolkit."),
        act("challenge.raise", "helen-morgan", "2020-12-07", challenge_id=risk,
            to_partners=[POLICE, SCC], tier=1, respond_within_working_days=10,
            subject="The risk register has no entry on the fall in referrals from schools."),
        *mistaken_challenge(),
    ]


def mistaken_challenge() -> list[Act]:
    """A challenge written with a child's details by mistake, withdrawn and erased."""
    mistaken = "CH-2020-6e0f07"
    return [
        act("challenge.raise", "helen-morgan", "2020-06-15", challenge_id=mistaken,
            to_partners=[SCC], tier=3, respond_within_working_days=10,
            subject="Child D, aged 9, of Yeovil waited eleven days for a strategy discussion "
                    "after the school's referral."),
        act("challenge.withdraw", "helen-morgan", "2020-06-16", challenge_id=mistaken,
            reason="It names a child; to be raised again in general terms."),
        act("subject.erase", BU, "2020-06-17", subject_id=f"challenge:{mistaken}",
            reason="Identified a child; erased on the data protection officer's advice "
                   "(UK GDPR Art 17)."),
    ]


def activities() -> list[Act]:
    """Independent scrutiny at every tier, of every kind."""
    rows = [
        ("ACT-2019-01", "helen-morgan", "2019-09-16", "executive_attendance",
         "Executive Group: challenge on the rapid review process", [SCC, POLICE, CCG]),
        ("ACT-2019-02", "helen-morgan", "2019-10-07", "cspr_decision_making",
         "Executive decision on the rapid review of SSCP-2019-01", []),
        ("ACT-2019-03", "daniel-okafor", "2019-10-21", "quality_and_performance",
         "Chaired the Quality and Performance group", []),
        ("ACT-2019-04", "daniel-okafor", "2019-11-11", "practitioner_contact",
         "Conversations with health visitors in Yeovil", [CCG]),
        ("ACT-2019-05", "helen-morgan", "2019-12-02", "section_11_peer_challenge",
         "Section 11 peer challenge session", ["nps-south-west"]),
        ("ACT-2020-01", "helen-morgan", "2020-01-13", "risk_management",
         "Review of the Executive risk register", []),
        ("ACT-2020-02", "helen-morgan", "2020-02-05", "look_and_see",
         "Look-and-see visit to the front door", [SCC, POLICE]),
        ("ACT-2020-04", "daniel-okafor", "2020-02-26", "children_and_families_contact",
         "Listening event with the youth forum", []),
        ("ACT-2020-05", "daniel-okafor", "2020-03-09", "critical_friend",
         "Critical friend at the partnership's development day", []),
        ("ACT-2020-06", "helen-morgan", "2020-04-27", "disagreement_resolution",
         "Disagreement resolution meeting on front-door thresholds", [SCC, POLICE]),
        ("ACT-2020-07", "daniel-okafor", "2020-06-29", "safeguarding_conversation",
         "Safeguarding conversations with school leads (virtual)", []),
        ("ACT-2020-08", "helen-morgan", "2020-07-13", "promoting_reflection",
         "Reflective session on learning from lockdown", []),
        ("ACT-2020-09", "daniel-okafor", "2020-08-24", "yearly_report_scrutiny",
         "Scrutiny of the draft yearly report 2019-20", []),
    ]
    return [
        act("activity.record", actor, on, activity_id=key, kind=kind, title=title,
            organisations=orgs, findings=[f"Findings recorded in the note of {key}."])
        for key, actor, on, kind, title, orgs in rows
    ]


def audits() -> list[Act]:
    s11 = {"audit_id": "S11-2019"}
    edu = {"audit_id": "S175-2020"}
    return [
        act("audit.plan", BU, "2019-10-01", **s11, kind="section_11",
            title="Section 11 audit 2019", agencies=[SCC, POLICE, CCG, "nps-south-west"]),
        act("audit.return", "sam-hughes", "2019-11-15", **s11, organisation_id=SCC,
            self_ratings={"S1": "green", "S2": "amber"}),
        act("audit.return", BU, "2019-11-15", **s11, organisation_id="nps-south-west",
            self_ratings={"S1": "amber", "S2": "red"}),
        act("audit.peer-challenge", "daniel-okafor", "2019-12-04", **s11,
            organisation_id="nps-south-west", challengers=[SCC, POLICE],
            notes="Supervision records support a better rating of S2."),
        act("audit.moderate-rating", "daniel-okafor", "2019-12-04", **s11,
            organisation_id="nps-south-west", standard="S2", rating="amber",
            reason="Evidence seen at peer challenge."),
        act("audit.finding", "daniel-okafor", "2019-12-10", **s11, finding_id="F1",
            text="Safeguarding supervision is inconsistent across agencies."),
        act("audit.agree-action", "ruth-evans", "2019-12-16", **s11, action_id="A1",
            text="Common supervision standard.", owner_id="nps-south-west",
            due_on="2020-03-31"),
        act("audit.complete", "ruth-evans", "2020-01-15", **s11,
            summary="Adequate assurance with one partnership action."),
        act("audit.close-action", BU, "2020-03-30", **s11, action_id="A1",
            outcome="Standard adopted by all agencies."),
        act("audit.plan", BU, "2020-01-13", **edu, kind="section_157_175",
            title="Section 175 audit of education providers",
            agencies=["levels-and-moors-learning-trust", "bridgwater-and-taunton-college"]),
        act("audit.plan", BU, "2020-02-03", audit_id="MA-2020-NEGLECT", kind="multi_agency",
            title="Multi-agency audit of neglect", agencies=[SCC, CCG]),
        act("audit.plan", BU, "2020-06-01", audit_id="TR-2020-LOCKDOWN", kind="thematic_review",
            title="Thematic review: children unseen in lockdown", agencies=[SCC, POLICE, CCG]),
        act("audit.plan", "ruth-evans", "2020-07-06", audit_id="LR-2020-01",
            kind="learning_review", title="Learning review: adolescent exploitation",
            agencies=[SCC, POLICE]),
        act("audit.plan", "ruth-evans", "2020-09-07", audit_id="PR-2020-01", kind="peer_review",
            title="Peer review of the front door with Bristol", agencies=[SCC, POLICE]),
    ]


def yearly_report() -> list[Act]:
    r = {"report_id": "2019-20"}
    return [
        act("report.open", BU, "2020-04-01", **r, period_start="2019-09-29",
            period_end="2020-03-31"),
        act("report.draft", BU, "2020-08-03", **r, draft="v1"),
        act("report.scrutinise", "helen-morgan", "2020-08-24", **r,
            conclusions="A fair account of activity; impact evidence is thin.",
            findings=["Add outcome measures.", "Include the voice of young people."]),
        act("report.sign-off", "ruth-evans", "2020-09-07", **r),
        act("report.publish", BU, "2020-09-28", **r,
            location="https://sscp.example.org/reports/2019-20"),
        act("report.send", BU, "2020-10-01", **r, recipient="practice_review_panel"),
        act("report.send", BU, "2020-10-02", **r, recipient="what_works_centre"),
        act("report.present", "ruth-evans", "2020-10-08", **r, board_id="somerset-hwb"),
        act("report.present", "sam-hughes", "2020-11-04", **r, board_id="scc-scrutiny-children"),
        act("report.present", "priya-shah", "2020-11-12", **r, board_id="avon-and-somerset-pcc"),
    ]


def inspections_and_region() -> list[Act]:
    j = {"inspection_id": "JTAI-2020-01"}
    return [
        act("regional.terms", "ruth-evans", "2019-11-01", terms_id="TOR-2019-01",
            parties=["bristol-city-council", "north-somerset-council",
                     "south-gloucestershire-council", "bathnes-council"],
            scope=["section_11_peer_challenge", "critical_friend", "look_and_see"],
            contract_ref="ASC-REG-2019-07", summary="Reciprocal scrutiny across the region.",
            until="2021-03-31"),
        act("regional.activity", "grace-patel", "2020-01-22", activity_id="RACT-2020-01",
            terms_id="TOR-2019-01", regional_partner_id="bristol-city-council",
            kind="section_11_peer_challenge", title="External challenge of Section 11 returns",
            findings=["Returns were well evidenced."]),
        act("regional.moderate", "tom-baker", "2020-03-10", moderation_id="MOD-2020-01",
            scrutineer_id="grace-patel", partnership_id=SSCP, sample=["RACT-2020-01"],
            outcome="assured_with_recommendations",
            findings=["Record the evidence sampled."]),
        act("activity.cdop-link", "helen-morgan", "2020-02-17", link_id="LINK-2020-01",
            cdop_id="somerset-cdop", theme="Safe sleep",
            learning="CDOP's safe-sleep findings echo the rapid review of SSCP-2019-01.",
            case_id=CASE_1),
        act("inspection.announce", BU, "2020-02-24", **j, kind="jtai",
            inspectorates=["ofsted", "cqc", "hmicfrs", "hmi-probation"],
            theme="The multi-agency response to children's mental health",
            starts_on="2020-03-02"),
        act("inspection.findings", "anna-clarke", "2020-03-06", **j,
            findings=["Strong strategic leadership.", "Waits for CAMHS assessment too long."]),
        act("inspection.publish", "anna-clarke", "2020-05-05", **j, judgement="not_graded",
            location="https://reports.example.org/jtai/somerset-2020"),
        act("inspection.action-plan", "ruth-evans", "2020-06-01", **j,
            actions=["Reduce CAMHS waits.", "Joint triage pilot."], owners=[CCG, SCC]),
        act("correct.event", BU, "2020-01-10", stream_id="activity:ACT-2019-03",
            version=1, values={"title": "Independent chair of the Quality and Performance "
                                        "group"},
            reason="The scrutineer chaired the group; the title did not say so."),
    ]


def changes() -> list[Act]:
    """People and organisations changing, 2020 to 2023."""
    return [
        org("2020-04-01", "somerset-nhs-ft", "Somerset NHS Foundation Trust", "relevant_agency"),
        act("org.succeed", BU, "2020-04-01", organisation_id="taunton-and-somerset-nhs-ft",
            successor_id="somerset-nhs-ft"),
        act("person.stand-down", BU, "2020-04-01", person_id="owen-reed",
            role="lead_safeguarding_partner"),
        appoint("2020-04-01", "maria-lopez", "Maria Lopez", "lead_safeguarding_partner", CCG),
        act("person.end-interest", "helen-morgan", "2020-07-31", person_id="helen-morgan",
            organisation_id="levels-and-moors-learning-trust"),
        act("org.rename", BU, "2021-05-20", organisation_id="scc-scrutiny-children",
            new_name="Scrutiny for Policies, Children and Families Committee"),
        org("2022-07-01", ICB, "NHS Somerset Integrated Care Board", "safeguarding_partner",
            statutory_role="health"),
        act("org.succeed", BU, "2022-07-01", organisation_id=CCG, successor_id=ICB),
        act("org.dissolve", BU, "2022-07-01", organisation_id="somerset-stp",
            reason="Replaced by the Somerset Integrated Care System (Health and Care Act 2022)."),
        act("org.rename", BU, "2023-04-01", organisation_id=SCC, new_name="Somerset Council"),
        *[act("org.succeed", BU, "2023-04-01", organisation_id=key, successor_id=SCC)
          for key, _ in DISTRICTS],
        org("2023-06-06", "foundations", "Foundations, the What Works Centre for Children & "
            "Families", "national_body"),
        act("org.succeed", BU, "2023-06-06", organisation_id="what-works-centre",
            successor_id="foundations"),
    ]


def later_report() -> list[Act]:
    """The 2022-23 report: sent to Foundations, the What Works Centre's successor."""
    r = {"report_id": "2022-23"}
    return [
        act("report.open", BU, "2023-04-03", **r, period_start="2022-04-01",
            period_end="2023-03-31"),
        act("report.draft", BU, "2023-07-31", **r, draft="v1"),
        act("report.scrutinise", "helen-morgan", "2023-08-21", **r,
            conclusions="Clear evidence of impact; the ICB's role is well described."),
        act("report.sign-off", "ruth-evans", "2023-09-04", **r),
        act("report.publish", BU, "2023-09-25", **r,
            location="https://sscp.example.org/reports/2022-23"),
        act("report.send", BU, "2023-09-27", **r, recipient="practice_review_panel"),
        act("report.send", BU, "2023-09-28", **r, recipient="what_works_centre"),
    ]


def demo_script() -> list[Act]:
    """Every act of the demo, in the order recorded."""
    return sorted(
        [
            *set_up(), *first_case(), *first_case_review(), *second_case(), *challenges(),
            *activities(), *audits(), *yearly_report(), *inspections_and_region(),
            *changes(), *later_report(),
        ],
        key=lambda row: str(row["on"]),
    )
