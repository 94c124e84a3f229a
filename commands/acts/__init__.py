"""Every act of the ledger: command models and their handlers.

``handle(command, ledger)`` records one act in its own transaction and
returns a dict describing the event recorded (stream id, version, position,
event type, actor, fields), ready for ``--json``. ``COMMANDS`` maps each
``Act`` (as named on the command line) to its command model; ``run`` and
``UnitOfWork`` let several acts share one transaction (``scrutiny import``).
"""

from __future__ import annotations

from commands.acts import (  # noqa: F401 - importing registers the handlers
    activities,
    audits,
    cases,
    challenges,
    corrections,
    erasure,
    inspections,
    organisations,
    people,
    regional,
    reports,
    reviews,
)
from commands.acts.activities import LinkCdopLearning, RecordActivity
from commands.acts.audits import (
    AgreeAuditAction,
    CloseAuditAction,
    CompleteAudit,
    HoldPeerChallenge,
    ModerateRating,
    PlanAudit,
    RecordAuditFinding,
    SubmitReturn,
)
from commands.acts.base import (
    COMMANDS,
    HANDLERS,
    Command,
    UnitOfWork,
    describe,
    handle,
    run,
)
from commands.acts.cases import (
    CompleteRapidReview,
    DecideReview,
    InformPartners,
    NotifyIncident,
    RecordPanelResponse,
    SignDecision,
    StartRapidReview,
)
from commands.acts.challenges import (
    EscalateChallenge,
    RaiseChallenge,
    ResolveChallenge,
    RespondToChallenge,
    WithdrawChallenge,
)
from commands.acts.corrections import CorrectEvent
from commands.acts.erasure import EraseSubject
from commands.acts.inspections import (
    AgreeActionPlan,
    AnnounceInspection,
    PublishInspection,
    RecordInspectionFindings,
)
from commands.acts.organisations import (
    DissolveOrganisation,
    RegisterOrganisation,
    RenameOrganisation,
    SucceedOrganisation,
)
from commands.acts.people import AppointPerson, DeclareInterest, EndInterest, StandDown
from commands.acts.regional import AgreeTerms, ModerateScrutineer, RecordRegionalActivity
from commands.acts.reports import (
    DraftReport,
    OpenReport,
    PresentReport,
    PublishReport,
    ScrutiniseReport,
    SendReport,
    SignOffReport,
)
from commands.acts.reviews import (
    AgreeRecommendation,
    CloseRecommendation,
    CommissionReview,
    DelayPublication,
    MonitorReview,
    PublishReview,
    ReceiveDraft,
    SendReviewCopies,
    SignOffReview,
)
from ledger.domain.authorisation import Act
from ledger.errors import InvalidInputError


def command_for(name: str) -> type[Command]:
    """The command model of an act named ``challenge.raise`` or ``challenge raise``."""
    wanted = name.replace(".", " ").strip()
    for act, command_class in COMMANDS.items():
        if act.value == wanted:
            return command_class
    known = ", ".join(sorted(act.import_name for act in COMMANDS))
    raise InvalidInputError(f"no act {name!r}; the acts are {known}")


__all__ = [
    "COMMANDS",
    "HANDLERS",
    "Act",
    "AgreeActionPlan",
    "AgreeAuditAction",
    "AgreeRecommendation",
    "AgreeTerms",
    "AnnounceInspection",
    "AppointPerson",
    "CloseAuditAction",
    "CloseRecommendation",
    "Command",
    "CommissionReview",
    "CompleteAudit",
    "CompleteRapidReview",
    "CorrectEvent",
    "EraseSubject",
    "DecideReview",
    "DeclareInterest",
    "DelayPublication",
    "DissolveOrganisation",
    "DraftReport",
    "EndInterest",
    "EscalateChallenge",
    "HoldPeerChallenge",
    "InformPartners",
    "LinkCdopLearning",
    "ModerateRating",
    "ModerateScrutineer",
    "MonitorReview",
    "NotifyIncident",
    "OpenReport",
    "PlanAudit",
    "PresentReport",
    "PublishInspection",
    "PublishReport",
    "PublishReview",
    "RaiseChallenge",
    "ReceiveDraft",
    "RecordActivity",
    "RecordAuditFinding",
    "RecordInspectionFindings",
    "RecordPanelResponse",
    "RecordRegionalActivity",
    "RegisterOrganisation",
    "RenameOrganisation",
    "ResolveChallenge",
    "RespondToChallenge",
    "ScrutiniseReport",
    "SendReport",
    "SendReviewCopies",
    "SignDecision",
    "SignOffReport",
    "SignOffReview",
    "StandDown",
    "StartRapidReview",
    "SubmitReturn",
    "SucceedOrganisation",
    "UnitOfWork",
    "WithdrawChallenge",
    "command_for",
    "describe",
    "handle",
    "run",
]
