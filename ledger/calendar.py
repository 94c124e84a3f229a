"""Working days in England and Wales, for every deadline the ledger computes.

A working day is Monday to Friday, except the bank holidays of England and
Wales (``holidays.country_holidays("GB", subdiv="ENG")``; without the
subdivision Easter Monday would be missed). One-off holidays such as VE Day
2020-05-08, the Platinum Jubilee 2022-06-03, the State Funeral 2022-09-19 and
the Coronation 2023-05-08 are included by the package. Years are loaded as
they are asked about.

Counting: day 0 is the start date itself, whatever kind of day it is; day 1 is
the first working day after it, and so on. So a five-working-day limit from
Thursday 2021-12-23 ends on 2022-01-04 (Christmas, Boxing Day and New Year
fall on weekends that year and are observed on the following Mondays and
Tuesday).

Counting backwards (``working_days_before``) mirrors it: day 0 is the date
itself and day 1 the first working day before it. Calendar months
(``add_calendar_months``) keep the day of the month, or fall back to the last
day of a shorter month: 31 January + 1 month is 28 (or 29) February.
"""

from __future__ import annotations

import calendar as _gregorian
from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "add_calendar_months",
    "add_working_days",
    "bank_holiday_name",
    "is_working_day",
    "working_days_before",
]


@lru_cache(maxsize=1)
def _bank_holidays() -> holidays.HolidayBase:
    # ``expand=True`` (the default) loads each year the first time it is asked about.
    return holidays.country_holidays("GB", subdiv="ENG")


def bank_holiday_name(day: date) -> str | None:
    """The name of the England and Wales bank holiday on ``day``, if it is one."""
    name = _bank_holidays().get(day)
    return None if name is None else str(name)


def is_working_day(day: date) -> bool:
    """True for Monday to Friday unless an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays()


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (day 0 is ``start``).

    Raises ``ValueError`` for a negative number of days.
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError("days must be an integer")
    if days < 0:
        raise ValueError("the number of working days cannot be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_before(end: date, days: int) -> date:
    """The date ``days`` working days before ``end`` (day 0 is ``end``).

    Raises ``ValueError`` for a negative number of days.
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError("days must be an integer")
    if days < 0:
        raise ValueError("the number of working days cannot be negative")
    current = end
    remaining = days
    while remaining:
        current -= timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def add_calendar_months(start: date, months: int) -> date:
    """The same day ``months`` calendar months later, or that month's last day.

    2019-01-31 + 1 month is 2019-02-28; 2020-01-31 + 1 month is 2020-02-29;
    2019-08-31 + 6 months is 2020-02-29. Negative ``months`` count backwards.
    """
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError("months must be an integer")
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = _gregorian.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))
