"""A realistic, deterministic demo ledger: Somerset's partnership in 2019-2020.

``run_demo`` initialises the ledger if needed (refusing one that already
holds events), records the acts of ``commands.demo_script`` (every act kind
of the ledger: organisations and people, scrutiny at all three tiers,
challenges in every state, two serious incidents, audits, the yearly report,
a joint inspection, regional scrutiny and moderation, a CDOP link, a
correction, and the successions of 2020-2023), signs a checkpoint,
summarises the ledger and verifies it.

Every act goes through the same command models, authorisation and handlers
as the command line, in batches of one transaction each. Content and dates
are fixed: two runs record the same events (only ``recorded_at`` and the
signature differ).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from commands.acts import Command, command_for
from commands.acts.base import record_in_batches
from commands.admin import init_ledger, make_checkpoint
from commands.admin import verify as verify_ledger
from commands.demo_script import demo_script
from ledger.application import open_ledger
from ledger.domain.base import today_in_london
from ledger.errors import RefusedError
from ledger.storage.database import Database
from ledger.verification import VerificationReport
from projections.summary import LedgerSummary, summarise

BATCH_SIZE = 50
RESERVED = ("act", "as", "on")


def command_of(row: dict[str, Any]) -> Command:
    """One row of the demo script as its command."""
    fields = {k: v for k, v in row.items() if k not in RESERVED}
    return command_for(str(row["act"])).build(actor=row["as"], occurred_on=row["on"], **fields)


def demo_acts() -> list[Command]:
    """The demo's acts, in the order they are recorded."""
    return [command_of(row) for row in demo_script()]


@dataclass(frozen=True)
class DemoResult:
    recorded: int
    checkpoint_id: int
    checkpoint: str
    summary: LedgerSummary
    verification: VerificationReport

    def as_dict(self) -> dict[str, Any]:
        return {
            "recorded": self.recorded,
            "checkpoint_id": self.checkpoint_id,
            "checkpoint": self.checkpoint,
            "summary": self.summary.as_dict(),
            "verification": self.verification.as_dict(),
        }


def run_demo(db_url: str, key_path: Path, as_of: date | None = None) -> DemoResult:
    """Build the demo ledger at ``db_url`` (init it if needed), sign, summarise, verify."""
    database = Database(db_url)
    try:
        initialised = database.has_schema()
    finally:
        database.dispose()
    if not initialised:
        key_path.parent.mkdir(parents=True, exist_ok=True)
        init_ledger(db_url, key_path, None)
    acts = demo_acts()
    ledger = open_ledger(db_url)
    try:
        held = ledger.ledger_recorder.max_notification_id()
        if held is not None:
            raise RefusedError(
                f"the ledger at {ledger.database.describe()} already holds {held} events; "
                "the demo needs an empty ledger (use another --db)"
            )
        record_in_batches(ledger, acts, BATCH_SIZE)
    finally:
        ledger.close()
    checkpoint_id, note = make_checkpoint(db_url, key_path)
    ledger = open_ledger(db_url)
    try:
        summary = summarise(ledger.ledger_recorder, as_of or today_in_london())
    finally:
        ledger.close()
    report, _ = verify_ledger(db_url, key_path)
    return DemoResult(len(acts), checkpoint_id, note, summary, report)
