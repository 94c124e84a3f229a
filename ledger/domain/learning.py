"""Links with parallel learning from the Child Death Overview Panel (CDOP).

Independent scrutiny "makes links with parallel learning from the Child
Death Overview Panel" (SSCP scrutiny arrangements, 2019). Stream ids are
``learning-link:<id>``.

Events::

    CdopLearningLinked   cdop_id, theme, learning, case_id, audit_id

Guards: an id is used once; the CDOP is a local body that exists on the
date; a linked case had been notified, and a linked audit planned, by the
date.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from ledger.domain.acting import KEY_PATTERN, SLUG, DatedAggregate, Stamp, check_existed, check_key, clean_text
from ledger.domain.base import Aggregate, DomainEvent
from ledger.domain.case_record import CaseRecord
from ledger.domain.organisations import Organisation, OrganisationKind


class CdopLearningLinked(DomainEvent):
    personal_fields = ("learning",)

    cdop_id: str = Field(pattern=SLUG)
    theme: str = Field(min_length=1, max_length=500)
    learning: str = Field(min_length=1, max_length=5000)
    case_id: str | None = Field(default=None, pattern=KEY_PATTERN)
    audit_id: str | None = Field(default=None, pattern=KEY_PATTERN)

    strip = field_validator("theme", "learning")(clean_text)

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return LearningLink

    def personal_subject(self) -> str:
        """Text about a case is that case's personal data, erased with it."""
        return CaseRecord.stream_id_for(self.case_id) if self.case_id else self.originator_id


class LearningLink(DatedAggregate):
    """One link between the partnership's scrutiny and CDOP learning."""

    stream_prefix = "learning-link"
    noun = "learning link"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.cdop_id = ""
        self.theme = ""
        self.case_id: str | None = None
        self.audit_id: str | None = None

    @classmethod
    def new(cls, key: str) -> LearningLink:
        return cls(cls.stream_id_for(check_key(key, "learning link")))

    def link(
        self,
        *,
        cdop: Organisation,
        theme: str,
        learning: str,
        case: tuple[str, date | None] | None,
        audit: tuple[str, date | None] | None,
        at: Stamp,
    ) -> CdopLearningLinked:
        """``case`` and ``audit`` are (id, the date it began) when linked."""
        self.check_new()
        check_existed(cdop, at.occurred_on)
        if cdop.kind is not OrganisationKind.LOCAL_BODY:
            self.refuse(f"{cdop.key} is not a local body such as the Child Death Overview Panel")
        for noun, linked in (("case", case), ("audit", audit)):
            if linked is not None and (linked[1] is None or linked[1] > at.occurred_on):
                self.refuse(f"{noun} {linked[0]} did not exist yet on {at.occurred_on.isoformat()}")
        return self.record(
            CdopLearningLinked,
            at,
            cdop_id=cdop.key,
            theme=theme,
            learning=learning,
            case_id=None if case is None else case[0],
            audit_id=None if audit is None else audit[0],
        )

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, CdopLearningLinked):
            self.cdop_id = event.cdop_id
            self.theme = event.theme
            self.case_id = event.case_id
            self.audit_id = event.audit_id
        else:
            super().apply(event)
        self.note_act(event)
