"""Online backup of a SQLite ledger file, while other processes keep appending.

The copy is made with SQLite's online backup API in one step, that is inside
one read transaction: it holds exactly the ledger as some commit left it (WAL
mode lets writers carry on meanwhile), never half of an append. It is written
to a hidden temporary file beside the target, checked (``PRAGMA
quick_check``), flushed to disk, and only then given the target's name with a
hard link, which fails if that name exists: a backup never overwrites a file,
and a file with the target's name is always a whole backup (a crash leaves at
most a ``.partial`` file behind).

PostgreSQL ledgers are backed up with the server's own tools (``pg_dump``),
see docs/operations.md; this module refuses them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import InvalidInputError, NotFoundError, RefusedError, StorageError
from ledger.storage.database import SQLITE_BUSY_TIMEOUT_SECONDS, Database

SQLITE_HEADER = b"SQLite format 3\x00"
POSTGRESQL_ADVICE = (
    "scrutiny backup copies SQLite ledgers only; back up PostgreSQL with pg_dump "
    "as docs/operations.md (PostgreSQL, Backups) describes"
)


@dataclass(frozen=True)
class BackupFile:
    """What was written: where, how big, its SHA-256, and the ledger it holds."""

    path: Path
    size_bytes: int
    sha256: str
    tree_size: int
    checkpoints: int

    def as_dict(self) -> dict[str, object]:
        return {
            "file": str(self.path),
            "bytes": self.size_bytes,
            "sha256": self.sha256,
            "tree_size": self.tree_size,
            "checkpoints": self.checkpoints,
        }


def back_up(database: Database, target: Path) -> BackupFile:
    """Copy the SQLite ledger of ``database`` into the new file ``target``."""
    if not database.is_sqlite or database.sqlite_path is None:
        raise InvalidInputError(POSTGRESQL_ADVICE)
    source = database.sqlite_path
    if not database.has_schema():
        raise NotFoundError(f"no ledger at {database.describe()}; nothing to back up")
    target = Path(os.path.abspath(target))
    _refuse_existing(target)
    if not target.parent.is_dir():
        raise InvalidInputError(f"directory {target.parent} does not exist")
    if target == Path(os.path.abspath(source)):
        raise InvalidInputError("the backup file must not be the ledger itself")
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.partial")
    try:
        _copy(source, partial)
        _fsync(partial)
        try:
            os.link(partial, target)
        except FileExistsError as exc:
            raise RefusedError(f"{target} exists; a backup never overwrites a file") from exc
        except OSError as exc:
            raise StorageError(f"cannot create {target}: {exc.strerror}") from exc
        _fsync(target.parent)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{partial}{suffix}").unlink()
    tree_size, checkpoints = _describe(target)
    return BackupFile(target, target.stat().st_size, _sha256(target), tree_size, checkpoints)


def check_backup_file(path: Path) -> Path:
    """``path`` as an absolute path if it is a SQLite file; a clear error if not."""
    try:
        if not path.is_file():
            raise NotFoundError(f"no backup file {path}")
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from exc
    if header != SQLITE_HEADER:
        raise InvalidInputError(f"{path} is not a SQLite ledger backup")
    return Path(os.path.abspath(path))


def _refuse_existing(target: Path) -> None:
    try:
        exists = os.path.lexists(target)
    except OSError as exc:  # pragma: no cover - lexists swallows most errors
        raise InvalidInputError(f"cannot use {target}: {exc.strerror}") from exc
    if exists:
        raise RefusedError(f"{target} exists; a backup never overwrites a file")


def _copy(source: Path, destination: Path) -> None:
    """SQLite's online backup in one step (one read transaction of the source)."""
    try:
        src = sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
        dst = sqlite3.connect(destination)
        with contextlib.closing(src), contextlib.closing(dst):
            src.backup(dst, pages=-1)
            result = dst.execute("PRAGMA quick_check").fetchone()
            if result is None or result[0] != "ok":
                raise StorageError(f"the copy does not pass SQLite's quick_check: {result}")
    except sqlite3.Error as exc:
        raise StorageError(f"backup failed: {exc}") from exc


def _describe(path: Path) -> tuple[int, int]:
    """(tree size according to the head row, number of checkpoints) of a backup."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            size = conn.execute("SELECT size FROM ledger_head WHERE id = 1").fetchone()
            checkpoints = conn.execute("SELECT count(*) FROM ledger_checkpoints").fetchone()
    except sqlite3.Error as exc:
        raise StorageError(f"cannot read the backup {path}: {exc}") from exc
    return int(size[0]) if size else 0, int(checkpoints[0]) if checkpoints else 0


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


__all__ = ["BackupFile", "POSTGRESQL_ADVICE", "back_up", "check_backup_file"]
