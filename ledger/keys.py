"""The checkpoint signing key, kept in a file outside the database.

Whoever can write rows must not be able to forge checkpoints, so the private
key never enters the database (ARCHITECTURE.md, "Integrity"). The files:

``<path>``       one line: the signer key, ``PRIVATE+KEY+name+id+base64``
                 (the encoding of golang.org/x/mod/sumdb/note for C2SP
                 signed-note keys, https://c2sp.org/signed-note); mode 0600.
``<path>.pub``   one line: the verifier key ``name+id+base64``; mode 0644.

Both are created with ``O_CREAT | O_EXCL``: an existing file is never
overwritten (``RefusedError``). A private key file that other users can
read or write is refused on load.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ledger.errors import InvalidInputError, LedgerError, RefusedError
from ledger.notes import NoteSigner, NoteVerifier

PRIVATE_KEY_MODE = 0o600
PUBLIC_KEY_MODE = 0o644
MAX_KEY_FILE_BYTES = 4096
_SKEY_PREFIX = "PRIVATE+KEY+"


def public_key_path(path: Path) -> Path:
    """Where the verifier key of the key file ``path`` is written: ``<path>.pub``."""
    path = Path(path)
    return path.with_name(path.name + ".pub")


def write_new_file(path: Path, content: str, mode: int, what: str) -> None:
    """Create ``path`` exclusively with ``mode`` and write ``content``."""
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError as exc:
        raise RefusedError(f"{what} {path} already exists; refusing to overwrite it") from exc
    except OSError as exc:
        raise InvalidInputError(f"cannot create {what} {path}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)  # exactly ``mode``, whatever the umask
            handle.write(content.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)  # ours: created above, never someone else's
        raise InvalidInputError(f"cannot write {what} {path}: {exc.strerror}") from exc


def create_key_file(path: Path, origin: str) -> NoteSigner:
    """Generate a signing key named ``origin`` and write it to ``path`` (0600).

    Also writes the verifier key to ``<path>.pub`` (0644). Neither file may
    exist yet; nothing is overwritten and, on refusal, nothing is left behind.
    """
    path = Path(path)
    public_path = public_key_path(path)
    signer = NoteSigner.generate(origin)
    for existing, what in ((path, "key file"), (public_path, "public key file")):
        if os.path.lexists(existing):
            raise RefusedError(f"{what} {existing} already exists; refusing to overwrite it")
    write_new_file(path, signer.to_skey() + "\n", PRIVATE_KEY_MODE, "key file")
    try:
        write_new_file(public_path, signer.vkey + "\n", PUBLIC_KEY_MODE, "public key file")
    except LedgerError:
        path.unlink(missing_ok=True)  # the private key file we just created
        raise
    return signer


def read_key_line(path: Path, what: str) -> tuple[str, os.stat_result]:
    """The single line of a key file, and the file's status."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        raise InvalidInputError(f"{what} {path} does not exist") from exc
    except OSError as exc:
        raise InvalidInputError(f"cannot read {what} {path}: {exc.strerror}") from exc
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise InvalidInputError(f"{what} {path} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise InvalidInputError(f"cannot read {what} {path}: {exc.strerror}") from exc
    finally:
        os.close(fd)
    if len(data) > MAX_KEY_FILE_BYTES:
        raise InvalidInputError(f"{what} {path} is malformed: too large for a key file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{what} {path} is malformed: not UTF-8 text") from exc
    if text.endswith("\n"):
        text = text[:-1]
    if text.endswith("\r"):
        text = text[:-1]
    if not text or "\n" in text:
        raise InvalidInputError(f"{what} {path} is malformed: expected exactly one key line")
    return text, status


def refuse_shared_private_key(path: Path, status: os.stat_result) -> None:
    if os.name != "posix":
        return
    mode = stat.S_IMODE(status.st_mode)
    if mode & 0o077:
        how = "readable" if mode & 0o044 else "accessible"
        raise RefusedError(
            f"key file {path} is {how} by other users (mode {mode:04o}); chmod 600 it"
        )


def _load_signer_from(path: Path, line: str, status: os.stat_result) -> NoteSigner:
    refuse_shared_private_key(path, status)
    try:
        return NoteSigner.from_skey(line)
    except InvalidInputError as exc:
        raise InvalidInputError(f"key file {path} is malformed: {exc}") from exc


def load_signer(path: Path) -> NoteSigner:
    """Read the signing key from ``path``; refuse a file others can access."""
    path = Path(path)
    line, status = read_key_line(path, "key file")
    return _load_signer_from(path, line, status)


def load_verifier(path: Path) -> NoteVerifier:
    """Read a verifier key from a ``.pub`` file, or derive it from a key file.

    A private key file given here is subject to the same checks as in
    ``load_signer``.
    """
    path = Path(path)
    line, status = read_key_line(path, "verifier key file")
    if line.startswith(_SKEY_PREFIX):
        return _load_signer_from(path, line, status).verifier
    try:
        return NoteVerifier.from_vkey(line)
    except InvalidInputError as exc:
        raise InvalidInputError(f"verifier key file {path} is malformed: {exc}") from exc


__all__ = [
    "PRIVATE_KEY_MODE",
    "PUBLIC_KEY_MODE",
    "create_key_file",
    "load_signer",
    "load_verifier",
    "public_key_path",
    "read_key_line",
    "refuse_shared_private_key",
    "write_new_file",
]
