"""National recipients resolved by role and date: the What Works Centre became Foundations."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.domain.organisations import NationalRole, Organisation
from ledger.domain.recipients import resolve_recipient
from ledger.errors import RefusedError

BY: dict[str, Any] = {"actor_id": "jane-porter", "actor_role": "business_unit"}
WWC = NationalRole.WHAT_WORKS_CENTRE


def national(key: str, name: str, on: date, role: str | None) -> Organisation:
    organisation = Organisation.new(key)
    organisation.register(name=name, kind="national_body", statutory_role=None,
                          national_role=role, occurred_on=on, **BY)
    return organisation


def centres() -> dict[str, Organisation]:
    centre = national("what-works-centre", "What Works Centre for Children's Social Care",
                      date(2019, 6, 10), "what_works_centre")
    foundations = national("foundations", "Foundations", date(2023, 6, 6), None)
    centre.succeed(foundations, occurred_on=date(2023, 6, 6), **BY)
    return {o.key: o for o in (centre, foundations)}


def resolve(on: date, known: dict[str, Organisation], role: NationalRole = WWC) -> str:
    return resolve_recipient(role, on, known.values(), known.__getitem__).organisation_id


def test_the_what_works_centre_is_the_recipient_until_the_day_before_foundations() -> None:
    known = centres()
    assert resolve(date(2020, 10, 2), known) == "what-works-centre"
    assert resolve(date(2023, 6, 5), known) == "what-works-centre"


def test_foundations_is_the_recipient_from_2023_06_06() -> None:
    known = centres()
    recipient = resolve_recipient(WWC, date(2023, 6, 6), known.values(), known.__getitem__)
    assert (recipient.organisation_id, recipient.name) == ("foundations", "Foundations")
    assert resolve(date(2023, 9, 28), known) == "foundations"


def test_a_successor_that_also_holds_the_role_is_found_once() -> None:
    centre = national("what-works-centre", "WWC", date(2019, 6, 10), "what_works_centre")
    foundations = national("foundations", "Foundations", date(2023, 6, 6), "what_works_centre")
    centre.succeed(foundations, occurred_on=date(2023, 6, 6), **BY)
    known = {o.key: o for o in (centre, foundations)}
    assert resolve(date(2024, 1, 1), known) == "foundations"


def test_no_holder_on_the_date_is_refused_with_the_remedy() -> None:
    known = centres()
    with pytest.raises(RefusedError, match="no organisation held the national role "
                                           "what_works_centre on 2019-06-09; register it"):
        resolve(date(2019, 6, 9), known)
    with pytest.raises(RefusedError, match="practice_review_panel"):
        resolve(date(2020, 1, 1), known, NationalRole.PRACTICE_REVIEW_PANEL)


def test_two_holders_at_once_are_refused_as_ambiguous() -> None:
    first = national("panel-a", "Panel A", date(2019, 6, 10), "practice_review_panel")
    second = national("panel-b", "Panel B", date(2019, 6, 10), "practice_review_panel")
    known = {o.key: o for o in (first, second)}
    with pytest.raises(RefusedError, match=r"several organisations held .* \(panel-a, panel-b\)"):
        resolve(date(2020, 1, 1), known, NationalRole.PRACTICE_REVIEW_PANEL)
