"""A realistic, deterministic demo ledger: Somerset's partnership in 2019-2020.

``run_demo`` initialises the ledger if needed (refusing one that already
holds events), records the three statutory partners and some relevant
agencies, the business unit, the lead partners, two independent scrutineers
and the chair, and challenges at all three tiers in every state. Then it
signs a checkpoint, summarises the ledger and verifies it.

Every act goes through the same command models, authorisation and handlers
as the command line. People are fictional professionals; the case reference
is pseudonymous. Content and dates are fixed: two runs record the same
events (only ``recorded_at`` and the signature differ).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from commands.acts import (
    AppointPerson,
    Command,
    EscalateChallenge,
    RaiseChallenge,
    RegisterOrganisation,
    RenameOrganisation,
    ResolveChallenge,
    RespondToChallenge,
    StandDown,
    WithdrawChallenge,
    handle,
)
from commands.admin import init_ledger, make_checkpoint
from commands.admin import verify as verify_ledger
from ledger.application import open_ledger
from ledger.domain.base import today_in_london
from ledger.errors import RefusedError
from ledger.storage.database import Database
from ledger.verification import VerificationReport
from projections.summary import LedgerSummary, summarise

BUSINESS_UNIT = "jane-porter"
SCC = "somerset-county-council"
POLICE = "avon-and-somerset-constabulary"
CCG = "somerset-ccg"
SSCP = "sscp"


def _org(on: str, key: str, name: str, kind: str, role: str | None = None) -> Command:
    return RegisterOrganisation.build(
        actor=BUSINESS_UNIT,
        occurred_on=on,
        organisation_id=key,
        name=name,
        kind=kind,
        statutory_role=role,
    )


def _appoint(on: str, key: str, name: str, role: str, org: str) -> Command:
    return AppointPerson.build(
        actor=BUSINESS_UNIT,
        occurred_on=on,
        person_id=key,
        display_name=name,
        role=role,
        organisation_id=org,
    )


def _act(cls: Any, actor: str, on: str, **fields: Any) -> Command:
    built: Command = cls.build(actor=actor, occurred_on=on, **fields)
    return built


def demo_acts() -> list[Command]:
    """The demo's acts, in the order they are recorded."""
    cspr = "CH-2019-0c5a01"
    report = "CH-2020-1b7e02"
    front_door = "CH-2020-3d9f03"
    dataset = "CH-2020-5a2c04"
    neglect = "CH-2020-7e4b05"
    risk = "CH-2020-9c1d06"
    return [
        # Setup: the partnership, its three statutory partners, the business unit.
        _org("2019-06-03", SSCP, "Somerset Safeguarding Children Partnership", "local_body"),
        _org(
            "2019-06-03", SCC, "Somerset County Council", "safeguarding_partner", "local_authority"
        ),
        _org(
            "2019-06-03", POLICE, "Avon and Somerset Constabulary", "safeguarding_partner", "police"
        ),
        _org(
            "2019-06-03",
            CCG,
            "Somerset Clinical Commissioning Group",
            "safeguarding_partner",
            "health",
        ),
        _appoint("2019-06-03", BUSINESS_UNIT, "Jane Porter", "business_unit", SSCP),
        # Relevant agencies and other bodies.
        _org(
            "2019-06-10",
            "levels-and-moors-learning-trust",
            "Levels and Moors Learning Trust",
            "relevant_agency",
        ),
        _org(
            "2019-06-10",
            "nps-south-west",
            "National Probation Service (South West)",
            "relevant_agency",
        ),
        _org("2019-06-10", "somerset-hwb", "Somerset Health and Wellbeing Board", "local_body"),
        _org("2019-06-10", "ofsted", "Ofsted", "regulator"),
        _org("2020-04-01", "somerset-nhs-ft", "Somerset NHS Foundation Trust", "relevant_agency"),
        # Lead and delegated safeguarding partners, the chair, the scrutineers.
        _appoint("2019-06-10", "sam-hughes", "Sam Hughes", "lead_safeguarding_partner", SCC),
        _appoint("2019-06-10", "priya-shah", "Priya Shah", "lead_safeguarding_partner", POLICE),
        _appoint("2019-06-10", "owen-reed", "Owen Reed", "lead_safeguarding_partner", CCG),
        _appoint("2019-06-10", "kate-mills", "Kate Mills", "delegated_safeguarding_partner", CCG),
        _appoint("2019-09-02", "ruth-evans", "Ruth Evans", "partnership_chair", SSCP),
        _appoint("2019-09-02", "helen-morgan", "Dr Helen Morgan", "independent_scrutineer", SSCP),
        _appoint("2019-09-02", "daniel-okafor", "Daniel Okafor", "independent_scrutineer", SSCP),
        # Tier 1: the threshold for a CSPR; responded, escalated, resolved.
        _act(
            RaiseChallenge,
            "helen-morgan",
            "2019-10-14",
            challenge_id=cspr,
            to_partners=(SCC, POLICE, CCG),
            tier=1,
            respond_within_working_days=10,
            case_ref="SSCP-CSPR-2019-01",
            subject="Challenge to the Executive's decision that the rapid review of case "
            "SSCP-CSPR-2019-01 does not meet the criteria for a local child safeguarding "
            "practice review: its findings on information sharing at the point of referral "
            "raise issues of importance to Somerset.",
        ),
        _act(
            RespondToChallenge,
            "sam-hughes",
            "2019-10-24",
            challenge_id=cspr,
            response="The local authority accepts that the information-sharing findings merit "
            "wider learning and proposes a thematic learning review rather than a full CSPR.",
        ),
        _act(
            EscalateChallenge,
            "helen-morgan",
            "2019-11-04",
            challenge_id=cspr,
            to="executive",
            reason="Police and health have not responded by the due date; the decision should "
            "be reconsidered by the Executive as a whole.",
        ),
        _act(
            RespondToChallenge,
            "priya-shah",
            "2019-11-18",
            challenge_id=cspr,
            response="The constabulary supports a review limited to information sharing "
            "between the front door and neighbourhood policing.",
        ),
        _act(
            ResolveChallenge,
            "ruth-evans",
            "2019-11-21",
            challenge_id=cspr,
            outcome="partly_accepted",
            agreed_actions=(
                "Commission a local CSPR limited to information sharing at the point of "
                "referral (SSCP-CSPR-2019-01).",
                "Restate the criteria for progressing a rapid review in the published "
                "arrangements.",
            ),
        ),
        # Tier 3: a look-and-see visit to the front door; escalated twice.
        _act(
            RaiseChallenge,
            "helen-morgan",
            "2020-02-10",
            challenge_id=front_door,
            to_partners=(SCC, POLICE),
            tier=3,
            respond_within_working_days=10,
            subject="After a look-and-see visit to the front door: police referrals wait "
            "up to five working days for a strategy discussion; practitioners do not know "
            "the agreed escalation route.",
        ),
        _act(
            RespondToChallenge,
            "priya-shah",
            "2020-02-21",
            challenge_id=front_door,
            response="Agreed: a police supervisor will join the daily front-door meeting.",
        ),
        _act(
            EscalateChallenge,
            "helen-morgan",
            "2020-03-02",
            challenge_id=front_door,
            to="executive",
            reason="The local authority has not responded and the delays persist.",
        ),
        _act(
            RespondToChallenge,
            "sam-hughes",
            "2020-03-16",
            challenge_id=front_door,
            response="Staffing at the front door is being reviewed; the thresholds document "
            "will be reissued to practitioners.",
        ),
        # Tier 2: a Quality and Performance challenge, withdrawn.
        _act(
            RaiseChallenge,
            "ruth-evans",
            "2020-03-02",
            challenge_id=dataset,
            to_partners=(CCG,),
            tier=2,
            respond_within_working_days=15,
            subject="The health dataset on children missing health appointments has not been "
            "provided to the Quality and Performance group for two quarters.",
        ),
        _act(
            WithdrawChallenge,
            "ruth-evans",
            "2020-03-23",
            challenge_id=dataset,
            reason="Superseded: the Quality and Performance group paused its dataset for the "
            "first COVID-19 lockdown; to be raised again when reporting resumes.",
        ),
        # A change of lead partner for health.
        _act(
            StandDown,
            BUSINESS_UNIT,
            "2020-04-01",
            person_id="owen-reed",
            role="lead_safeguarding_partner",
        ),
        _appoint("2020-04-01", "maria-lopez", "Maria Lopez", "lead_safeguarding_partner", CCG),
        _act(
            EscalateChallenge,
            "helen-morgan",
            "2020-04-20",
            challenge_id=front_door,
            to="disagreement_resolution",
            reason="The Executive could not agree the threshold for police referrals to the "
            "front door.",
        ),
        # Tier 2: scrutiny of the yearly report; responded.
        _act(
            RaiseChallenge,
            "daniel-okafor",
            "2020-09-21",
            challenge_id=report,
            to_partners=(SCC, POLICE, CCG),
            tier=2,
            respond_within_working_days=15,
            subject="Scrutiny of the draft yearly report 2019-20: it describes activity but "
            "gives little evidence of impact on children, and the voice of children and "
            "families is absent.",
        ),
        _act(
            RespondToChallenge,
            "kate-mills",
            "2020-10-05",
            challenge_id=report,
            response="Health partners will add outcome measures from health visiting and "
            "school nursing, and a section on feedback from young people.",
        ),
        # Tier 3 and tier 1: still open.
        _act(
            RaiseChallenge,
            "daniel-okafor",
            "2020-11-16",
            challenge_id=neglect,
            to_partners=(CCG, SCC),
            tier=3,
            respond_within_working_days=10,
            subject="Conversations with health visitors and social workers found the "
            "partnership's neglect strategy and toolkit unknown to most of them.",
        ),
        _act(
            RaiseChallenge,
            "helen-morgan",
            "2020-12-07",
            challenge_id=risk,
            to_partners=(POLICE, SCC),
            tier=1,
            respond_within_working_days=10,
            subject="Risk management: the Executive's risk register has no entry on the fall "
            "in referrals from schools during the pandemic.",
        ),
        # Later renames: the CCG became the ICB; the county became Somerset Council.
        RenameOrganisation.build(
            actor=BUSINESS_UNIT,
            occurred_on="2022-07-01",
            organisation_id=CCG,
            new_name="NHS Somerset Integrated Care Board",
        ),
        RenameOrganisation.build(
            actor=BUSINESS_UNIT,
            occurred_on="2023-04-01",
            organisation_id=SCC,
            new_name="Somerset Council",
        ),
    ]


@dataclass(frozen=True)
class DemoResult:
    recorded: int
    checkpoint_id: int
    checkpoint: str
    summary: LedgerSummary
    verification: VerificationReport

    def as_dict(self) -> dict[str, Any]:
        return {
            "recorded": self.recorded,
            "checkpoint_id": self.checkpoint_id,
            "checkpoint": self.checkpoint,
            "summary": self.summary.as_dict(),
            "verification": self.verification.as_dict(),
        }


def run_demo(db_url: str, key_path: Path, as_of: date | None = None) -> DemoResult:
    """Build the demo ledger at ``db_url`` (init it if needed), sign, summarise, verify."""
    database = Database(db_url)
    try:
        initialised = database.has_schema()
    finally:
        database.dispose()
    if not initialised:
        key_path.parent.mkdir(parents=True, exist_ok=True)
        init_ledger(db_url, key_path, None)
    acts = demo_acts()
    ledger = open_ledger(db_url)
    try:
        held = ledger.ledger_recorder.max_notification_id()
        if held is not None:
            raise RefusedError(
                f"the ledger at {ledger.database.describe()} already holds {held} events; "
                "the demo needs an empty ledger (use another --db)"
            )
        for command in acts:
            handle(command, ledger)
    finally:
        ledger.close()
    checkpoint_id, note = make_checkpoint(db_url, key_path)
    ledger = open_ledger(db_url)
    try:
        summary = summarise(ledger.ledger_recorder, as_of or today_in_london())
    finally:
        ledger.close()
    report, _ = verify_ledger(db_url, key_path)
    return DemoResult(len(acts), checkpoint_id, note, summary, report)
