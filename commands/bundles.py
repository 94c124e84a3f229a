"""Handlers for ``scrutiny export`` and ``scrutiny verify-bundle``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from commands.admin import ledger_keys, make_checkpoint
from commands.proofs import latest_checkpoint
from ledger.application import open_ledger
from ledger.bundle_check import BundleReport, check_bundle, load_log_verifier
from ledger.bundle_export import ExportResult, export_bundle
from ledger.bundles import Selection
from ledger.errors import InvalidInputError
from ledger.witness import WitnessPolicy


def read_text_file(path: str, what: str) -> str:
    """A small text file given on the command line (exit 2 if unreadable)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read(1 << 20)
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {what} {path}: {exc}") from exc


def export(
    db_url: str,
    key_path: Path,
    directory: Path,
    *,
    fresh_checkpoint: bool = False,
    streams: Sequence[str] = (),
    case: str | None = None,
    since_file: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Export the latest checkpoint (or a fresh one) and its events into ``directory``."""
    if case is not None and not case.strip():
        raise InvalidInputError("--case needs a case reference")
    since = None if since_file is None else read_text_file(since_file, "checkpoint file")
    if fresh_checkpoint:
        make_checkpoint(db_url, key_path, progress)
    app = open_ledger(db_url)
    try:
        history, _ = ledger_keys(app, key_path)
        recorder = app.ledger_recorder
        _, _, note = latest_checkpoint(
            recorder, "run 'scrutiny checkpoint' or export with --checkpoint"
        )
        selection = Selection(tuple(streams), case)
        return export_bundle(
            recorder,
            history,
            note,
            directory,
            selection=selection,
            since_note=since,
            progress=progress,
        )
    finally:
        app.close()


def verify_bundle(
    directory: Path,
    *,
    keys: Sequence[str] = (),
    against_file: str | None = None,
    witnesses: Sequence[str] = (),
    witnesses_required: int | None = None,
    require_complete: bool = False,
) -> BundleReport:
    """Check the bundle in ``directory`` with the keys the inspector gives."""
    verifiers = [load_log_verifier(value) for value in keys]
    policy = WitnessPolicy.build(witnesses, witnesses_required)
    against = None if against_file is None else read_text_file(against_file, "checkpoint file")
    return check_bundle(
        directory,
        keys=verifiers,
        against=against,
        witness_policy=policy,
        require_complete=require_complete,
    )
