"""Response models of the JSON API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """Every error: a status and one line saying why (never a stack trace)."""

    detail: str


class Whoami(BaseModel):
    person_id: str
    display_name: str
    token_id: str
    token_role: str | None = Field(description="The role the token is limited to; null: any role held")
    roles_today: list[str] = Field(description="Roles the person holds today that the token covers")
    audiences: list[str] = Field(description="executive, inspector, moderation")


class OpenChallenge(BaseModel):
    challenge_id: str
    tier: int | None = None
    status: str | None = None
    raised_on: str | None = None
    age_days: int | None = None
    response_due: str | None = None
    overdue: bool
    escalations: int
    awaiting: list[str] = Field(description="Partners (current names) who have not answered")
    subject: str | None = None
    case_ref: str | None = None


class Deadline(BaseModel):
    stream_id: str
    kind: str
    key: str
    name: str
    due: str
    rule: str = Field(description="The rule (and edition) that produced the deadline")
    description: str
    met_on: str | None = None
    state: str = Field(description="met, met late, due, overdue or closed")
    days_left: int | None = None
    status: str | None = Field(default=None, description="The stream's status")


class DeadlineSummary(BaseModel):
    counts: dict[str, int] = Field(description="met, met late, due, overdue, closed")
    overdue: list[Deadline]
    due: list[Deadline]


class KindStatusCount(BaseModel):
    kind: str
    status: str | None = None
    count: int


class TierCoverage(BaseModel):
    tier: int
    year: str
    scrutiny_acts: int = Field(description="Acts recorded by independent scrutineers")
    scrutineers: int
    acts: int = Field(description="All acts at this tier in this year")


class StreamSummary(BaseModel):
    stream_id: str
    kind: str
    key: str
    status: str | None = None
    tier: int | None = None
    opened_on: str | None = None
    closed_on: str | None = None


class ModerationRecord(StreamSummary):
    data: dict[str, Any] = Field(description="The moderation: moderator, scrutineer, sample, outcome")


class Status(BaseModel):
    """The Executive's dashboard."""

    as_of: str
    as_known_at: str | None = None
    events: int
    open_challenges: list[OpenChallenge]
    deadlines: DeadlineSummary
    other_work: list[KindStatusCount]
    tier_coverage: list[TierCoverage]
    reviews: list[StreamSummary] = Field(description="Serious incidents and their reviews (cases)")
    audits: list[StreamSummary]
    reports: list[StreamSummary] = Field(description="The yearly report cycle")


class HistoryRow(BaseModel):
    position: int
    stream_id: str
    stream_kind: str
    stream_version: int
    event_type: str
    actor_id: str | None = None
    actor_role: str | None = None
    actor: str | None = Field(default=None, description="Name then (id, role)")
    organisation_name_then: str | None = None
    tier: int | None = None
    occurred_on: str | None = None
    recorded_at: str
    fields: dict[str, Any]
    evidence: list[Any] = []
    corrected_by: int | None = Field(default=None, description="Position of a correction of this event")
    corrects: str | None = Field(default=None, description="The event this one corrects")


class HistoryPage(BaseModel):
    rows: list[HistoryRow]
    next_after: int | None = Field(description="Pass as `after` for the next page; null at the end")


class StreamState(BaseModel):
    stream_id: str
    kind: str
    key: str
    status: str | None = None
    tier: int | None = None
    opened_on: str | None = None
    closed_on: str | None = None
    last_position: int
    data: dict[str, Any] = Field(description="The aggregate's state, as the write side holds it")
    deadlines: list[Deadline]
    timeline: list[HistoryRow] | None = Field(
        default=None, description="Every act of the stream (inspectors only)"
    )


class ActivityRow(BaseModel):
    month: str
    tier: int | None = None
    kind: str
    count: int


class ScrutineerSummary(BaseModel):
    person_id: str
    display_name: str | None = None
    acts: int
    by_tier: dict[str, int]


class ScrutineerActivity(BaseModel):
    person_id: str
    display_name: str | None = None
    appointments: list[dict[str, Any]]
    interests: list[dict[str, Any]] = Field(description="Declared affiliations")
    activity: list[ActivityRow]


class CheckpointInfo(BaseModel):
    id: int
    tree_size: int
    recorded_at: str
    origin: str
    root_hash: str = Field(description="base64")
    note: str = Field(description="The signed note, exactly as signed")


class CheckpointListItem(BaseModel):
    id: int
    tree_size: int
    recorded_at: str


class InclusionProof(BaseModel):
    """RFC 9162 inclusion proof from stored subtrees; hashes in standard base64."""

    type: str = "inclusion"
    origin: str | None = None
    leaf_index: int
    tree_size: int
    leaf_input: str = Field(description="base64 of the exact bytes hashed")
    leaf_hash: str
    root: str
    proof: list[str]
    checkpoint: str | None = Field(description="The stored signed checkpoint of this size, if any")


class Verification(BaseModel):
    ok: bool
    tree_size: int
    root_hash: str
    checkpoints_checked: int
    problem: str | None = None
    first_bad_position: int | None = None
    key_source: str
