"""Handlers of ``scrutiny backup`` and ``scrutiny verify-backup``.

A backup is checked the way a restore would use it: the file is opened as a
ledger in its own right and verified (every leaf, node, root and stored
checkpoint recomputed, see ``commands.admin.verify``), and, given the last
checkpoint sent out of the partnership (``--against``), it must contain that
tree unaltered. Opening it reads only: the file's bytes do not change.
"""

from __future__ import annotations

from pathlib import Path

from commands.admin import verify
from ledger.storage.backup import BackupFile, back_up, check_backup_file
from ledger.storage.database import Database
from ledger.verification import VerificationReport


def make_backup(db_url: str, target: Path) -> BackupFile:
    """Copy the SQLite ledger at ``db_url`` into the new file ``target``."""
    database = Database(db_url)
    try:
        return back_up(database, target)
    finally:
        database.dispose()


def backup_url(path: Path) -> str:
    """The database URL that opens a backup file as a ledger (what a restore does)."""
    return f"sqlite:///{check_backup_file(path)}"


def verify_backup(
    path: Path, key_path: Path, against: str | None
) -> tuple[VerificationReport, str]:
    """Verify the ledger inside a backup file; returns the report and the key's source."""
    return verify(backup_url(path), key_path, against)


__all__ = ["backup_url", "make_backup", "verify_backup"]
