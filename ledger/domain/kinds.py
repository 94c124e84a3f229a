"""The kinds of independent scrutiny activity, and the tier each belongs to.

From the tier table of the SSCP scrutiny arrangements (May 2019) and
DOMAIN.md:

====  =====================  ==============================================================
tier  forum                  activity kinds
====  =====================  ==============================================================
1     Executive Group        executive_attendance (attendance and challenge at Executive
                             meetings), risk_management, cspr_decision_making (decisions on
                             which cases progress to a CSPR), disagreement_resolution
2     Strategic Partnership  critical_friend, promoting_reflection, yearly_report_scrutiny,
                             cspr_scrutiny, quality_and_performance (independent presence
                             or chairing of the Quality and Performance group)
3     Delivery               children_and_families_contact, practitioner_contact,
                             safeguarding_conversation, section_11_peer_challenge,
                             look_and_see
====  =====================  ==============================================================
"""

from __future__ import annotations

from enum import StrEnum

from ledger.domain.base import Tier


class ActivityKind(StrEnum):
    EXECUTIVE_ATTENDANCE = "executive_attendance"
    RISK_MANAGEMENT = "risk_management"
    CSPR_DECISION_MAKING = "cspr_decision_making"
    DISAGREEMENT_RESOLUTION = "disagreement_resolution"
    CRITICAL_FRIEND = "critical_friend"
    PROMOTING_REFLECTION = "promoting_reflection"
    YEARLY_REPORT_SCRUTINY = "yearly_report_scrutiny"
    CSPR_SCRUTINY = "cspr_scrutiny"
    QUALITY_AND_PERFORMANCE = "quality_and_performance"
    CHILDREN_AND_FAMILIES_CONTACT = "children_and_families_contact"
    PRACTITIONER_CONTACT = "practitioner_contact"
    SAFEGUARDING_CONVERSATION = "safeguarding_conversation"
    SECTION_11_PEER_CHALLENGE = "section_11_peer_challenge"
    LOOK_AND_SEE = "look_and_see"

    @property
    def tier(self) -> Tier:
        return TIER_OF[self]

    @property
    def label(self) -> str:
        return LABELS[self]


TIER_OF: dict[ActivityKind, Tier] = {
    ActivityKind.EXECUTIVE_ATTENDANCE: Tier.EXECUTIVE,
    ActivityKind.RISK_MANAGEMENT: Tier.EXECUTIVE,
    ActivityKind.CSPR_DECISION_MAKING: Tier.EXECUTIVE,
    ActivityKind.DISAGREEMENT_RESOLUTION: Tier.EXECUTIVE,
    ActivityKind.CRITICAL_FRIEND: Tier.STRATEGIC_PARTNERSHIP,
    ActivityKind.PROMOTING_REFLECTION: Tier.STRATEGIC_PARTNERSHIP,
    ActivityKind.YEARLY_REPORT_SCRUTINY: Tier.STRATEGIC_PARTNERSHIP,
    ActivityKind.CSPR_SCRUTINY: Tier.STRATEGIC_PARTNERSHIP,
    ActivityKind.QUALITY_AND_PERFORMANCE: Tier.STRATEGIC_PARTNERSHIP,
    ActivityKind.CHILDREN_AND_FAMILIES_CONTACT: Tier.DELIVERY,
    ActivityKind.PRACTITIONER_CONTACT: Tier.DELIVERY,
    ActivityKind.SAFEGUARDING_CONVERSATION: Tier.DELIVERY,
    ActivityKind.SECTION_11_PEER_CHALLENGE: Tier.DELIVERY,
    ActivityKind.LOOK_AND_SEE: Tier.DELIVERY,
}

LABELS: dict[ActivityKind, str] = {
    ActivityKind.EXECUTIVE_ATTENDANCE: "attendance and challenge at the Executive Group",
    ActivityKind.RISK_MANAGEMENT: "risk management",
    ActivityKind.CSPR_DECISION_MAKING: "decisions on which cases progress to a CSPR",
    ActivityKind.DISAGREEMENT_RESOLUTION: "disagreement resolution",
    ActivityKind.CRITICAL_FRIEND: "constructive critical friend",
    ActivityKind.PROMOTING_REFLECTION: "promotion of reflection to drive improvement",
    ActivityKind.YEARLY_REPORT_SCRUTINY: "scrutiny of the yearly report",
    ActivityKind.CSPR_SCRUTINY: "scrutiny of child safeguarding practice reviews",
    ActivityKind.QUALITY_AND_PERFORMANCE: "independent presence or chairing of the Quality "
    "and Performance group",
    ActivityKind.CHILDREN_AND_FAMILIES_CONTACT: "listening to children, young people and "
    "families",
    ActivityKind.PRACTITIONER_CONTACT: "direct conversations with practitioners",
    ActivityKind.SAFEGUARDING_CONVERSATION: "participation in safeguarding conversations",
    ActivityKind.SECTION_11_PEER_CHALLENGE: "Section 11 peer challenge",
    ActivityKind.LOOK_AND_SEE: "'look and see' visit",
}


def kinds_at(tier: Tier) -> tuple[ActivityKind, ...]:
    return tuple(kind for kind in ActivityKind if TIER_OF[kind] is tier)
