"""Every free-text field of every event is sealed, or listed here as clear with a reason.

A new text field on an event fails this test until it is either added to its
class's ``personal_fields`` (sealed under the subject's key) or listed in
``CLEAR`` with the reason it cannot identify anybody.
"""

from __future__ import annotations

import importlib
import pkgutil
import typing
from typing import Any

import ledger.domain
from ledger.domain.base import DomainEvent

CLEAR: dict[tuple[str, str], str] = {
    ("OrganisationRegistered", "name"): "a public body's name",
    ("OrganisationRenamed", "new_name"): "a public body's name",
    ("OrganisationDissolved", "reason"): "why a public body ceased",
    ("ReviewCommissioned", "reviewer"): "the commissioned reviewer, named in the published review",
    ("ReviewDraftReceived", "draft"): "a document reference",
    ("ReportDrafted", "draft"): "a document reference",
    ("ReviewPublished", "location"): "where the published review is",
    ("YearlyReportPublished", "location"): "where the published report is",
    ("InspectionReportPublished", "location"): "where the published inspection report is",
    ("InspectionAnnounced", "theme"): "the published theme of an inspection",
    ("CdopLearningLinked", "theme"): "a theme label (safe sleep, neglect ...)",
    ("TermsOfReferenceAgreed", "contract_ref"): "a contract reference between partnerships",
    ("TermsOfReferenceAgreed", "summary"): "the scope agreed between partnerships",
    ("IncidentNotified", "children"): "pseudonyms (Child A); DOMAIN.md forbids names here",
    ("SigningKeyRotated", "old_vkey"): "a public key",
    ("SigningKeyRotated", "new_vkey"): "a public key",
    ("SigningKeyRotated", "valid_from"): "a time",
    ("SigningKeyRotated", "reason"): "why the ledger's key was rotated",
    ("SigningKeyRotated", "statement"): "the signed statement of the rotation",
    ("SubjectErased", "reason"): "the record of an erasure must stay readable",
    ("EventCorrected", "target_event_type"): "an event class name",
    ("EventCorrected", "target_stream_id"): "an id",
    ("EventCorrected", "subject_id"): "an id",
    ("ActImported", "act"): "an act name",
    ("ActImported", "stream_id"): "an id",
    ("YearlyReportSignedOff", "edition"): "a rule edition",
    ("ChallengeRaised", "due_rule"): "a rule id",
    ("ChallengeRaised", "due_edition"): "a rule edition",
    ("PeerChallengeHeld", "challengers"): "organisation ids",
    ("AuditPlanned", "agencies"): "organisation ids",
    ("CopiesSentBeforePublication", "recipients"): "organisation ids",
    ("PartnersInformed", "partners"): "organisation ids",
    ("ReviewDecided", "partners"): "organisation ids",
    ("InspectionActionPlanAgreed", "owners"): "organisation ids",
    ("InspectionAnnounced", "inspectorates"): "organisation ids",
    ("TermsOfReferenceAgreed", "parties"): "organisation ids",
    ("TermsOfReferenceAgreed", "scope"): "organisation ids",
    ("ChallengeRaised", "to_partners"): "organisation ids",
    ("ScrutinyActivityHeld", "organisations"): "organisation ids",
    ("ModerationCompleted", "sample"): "activity ids",
    ("ReviewDecided", "criteria"): "criteria codes",
}


def events() -> list[type[DomainEvent]]:
    for module in pkgutil.iter_modules(ledger.domain.__path__):
        importlib.import_module(f"ledger.domain.{module.name}")
    found: list[type[DomainEvent]] = []
    pending = list(DomainEvent.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("ledger.domain."):
            found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def is_free_text(annotation: Any, metadata: list[Any]) -> bool:
    """Text with no pattern limiting it to an id or a code: str, or str inside a container."""
    if any(getattr(m, "pattern", None) for m in metadata):
        return False
    if annotation is str or annotation is Any:
        return True
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is dict:
        return is_free_text(args[1], [])
    return any(is_free_text(arg, []) for arg in args if arg is not type(None) and arg is not ...)


def sealed_names(cls: type[DomainEvent]) -> set[str]:
    """Fields sealed whole, or entry by entry (a correction's values)."""
    entries = {"corrected_values": {"summary": "x"}, "previous_values": {"summary": "x"},
               "target_event_type": "IncidentNotified"}
    return set(cls.personal_fields) | {path[0] for path in cls.personal_paths(entries)}


def cleared(cls: type[DomainEvent], name: str) -> bool:
    return any((c.__name__, name) in CLEAR for c in cls.__mro__)


def test_every_free_text_field_is_sealed_or_cleared_with_a_reason() -> None:
    unaccounted = []
    for cls in events():
        for name, field in cls.model_fields.items():
            if name in DomainEvent.model_fields or name in sealed_names(cls):
                continue
            if is_free_text(field.annotation, field.metadata) and not cleared(cls, name):
                unaccounted.append(f"{cls.__name__}.{name}")
    assert unaccounted == []


def test_every_sealed_field_is_a_field_of_its_event_and_never_cleared() -> None:
    for cls in events():
        for name in cls.personal_fields:
            assert name in cls.model_fields, f"{cls.__name__}.{name}"
            assert (cls.__name__, name) not in CLEAR
    assert {name for name, _ in CLEAR} <= {cls.__name__ for cls in events()}
