"""The act handlers on a real ledger, on SQLite and on PostgreSQL.

Every refusal is checked twice: the named error, and an unchanged log
(``max_notification_id`` before and after).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from commands.acts import (
    AppointPerson,
    EscalateChallenge,
    NotifyIncident,
    RaiseChallenge,
    RegisterOrganisation,
    RenameOrganisation,
    ResolveChallenge,
    RespondToChallenge,
    StandDown,
    WithdrawChallenge,
    handle,
)
from ledger.application import ScrutinyLedger, open_ledger
from ledger.domain.challenges import Challenge, ChallengeStatus
from ledger.domain.organisations import Organisation
from ledger.domain.people import Person, Role
from ledger.errors import ConflictError, InvalidInputError, LedgerError, NotFoundError, RefusedError
from projections.summary import summarise

SCC = "somerset-county-council"
POLICE = "avon-and-somerset-constabulary"
CCG = "somerset-ccg"


@pytest.fixture
def ledger(initialised: tuple[str, Path]) -> Iterator[ScrutinyLedger]:
    app = open_ledger(initialised[0])
    yield app
    app.close()


def act(ledger: ScrutinyLedger, cls: Any, **fields: Any) -> dict[str, Any]:
    return handle(cls.build(**fields), ledger)


def set_up_partnership(ledger: ScrutinyLedger) -> None:
    """Three partners, the business unit, lead partners, a scrutineer and a chair."""
    for key, name, kind, role in [
        ("sscp", "Somerset Safeguarding Children Partnership", "local_body", None),
        (SCC, "Somerset County Council", "safeguarding_partner", "local_authority"),
        (POLICE, "Avon and Somerset Constabulary", "safeguarding_partner", "police"),
        (CCG, "Somerset Clinical Commissioning Group", "safeguarding_partner", "health"),
    ]:
        act(
            ledger,
            RegisterOrganisation,
            actor="jane-porter",
            occurred_on="2019-06-03",
            organisation_id=key,
            name=name,
            kind=kind,
            statutory_role=role,
        )
    act(
        ledger,
        RegisterOrganisation,
        actor="jane-porter",
        occurred_on="2019-06-03",
        organisation_id="cspr-panel",
        name="Child Safeguarding Practice Review Panel",
        kind="national_body",
        national_role="practice_review_panel",
    )
    for key, name, role, org, on in [
        ("jane-porter", "Jane Porter", "business_unit", "sscp", "2019-06-03"),
        ("sam-hughes", "Sam Hughes", "lead_safeguarding_partner", SCC, "2019-06-10"),
        ("priya-shah", "Priya Shah", "lead_safeguarding_partner", POLICE, "2019-06-10"),
        ("kate-mills", "Kate Mills", "delegated_safeguarding_partner", CCG, "2019-06-10"),
        ("helen-morgan", "Helen Morgan", "independent_scrutineer", "sscp", "2019-09-02"),
        ("daniel-okafor", "Daniel Okafor", "independent_scrutineer", "sscp", "2019-09-02"),
        ("ruth-evans", "Ruth Evans", "partnership_chair", "sscp", "2019-09-02"),
    ]:
        act(
            ledger,
            AppointPerson,
            actor="jane-porter",
            occurred_on=on,
            person_id=key,
            display_name=name,
            role=role,
            organisation_id=org,
        )
    act(
        ledger,
        NotifyIncident,
        actor="sam-hughes",
        occurred_on="2019-09-09",
        case_id="SSCP-CSPR-2019-01",
        local_authority_id=SCC,
        children=["Child A"],
        became_aware_on="2019-09-04",
        summary="A serious incident.",
    )


def raise_one(ledger: ScrutinyLedger, key: str = "CH-2019-0c5a01", **extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = dict(
        actor="helen-morgan",
        occurred_on="2019-10-14",
        challenge_id=key,
        to_partners=[SCC, POLICE],
        subject="Threshold for a CSPR",
        tier=1,
        case_ref="SSCP-CSPR-2019-01",
    )
    fields.update(extra)
    return act(ledger, RaiseChallenge, **fields)


def assert_writes_nothing(
    ledger: ScrutinyLedger, error: type[LedgerError], match: str, cls: Any, **fields: Any
) -> None:
    before = ledger.ledger_recorder.max_notification_id()
    with pytest.raises(error, match=match):
        act(ledger, cls, **fields)
    assert ledger.ledger_recorder.max_notification_id() == before


# -- setup and organisations ------------------------------------------------------


def test_setup_acts_are_recorded_with_the_setup_role(ledger: ScrutinyLedger) -> None:
    first = act(
        ledger,
        RegisterOrganisation,
        actor="jane-porter",
        occurred_on="2019-06-03",
        organisation_id="sscp",
        name="SSCP",
        kind="local_body",
    )
    assert first["position"] == 0
    assert first["actor_role"] == "setup"
    assert first["stream_id"] == "org:sscp"
    appointed = act(
        ledger,
        AppointPerson,
        actor="jane-porter",
        occurred_on="2019-06-03",
        person_id="jane-porter",
        display_name="Jane Porter",
        role="business_unit",
        organisation_id="sscp",
    )
    assert appointed["actor_role"] == "setup"
    assert appointed["fields"]["role"] == "business_unit"
    # Setup is over: somebody without the business_unit role is refused ...
    assert_writes_nothing(
        ledger,
        RefusedError,
        "nobody does not hold any of the roles business_unit",
        RegisterOrganisation,
        actor="nobody",
        occurred_on="2019-06-04",
        organisation_id="other",
        name="Other",
        kind="local_body",
    )
    # ... and the business unit acts in its role.
    second = act(
        ledger,
        RegisterOrganisation,
        actor="jane-porter",
        occurred_on="2019-06-04",
        organisation_id="ofsted",
        name="Ofsted",
        kind="regulator",
    )
    assert (second["actor_role"], second["position"]) == ("business_unit", 2)


def test_registration_refusals_write_nothing(ledger: ScrutinyLedger) -> None:
    set_up_partnership(ledger)
    assert_writes_nothing(
        ledger,
        RefusedError,
        "already registered",
        RegisterOrganisation,
        actor="jane-porter",
        occurred_on="2019-07-01",
        organisation_id=SCC,
        name="Again",
        kind="relevant_agency",
    )
    assert_writes_nothing(
        ledger,
        RefusedError,
        "statutory role",
        RegisterOrganisation,
        actor="jane-porter",
        occurred_on="2019-07-01",
        organisation_id="new-partner",
        name="New",
        kind="safeguarding_partner",
    )
    assert_writes_nothing(
        ledger,
        InvalidInputError,
        "organisation_id",
        RegisterOrganisation,
        actor="jane-porter",
        occurred_on="2019-07-01",
        organisation_id="Bad Id",
        name="New",
        kind="relevant_agency",
    )


def test_a_rename_is_stored_and_answers_by_date(ledger: ScrutinyLedger) -> None:
    set_up_partnership(ledger)
    result = act(
        ledger,
        RenameOrganisation,
        actor="jane-porter",
        occurred_on="2022-07-01",
        organisation_id=CCG,
        new_name="NHS Somerset Integrated Care Board",
    )
    assert (result["event_type"], result["version"]) == ("OrganisationRenamed", 2)
    organisation = ledger.load(Organisation, CCG)
    assert organisation.name_on(date(2022, 6, 30)) == "Somerset Clinical Commissioning Group"
    assert organisation.name_on(date(2022, 7, 1)) == "NHS Somerset Integrated Care Board"
    assert_writes_nothing(
        ledger,
        RefusedError,
        "must change the name",
        RenameOrganisation,
        actor="jane-porter",
        occurred_on="2023-01-02",
        organisation_id=CCG,
        new_name="NHS Somerset Integrated Care Board",
    )
    assert_writes_nothing(
        ledger,
        RefusedError,
        "does not hold any of the roles business_unit",
        RenameOrganisation,
        actor="helen-morgan",
        occurred_on="2023-01-02",
        organisation_id=CCG,
        new_name="X",
    )
    assert_writes_nothing(
        ledger,
        NotFoundError,
        "no organisation with id 'ghost'",
        RenameOrganisation,
        actor="jane-porter",
        occurred_on="2023-01-02",
        organisation_id="ghost",
        new_name="X",
    )


# -- people -----------------------------------------------------------------------


def test_appointments_and_stand_downs_are_dated(ledger: ScrutinyLedger) -> None:
    set_up_partnership(ledger)
    act(
        ledger,
        StandDown,
        actor="jane-porter",
        occurred_on="2020-04-01",
        person_id="sam-hughes",
        role="lead_safeguarding_partner",
    )
    person = ledger.load(Person, "sam-hughes")
    assert person.holds(Role.LEAD_SAFEGUARDING_PARTNER, date(2020, 3, 31))
    assert not person.holds(Role.LEAD_SAFEGUARDING_PARTNER, date(2020, 4, 1))
    assert_writes_nothing(
        ledger,
        RefusedError,
        "does not hold lead_safeguarding_partner",
        StandDown,
        actor="jane-porter",
        occurred_on="2020-05-01",
        person_id="sam-hughes",
        role="lead_safeguarding_partner",
    )
    assert_writes_nothing(
        ledger,
        RefusedError,
        "cannot be held twice",
        AppointPerson,
        actor="jane-porter",
        occurred_on="2020-05-01",
        person_id="priya-shah",
        role="lead_safeguarding_partner",
        organisation_id=POLICE,
    )
    assert_writes_nothing(
        ledger,
        NotFoundError,
        "no organisation with id 'ghost'",
        AppointPerson,
        actor="jane-porter",
        occurred_on="2020-05-01",
        person_id="new-person",
        display_name="New Person",
        role="moderator",
        organisation_id="ghost",
    )
    act(
        ledger,
        RegisterOrganisation,
        actor="jane-porter",
        occurred_on="2019-07-01",
        organisation_id="late-org",
        name="Late",
        kind="relevant_agency",
    )
    assert_writes_nothing(
        ledger,
        RefusedError,
        "late-org was not registered on 2019-06-20",
        AppointPerson,
        actor="jane-porter",
        occurred_on="2019-06-20",
        person_id="new-person",
        display_name="New Person",
        role="moderator",
        organisation_id="late-org",
    )


# -- challenges -------------------------------------------------------------------


def test_a_challenge_lifecycle_is_recorded_and_reloaded(ledger: ScrutinyLedger) -> None:
    set_up_partnership(ledger)
    raised = raise_one(ledger, respond_within_working_days=10)
    assert raised["fields"]["response_due"] == "2019-10-28"
    assert raised["tier"] == 1
    responded = act(
        ledger,
        RespondToChallenge,
        actor="sam-hughes",
        occurred_on="2019-10-24",
        challenge_id="CH-2019-0c5a01",
        response="A thematic review instead.",
    )
    assert responded["fields"]["organisation_id"] == SCC
    assert responded["actor_role"] == "lead_safeguarding_partner"
    escalated = act(
        ledger,
        EscalateChallenge,
        actor="helen-morgan",
        occurred_on="2019-11-04",
        challenge_id="CH-2019-0c5a01",
        to="executive",
        reason="No police response.",
    )
    resolved = act(
        ledger,
        ResolveChallenge,
        actor="ruth-evans",
        occurred_on="2019-11-21",
        challenge_id="CH-2019-0c5a01",
        outcome="partly_accepted",
        agreed_actions=["Commission a local CSPR"],
    )
    positions = [r["position"] for r in (raised, responded, escalated, resolved)]
    assert positions == list(range(positions[0], positions[0] + 4))
    assert resolved["version"] == 4
    challenge = ledger.load(Challenge, "CH-2019-0c5a01")
    assert challenge.status is ChallengeStatus.RESOLVED
    assert challenge.case_ref == "SSCP-CSPR-2019-01"
    assert challenge.agreed_actions == ("Commission a local CSPR",)


def test_roles_are_checked_on_the_act_date(ledger: ScrutinyLedger) -> None:
    set_up_partnership(ledger)
    assert_writes_nothing(
        ledger,
        RefusedError,
        "helen-morgan does not hold any of the roles independent_scrutineer, partnership_chair "
        "on 2019-09-01",
        RaiseChallenge,
        actor="helen-morgan",
        occurred_on="2019-09-01",
        to_partners=[SCC],
        subject="Too early",
        tier=2,
    )
    assert_writes_nothing(
        ledger,
        RefusedError,
        "sam-hughes does not hold any of the roles",
        RaiseChallenge,
        actor="sam-hughes",
        occurred_on="2019-10-01",
        to_partners=[SCC],
        subject="s",
        tier=2,
    )


def test_challenge_refusals_write_nothing(ledger: ScrutinyLedger) -> None:
    set_up_partnership(ledger)
    raise_one(ledger)
    key = "CH-2019-0c5a01"
    assert_writes_nothing(
        ledger,
        RefusedError,
        "already raised",
        RaiseChallenge,
        actor="helen-morgan",
        occurred_on="2019-10-15",
        challenge_id=key,
        to_partners=[SCC],
        subject="again",
        tier=1,
    )
    assert_writes_nothing(
        ledger,
        NotFoundError,
        "no organisation with id 'ghost'",
        RaiseChallenge,
        actor="helen-morgan",
        occurred_on="2019-10-15",
        to_partners=["ghost"],
        subject="s",
        tier=1,
    )
    assert_writes_nothing(
        ledger,
        NotFoundError,
        "no challenge with id",
        RespondToChallenge,
        actor="sam-hughes",
        occurred_on="2019-10-15",
        challenge_id="CH-2019-ffffff",
        response="r",
    )
    # The CCG is not challenged: its delegated partner cannot respond.
    assert_writes_nothing(
        ledger,
        RefusedError,
        "kate-mills does not hold any of the roles",
        RespondToChallenge,
        actor="kate-mills",
        occurred_on="2019-10-15",
        challenge_id=key,
        response="r",
    )
    # A lead partner cannot respond for another partner.
    assert_writes_nothing(
        ledger,
        RefusedError,
        f"for {POLICE}",
        RespondToChallenge,
        actor="sam-hughes",
        occurred_on="2019-10-15",
        challenge_id=key,
        organisation_id=POLICE,
        response="r",
    )
    assert_writes_nothing(
        ledger,
        RefusedError,
        "escalate to executive first",
        EscalateChallenge,
        actor="helen-morgan",
        occurred_on="2019-10-15",
        challenge_id=key,
        to="disagreement_resolution",
        reason="r",
    )
    assert_writes_nothing(
        ledger,
        RefusedError,
        "before a partner has responded",
        ResolveChallenge,
        actor="ruth-evans",
        occurred_on="2019-10-15",
        challenge_id=key,
        outcome="accepted",
    )
    assert_writes_nothing(
        ledger,
        RefusedError,
        "only the person who raised",
        WithdrawChallenge,
        actor="daniel-okafor",
        occurred_on="2019-10-15",
        challenge_id=key,
        reason="r",
    )
    assert_writes_nothing(
        ledger,
        RefusedError,
        "before it was raised",
        WithdrawChallenge,
        actor="helen-morgan",
        occurred_on="2019-10-11",
        challenge_id=key,
        reason="r",
    )
    assert_writes_nothing(
        ledger,
        InvalidInputError,
        "occurred_on",
        WithdrawChallenge,
        actor="helen-morgan",
        occurred_on="2999-01-01",
        challenge_id=key,
        reason="r",
    )
    withdrawn = act(
        ledger,
        WithdrawChallenge,
        actor="helen-morgan",
        occurred_on="2019-10-16",
        challenge_id=key,
        reason="Superseded",
    )
    assert withdrawn["event_type"] == "ChallengeWithdrawn"
    assert_writes_nothing(
        ledger,
        RefusedError,
        "it was withdrawn",
        RespondToChallenge,
        actor="sam-hughes",
        occurred_on="2019-10-17",
        challenge_id=key,
        response="late",
    )


def test_a_generated_challenge_id_names_the_year(ledger: ScrutinyLedger) -> None:
    set_up_partnership(ledger)
    result = act(
        ledger,
        RaiseChallenge,
        actor="ruth-evans",
        occurred_on="2020-03-02",
        to_partners=[CCG],
        subject="Dataset",
        tier=2,
    )
    assert re.fullmatch(r"challenge:CH-2020-[0-9a-f]{6}", result["stream_id"])
    assert result["actor_role"] == "partnership_chair"


def test_a_responder_for_several_challenged_partners_must_say_which(
    ledger: ScrutinyLedger,
) -> None:
    set_up_partnership(ledger)
    act(
        ledger,
        AppointPerson,
        actor="jane-porter",
        occurred_on="2019-10-01",
        person_id="sam-hughes",
        role="delegated_safeguarding_partner",
        organisation_id=POLICE,
    )
    raise_one(ledger)
    assert_writes_nothing(
        ledger,
        InvalidInputError,
        "say which one responds",
        RespondToChallenge,
        actor="sam-hughes",
        occurred_on="2019-10-15",
        challenge_id="CH-2019-0c5a01",
        response="r",
    )
    result = act(
        ledger,
        RespondToChallenge,
        actor="sam-hughes",
        occurred_on="2019-10-15",
        challenge_id="CH-2019-0c5a01",
        organisation_id=POLICE,
        response="r",
    )
    assert result["actor_role"] == "delegated_safeguarding_partner"


def test_a_concurrent_act_on_the_same_version_is_a_conflict(
    ledger: ScrutinyLedger, initialised: tuple[str, Path]
) -> None:
    set_up_partnership(ledger)
    raise_one(ledger)
    other = open_ledger(initialised[0])
    try:
        mine = ledger.load(Challenge, "CH-2019-0c5a01")
        theirs = other.load(Challenge, "CH-2019-0c5a01")
        mine.respond(
            SCC,
            "first",
            actor_id="sam-hughes",
            actor_role="lead_safeguarding_partner",
            occurred_on=date(2019, 10, 15),
        )
        theirs.respond(
            POLICE,
            "second",
            actor_id="priya-shah",
            actor_role="lead_safeguarding_partner",
            occurred_on=date(2019, 10, 15),
        )
        ledger.record(mine)
        before = ledger.ledger_recorder.max_notification_id()
        with pytest.raises(ConflictError):
            other.record(theirs)
        assert ledger.ledger_recorder.max_notification_id() == before
    finally:
        other.close()


def test_the_summary_counts_what_was_recorded(ledger: ScrutinyLedger) -> None:
    set_up_partnership(ledger)
    raise_one(ledger, respond_within_working_days=10)
    raise_one(ledger, key="CH-2019-000002", occurred_on="2019-10-15", tier=3)
    act(
        ledger,
        WithdrawChallenge,
        actor="helen-morgan",
        occurred_on="2019-10-16",
        challenge_id="CH-2019-000002",
        reason="Superseded",
    )
    summary = summarise(ledger.ledger_recorder, date(2019, 10, 29))
    assert (summary.organisations, summary.people, summary.challenges) == (5, 7, 2)
    assert summary.cases == {"notified": 1}
    assert summary.by_state["open"] == 1 and summary.by_state["withdrawn"] == 1
    assert summary.by_tier[3]["withdrawn"] == 1
    [open_one] = summary.open_challenges
    assert open_one.challenge_id == "CH-2019-0c5a01"
    assert open_one.age_days == 15
    assert open_one.overdue and summary.overdue == 1
    assert summary.events == ledger.ledger_recorder.max_notification_id()
