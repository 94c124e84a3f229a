"""A serious incident, from the local authority's notification to a published review.

Stream ids are ``case:<id>`` (pseudonymous ids such as ``SSCP-2019-01``).
The events are in ``ledger.domain.case_events``. The journey::

    notified ─> partners informed ─> rapid review started ─> rapid review completed
      ─> decided (local CSPR | national referral | no review) ─> signed off by each partner
      ─> [Panel's response, any time after the rapid review]
      ─> commissioned ─> progress monitored* ─> draft received+ ─> report signed off
      ─> copies sent (Panel, Secretary of State) ─> published (in full, or improvements only)
      [publication delayed*, any time between commissioning and publication]
      ─> recommendations agreed* ─> closed*

Deadlines (``ledger.rules``), stored in the event that sets them:

* notification and informing the partners: 5 working days after the local
  authority became aware (``serious-incident-notification``);
* the rapid review: 15 working days after the partners became aware
  (``rapid-review``);
* publication of a local CSPR: 6 calendar months after the decision to
  commission it (``cspr-publication``);
* copies to the Panel and the Secretary of State: at least 7 working days
  before the planned publication (``cspr-copies-before-publication``); the
  copies are refused after that date, and publication is refused earlier
  than 7 working days after the copies were sent.

Lateness is recorded, not refused: a notification after its deadline is a
fact the ledger keeps, and the read side shows it as missed.

Guards (``RefusedError``, nothing recorded): each step only after the one it
follows and only once (drafts, progress checks, delays and recommendations may
repeat); acts dated in order; every organisation named exists on the date;
the notifying organisation is a local authority; up to four children, each
by pseudonym and named once; the decision's partners include one of each
statutory role and only safeguarding partners; only those partners sign it
off, each once; a local CSPR cites at least one criterion; publication of
improvements only gives reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ledger.calendar import add_working_days
from ledger.domain import case_events as ev
from ledger.domain.acting import Stamp, check_each_once, check_existed, check_key
from ledger.domain.base import Tier
from ledger.domain.case_record import CaseRecord
from ledger.domain.organisations import Organisation, StatutoryRole, parse_choice
from ledger.domain.recipients import Recipient
from ledger.rules import deadline, rule_for


class Case(CaseRecord):
    """One serious incident and the review that may follow it."""

    @classmethod
    def new(cls, key: str) -> Case:
        return cls(cls.stream_id_for(check_key(key, "case")))

    # -- notification and rapid review ------------------------------------------

    def notify(
        self,
        *,
        local_authority: Organisation,
        panel: Recipient,
        children: Sequence[str],
        became_aware_on: date,
        summary: str,
        at: Stamp,
    ) -> ev.IncidentNotified:
        self.check_new()
        check_existed(local_authority, at.occurred_on)
        if local_authority.statutory_role is not StatutoryRole.LOCAL_AUTHORITY:
            self.refuse(f"only a local authority notifies a serious incident; "
                        f"{local_authority.key} is not one")
        if not 1 <= len(children) <= ev.MAX_CHILDREN:
            self.refuse(f"a notification names 1 to {ev.MAX_CHILDREN} children by pseudonym")
        check_each_once(list(children), "child")
        if became_aware_on > at.occurred_on:
            self.refuse("the local authority cannot notify before becoming aware")
        return self.record(
            ev.IncidentNotified,
            at,
            local_authority_id=local_authority.key,
            panel_id=panel.organisation_id,
            children=tuple(children),
            became_aware_on=became_aware_on,
            summary=summary,
            deadline=deadline("serious-incident-notification", became_aware_on),
        )

    def inform_partners(
        self, *, partners: Sequence[Organisation], at: Stamp
    ) -> ev.PartnersInformed:
        self._check_step("inform the partners of", at, after="notified")
        assert self.became_aware_on is not None
        self._check_partners(partners, at.occurred_on)
        return self.record(
            ev.PartnersInformed,
            at,
            partners=tuple(p.key for p in partners),
            deadline=deadline("serious-incident-notification", self.became_aware_on),
        )

    def start_rapid_review(self, *, partners_aware_on: date, at: Stamp) -> ev.RapidReviewStarted:
        self._check_step("start the rapid review of", at, after="partners_informed")
        assert self.became_aware_on is not None
        if not self.became_aware_on <= partners_aware_on <= at.occurred_on:
            self.refuse(
                "the partners became aware between the local authority becoming aware "
                f"({self.became_aware_on.isoformat()}) and the start of the rapid review"
            )
        return self.record(
            ev.RapidReviewStarted,
            at,
            partners_aware_on=partners_aware_on,
            deadline=deadline("rapid-review", partners_aware_on),
        )

    def complete_rapid_review(
        self,
        *,
        facts: str,
        immediate_action: str,
        potential_improvements: str,
        next_steps: str,
        recommendation: ev.RapidReviewRecommendation | str,
        at: Stamp,
    ) -> ev.RapidReviewCompleted:
        chosen = parse_choice(ev.RapidReviewRecommendation, recommendation, "recommendation")
        self._check_step("complete the rapid review of", at, after="rapid_review")
        return self.record(
            ev.RapidReviewCompleted,
            at,
            facts=facts,
            immediate_action=immediate_action,
            potential_improvements=potential_improvements,
            next_steps=next_steps,
            recommendation=chosen,
        )

    # -- the decision -----------------------------------------------------------

    def decide(
        self,
        *,
        decision: ev.ReviewDecision | str,
        criteria: Sequence[ev.ReviewCriterion | str],
        reasons: str,
        partners: Sequence[Organisation],
        at: Stamp,
    ) -> ev.ReviewDecided:
        chosen = parse_choice(ev.ReviewDecision, decision, "decision")
        cited = tuple(parse_choice(ev.ReviewCriterion, c, "criterion") for c in criteria)
        self._check_step("decide on", at, after="rapid_review_completed")
        check_each_once([c.value for c in cited], "criterion")
        if chosen is ev.ReviewDecision.LOCAL_CSPR and not cited:
            self.refuse("a decision to hold a local CSPR cites the criteria it meets")
        self._check_partners(partners, at.occurred_on)
        roles = {p.statutory_role for p in partners}
        missing = [r.value for r in StatutoryRole if r not in roles]
        if missing:
            self.refuse(
                "each statutory partner signs off the decision; no partner named for "
                + ", ".join(missing)
            )
        publication = (
            deadline("cspr-publication", at.occurred_on)
            if chosen is ev.ReviewDecision.LOCAL_CSPR
            else None
        )
        return self.record(
            ev.ReviewDecided,
            at,
            tier=Tier.EXECUTIVE,
            decision=chosen,
            criteria=cited,
            reasons=reasons,
            partners=tuple(p.key for p in partners),
            publication_deadline=publication,
        )

    def sign_decision(self, *, organisation: Organisation, at: Stamp) -> ev.DecisionSignedOff:
        self.check_open("sign off the decision on", at.occurred_on)
        if self.decision is None:
            self.refuse(f"case {self.key} has no decision to sign off yet")
        assert self.decision is not None
        check_existed(organisation, at.occurred_on)
        if organisation.key not in self.decision.partners:
            self.refuse(
                f"{organisation.key} is not one of the partners of the decision on {self.key} "
                f"({', '.join(self.decision.partners)})"
            )
        if organisation.key in self.signed_by:
            self.refuse(f"{organisation.key} has already signed off the decision on {self.key}")
        return self.record(
            ev.DecisionSignedOff, at, tier=Tier.EXECUTIVE, organisation_id=organisation.key
        )

    def record_panel_response(
        self, *, response: ev.PanelResponse | str, comments: str, at: Stamp
    ) -> ev.PanelResponded:
        chosen = parse_choice(ev.PanelResponse, response, "Panel response")
        self.check_open("record the Panel's response on", at.occurred_on)
        if self.rapid_review_completed_on is None:
            self.refuse(f"the Panel responds to a completed rapid review; {self.key} has none")
        if self.panel_response is not None:
            self.refuse(f"the Panel's response on {self.key} is already recorded")
        return self.record(ev.PanelResponded, at, response=chosen, comments=comments)

    # -- the review -------------------------------------------------------------

    def commission(
        self, *, reviewer: str, scope: str, terms: str, at: Stamp
    ) -> ev.ReviewCommissioned:
        self.check_open("commission a review of", at.occurred_on)
        if self.decision is None or self.decision.decision is not ev.ReviewDecision.LOCAL_CSPR:
            self.refuse(f"a review of {self.key} is commissioned only after a decision "
                        "to hold a local CSPR")
        assert self.decision is not None
        unsigned = [p for p in self.decision.partners if p not in self.signed_by]
        if unsigned:
            self.refuse(f"the decision on {self.key} still awaits sign-off by "
                        + ", ".join(unsigned))
        if self.commissioned_on is not None:
            self.refuse(f"a review of {self.key} was already commissioned")
        return self.record(
            ev.ReviewCommissioned, at, reviewer=reviewer, scope=scope, terms=terms
        )

    def monitor_progress(
        self, *, status: ev.ProgressStatus | str, note: str, at: Stamp
    ) -> ev.ReviewProgressMonitored:
        chosen = parse_choice(ev.ProgressStatus, status, "progress status")
        self._check_review_running("monitor the progress of", at)
        return self.record(ev.ReviewProgressMonitored, at, status=chosen, note=note)

    def receive_draft(self, *, draft: str, at: Stamp) -> ev.ReviewDraftReceived:
        self._check_review_running("receive a draft of", at)
        if self.report_signed_off_on is not None:
            self.refuse(f"the report on {self.key} is already signed off")
        if draft.strip() in self.drafts:
            self.refuse(f"draft {draft.strip()!r} of {self.key} was already received")
        return self.record(ev.ReviewDraftReceived, at, draft=draft)

    def sign_off_report(self, *, note: str | None, at: Stamp) -> ev.ReviewReportSignedOff:
        self._check_review_running("sign off the report on", at)
        if not self.drafts:
            self.refuse(f"no draft of the report on {self.key} has been received")
        if self.report_signed_off_on is not None:
            self.refuse(f"the report on {self.key} is already signed off")
        return self.record(ev.ReviewReportSignedOff, at, note=note)

    def send_copies(
        self, *, recipients: Sequence[Recipient], planned_publication: date, at: Stamp
    ) -> ev.CopiesSentBeforePublication:
        self._check_review_running("send copies of", at)
        if self.report_signed_off_on is None:
            self.refuse(f"copies of {self.key} are sent once the report is signed off")
        if self.copies is not None:
            self.refuse(f"copies of {self.key} were already sent")
        due = deadline("cspr-copies-before-publication", planned_publication)
        if at.occurred_on > due.due:
            self.refuse(
                f"copies must reach the Panel and the Secretary of State by "
                f"{due.due.isoformat()}, at least 7 working days before the planned "
                f"publication on {planned_publication.isoformat()} "
                f"({due.rule_id}, {due.edition}); plan a later publication"
            )
        return self.record(
            ev.CopiesSentBeforePublication,
            at,
            recipients=tuple(recipients),
            planned_publication=planned_publication,
            deadline=due,
        )

    def publish(
        self,
        *,
        mode: ev.PublicationMode | str,
        location: str,
        reasons: str | None,
        at: Stamp,
    ) -> ev.ReviewPublished:
        chosen = parse_choice(ev.PublicationMode, mode, "publication mode")
        self._check_review_running("publish", at)
        if self.copies_sent_on is None:
            self.refuse(
                f"copies of {self.key} go to the Panel and the Secretary of State before "
                "publication; none have been sent"
            )
        assert self.copies_sent_on is not None
        rule = rule_for("cspr-copies-before-publication", at.occurred_on)
        assert rule.limit is not None
        earliest = add_working_days(self.copies_sent_on, rule.limit)
        if at.occurred_on < earliest:
            self.refuse(
                f"{self.key} can be published from {earliest.isoformat()}, {rule.limit} "
                f"working days after the copies were sent on {self.copies_sent_on.isoformat()} "
                f"({rule.rule_id}, {rule.edition})"
            )
        if chosen is ev.PublicationMode.IMPROVEMENTS_ONLY and not (reasons or "").strip():
            self.refuse("publishing only the improvements needs the reasons")
        return self.record(
            ev.ReviewPublished, at, mode=chosen, location=location, reasons=reasons
        )

    def delay_publication(
        self,
        *,
        reason: ev.DelayReason | str,
        details: str,
        expected_on: date | None,
        at: Stamp,
    ) -> ev.PublicationDelayed:
        chosen = parse_choice(ev.DelayReason, reason, "delay reason")
        self._check_review_running("delay the publication of", at)
        if expected_on is not None and expected_on <= at.occurred_on:
            self.refuse("the expected publication date must be after the delay is recorded")
        return self.record(
            ev.PublicationDelayed, at, reason=chosen, details=details, expected_on=expected_on
        )

    def agree_recommendation(
        self,
        *,
        recommendation_id: str,
        text: str,
        owner: Organisation,
        action: str,
        due_on: date | None,
        at: Stamp,
    ) -> ev.RecommendationAgreed:
        self.check_open("agree a recommendation of", at.occurred_on)
        if self.report_signed_off_on is None:
            self.refuse(f"recommendations of {self.key} follow the signed-off report")
        if recommendation_id in self.open_recommendations + self.closed_recommendations:
            self.refuse(f"recommendation {recommendation_id} of {self.key} already exists")
        check_existed(owner, at.occurred_on)
        if due_on is not None and due_on < at.occurred_on:
            self.refuse("an action cannot be due before it is agreed")
        return self.record(
            ev.RecommendationAgreed,
            at,
            recommendation_id=recommendation_id,
            text=text,
            owner_id=owner.key,
            action=action,
            due_on=due_on,
        )

    def close_recommendation(
        self, *, recommendation_id: str, outcome: str, at: Stamp
    ) -> ev.RecommendationClosed:
        self.check_open("close a recommendation of", at.occurred_on)
        if recommendation_id not in self.open_recommendations:
            state = "already closed" if recommendation_id in self.closed_recommendations else (
                "not agreed"
            )
            self.refuse(f"recommendation {recommendation_id} of {self.key} is {state}")
        return self.record(
            ev.RecommendationClosed, at, recommendation_id=recommendation_id, outcome=outcome
        )
