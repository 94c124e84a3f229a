"""Checkpoints: the signed head of the ledger's Merkle tree.

The body follows C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint)::

    <origin>
    <tree size, ASCII decimal, no leading zeroes>
    <root hash, base64 of 32 bytes>
    [<extension line>...]

and is signed as a C2SP signed note (https://c2sp.org/signed-note, see
``ledger.notes``). The log's key name SHOULD equal the origin.

Parsing is strict where the spec says MUST and where it leaves room:

* the origin is non-empty, has no leading or trailing whitespace and no
  control characters (the spec only requires non-empty; it recommends, but
  does not require, a schema-less URL without spaces or '+', so inner
  spaces and '+' are accepted);
* the size matches ``0|[1-9][0-9]*`` in ASCII digits and fits in an unsigned
  64-bit integer (what RFC 9162 tree sizes are);
* the root hash is canonical standard base64 of exactly 32 bytes (SHA-256);
* extension lines, if any, are non-empty.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.errors import IntegrityFailure, InvalidInputError
from ledger.notes import NoteSigner, NoteVerifier, decode_base64, open_note

HASH_BYTES = 32
MAX_TREE_SIZE = (1 << 64) - 1
_SIZE = re.compile(r"0|[1-9][0-9]*", re.ASCII)


def _check_line(value: object, what: str) -> str:
    """A single non-empty line without control characters."""
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"checkpoint {what} must be a non-empty string")
    for char in value:
        if ord(char) < 0x20:
            raise InvalidInputError(
                f"checkpoint {what} contains the control character U+{ord(char):04X}"
            )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(f"checkpoint {what} is not valid UTF-8") from exc
    return value


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: who (origin), how many leaves (size), and the root hash."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if self.origin != self.origin.strip():
            raise InvalidInputError("checkpoint origin must not start or end with whitespace")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise InvalidInputError("checkpoint size must be an integer")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise InvalidInputError(f"checkpoint size {self.size} is not in 0..2**64-1")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_BYTES:
            raise InvalidInputError(f"checkpoint root hash must be {HASH_BYTES} bytes")
        if isinstance(self.extensions, str):
            raise InvalidInputError("checkpoint extensions must be a sequence of lines")
        extensions = tuple(self.extensions)
        for line in extensions:
            _check_line(line, "extension line")
        object.__setattr__(self, "extensions", extensions)


def format_checkpoint(cp: Checkpoint) -> str:
    """The note text of a checkpoint, every line ending in a newline."""
    root = base64.b64encode(cp.root_hash).decode("ascii")
    return "".join(f"{line}\n" for line in (cp.origin, str(cp.size), root, *cp.extensions))


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint note text (not a signed note: see ``open_checkpoint``)."""
    if not isinstance(text, str) or not text.endswith("\n"):
        raise InvalidInputError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise InvalidInputError("checkpoint needs an origin, a size and a root hash line")
    origin, size, root, *extensions = lines
    if not _SIZE.fullmatch(size):
        raise InvalidInputError(
            f"checkpoint size {size!r} is not a decimal number without leading zeroes"
        )
    root_hash = decode_base64(root, "checkpoint root hash")
    if len(root_hash) != HASH_BYTES:
        raise InvalidInputError(f"checkpoint root hash must be {HASH_BYTES} bytes")
    return Checkpoint(origin, int(size), root_hash, tuple(extensions))


def sign_checkpoint(cp: Checkpoint, signer: NoteSigner) -> str:
    """The checkpoint as a signed note, signed by ``signer``."""
    return signer.sign(format_checkpoint(cp))


def open_checkpoint(
    signed_note: str | bytes,
    verifiers: Sequence[NoteVerifier],
    *,
    origin: str | None = None,
) -> Checkpoint:
    """Verify a signed checkpoint, then parse it.

    ``IntegrityFailure`` when no known key signed it, when a known key's
    signature does not verify (the message names the key), or when
    ``origin`` is given and differs from the checkpoint's.
    """
    try:
        opened = open_note(signed_note, verifiers)
    except IntegrityFailure as exc:
        raise IntegrityFailure(f"checkpoint: {exc}") from exc
    checkpoint = parse_checkpoint(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise IntegrityFailure(
            f"checkpoint origin {checkpoint.origin!r} is not the expected {origin!r}"
        )
    return checkpoint


__all__ = [
    "HASH_BYTES",
    "MAX_TREE_SIZE",
    "Checkpoint",
    "format_checkpoint",
    "open_checkpoint",
    "parse_checkpoint",
    "sign_checkpoint",
]
