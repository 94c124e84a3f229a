"""Statutory and local timescales as versioned data, and the deadlines they produce."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.errors import InvalidInputError, RefusedError
from ledger.rules import EDITIONS, RULES, DayType, Direction, deadline, edition_on, rule_for


def test_the_editions_start_on_the_dates_of_the_guidance() -> None:
    starts = {e.edition_id: e.in_force_from for e in EDITIONS}
    assert starts["WT2018"] == date(2018, 6, 29)
    assert starts["WT2023"] == date(2023, 12, 15)
    assert edition_on(date(2023, 12, 14)).edition_id == "WT2018"
    assert edition_on(date(2023, 12, 15)).edition_id == "WT2023"


def test_no_rule_applies_before_the_first_edition() -> None:
    with pytest.raises(RefusedError, match="no edition of the rules was in force on 2018-06-28"):
        deadline("rapid-review", date(2018, 6, 28))


def test_every_statutory_rule_has_both_editions_and_a_source() -> None:
    statutory = {r.rule_id for r in RULES if r.edition != "SSCP"}
    for rule_id in statutory:
        editions = {r.edition for r in RULES if r.rule_id == rule_id}
        assert editions == {"WT2018", "WT2023"}, rule_id
    assert all(r.source and r.counted_from and r.description for r in RULES)


def test_the_rules_hold_the_limits_of_the_domain_table() -> None:
    table = {
        (r.rule_id, r.edition): (r.limit, r.day_type, r.direction)
        for r in RULES
    }
    after, before = Direction.AFTER, Direction.BEFORE
    working, days, months = DayType.WORKING_DAYS, DayType.CALENDAR_DAYS, DayType.CALENDAR_MONTHS
    assert table[("serious-incident-notification", "WT2018")] == (5, working, after)
    assert table[("rapid-review", "WT2023")] == (15, working, after)
    assert table[("cspr-publication", "WT2018")] == (6, months, after)
    assert table[("cspr-copies-before-publication", "WT2018")] == (7, working, before)
    assert table[("yearly-report-publication", "WT2023")] == (12, months, after)
    assert table[("yearly-report-copies", "WT2018")] == (7, days, after)
    assert table[("challenge-response", "SSCP")] == (None, working, after)
    assert rule_for("cspr-copies-before-publication", date(2020, 1, 1)).at_least


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2021, 12, 23), date(2022, 1, 4)),
        (date(2023, 5, 3), date(2023, 5, 11)),
        (date(2022, 6, 1), date(2022, 6, 10)),
    ],
)
def test_the_documented_five_working_day_examples_hold_for_notification(
    start: date, expected: date
) -> None:
    due = deadline("serious-incident-notification", start)
    assert due.due == expected
    assert (due.rule_id, due.edition) == ("serious-incident-notification", "WT2018")
    assert "5 working days after" in due.description and start.isoformat() in due.description


def test_rapid_review_deadline_skips_the_coronation_bank_holiday() -> None:
    # 15 working days from Wednesday 2023-04-26: Monday 1 May and Monday 8 May
    # (the Coronation) are bank holidays.
    due = deadline("rapid-review", date(2023, 4, 26))
    assert due.due == date(2023, 5, 19)
    assert due.edition == "WT2018"
    assert "Working Together 2018" in due.description


def test_a_deadline_counted_under_wt2023_names_that_edition() -> None:
    due = deadline("rapid-review", date(2024, 1, 2))
    assert due.edition == "WT2023"
    assert "Working Together 2023" in due.description


def test_cspr_publication_is_six_calendar_months_and_clamps_at_the_month_end() -> None:
    assert deadline("cspr-publication", date(2019, 8, 31)).due == date(2020, 2, 29)
    assert deadline("cspr-publication", date(2019, 11, 25)).due == date(2020, 5, 25)


def test_yearly_report_is_due_twelve_months_after_the_previous_one() -> None:
    assert deadline("yearly-report-publication", date(2020, 2, 29)).due == date(2021, 2, 28)


def test_yearly_report_copies_are_due_seven_calendar_days_after_publication() -> None:
    due = deadline("yearly-report-copies", date(2020, 9, 28))
    assert due.due == date(2020, 10, 5)


def test_copies_of_a_review_count_back_seven_working_days_from_publication() -> None:
    due = deadline("cspr-copies-before-publication", date(2023, 5, 12))
    # Back from Friday 12 May 2023: 11, 10, 9, (8 Coronation), 5, 4, 3, 2.
    assert due.due == date(2023, 5, 2)
    assert "at least 7 working days before publication" in due.description


def test_a_challenge_response_uses_the_limit_the_challenge_sets() -> None:
    due = deadline("challenge-response", date(2019, 9, 2), limit=10)
    assert (due.due, due.rule_id, due.edition) == (date(2019, 9, 16), "challenge-response", "SSCP")
    with pytest.raises(InvalidInputError, match="needs the limit"):
        deadline("challenge-response", date(2019, 9, 2))
    with pytest.raises(InvalidInputError, match="fixed limit of 15"):
        deadline("rapid-review", date(2019, 9, 2), limit=10)


def test_an_unknown_rule_is_named() -> None:
    with pytest.raises(InvalidInputError, match="no rule 'tea-break'"):
        deadline("tea-break", date(2019, 9, 2))
