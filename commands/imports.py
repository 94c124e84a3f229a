"""``scrutiny import FILE.jsonl``: record acts in bulk, in batches, exactly once.

Each non-blank line is one JSON object naming an act and its fields::

    {"act": "challenge.raise", "as": "scrutineer-amy", "on": "2019-09-02",
     "key": "ch-2019-001", "challenge_id": "CH-2019-001", "to_partners": ["somerset-cc"],
     "subject": "...", "tier": 2}

* ``act``: the act's name, as on the command line with a dot
  (``challenge.raise``, ``case.rapid-review-start``);
* ``as``: the person recording it; ``on``: the date it happened (default today);
* ``key`` (optional): its idempotency key; without one, the key is the
  SHA-256 of the line's canonical JSON (RFC 8785), so the same object
  written with other spacing or key order has the same key;
* ``evidence`` (optional): a list of ``{"title", "location", "sha256"}``;
* every other field is a field of the act's command model (the names of the
  ``fields`` of ``--json`` output, and of ``docs/domain.md``).

The whole file is validated first; one malformed line refuses the file with
``line N: reason`` before anything is written. Then the acts are recorded in
batches of ``batch_size``: all acts of a batch, and for each its idempotency
marker (stream ``import:<key>``, ``ledger.domain.imports``), are saved with
one ``ScrutinyLedger.record`` call, one transaction, so a batch is recorded
whole or not at all. A domain refusal aborts its batch (earlier batches stay
recorded) and names the line. An act whose key is already recorded, by an
earlier run or earlier in the file, is skipped: re-running a file records
nothing twice, even when two processes run it at once (the store's unique
``(stream, version)`` refuses the second marker).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from commands.acts import Command, UnitOfWork, command_for, run
from ledger.application import ScrutinyLedger
from ledger.domain.imports import ImportedAct, check_import_key
from ledger.errors import ConflictError, InvalidInputError, LedgerError
from ledger.records import canonical_json

DEFAULT_BATCH_SIZE = 100
RESERVED = ("act", "as", "on", "key")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ImportLine:
    """One valid line of an import file."""

    number: int
    act: str
    key: str
    command: Command


@dataclass(frozen=True)
class ImportResult:
    lines: int
    recorded: int
    already_present: int
    batches: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        return f"{self.recorded} recorded, {self.already_present} already present"


def parse_line(number: int, text: str) -> ImportLine:
    """One line as a validated act, or InvalidInputError ``line N: reason``."""
    try:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"not JSON ({exc.msg} at column {exc.colno})") from exc
        except RecursionError:
            raise InvalidInputError("the JSON is nested too deeply") from None
        if not isinstance(data, dict):
            raise InvalidInputError("each line is one JSON object")
        return _line_from(number, data)
    except InvalidInputError as exc:
        raise InvalidInputError(f"line {number}: {exc}") from exc


def _line_from(number: int, data: dict[str, Any]) -> ImportLine:
    act = data.get("act")
    if not isinstance(act, str):
        raise InvalidInputError("'act' names the act, e.g. \"challenge.raise\"")
    actor = data.get("as")
    if not isinstance(actor, str) or not actor:
        raise InvalidInputError("'as' names the person recording the act")
    for field in ("actor", "occurred_on"):
        if field in data:
            raise InvalidInputError(f"use 'as' and 'on', not {field!r}")
    command_class = command_for(act)
    fields = {k: v for k, v in data.items() if k not in RESERVED}
    if "on" in data:
        fields["occurred_on"] = data["on"]
    command = command_class.build(actor=actor, **fields)
    key = data.get("key")
    if key is None:
        try:
            key = hashlib.sha256(canonical_json(data)).hexdigest()
        except (TypeError, ValueError, OverflowError, RecursionError) as exc:
            raise InvalidInputError(
                "cannot make its canonical key (RFC 8785); give it a 'key'"
            ) from exc
    elif not isinstance(key, str):
        raise InvalidInputError("'key' is a string")
    check_import_key(key)
    return ImportLine(number, command.act.import_name, key, command)


def parse_lines(lines: Iterable[str]) -> list[ImportLine]:
    """Every non-blank line validated; refuses the first bad one, naming it."""
    parsed: list[ImportLine] = []
    first_use: dict[str, tuple[int, str]] = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        line = parse_line(number, text)
        signature = line.command.model_dump_json()
        if line.key in first_use and first_use[line.key][1] != signature:
            raise InvalidInputError(
                f"line {number}: key {line.key!r} was used on line {first_use[line.key][0]} "
                "for a different act"
            )
        first_use.setdefault(line.key, (number, signature))
        parsed.append(line)
    return parsed


def import_acts(
    ledger: ScrutinyLedger,
    lines: Sequence[ImportLine],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportResult:
    """Record ``lines`` in batches of ``batch_size``, one transaction per batch."""
    if batch_size < 1:
        raise InvalidInputError("the batch size is at least 1")
    recorded = present = batches = 0
    for start in range(0, len(lines), batch_size):
        batch = lines[start : start + batch_size]
        added, skipped = _record_batch(ledger, batch, recorded)
        recorded += added
        present += skipped
        batches += 1
        if progress is not None:
            progress(len(batch))
    return ImportResult(len(lines), recorded, present, batches)


def _record_batch(
    ledger: ScrutinyLedger, batch: Sequence[ImportLine], recorded_before: int
) -> tuple[int, int]:
    uow = UnitOfWork(ledger)
    added = skipped = 0
    span = f"lines {batch[0].number}-{batch[-1].number}"
    for line in batch:
        if uow.find(ImportedAct, line.key) is not None:
            skipped += 1
            continue
        try:
            event = run(line.command, uow)
            marker = uow.find_or_new(ImportedAct, line.key, ImportedAct.new)
            marker.imported(event, line.act)
        except LedgerError as exc:
            raise _at_line(exc, line.number, span, recorded_before) from exc
        added += 1
    try:
        uow.commit()
    except ConflictError as exc:
        raise ConflictError(
            f"{span}: another writer recorded some of these acts first ({exc}); nothing of "
            f"this batch was recorded ({recorded_before} act(s) before it were); run the "
            "import again to record the rest"
        ) from exc
    return added, skipped


def _at_line(exc: LedgerError, number: int, span: str, recorded_before: int) -> LedgerError:
    message = (
        f"line {number}: {exc} (nothing of the batch of {span} was recorded; "
        f"{recorded_before} act(s) before it were)"
    )
    try:
        return type(exc)(message)
    except TypeError:  # pragma: no cover - every ledger error takes a message
        return LedgerError(message)


def import_file(
    db_url: str,
    lines: Sequence[str],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate every line, then record them into the ledger at ``db_url``."""
    from ledger.application import open_ledger

    from commands.acts import EraseSubject
    from commands.erasure import scrub

    parsed = parse_lines(lines)
    ledger = open_ledger(db_url)
    try:
        result = import_acts(ledger, parsed, batch_size, progress)
    finally:
        ledger.close()
    if result.recorded and any(isinstance(line.command, EraseSubject) for line in parsed):
        # The erased subjects' plaintext may sit in the views: rebuild and reclaim.
        scrub(db_url)
    return result
