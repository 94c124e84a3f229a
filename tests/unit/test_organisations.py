"""Organisations: registration, dated names, and the guards that refuse."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from ledger.domain.base import Aggregate
from ledger.domain.organisations import (
    NationalRole,
    Organisation,
    OrganisationDissolved,
    OrganisationKind,
    OrganisationRegistered,
    OrganisationRenamed,
    OrganisationSucceeded,
    StatutoryRole,
)
from ledger.errors import InvalidInputError, RefusedError

BY: dict[str, Any] = {"actor_id": "jane-porter", "actor_role": "business_unit"}


def registered(key: str = "somerset-ccg", on: date = date(2019, 6, 3)) -> Organisation:
    organisation = Organisation.new(key)
    organisation.register(
        name="Somerset Clinical Commissioning Group",
        kind="safeguarding_partner",
        statutory_role="health",
        occurred_on=on,
        **BY,
    )
    organisation.collect_events()
    return organisation


def assert_refused(aggregate: Aggregate, act: Callable[[], object], match: str) -> None:
    aggregate.collect_events()
    version = aggregate.version
    with pytest.raises(RefusedError, match=match):
        act()
    assert aggregate.version == version
    assert aggregate.collect_events() == []


def test_registration_records_name_kind_role_and_date() -> None:
    organisation = Organisation.new("somerset-ccg")
    event = organisation.register(
        name="  Somerset   Clinical Commissioning Group ",
        kind="safeguarding_partner",
        statutory_role="health",
        occurred_on=date(2019, 6, 3),
        **BY,
    )
    assert isinstance(event, OrganisationRegistered)
    assert event.originator_id == "org:somerset-ccg"
    assert event.name == "Somerset Clinical Commissioning Group"
    assert organisation.version == 1
    assert organisation.kind is OrganisationKind.SAFEGUARDING_PARTNER
    assert organisation.statutory_role is StatutoryRole.HEALTH
    assert organisation.registered_on == date(2019, 6, 3)


def test_existence_and_names_are_answered_by_date() -> None:
    organisation = registered()
    organisation.rename("NHS Somerset Integrated Care Board", occurred_on=date(2022, 7, 1), **BY)
    assert not organisation.existed_on(date(2019, 6, 2))
    assert organisation.existed_on(date(2019, 6, 3))
    assert organisation.name_on(date(2019, 6, 2)) is None
    assert organisation.name_on(date(2022, 6, 30)) == "Somerset Clinical Commissioning Group"
    assert organisation.name_on(date(2022, 7, 1)) == "NHS Somerset Integrated Care Board"
    assert organisation.name == "NHS Somerset Integrated Care Board"


def test_a_backdated_rename_takes_its_place_in_the_history() -> None:
    organisation = registered()
    organisation.rename("Name C", occurred_on=date(2022, 1, 1), **BY)
    organisation.rename("Name B", occurred_on=date(2020, 1, 1), **BY)
    assert organisation.name_on(date(2021, 1, 1)) == "Name B"
    assert organisation.name_on(date(2023, 1, 1)) == "Name C"


@pytest.mark.parametrize("key", ["Somerset", "a", "-lead", "has space", "x" * 64, "org:x", ""])
def test_ids_must_be_lowercase_slugs(key: str) -> None:
    with pytest.raises(InvalidInputError, match="lowercase"):
        Organisation.new(key)


def test_an_organisation_cannot_be_registered_twice() -> None:
    organisation = registered()
    assert_refused(
        organisation,
        lambda: organisation.register(
            name="Again",
            kind="relevant_agency",
            statutory_role=None,
            occurred_on=date(2020, 1, 1),
            **BY,
        ),
        "already registered",
    )


def test_a_safeguarding_partner_must_name_its_statutory_role() -> None:
    organisation = Organisation.new("somerset-ccg")
    assert_refused(
        organisation,
        lambda: organisation.register(
            name="CCG",
            kind="safeguarding_partner",
            statutory_role=None,
            occurred_on=date(2019, 6, 3),
            **BY,
        ),
        "statutory role",
    )


def test_only_a_safeguarding_partner_has_a_statutory_role() -> None:
    organisation = Organisation.new("a-school-trust")
    assert_refused(
        organisation,
        lambda: organisation.register(
            name="Trust",
            kind="relevant_agency",
            statutory_role="health",
            occurred_on=date(2019, 6, 3),
            **BY,
        ),
        "only a safeguarding partner",
    )


def test_an_unknown_kind_is_invalid_input() -> None:
    organisation = Organisation.new("x-body")
    with pytest.raises(InvalidInputError, match="kind"):
        organisation.register(
            name="X", kind="school", statutory_role=None, occurred_on=date(2019, 6, 3), **BY
        )
    assert organisation.version == 0


def test_a_rename_must_change_the_name() -> None:
    organisation = registered()
    assert_refused(
        organisation,
        lambda: organisation.rename(
            "Somerset  Clinical Commissioning Group", occurred_on=date(2020, 1, 1), **BY
        ),
        "must change the name",
    )


def test_a_rename_cannot_predate_registration() -> None:
    organisation = registered()
    assert_refused(
        organisation,
        lambda: organisation.rename("Earlier", occurred_on=date(2019, 6, 2), **BY),
        "predate the registration",
    )


def test_two_renames_cannot_take_effect_on_the_same_day() -> None:
    organisation = registered()
    organisation.rename("First", occurred_on=date(2020, 1, 1), **BY)
    assert_refused(
        organisation,
        lambda: organisation.rename("Second", occurred_on=date(2020, 1, 1), **BY),
        "already has a rename",
    )


def test_an_unregistered_organisation_cannot_be_renamed() -> None:
    organisation = Organisation.new("ghost-org")
    assert_refused(
        organisation,
        lambda: organisation.rename("Name", occurred_on=date(2020, 1, 1), **BY),
        "not registered",
    )


def test_a_future_date_is_invalid_input() -> None:
    organisation = registered()
    with pytest.raises(InvalidInputError, match="future"):
        organisation.rename("Later", occurred_on=date(2999, 1, 1), **BY)
    assert organisation.version == 1


def test_rename_event_is_a_past_tense_fact() -> None:
    organisation = registered()
    event = organisation.rename("New", occurred_on=date(2020, 1, 1), **BY)
    assert isinstance(event, OrganisationRenamed)
    assert event.originator_version == 2
    with pytest.raises(ValidationError):
        event.new_name = "changed"  # type: ignore[misc]


# -- succession, dissolution, national roles ------------------------------------------


def body(
    key: str, kind: str = "national_body", on: date = date(2019, 6, 3), **extra: Any
) -> Organisation:
    organisation = Organisation.new(key)
    organisation.register(name=key.title(), kind=kind, statutory_role=None, occurred_on=on,
                          **extra, **BY)
    organisation.collect_events()
    return organisation


def test_a_succession_ends_the_organisation_on_its_date() -> None:
    ccg = registered()
    icb = body("nhs-somerset-icb", kind="relevant_agency", on=date(2022, 7, 1))
    event = ccg.succeed(icb, occurred_on=date(2022, 7, 1), **BY)
    assert isinstance(event, OrganisationSucceeded)
    assert event.successor_id == "nhs-somerset-icb"
    assert ccg.existed_on(date(2022, 6, 30))
    assert not ccg.existed_on(date(2022, 7, 1))
    assert ccg.absence_on(date(2022, 7, 1)) == (
        "organisation somerset-ccg no longer existed on 2022-07-01 "
        "(succeeded by nhs-somerset-icb on 2022-07-01)"
    )
    assert ccg.absence_on(date(2019, 6, 2)) == (
        "organisation somerset-ccg was not registered on 2019-06-02"
    )


def test_a_successor_must_exist_on_the_succession_date() -> None:
    ccg = registered()
    icb = body("nhs-somerset-icb", kind="relevant_agency", on=date(2022, 7, 2))
    assert_refused(
        ccg, lambda: ccg.succeed(icb, occurred_on=date(2022, 7, 1), **BY),
        "the successor must exist on the succession date: organisation nhs-somerset-icb was not "
        "registered on 2022-07-01",
    )
    assert_refused(ccg, lambda: ccg.succeed(ccg, occurred_on=date(2022, 7, 3), **BY),
                   "cannot succeed itself")


def test_an_organisation_ends_once_and_only_after_its_registration_and_renames() -> None:
    ccg = registered()
    ccg.rename("Somerset CCG", occurred_on=date(2020, 1, 1), **BY)
    assert_refused(ccg, lambda: ccg.dissolve("merged", occurred_on=date(2020, 1, 1), **BY),
                   "only end after its registration and renames")
    event = ccg.dissolve("merged", occurred_on=date(2022, 7, 1), **BY)
    assert isinstance(event, OrganisationDissolved)
    assert not ccg.existed_on(date(2022, 7, 1))
    assert "dissolved on 2022-07-01" in (ccg.absence_on(date(2023, 1, 1)) or "")
    assert_refused(ccg, lambda: ccg.dissolve("again", occurred_on=date(2023, 1, 1), **BY),
                   "already ended on 2022-07-01")
    assert_refused(ccg, lambda: ccg.rename("Ghost", occurred_on=date(2023, 1, 1), **BY),
                   "no longer existed on 2023-01-01")


def test_only_a_national_body_has_a_national_role() -> None:
    panel = body("cspr-panel", national_role="practice_review_panel")
    assert panel.national_role is NationalRole.PRACTICE_REVIEW_PANEL
    agency = Organisation.new("an-agency")
    assert_refused(
        agency,
        lambda: agency.register(name="Agency", kind="relevant_agency", statutory_role=None,
                                national_role="secretary_of_state", occurred_on=date(2019, 6, 3),
                                **BY),
        "only a national body has a national role",
    )
    with pytest.raises(InvalidInputError, match="national role 'king' is not one of"):
        Organisation.new("x-body").register(name="X", kind="national_body", statutory_role=None,
                                            national_role="king", occurred_on=date(2019, 6, 3),
                                            **BY)


def test_replaying_a_succession_rebuilds_the_same_state() -> None:
    ccg = registered()
    icb = body("nhs-somerset-icb", kind="relevant_agency", on=date(2022, 7, 1))
    ccg.succeed(icb, occurred_on=date(2022, 7, 1), **BY)
    events = [*ccg.collect_events()]
    assert len(events) == 1
    rebuilt = Organisation(ccg.id)
    rebuilt.apply(OrganisationRegistered(
        originator_id=ccg.id, originator_version=1, name="Somerset Clinical Commissioning Group",
        kind="safeguarding_partner", statutory_role="health", occurred_on=date(2019, 6, 3), **BY))
    rebuilt.version = 1
    events[0].mutate(rebuilt)
    assert (rebuilt.ended_on, rebuilt.successor_id) == (ccg.ended_on, ccg.successor_id)
