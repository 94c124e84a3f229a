"""Working days in England and Wales (day 0 is the start date)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.calendar import (
    add_calendar_months,
    add_working_days,
    bank_holiday_name,
    is_working_day,
    working_days_before,
)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2021, 12, 23), 5, date(2022, 1, 4)),
        (date(2023, 5, 3), 5, date(2023, 5, 11)),
        (date(2022, 6, 1), 5, date(2022, 6, 10)),
    ],
)
def test_documented_examples_hold(start: date, days: int, expected: date) -> None:
    assert add_working_days(start, days) == expected


def test_christmas_2021_skips_the_observed_holidays_and_weekends() -> None:
    assert add_working_days(date(2021, 12, 23), 1) == date(2021, 12, 24)
    assert add_working_days(date(2021, 12, 23), 2) == date(2021, 12, 29)


def test_ve_day_2020_is_skipped() -> None:
    # Thursday 2020-05-07 + 1 working day: Friday 8 May (VE Day) is a bank holiday.
    assert not is_working_day(date(2020, 5, 8))
    assert add_working_days(date(2020, 5, 7), 1) == date(2020, 5, 11)


def test_state_funeral_2022_is_skipped() -> None:
    # Friday 2022-09-16 + 1: Monday 19 September was the State Funeral.
    assert not is_working_day(date(2022, 9, 19))
    assert bank_holiday_name(date(2022, 9, 19)) is not None
    assert add_working_days(date(2022, 9, 16), 1) == date(2022, 9, 20)


def test_easter_monday_is_a_holiday_in_england() -> None:
    assert not is_working_day(date(2019, 4, 22))
    assert add_working_days(date(2019, 4, 18), 1) == date(2019, 4, 23)  # Good Friday too


def test_coronation_bank_holiday_is_skipped() -> None:
    assert not is_working_day(date(2023, 5, 8))


def test_ordinary_weekdays_are_working_days_and_weekends_are_not() -> None:
    assert is_working_day(date(2019, 7, 3))
    assert not is_working_day(date(2019, 7, 6))
    assert not is_working_day(date(2019, 7, 7))
    assert bank_holiday_name(date(2019, 7, 3)) is None


def test_zero_days_is_the_start_even_on_a_weekend() -> None:
    assert add_working_days(date(2019, 7, 6), 0) == date(2019, 7, 6)


def test_counting_from_a_saturday_starts_on_monday() -> None:
    assert add_working_days(date(2019, 7, 6), 1) == date(2019, 7, 8)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2019, 7, 1), -1)


def test_years_are_loaded_as_needed() -> None:
    # Christmas Day 2031 is a Thursday; Boxing Day Friday.
    assert add_working_days(date(2031, 12, 24), 1) == date(2031, 12, 29)
    assert not is_working_day(date(1999, 12, 27))


@given(
    st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=40),
)
def test_adding_working_days_composes(start: date, first: int, second: int) -> None:
    middle = add_working_days(start, first)
    assert add_working_days(middle, second) == add_working_days(start, first + second)


@given(
    st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=1, max_value=60),
)
def test_the_result_is_a_working_day_with_exactly_n_working_days_after_the_start(
    start: date, days: int
) -> None:
    end = add_working_days(start, days)
    assert is_working_day(end)
    span = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(1 for day in span if is_working_day(day)) == days


# -- counting backwards and calendar months -----------------------------------------


def test_working_days_before_mirrors_adding_them() -> None:
    assert working_days_before(date(2023, 5, 11), 5) == date(2023, 5, 3)
    assert working_days_before(date(2022, 1, 4), 5) == date(2021, 12, 23)
    assert working_days_before(date(2019, 7, 6), 0) == date(2019, 7, 6)


def test_working_days_before_skips_the_coronation_and_the_weekend() -> None:
    # Tuesday 2023-05-09, one working day back: Monday 8 May was the Coronation.
    assert working_days_before(date(2023, 5, 9), 1) == date(2023, 5, 5)


def test_negative_days_before_are_refused() -> None:
    with pytest.raises(ValueError):
        working_days_before(date(2019, 7, 1), -1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2019, 1, 31), 1, date(2019, 2, 28)),
        (date(2020, 1, 31), 1, date(2020, 2, 29)),
        (date(2019, 8, 31), 6, date(2020, 2, 29)),
        (date(2019, 3, 31), 6, date(2019, 9, 30)),
        (date(2020, 2, 29), 12, date(2021, 2, 28)),
        (date(2019, 12, 15), 1, date(2020, 1, 15)),
        (date(2020, 3, 31), -1, date(2020, 2, 29)),
    ],
)
def test_calendar_months_keep_the_day_or_fall_back_to_the_month_end(
    start: date, months: int, expected: date
) -> None:
    assert add_calendar_months(start, months) == expected


@given(
    st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=40),
)
def test_counting_back_then_forward_lands_on_or_after_the_start(start: date, days: int) -> None:
    back = working_days_before(start, days)
    assert back <= start
    assert add_working_days(back, days) >= start
    if is_working_day(start):
        assert add_working_days(back, days) == start
