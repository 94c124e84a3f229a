"""The one error root of the scrutiny ledger.

Every failure the ledger expects is a ``LedgerError``. The command line maps
each branch to an exit code; nothing else escapes the storage modules::

    LedgerError                      (exit 1)
    ├── RefusedError                 a domain rule refused the act      (exit 1)
    │   └── ConflictError            a concurrent writer changed the stream first;
    │                                retry (also eventsourcing's IntegrityError)
    ├── NotFoundError                no such organisation, person, stream ... (exit 1)
    ├── InvalidInputError            bad usage or malformed input        (exit 2)
    ├── IntegrityFailure             the stored history does not verify   (exit 3)
    └── StorageError                 the database failed or refused      (exit 1)
        └── AppendOnlyViolation      an UPDATE or DELETE on the log was refused

``exit_code`` on each class is the contract of ARCHITECTURE.md: 0 ok; 1 refused
or not found; 2 bad usage or invalid input; 3 integrity failure.
"""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError as _LibraryIntegrityError


class LedgerError(Exception):
    """Root of every error the ledger raises on purpose."""

    exit_code = 1


class RefusedError(LedgerError):
    """A domain rule refused the act; nothing was written."""


class ConflictError(RefusedError, _LibraryIntegrityError):
    """Another writer recorded an event at the same stream version first."""


class NotFoundError(LedgerError):
    """The named organisation, person, stream or record does not exist."""


class InvalidInputError(LedgerError):
    """The input is malformed or the command was used wrongly."""

    exit_code = 2


class IntegrityFailure(LedgerError):
    """The stored history, a proof or a checkpoint does not verify."""

    exit_code = 3

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class StorageError(LedgerError):
    """The database could not be reached or refused the operation."""


class AppendOnlyViolation(StorageError):
    """The database refused to change or remove recorded history."""


__all__ = [
    "AppendOnlyViolation",
    "ConflictError",
    "IntegrityFailure",
    "InvalidInputError",
    "LedgerError",
    "NotFoundError",
    "RefusedError",
    "StorageError",
]
