"""Witness cosignatures (C2SP tlog-cosignature, ``cosignature/v1``) and k-of-n policies.

A witness (another agency: a regional partner, a moderator) cosigns a
checkpoint after checking that it is consistent with the last one it cosigned
(``ledger.witnessing``). Its cosignature is one more signed-note signature
line on the checkpoint (https://c2sp.org/tlog-cosignature)::

    — <witness name> base64(key ID (4) || timestamp (8, big-endian) || Ed25519 signature (64))

* key ID = SHA-256(<name> || 0x0A || 0x04 || 32-byte public key)[:4]
  (signature type 0x04, not the 0x01 of ordinary note signatures);
* the Ed25519 signature is over the bytes::

      cosignature/v1\\n
      time <timestamp, ASCII decimal, no leading zeroes>\\n
      <the whole checkpoint text, with its final newline, no signature lines>

* the timestamp is POSIX seconds and at most 2**63 - 1.

Key strings follow the signed-note encodings with type byte 0x04:
verifier key ``name+hex8(id)+base64(0x04 || public key)``, private key file
``PRIVATE+KEY+name+hex8(id)+base64(0x04 || 32-byte seed)`` (mode 0600).

A policy "k of these n witnesses" accepts a checkpoint when at least k of the
listed witnesses have a valid cosignature on it. A line that claims to be a
listed witness's but does not verify is an integrity failure, as it is for
any known key in C2SP signed-note; lines of unknown keys are ignored.
Cosignature timestamps in the future are accepted (agencies' clocks differ).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ledger.errors import IntegrityFailure, InvalidInputError, LedgerError, RefusedError
from ledger.keys import (  # key-file handling shared with the log's own key
    PRIVATE_KEY_MODE,
    PUBLIC_KEY_MODE,
    read_key_line,
    refuse_shared_private_key,
    write_new_file,
    public_key_path,
)
from ledger.notes import MAX_SIGNATURES, Signature, check_key_name, decode_base64, parse_note

COSIGNATURE_TYPE = 0x04
"""Signature type byte of Ed25519 cosignature/v1 keys (C2SP tlog-cosignature)."""

COSIGNATURE_HEADER = "cosignature/v1"
MAX_TIMESTAMP = (1 << 63) - 1
_SKEY_PREFIX = "PRIVATE+KEY+"
_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")
_SIGNATURE_BYTES = 4 + 8 + 64


def cosigner_key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || 0x04 || public key)[:4]."""
    check_key_name(name)
    return hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([COSIGNATURE_TYPE]) + public_key
    ).digest()[:4]


def cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    """The bytes a cosignature/v1 signs."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise InvalidInputError(f"cosignature timestamp {timestamp} is out of range")
    return f"{COSIGNATURE_HEADER}\ntime {timestamp:d}\n{checkpoint_text}".encode("utf-8")


def _split(value: str, what: str) -> tuple[str, bytes, bytes]:
    parts = value.split("+", 2)
    if len(parts) != 3:
        raise InvalidInputError(f"{what} must have the form name+keyid+key")
    name, hex_id, encoded = parts
    check_key_name(name)
    if not _KEY_ID_HEX.fullmatch(hex_id):
        raise InvalidInputError(f"{what} has key ID {hex_id!r}, not 8 lowercase hex digits")
    raw = decode_base64(encoded, f"{what} material")
    if len(raw) != 33 or raw[0] != COSIGNATURE_TYPE:
        raise InvalidInputError(f"{what} is not a cosignature/v1 (type 0x04) Ed25519 key")
    return name, bytes.fromhex(hex_id), raw[1:]


class WitnessVerifier:
    """A witness's public key: checks its cosignatures."""

    def __init__(self, name: str, public_key: bytes) -> None:
        if not isinstance(public_key, bytes) or len(public_key) != 32:
            raise InvalidInputError("an Ed25519 public key is 32 bytes")
        try:
            self._key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError as exc:
            raise InvalidInputError("not a valid Ed25519 public key") from exc
        self.name = name
        self.public_key = public_key
        self.key_id = cosigner_key_id(name, public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> WitnessVerifier:
        """Parse ``name+hex8(id)+base64(0x04||pubkey)``; the ID must match."""
        if not isinstance(vkey, str):
            raise InvalidInputError("witness key must be a string")
        name, claimed, public_key = _split(vkey.strip(), "witness key")
        verifier = cls(name, public_key)
        if verifier.key_id != claimed:
            raise InvalidInputError(
                f"witness key {name}+{claimed.hex()}: the key ID does not match"
            )
        return verifier

    @property
    def vkey(self) -> str:
        encoded = base64.b64encode(bytes([COSIGNATURE_TYPE]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @property
    def label(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"

    def timestamp_if_valid(self, checkpoint_text: str, signature: bytes) -> int | None:
        """The cosignature's timestamp if ``signature`` (after the key ID) verifies."""
        if len(signature) != _SIGNATURE_BYTES - 4:
            return None
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            return None
        try:
            self._key.verify(signature[8:], cosigned_message(checkpoint_text, timestamp))
        except InvalidSignature:
            return None
        return timestamp

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WitnessVerifier):
            return NotImplemented
        return (self.name, self.public_key) == (other.name, other.public_key)

    def __hash__(self) -> int:
        return hash((self.name, self.public_key))

    def __repr__(self) -> str:
        return f"WitnessVerifier({self.vkey!r})"


class WitnessSigner:
    """A witness's private key: makes cosignature/v1 lines."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self.verifier = WitnessVerifier(name, private_key.public_key().public_bytes_raw())

    @classmethod
    def generate(cls, name: str) -> WitnessSigner:
        check_key_name(name)
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_skey(cls, skey: str) -> WitnessSigner:
        if not isinstance(skey, str) or not skey.startswith(_SKEY_PREFIX):
            raise InvalidInputError("witness private key must start with PRIVATE+KEY+")
        name, claimed, seed = _split(skey[len(_SKEY_PREFIX) :], "witness private key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(seed))
        if signer.verifier.key_id != claimed:
            raise InvalidInputError(f"witness private key {name}: the key ID does not match")
        return signer

    def to_skey(self) -> str:
        seed = self._private_key.private_bytes_raw()
        encoded = base64.b64encode(bytes([COSIGNATURE_TYPE]) + seed).decode("ascii")
        return f"{_SKEY_PREFIX}{self.verifier.name}+{self.verifier.key_id.hex()}+{encoded}"

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def vkey(self) -> str:
        return self.verifier.vkey

    def cosignature(self, checkpoint_text: str, timestamp: int) -> Signature:
        """The cosignature/v1 of ``checkpoint_text`` at ``timestamp``."""
        signature = self._private_key.sign(cosigned_message(checkpoint_text, timestamp))
        return Signature(self.name, self.verifier.key_id, timestamp.to_bytes(8, "big") + signature)


def add_cosignature(signed_note: str, signer: WitnessSigner, timestamp: int | None = None) -> str:
    """The note with ``signer``'s cosignature appended (replacing an earlier one of its own)."""
    text, signatures = parse_note(signed_note)
    when = int(time.time()) if timestamp is None else timestamp
    line = signer.cosignature(text, when)
    kept = [s for s in signatures if (s.name, s.key_id) != (line.name, line.key_id)]
    if len(kept) + 1 > MAX_SIGNATURES:
        raise InvalidInputError(f"a note may carry at most {MAX_SIGNATURES} signatures")
    return text + "\n" + "".join(s.line for s in [*kept, line])


@dataclass(frozen=True)
class WitnessPolicy:
    """Accept a checkpoint only with valid cosignatures of ``required`` of ``witnesses``."""

    witnesses: tuple[WitnessVerifier, ...]
    required: int

    def __post_init__(self) -> None:
        if len(set(self.witnesses)) != len(self.witnesses):
            raise InvalidInputError("the same witness key is listed twice")
        if len({(w.name, w.key_id) for w in self.witnesses}) != len(self.witnesses):
            raise InvalidInputError("two witness keys share a name and key ID")
        if not 1 <= self.required <= len(self.witnesses):
            raise InvalidInputError(
                f"--witnesses-required must be between 1 and the {len(self.witnesses)} "
                f"witness(es) given, not {self.required}"
            )

    @classmethod
    def build(cls, witnesses: Sequence[str], required: int | None) -> WitnessPolicy | None:
        """From ``--witness`` values (vkeys or files) and ``--witnesses-required``."""
        if not witnesses:
            if required is not None:
                raise InvalidInputError("--witnesses-required needs at least one --witness")
            return None
        keys = tuple(load_witness_verifier(value) for value in witnesses)
        return cls(keys, len(keys) if required is None else required)

    def check(self, signed_note: str) -> list[tuple[WitnessVerifier, int]]:
        """The (witness, timestamp) pairs that verify; ``IntegrityFailure`` if too few."""
        text, signatures = parse_note(signed_note)
        verified: list[tuple[WitnessVerifier, int]] = []
        for witness in self.witnesses:
            lines = [s for s in signatures if (s.name, s.key_id) == (witness.name, witness.key_id)]
            if len(lines) > 1:
                raise IntegrityFailure(f"the checkpoint has two cosignatures by {witness.label}")
            if not lines:
                continue
            timestamp = witness.timestamp_if_valid(text, lines[0].signature)
            if timestamp is None:
                raise IntegrityFailure(
                    f"the cosignature by witness {witness.label} does not verify"
                )
            verified.append((witness, timestamp))
        if len(verified) < self.required:
            have = {w for w, _ in verified}
            missing = ", ".join(w.label for w in self.witnesses if w not in have)
            raise IntegrityFailure(
                f"witness policy not met: {len(verified)} of the {self.required} required "
                f"cosignatures verify (missing: {missing})"
            )
        return verified


def load_witness_verifier(value: str) -> WitnessVerifier:
    """A witness verifier key given as a vkey string or as a file holding one."""
    text = value.strip()
    if "+" in text and not os.path.exists(text):
        return WitnessVerifier.from_vkey(text)
    line, _ = read_key_line(Path(value), "witness key file")
    if line.startswith(_SKEY_PREFIX):
        raise InvalidInputError(
            f"{value} holds a private key; give the witness's public key (.pub) instead"
        )
    try:
        return WitnessVerifier.from_vkey(line)
    except InvalidInputError as exc:
        raise InvalidInputError(f"witness key file {value} is malformed: {exc}") from exc


def create_witness_key(path: Path, name: str) -> WitnessSigner:
    """A new witness key named ``name`` in ``path`` (0600) and ``path.pub`` (0644)."""
    path = Path(path)
    public = public_key_path(path)
    signer = WitnessSigner.generate(name)
    for existing, what in ((path, "key file"), (public, "public key file")):
        if os.path.lexists(existing):
            raise RefusedError(f"{what} {existing} already exists; refusing to overwrite it")
    write_new_file(path, signer.to_skey() + "\n", PRIVATE_KEY_MODE, "key file")
    try:
        write_new_file(public, signer.vkey + "\n", PUBLIC_KEY_MODE, "public key file")
    except LedgerError:
        path.unlink(missing_ok=True)  # the private key file created just above
        raise
    return signer


def load_witness_signer(path: Path) -> WitnessSigner:
    """Read a witness private key file; refuse one other users can access."""
    path = Path(path)
    line, status = read_key_line(path, "witness key file")
    refuse_shared_private_key(path, status)
    try:
        return WitnessSigner.from_skey(line)
    except InvalidInputError as exc:
        raise InvalidInputError(f"witness key file {path} is malformed: {exc}") from exc


__all__ = [
    "COSIGNATURE_TYPE",
    "WitnessPolicy",
    "WitnessSigner",
    "WitnessVerifier",
    "add_cosignature",
    "cosigned_message",
    "cosigner_key_id",
    "create_witness_key",
    "load_witness_signer",
    "load_witness_verifier",
]
