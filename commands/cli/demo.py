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
    refuses a ledger that already holds events. Records organisations,
    people and challenges at all three tiers in every state, signs a
    checkpoint, prints the status (open and overdue challenges) and
    verifies the whole log. The content is fixed, so every run is the same.
    """
    from commands.demo import run_demo
    from commands.output import to_json

    result = run_demo(settings.db_url, settings.key_path)
    if as_json:
        emit(to_json(result.as_dict()))
        return
    emit(render_status(result.as_dict()))


def render_status(data: dict[str, Any]) -> str:
    """The demo's status as text."""
    from commands.output import key_values, table

    summary = data["summary"]
    verification = data["verification"]
    states = summary["by_state"]
    lines = [
        f"Demo ledger recorded: {data['recorded']} acts; checkpoint {data['checkpoint_id']} "
        f"signed at tree size {verification['tree_size']}.",
        "",
        f"Status as of {summary['as_of']}",
        key_values(
            [
                ("organisations", summary["organisations"]),
                (
                    "people",
                    f"{summary['people']} ({summary['people_in_post']} holding a role today)",
                ),
                (
                    "challenges",
                    f"{summary['challenges']}: "
                    + ", ".join(f"{count} {state}" for state, count in states.items()),
                ),
            ]
        ),
        "",
        "Challenges by tier",
        table(
            [{"tier": tier, **counts} for tier, counts in sorted(summary["by_tier"].items())],
            ["tier", *states.keys()],
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
                    "age_days": item["age_days"],
                    "response_due": item["response_due"],
                    "overdue": "OVERDUE" if item["overdue"] else "",
                    "awaiting": ", ".join(item["awaiting"]) or "-",
                }
                for item in summary["open_challenges"]
            ],
            ["id", "tier", "status", "raised", "age_days", "response_due", "overdue", "awaiting"],
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
