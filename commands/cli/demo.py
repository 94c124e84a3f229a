"""``scrutiny demo``: build a realistic demo ledger and show its status."""

from __future__ import annotations

from typing import Any

import click

from commands.cli.common import emit, json_option, pass_settings
from commands.settings import Settings


@click.command()
@json_option
@pass_settings
def demo(settings: Settings, as_json: bool) -> None:
    """Record a demo of Somerset's partnership in 2019-2020, then check it.

    Creates the ledger at --db (and a key at --key) if there is none;
    refuses a ledger that already holds events. Records every kind of act:
    organisations and people, scrutiny at all three tiers, challenges in
    every state, serious incidents and reviews, audits, the yearly report,
    an inspection, regional scrutiny and moderation, a correction, and the
    successions since (the CCG to the ICB, the What Works Centre to
    Foundations). Signs a checkpoint, prints the status and verifies the
    whole log. The content is fixed, so every run is the same.
    """
    from commands.demo import run_demo
    from commands.output import to_json

    result = run_demo(settings.db_url, settings.key_path)
    if as_json:
        emit(to_json(result.as_dict()))
        return
    emit(render_status(result.as_dict()))


def _counts(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return "0"
    return f"{total}: " + ", ".join(f"{n} {state}" for state, n in sorted(counts.items()) if n)


def render_status(data: dict[str, Any]) -> str:
    """The demo's status as text: a few lines, the open challenges, the verification."""
    from commands.output import key_values, table

    summary = data["summary"]
    verification = data["verification"]
    states = summary["by_state"]
    tiers = summary["activity_by_tier"]
    deadlines = summary["deadlines"]
    overdue_deadlines = ", ".join(
        f"{d['stream_id']} {d['name']} due {d['due']} ({d['rule_id']} {d['edition']})"
        for d in summary["overdue_deadlines"]
    )
    lines = [
        f"Demo ledger recorded: {data['recorded']} acts; checkpoint {data['checkpoint_id']} "
        f"signed at tree size {verification['tree_size']}.",
        "",
        f"Status as of {summary['as_of']}",
        key_values(
            [
                ("organisations", summary["organisations"]),
                ("people", f"{summary['people']} ({summary['people_in_post']} holding a role "
                           "today)"),
                ("challenges", f"{summary['challenges']}: "
                 + ", ".join(f"{count} {state}" for state, count in states.items())),
                ("cases", _counts(summary["cases"])),
                ("audits", _counts(summary["audits"])
                 + f"; {summary['open_audit_actions']} open action(s)"),
                ("yearly reports", _counts(summary["yearly_reports"])),
                ("inspections", _counts(summary["inspections"])),
                ("scrutiny", f"{sum(tiers.values())} activities: "
                 + ", ".join(f"tier {t} {n}" for t, n in sorted(tiers.items()))
                 + f" ({summary['regional_activities']} regional); "
                 f"{summary['moderations']} moderation(s); "
                 f"{summary['corrections']} correction(s); "
                 f"{summary['erasures']} erasure(s)"),
                ("deadlines", _counts(deadlines)
                 + (f" [overdue: {overdue_deadlines}]" if overdue_deadlines else "")),
            ]
        ),
        "",
        f"Open challenges ({len(summary['open_challenges'])}, {summary['overdue']} overdue)",
        table(
            [
                {
                    "id": item["challenge_id"],
                    "tier": item["tier"],
                    "status": item["status"],
                    "raised": item["raised_on"],
                    "response_due": item["response_due"],
                    "overdue": "OVERDUE" if item["overdue"] else "",
                }
                for item in summary["open_challenges"]
            ],
            ["id", "tier", "status", "raised", "response_due", "overdue"],
        ),
        "",
        "Verification: "
        + (
            f"intact ({verification['tree_size']} events, "
            f"{verification['checkpoints_checked']} checkpoint(s) checked)"
            if verification["ok"]
            else f"FAILED: {verification['problem']}"
        ),
    ]
    return "\n".join(lines)
