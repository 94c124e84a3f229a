"""Statutory and local timescales as versioned data, and the deadlines they produce.

A rule is one row of the table in DOMAIN.md for one edition of the statutory
guidance. Editions are chosen by date: Working Together 2018 (``WT2018``) is
in force from 2018-06-29, Working Together 2023 (``WT2023``) from 2023-12-15;
``SSCP`` is the partnership's own local policy (challenge response times,
set per challenge). The edition that applies to a deadline is the one in
force on the date the count starts from (for a count backwards, the date it
counts back from).

``deadline(rule_id, start)`` computes a ``Deadline``: the due date, the rule
and edition that produced it, and a description a reader can check by hand.
Events store the ``Deadline`` they were given, so a later change of the rules
never changes what a past act was told.

Day types: working days (England and Wales, ``ledger.calendar``; day 0 is the
start date), calendar days, calendar months (the same day of the month, or
the last day of a shorter month: 31 January + 1 month is 28/29 February).

Source citations are given as the guidance states them; where DOMAIN.md says
"verify before relying on it", the rule's ``note`` says so too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ledger.calendar import add_calendar_months, add_working_days, working_days_before
from ledger.errors import InvalidInputError, RefusedError

__all__ = [
    "EDITIONS",
    "RULES",
    "DayType",
    "Deadline",
    "DeadlineStatus",
    "Direction",
    "Edition",
    "Rule",
    "deadline",
    "edition_on",
    "rule_for",
]


class DayType(StrEnum):
    WORKING_DAYS = "working days"
    CALENDAR_DAYS = "calendar days"
    CALENDAR_MONTHS = "calendar months"


class Direction(StrEnum):
    AFTER = "after"
    BEFORE = "before"


@dataclass(frozen=True)
class Edition:
    """A version of the rules, in force from a date until the next one."""

    edition_id: str
    title: str
    in_force_from: date
    statutory: bool = True


EDITIONS: tuple[Edition, ...] = (
    Edition("WT2018", "Working Together to Safeguard Children 2018", date(2018, 6, 29)),
    Edition("WT2023", "Working Together to Safeguard Children 2023", date(2023, 12, 15)),
    Edition(
        "SSCP",
        "Somerset Safeguarding Children Partnership local policy (scrutiny arrangements 2019)",
        date(2018, 6, 29),
        statutory=False,
    ),
)


@dataclass(frozen=True)
class Rule:
    """One timescale in one edition."""

    rule_id: str
    edition: str
    limit: int | None  # None: the act sets it (a challenge's response time)
    day_type: DayType
    direction: Direction
    counted_from: str
    description: str
    source: str
    at_least: bool = False
    note: str = ""


_INCIDENT = "local authority notifies the Panel of a serious incident and informs its partners"
_RAPID = "rapid review completed and sent to the Panel"
_CSPR = "local child safeguarding practice review published"
_COPIES = "copy of the review sent to the Panel and the Secretary of State"
_YEARLY = "yearly report published"
_YEARLY_COPIES = "yearly report sent to the Panel and the What Works Centre (Foundations)"

RULES: tuple[Rule, ...] = (
    Rule(
        "serious-incident-notification", "WT2018", 5, DayType.WORKING_DAYS, Direction.AFTER,
        "the local authority becoming aware of the incident", _INCIDENT,
        "Children Act 2004 s16C(1); Working Together 2018 ch.4",
    ),
    Rule(
        "serious-incident-notification", "WT2023", 5, DayType.WORKING_DAYS, Direction.AFTER,
        "the local authority becoming aware of the incident", _INCIDENT,
        "Children Act 2004 s16C(1); Working Together 2023 ch.5",
    ),
    Rule(
        "rapid-review", "WT2018", 15, DayType.WORKING_DAYS, Direction.AFTER,
        "the safeguarding partners becoming aware of the incident", _RAPID,
        "Child Safeguarding Practice Review Panel guidance; Working Together 2018 ch.4; "
        "SSCP scrutiny arrangements 2019 ('15 day timescale')",
    ),
    Rule(
        "rapid-review", "WT2023", 15, DayType.WORKING_DAYS, Direction.AFTER,
        "the safeguarding partners becoming aware of the incident", _RAPID,
        "Child Safeguarding Practice Review Panel guidance; Working Together 2023 ch.5",
    ),
    Rule(
        "cspr-publication", "WT2018", 6, DayType.CALENDAR_MONTHS, Direction.AFTER,
        "the decision to commission the review", _CSPR, "Working Together 2018 ch.4",
    ),
    Rule(
        "cspr-publication", "WT2023", 6, DayType.CALENDAR_MONTHS, Direction.AFTER,
        "the decision to commission the review", _CSPR, "Working Together 2023 ch.5",
    ),
    Rule(
        "cspr-copies-before-publication", "WT2018", 7, DayType.WORKING_DAYS, Direction.BEFORE,
        "publication", _COPIES, "Working Together 2018 ch.4", at_least=True,
        note="DOMAIN.md: verify before relying on it",
    ),
    Rule(
        "cspr-copies-before-publication", "WT2023", 7, DayType.WORKING_DAYS, Direction.BEFORE,
        "publication", _COPIES, "Working Together 2023 ch.5", at_least=True,
        note="DOMAIN.md: verify before relying on it",
    ),
    Rule(
        "yearly-report-publication", "WT2018", 12, DayType.CALENDAR_MONTHS, Direction.AFTER,
        "the publication of the previous report", _YEARLY, "Working Together 2018 ch.3",
    ),
    Rule(
        "yearly-report-publication", "WT2023", 12, DayType.CALENDAR_MONTHS, Direction.AFTER,
        "the publication of the previous report", _YEARLY, "Working Together 2023 ch.2",
    ),
    Rule(
        "yearly-report-copies", "WT2018", 7, DayType.CALENDAR_DAYS, Direction.AFTER,
        "publication", _YEARLY_COPIES,
        "Working Together 2018 ch.3; SSCP scrutiny arrangements 2019",
    ),
    Rule(
        "yearly-report-copies", "WT2023", 7, DayType.CALENDAR_DAYS, Direction.AFTER,
        "publication", _YEARLY_COPIES, "Working Together 2023 ch.2",
    ),
    Rule(
        "challenge-response", "SSCP", None, DayType.WORKING_DAYS, Direction.AFTER,
        "the raising of the challenge", "response to a challenge",
        "SSCP local policy: set per challenge",
    ),
)


class Deadline(BaseModel):
    """A due date and the rule (and edition) that produced it; stored in events."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    due: date
    rule_id: str = Field(min_length=1, max_length=100)
    edition: str = Field(min_length=1, max_length=20)
    description: str = Field(min_length=1, max_length=500)


@dataclass(frozen=True)
class DeadlineStatus:
    """A deadline an aggregate carries, and the date it was met (None: not yet)."""

    name: str
    due: date
    rule_id: str
    edition: str
    description: str
    met_on: date | None = None

    @classmethod
    def of(cls, name: str, deadline: Deadline, met_on: date | None) -> DeadlineStatus:
        return cls(
            name, deadline.due, deadline.rule_id, deadline.edition, deadline.description, met_on
        )

    def overdue(self, today: date) -> bool:
        """Not met and past due (for a count backwards: not met by the due date)."""
        return self.met_on is None and today > self.due


def edition_on(day: date, *, statutory: bool = True) -> Edition:
    """The edition of the statutory guidance (or of local policy) in force on ``day``."""
    in_force = [
        e for e in EDITIONS if e.statutory is statutory and e.in_force_from <= day
    ]
    if not in_force:
        raise RefusedError(
            f"no edition of the rules was in force on {day.isoformat()}; the earliest "
            f"starts on {min(e.in_force_from for e in EDITIONS).isoformat()}"
        )
    return max(in_force, key=lambda e: e.in_force_from)


def rule_for(rule_id: str, day: date) -> Rule:
    """The edition of rule ``rule_id`` in force on ``day``."""
    editions = [rule for rule in RULES if rule.rule_id == rule_id]
    if not editions:
        known = ", ".join(sorted({rule.rule_id for rule in RULES}))
        raise InvalidInputError(f"no rule {rule_id!r}; the rules are {known}")
    statutory = _edition(editions[0].edition).statutory
    edition = edition_on(day, statutory=statutory).edition_id
    for rule in editions:
        if rule.edition == edition:
            return rule
    raise RefusedError(f"rule {rule_id} has no {edition} edition")  # pragma: no cover


def deadline(rule_id: str, start: date, *, limit: int | None = None) -> Deadline:
    """The deadline rule ``rule_id`` sets, counting from (or back from) ``start``.

    ``limit`` is required for a rule whose limit the act sets (and refused
    for the others).
    """
    rule = rule_for(rule_id, start)
    if rule.limit is None:
        if limit is None or isinstance(limit, bool) or limit < 0:
            raise InvalidInputError(f"rule {rule_id} needs the limit the act sets")
        amount = limit
    else:
        if limit is not None:
            raise InvalidInputError(f"rule {rule_id} has a fixed limit of {rule.limit}")
        amount = rule.limit
    due = _count(start, amount, rule.day_type, rule.direction)
    when = "at least " if rule.at_least else ""
    description = (
        f"{rule.description}: {when}{amount} {rule.day_type.value} {rule.direction.value} "
        f"{rule.counted_from} ({start.isoformat()}); {rule.source}"
    )
    return Deadline(due=due, rule_id=rule.rule_id, edition=rule.edition, description=description)


def _count(start: date, amount: int, day_type: DayType, direction: Direction) -> date:
    sign = 1 if direction is Direction.AFTER else -1
    if day_type is DayType.WORKING_DAYS:
        if direction is Direction.AFTER:
            return add_working_days(start, amount)
        return working_days_before(start, amount)
    if day_type is DayType.CALENDAR_DAYS:
        return start + timedelta(days=sign * amount)
    return add_calendar_months(start, sign * amount)


def _edition(edition_id: str) -> Edition:
    return next(e for e in EDITIONS if e.edition_id == edition_id)
