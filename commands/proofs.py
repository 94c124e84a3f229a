"""Handlers for ``scrutiny prove``: inclusion and consistency proofs as JSON-ready dicts."""

from __future__ import annotations

import re
from typing import Any

from ledger.application import open_ledger
from ledger.errors import InvalidInputError, NotFoundError
from ledger.proofs import prove_consistency, prove_inclusion
from ledger.storage.recorder import LedgerRecorder

_COUNT = re.compile(r"0|[1-9][0-9]{0,18}", re.ASCII)


def parse_count(value: str, what: str) -> int:
    """A decimal number without sign, spaces or leading zeroes (exit 2 otherwise)."""
    if not isinstance(value, str) or not _COUNT.fullmatch(value):
        raise InvalidInputError(f"{what} must be a whole number like 0, 7 or 120, not {value!r}")
    return int(value)


def latest_checkpoint(
    recorder: LedgerRecorder, hint: str = "run 'scrutiny checkpoint' first"
) -> tuple[int, int, str]:
    """(id, size, note) of the latest stored checkpoint, or NotFoundError."""
    stored = recorder.checkpoints()
    if not stored:
        raise NotFoundError(f"the ledger has no checkpoint yet; {hint}")
    checkpoint_id, size, _, note = stored[-1]
    return checkpoint_id, size, note


def _note_for(recorder: LedgerRecorder, size: int) -> str | None:
    notes = [note for _, stored_size, _, note in recorder.checkpoints() if stored_size == size]
    return notes[-1] if notes else None


def inclusion(db_url: str, position: str, size: str | None) -> dict[str, Any]:
    """The inclusion proof of the event at POSITION in the tree of --size events."""
    index = parse_count(position, "POSITION")
    wanted = None if size is None else parse_count(size, "--size")
    app = open_ledger(db_url)
    try:
        recorder = app.ledger_recorder
        if wanted is None:
            _, wanted, _ = latest_checkpoint(recorder, "run 'scrutiny checkpoint' or give --size")
        data = prove_inclusion(recorder, index, wanted).as_dict()
        data["checkpoint"] = _note_for(recorder, wanted)
        return data
    finally:
        app.close()


def consistency(db_url: str, old: str, new: str) -> dict[str, Any]:
    """The consistency proof from the tree of OLD events to that of NEW events."""
    old_size = parse_count(old, "OLD")
    new_size = parse_count(new, "NEW")
    app = open_ledger(db_url)
    try:
        recorder = app.ledger_recorder
        data = prove_consistency(recorder, old_size, new_size).as_dict()
        data["old_checkpoint"] = _note_for(recorder, old_size)
        data["new_checkpoint"] = _note_for(recorder, new_size)
        return data
    finally:
        app.close()
