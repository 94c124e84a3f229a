"""People, their dated roles, and the authorisation table built on them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from ledger.domain.authorisation import (
    ALLOWED_ROLES,
    PERMISSIONS,
    SETUP_ROLE,
    Act,
    acting_organisations,
    authorise,
)
from ledger.domain.base import Aggregate
from ledger.domain.organisations import Organisation
from ledger.domain.people import (
    InterestDeclared,
    InterestEnded,
    Person,
    PersonAppointed,
    Role,
    RoleStoodDown,
    ScrutineerPool,
)
from ledger.errors import InvalidInputError, RefusedError

BY: dict[str, Any] = {"actor_id": "jane-porter", "actor_role": "business_unit"}


def organisation(
    key: str, kind: str, role: str | None = None, on: date = date(2019, 6, 3)
) -> Organisation:
    org = Organisation.new(key)
    org.register(name=key.title(), kind=kind, statutory_role=role, occurred_on=on, **BY)
    org.collect_events()
    return org


CCG = organisation("somerset-ccg", "safeguarding_partner", "health")
SSCP = organisation("sscp", "local_body")
OFSTED = organisation("ofsted", "regulator")
TRUST = organisation("new-trust", "relevant_agency", on=date(2020, 4, 1))


def appointed(
    role: str = "lead_safeguarding_partner", org: Organisation = CCG, on: date = date(2019, 6, 10)
) -> Person:
    person = Person.new("owen-reed")
    person.appoint(role, org, display_name="Owen Reed", occurred_on=on, **BY)
    person.collect_events()
    return person


def assert_refused(aggregate: Aggregate, act: Callable[[], object], match: str) -> None:
    aggregate.collect_events()
    version = aggregate.version
    with pytest.raises(RefusedError, match=match):
        act()
    assert aggregate.version == version
    assert aggregate.collect_events() == []


def test_an_appointment_records_role_organisation_and_name() -> None:
    person = Person.new("owen-reed")
    event = person.appoint(
        "lead_safeguarding_partner",
        CCG,
        display_name="Owen Reed",
        occurred_on=date(2019, 6, 10),
        **BY,
    )
    assert isinstance(event, PersonAppointed)
    assert event.originator_id == "person:owen-reed"
    assert event.organisation_id == "somerset-ccg"
    assert person.display_name == "Owen Reed"
    assert person.version == 1


def test_a_role_is_held_from_appointment_up_to_the_stand_down_date() -> None:
    person = appointed()
    event = person.stand_down(Role.LEAD_SAFEGUARDING_PARTNER, occurred_on=date(2020, 4, 1), **BY)
    assert isinstance(event, RoleStoodDown)
    role = Role.LEAD_SAFEGUARDING_PARTNER
    assert not person.holds(role, date(2019, 6, 9))
    assert person.holds(role, date(2019, 6, 10))
    assert person.holds(role, date(2020, 3, 31))
    assert not person.holds(role, date(2020, 4, 1))


def test_a_person_may_hold_several_roles() -> None:
    person = appointed("independent_scrutineer", SSCP)
    person.appoint("moderator", SSCP, occurred_on=date(2020, 1, 6), **BY)
    assert person.roles_on(date(2019, 12, 1)) == {Role.INDEPENDENT_SCRUTINEER}
    assert person.roles_on(date(2020, 1, 6)) == {Role.INDEPENDENT_SCRUTINEER, Role.MODERATOR}
    assert person.display_name == "Owen Reed"


def test_a_role_can_be_taken_up_again_after_standing_down() -> None:
    person = appointed()
    person.stand_down("lead_safeguarding_partner", occurred_on=date(2020, 4, 1), **BY)
    person.appoint("lead_safeguarding_partner", CCG, occurred_on=date(2021, 4, 1), **BY)
    role = Role.LEAD_SAFEGUARDING_PARTNER
    assert [person.holds(role, d) for d in (date(2020, 6, 1), date(2021, 4, 1))] == [False, True]


def test_a_role_held_twice_at_once_is_refused() -> None:
    person = appointed()
    assert_refused(
        person,
        lambda: person.appoint(
            "lead_safeguarding_partner", CCG, occurred_on=date(2020, 1, 1), **BY
        ),
        "cannot be held twice at once",
    )


def test_a_backdated_appointment_overlapping_an_earlier_spell_is_refused() -> None:
    person = appointed()
    person.stand_down("lead_safeguarding_partner", occurred_on=date(2020, 4, 1), **BY)
    assert_refused(
        person,
        lambda: person.appoint(
            "lead_safeguarding_partner", CCG, occurred_on=date(2019, 12, 1), **BY
        ),
        "cannot be held twice at once",
    )


def test_standing_down_from_a_role_not_held_is_refused() -> None:
    person = appointed()
    assert_refused(
        person,
        lambda: person.stand_down("partnership_chair", occurred_on=date(2020, 1, 1), **BY),
        "does not hold partnership_chair",
    )


def test_standing_down_before_taking_up_the_role_is_refused() -> None:
    person = appointed()
    assert_refused(
        person,
        lambda: person.stand_down("lead_safeguarding_partner", occurred_on=date(2019, 6, 9), **BY),
        "before taking it up",
    )


def test_the_organisation_must_exist_on_the_appointment_date() -> None:
    person = Person.new("ann-lee")
    assert_refused(
        person,
        lambda: person.appoint(
            "moderator", TRUST, display_name="Ann Lee", occurred_on=date(2020, 3, 31), **BY
        ),
        "not registered on 2020-03-31",
    )
    assert person.version == 0


def test_lead_partners_act_for_a_safeguarding_partner() -> None:
    person = Person.new("ann-lee")
    assert_refused(
        person,
        lambda: person.appoint(
            "lead_safeguarding_partner",
            SSCP,
            display_name="Ann Lee",
            occurred_on=date(2020, 1, 1),
            **BY,
        ),
        "acts for a safeguarding_partner",
    )


def test_inspectors_act_for_a_regulator() -> None:
    person = Person.new("ann-lee")
    assert_refused(
        person,
        lambda: person.appoint(
            "inspector", CCG, display_name="Ann Lee", occurred_on=date(2020, 1, 1), **BY
        ),
        "acts for a regulator",
    )
    person.appoint("inspector", OFSTED, display_name="Ann Lee", occurred_on=date(2020, 1, 1), **BY)
    assert person.holds("inspector", date(2020, 1, 1))


def test_a_first_appointment_needs_a_display_name() -> None:
    person = Person.new("ann-lee")
    with pytest.raises(InvalidInputError, match="display name"):
        person.appoint("moderator", SSCP, occurred_on=date(2020, 1, 1), **BY)
    assert person.version == 0


def test_an_unknown_role_is_invalid_input() -> None:
    person = appointed()
    with pytest.raises(InvalidInputError, match="role"):
        person.appoint("director", SSCP, occurred_on=date(2020, 1, 1), **BY)
    assert person.version == 1


def test_person_ids_must_be_slugs() -> None:
    with pytest.raises(InvalidInputError):
        Person.new("Owen Reed")


# -- authorisation: roles are checked on the act's own date -----------------------


def test_every_act_has_at_least_one_allowed_role() -> None:
    assert set(ALLOWED_ROLES) == set(Act)
    assert all(ALLOWED_ROLES[act] for act in Act)


def test_authorisation_records_the_role_held_on_the_act_date() -> None:
    person = appointed("independent_scrutineer", SSCP)
    attribution = authorise(Act.RAISE_CHALLENGE, "owen-reed", person, date(2019, 7, 1))
    assert attribution.actor_role == "independent_scrutineer"
    assert attribution.event_fields() == {
        "actor_id": "owen-reed",
        "actor_role": "independent_scrutineer",
        "occurred_on": date(2019, 7, 1),
    }


def test_a_role_not_yet_held_on_the_act_date_is_refused() -> None:
    person = appointed("independent_scrutineer", SSCP)
    with pytest.raises(
        RefusedError,
        match="owen-reed does not hold any of the roles independent_scrutineer, "
        "partnership_chair on 2019-06-09",
    ):
        authorise(Act.RAISE_CHALLENGE, "owen-reed", person, date(2019, 6, 9))


def test_an_unknown_person_holds_no_role() -> None:
    with pytest.raises(RefusedError, match="nobody does not hold any of the roles business_unit"):
        authorise(Act.REGISTER_ORGANISATION, "nobody", None, date(2019, 6, 9))


def test_setup_opens_only_registration_and_appointment() -> None:
    attribution = authorise(Act.APPOINT_PERSON, "anyone", None, date(2019, 6, 3), setup_open=True)
    assert attribution.actor_role == SETUP_ROLE
    with pytest.raises(RefusedError):
        authorise(Act.RENAME_ORGANISATION, "anyone", None, date(2019, 6, 3), setup_open=True)


def test_responding_needs_an_appointment_for_the_responding_organisation() -> None:
    person = appointed()  # lead partner for somerset-ccg
    on = date(2019, 7, 1)
    assert acting_organisations(person, Act.RESPOND_TO_CHALLENGE, on) == {"somerset-ccg"}
    ok = authorise(
        Act.RESPOND_TO_CHALLENGE, "owen-reed", person, on, for_organisations={"somerset-ccg"}
    )
    assert ok.organisation_id == "somerset-ccg"
    with pytest.raises(RefusedError, match="for somerset-county-council"):
        authorise(
            Act.RESPOND_TO_CHALLENGE,
            "owen-reed",
            person,
            on,
            for_organisations={"somerset-county-council"},
        )


def test_only_the_raiser_may_withdraw() -> None:
    person = appointed("independent_scrutineer", SSCP)
    with pytest.raises(RefusedError, match="only the person who raised"):
        authorise(
            Act.WITHDRAW_CHALLENGE, "owen-reed", person, date(2019, 7, 1), raised_by="helen-morgan"
        )
    ok = authorise(
        Act.WITHDRAW_CHALLENGE, "owen-reed", person, date(2019, 7, 1), raised_by="owen-reed"
    )
    assert ok.actor_role == "independent_scrutineer"


# -- pools, interests, affiliations ---------------------------------------------------


def test_an_independent_scrutineer_is_in_the_local_pool_unless_said_otherwise() -> None:
    local = appointed("independent_scrutineer", SSCP)
    assert local.appointments[0].pool is ScrutineerPool.LOCAL
    regional = Person.new("grace-patel")
    event = regional.appoint("independent_scrutineer", SSCP, display_name="Grace Patel",
                             pool="regional", occurred_on=date(2019, 11, 1), **BY)
    assert event.pool is ScrutineerPool.REGIONAL
    assert regional.pools_on(date(2019, 11, 1)) == {ScrutineerPool.REGIONAL}


def test_only_an_independent_scrutineer_belongs_to_a_pool() -> None:
    person = Person.new("owen-reed")
    assert_refused(
        person,
        lambda: person.appoint("moderator", SSCP, display_name="Owen Reed", pool="regional",
                               occurred_on=date(2019, 7, 1), **BY),
        "only an independent scrutineer belongs to a pool, not a moderator",
    )


def test_an_interest_is_held_from_its_declaration_up_to_its_end() -> None:
    person = appointed("independent_scrutineer", SSCP)
    declared = person.declare_interest(TRUST, "governance", "Trustee",
                                       occurred_on=date(2020, 4, 1), **BY)
    assert isinstance(declared, InterestDeclared)
    ended = person.end_interest("new-trust", occurred_on=date(2020, 7, 31), **BY)
    assert isinstance(ended, InterestEnded)
    assert person.affiliations_on(date(2020, 7, 30)) == {"sscp", "new-trust"}
    assert person.affiliations_on(date(2020, 7, 31)) == {"sscp"}
    assert person.interests[0].end == date(2020, 7, 31)


def test_interest_guards_refuse_and_record_nothing() -> None:
    person = appointed("independent_scrutineer", SSCP)
    assert_refused(
        person,
        lambda: person.declare_interest(TRUST, "employment", occurred_on=date(2020, 3, 31), **BY),
        "new-trust was not registered on 2020-03-31",
    )
    person.declare_interest(TRUST, "employment", occurred_on=date(2020, 4, 1), **BY)
    assert_refused(
        person,
        lambda: person.declare_interest(TRUST, "contract", occurred_on=date(2020, 5, 1), **BY),
        "already has an interest in new-trust",
    )
    assert_refused(person, lambda: person.end_interest("new-trust", occurred_on=date(2020, 4, 1),
                                                       **BY), "ends after it began")
    assert_refused(person, lambda: person.end_interest("ofsted", occurred_on=date(2020, 5, 1),
                                                       **BY), "no open interest in ofsted")


def test_authorisation_on_the_act_date_refuses_a_role_ended_the_day_before() -> None:
    person = appointed("business_unit", SSCP)
    person.stand_down("business_unit", occurred_on=date(2020, 4, 1), **BY)
    ok = authorise(Act.RENAME_ORGANISATION, "owen-reed", person, date(2020, 3, 31))
    assert ok.actor_role == "business_unit"
    with pytest.raises(RefusedError, match="does not hold any of the roles business_unit on "
                                           "2020-04-01"):
        authorise(Act.RENAME_ORGANISATION, "owen-reed", person, date(2020, 4, 1))


def test_a_scrutineer_declares_only_their_own_interests() -> None:
    person = appointed("independent_scrutineer", SSCP)
    on = date(2019, 7, 1)
    own = authorise(Act.DECLARE_INTEREST, "owen-reed", person, on, subject="owen-reed")
    assert own.actor_role == "independent_scrutineer"
    with pytest.raises(RefusedError, match=r"roles business_unit on 2019-07-01 \(needed to "
                                           r"person declare-interest about ruth-evans\)"):
        authorise(Act.DECLARE_INTEREST, "owen-reed", person, on, subject="ruth-evans")


def test_regional_activity_needs_the_regional_pool() -> None:
    person = appointed("independent_scrutineer", SSCP)
    with pytest.raises(RefusedError, match="independent_scrutineer in the regional pool"):
        authorise(Act.RECORD_REGIONAL_ACTIVITY, "owen-reed", person, date(2019, 7, 1),
                  pool=ScrutineerPool.REGIONAL)


def test_an_inspector_acts_only_for_the_inspectorates_but_the_business_unit_for_any() -> None:
    inspector = appointed("inspector", OFSTED)
    on = date(2019, 7, 1)
    bound = {Role.INSPECTOR}
    ok = authorise(Act.ANNOUNCE_INSPECTION, "owen-reed", inspector, on,
                   for_organisations={"ofsted"}, bound_roles=bound)
    assert ok.actor_role == "inspector"
    with pytest.raises(RefusedError, match=r"\(inspector for cqc\)"):
        authorise(Act.ANNOUNCE_INSPECTION, "owen-reed", inspector, on,
                  for_organisations={"cqc"}, bound_roles=bound)
    officer = appointed("business_unit", SSCP)
    assert authorise(Act.ANNOUNCE_INSPECTION, "owen-reed", officer, on,
                     for_organisations={"cqc"}, bound_roles=bound).actor_role == "business_unit"


def test_the_person_who_recorded_an_entry_may_correct_it_in_any_role_they_hold() -> None:
    person = appointed("independent_scrutineer", SSCP)
    on = date(2019, 7, 1)
    ok = authorise(Act.CORRECT_EVENT, "owen-reed", person, on, original_actor="owen-reed")
    assert ok.actor_role == "independent_scrutineer"
    with pytest.raises(RefusedError, match=r"did not record the entry \(helen-morgan did\)"):
        authorise(Act.CORRECT_EVENT, "owen-reed", person, on, original_actor="helen-morgan")


def test_every_act_has_its_permission_and_an_import_name() -> None:
    assert set(PERMISSIONS) == set(Act)
    assert Act.START_RAPID_REVIEW.import_name == "case.rapid-review-start"
    assert len({act.import_name for act in Act}) == len(Act)
