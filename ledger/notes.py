"""Signed notes: text signed by one or more Ed25519 keys.

Implements C2SP signed-note (https://c2sp.org/signed-note, v1.0.0) for
signature type 0x01 (Ed25519, RFC 8032). A signed note is::

    <text, ending in a newline>
    <blank line>
    — <key name> base64(4-byte key ID || signature)
    ...

The key ID is ``SHA-256(name || 0x0A || 0x01 || 32-byte public key)[:4]``.
Key strings use the encodings of golang.org/x/mod/sumdb/note, which the
signed-note ecosystem shares:

* verifier key ``<name>+<8 hex digits of key ID>+base64(0x01 || public key)``
* signer key   ``PRIVATE+KEY+<name>+<8 hex digits>+base64(0x01 || 32-byte seed)``

Choices where the spec leaves room (each is stricter than or equal to it):

* base64 must be canonical standard base64 (RFC 4648 section 4, padded, no
  stray bits); key IDs in key strings are lowercase hex.
* a note holds at most ``MAX_SIGNATURES`` signature lines (the spec requires
  at least 16) and at most ``MAX_NOTE_BYTES`` bytes of UTF-8.
* a known key (same name and key ID as a configured verifier) may sign a note
  only once; a second line for it makes the note malformed (as the Go
  implementation does).
* ``add_signature`` appends the new signature line after the existing ones
  (order of addition); an existing line for the same key is replaced.

Malformed input raises ``InvalidInputError``; a signature that does not
verify, or a note no known key signed, raises ``IntegrityFailure``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import unicodedata
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ledger.errors import IntegrityFailure, InvalidInputError

ED25519_TYPE = 0x01
"""Signature type identifier byte of Ed25519 in C2SP signed-note."""

MAX_SIGNATURES = 100
"""Most signature lines accepted in one note (the spec's floor is 16)."""

MAX_NOTE_BYTES = 1 << 20
"""Largest signed note accepted, in bytes of UTF-8."""

EM_DASH = "\u2014"
_SIGNATURE_PREFIX = EM_DASH + " "
_SKEY_PREFIX = "PRIVATE+KEY+"
_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_ED25519_KEY_BYTES = 32
_ED25519_SIGNATURE_BYTES = 64


# -- small helpers -------------------------------------------------------------


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte Ed25519 key ID: SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    check_key_name(name)
    material = name.encode("utf-8") + b"\n" + bytes([ED25519_TYPE]) + public_key
    return hashlib.sha256(material).digest()[:4]


def check_key_name(name: str) -> None:
    """Refuse a key name the spec forbids: empty, Unicode spaces or '+'.

    Control characters are refused too, since no note may contain them.
    """
    if not isinstance(name, str) or not name:
        raise InvalidInputError("key name must be a non-empty string")
    for char in name:
        # Cc: C0, DEL and C1 controls; Cf: format characters (bidi overrides ...).
        if char.isspace() or char == "+" or unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            raise InvalidInputError(
                f"key name {name!r} must not contain spaces, '+' or control characters"
            )
    _utf8(name, "key name")


def decode_base64(value: str, what: str) -> bytes:
    """Decode canonical standard base64 (RFC 4648 section 4), strictly."""
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError) as exc:
        raise InvalidInputError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != value:
        raise InvalidInputError(f"{what} is not canonical base64")
    return raw


def _utf8(value: str, what: str) -> bytes:
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(f"{what} is not valid UTF-8") from exc


def _refuse_control_characters(value: str, what: str) -> None:
    """Notes may hold no ASCII control character other than newline."""
    found = _CONTROL.search(value)
    if found:
        raise InvalidInputError(f"{what} contains the control character U+{ord(found[0]):04X}")


def _check_text(text: str) -> bytes:
    """Validate note text (it must end in a newline) and return its bytes."""
    if not isinstance(text, str):
        raise InvalidInputError("note text must be a string")
    if not text.endswith("\n"):
        raise InvalidInputError("note text must end with a newline")
    _refuse_control_characters(text, "note text")
    return _utf8(text, "note text")


def _split_key_string(value: str, what: str) -> tuple[str, bytes, bytes]:
    """Parse ``name+hexid+base64(0x01||key)`` into (name, key ID, key bytes)."""
    parts = value.split("+", 2)  # base64 may itself contain '+'
    if len(parts) != 3:
        raise InvalidInputError(f"{what} must have the form name+keyid+key")
    name, hex_id, encoded = parts
    check_key_name(name)
    if not _KEY_ID_HEX.fullmatch(hex_id):
        raise InvalidInputError(f"{what} has key ID {hex_id!r}, not 8 lowercase hex digits")
    raw = decode_base64(encoded, f"{what} material")
    if len(raw) != 1 + _ED25519_KEY_BYTES or raw[0] != ED25519_TYPE:
        raise InvalidInputError(f"{what} is not an Ed25519 (type 0x01) key")
    return name, bytes.fromhex(hex_id), raw[1:]


# -- keys -------------------------------------------------------------------------


class NoteVerifier:
    """A known Ed25519 public key under a name, able to check signatures."""

    def __init__(self, name: str, public_key: bytes) -> None:
        if not isinstance(public_key, bytes) or len(public_key) != _ED25519_KEY_BYTES:
            raise InvalidInputError("an Ed25519 public key is 32 bytes")
        self.name = name
        self.public_key = public_key
        self.key_id = key_id(name, public_key)
        try:
            self._key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError as exc:
            raise InvalidInputError("not a valid Ed25519 public key") from exc

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteVerifier:
        """Parse ``name+hex8(id)+base64(0x01||pubkey)``; the ID must match the key."""
        if not isinstance(vkey, str):
            raise InvalidInputError("verifier key must be a string")
        name, claimed_id, public_key = _split_key_string(vkey, "verifier key")
        verifier = cls(name, public_key)
        if verifier.key_id != claimed_id:
            raise InvalidInputError(
                f"verifier key {name}+{claimed_id.hex()}: the key ID does not match the key"
            )
        return verifier

    @property
    def vkey(self) -> str:
        """This key in verifier-key form."""
        encoded = base64.b64encode(bytes([ED25519_TYPE]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @property
    def label(self) -> str:
        """``name+hexid``: how messages name this key."""
        return f"{self.name}+{self.key_id.hex()}"

    def verify(self, text: str, signature: bytes) -> bool:
        """True when ``signature`` (without key ID) is this key's over ``text``."""
        if len(signature) != _ED25519_SIGNATURE_BYTES:
            return False
        try:
            self._key.verify(signature, _utf8(text, "note text"))
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NoteVerifier):
            return NotImplemented
        return (self.name, self.public_key) == (other.name, other.public_key)

    def __hash__(self) -> int:
        return hash((self.name, self.public_key))

    def __repr__(self) -> str:
        return f"NoteVerifier({self.vkey!r})"


class NoteSigner:
    """An Ed25519 private key under a name, able to sign notes."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        if not isinstance(private_key, Ed25519PrivateKey):
            raise InvalidInputError("a note signer needs an Ed25519 private key")
        self._private_key = private_key
        self.verifier = NoteVerifier(name, private_key.public_key().public_bytes_raw())

    @classmethod
    def generate(cls, name: str) -> NoteSigner:
        """A signer with a fresh random key."""
        check_key_name(name)
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_skey(cls, skey: str) -> NoteSigner:
        """Parse ``PRIVATE+KEY+name+hex8(id)+base64(0x01||seed)``."""
        if not isinstance(skey, str) or not skey.startswith(_SKEY_PREFIX):
            raise InvalidInputError("signer key must start with PRIVATE+KEY+")
        name, claimed_id, seed = _split_key_string(skey[len(_SKEY_PREFIX) :], "signer key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(seed))
        if signer.key_id != claimed_id:
            raise InvalidInputError(
                f"signer key {name}+{claimed_id.hex()}: the key ID does not match the key"
            )
        return signer

    def to_skey(self) -> str:
        """This key in signer-key form. It is secret: keep it out of logs."""
        seed = self._private_key.private_bytes_raw()
        encoded = base64.b64encode(bytes([ED25519_TYPE]) + seed).decode("ascii")
        return f"{_SKEY_PREFIX}{self.name}+{self.key_id.hex()}+{encoded}"

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def key_id(self) -> bytes:
        return self.verifier.key_id

    @property
    def public_key(self) -> bytes:
        return self.verifier.public_key

    @property
    def vkey(self) -> str:
        """The matching verifier key string, safe to publish."""
        return self.verifier.vkey

    def signature_line(self, text: str) -> str:
        """``— name base64(keyid||sig)\\n`` over ``text``."""
        signature = self._private_key.sign(_check_text(text))
        return Signature(self.name, self.key_id, signature).line

    def sign(self, text: str) -> str:
        """The signed note: text, blank line, this key's signature line."""
        return _assemble(text, [self.signature_line(text)])

    @property
    def label(self) -> str:
        return self.verifier.label

    def __repr__(self) -> str:
        return f"NoteSigner({self.label!r})"


# -- notes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, 4-byte key ID, and the signature proper."""

    name: str
    key_id: bytes
    signature: bytes

    @property
    def line(self) -> str:
        """The encoded line, with its newline."""
        encoded = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{_SIGNATURE_PREFIX}{self.name} {encoded}\n"

    @property
    def label(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signatures were checked.

    ``verified`` are the configured verifiers whose signatures verified;
    ``unverified`` the signature lines of keys nobody configured (ignored, as
    the spec requires, but kept so a caller can pass them on).
    """

    text: str
    verified: tuple[NoteVerifier, ...]
    unverified: tuple[Signature, ...]


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(_SIGNATURE_PREFIX):
        raise InvalidInputError("signature line must start with an em dash and a space")
    fields = line[len(_SIGNATURE_PREFIX) :].split(" ")
    if len(fields) != 2:
        raise InvalidInputError("signature line must be '— <name> <base64 signature>'")
    name, encoded = fields
    check_key_name(name)
    raw = decode_base64(encoded, f"signature of {name}")
    if len(raw) < 5:
        raise InvalidInputError(f"signature of {name} is too short")
    return Signature(name, raw[:4], raw[4:])


def parse_note(signed: str | bytes) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and its signature lines, unverified.

    The text ends at the last blank line of the note (the spec's rule); every
    line after it must be a signature line. Nothing is verified here: never
    trust the text without ``open_note``.
    """
    if isinstance(signed, bytes):
        try:
            signed = signed.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInputError("signed note is not valid UTF-8") from exc
    if not isinstance(signed, str):
        raise InvalidInputError("signed note must be text")
    if len(_utf8(signed, "signed note")) > MAX_NOTE_BYTES:
        raise InvalidInputError(f"signed note is larger than {MAX_NOTE_BYTES} bytes")
    _refuse_control_characters(signed, "signed note")
    if not signed.endswith("\n"):
        raise InvalidInputError("signed note must end with a newline")
    split = signed.rfind("\n\n")
    if split < 0:
        raise InvalidInputError("signed note has no blank line before its signatures")
    text, block = signed[: split + 1], signed[split + 2 :]
    lines = block.split("\n")[:-1]  # block ends with "\n"
    if not lines:
        raise InvalidInputError("signed note has no signature lines")
    if len(lines) > MAX_SIGNATURES:
        raise InvalidInputError(f"signed note has more than {MAX_SIGNATURES} signatures")
    return text, [_parse_signature_line(line) for line in lines]


def _index_verifiers(verifiers: Sequence[NoteVerifier]) -> dict[tuple[str, bytes], NoteVerifier]:
    known: dict[tuple[str, bytes], NoteVerifier] = {}
    for verifier in verifiers:
        slot = (verifier.name, verifier.key_id)
        if slot in known and known[slot] != verifier:
            raise InvalidInputError(
                f"two different verifier keys share the name and key ID {verifier.label}"
            )
        known[slot] = verifier
    return known


def open_note(signed: str | bytes, verifiers: Sequence[NoteVerifier]) -> OpenedNote:
    """Verify a signed note against known keys and return its text.

    Signatures of unknown keys (name or key ID differ from every verifier)
    are ignored. Every signature of a known key must verify, and at least one
    must be present, else ``IntegrityFailure``.
    """
    text, signatures = parse_note(signed)
    known = _index_verifiers(verifiers)
    verified: list[NoteVerifier] = []
    unverified: list[Signature] = []
    for signature in signatures:
        verifier = known.get((signature.name, signature.key_id))
        if verifier is None:
            if signature not in unverified:
                unverified.append(signature)
            continue
        if verifier in verified:
            raise InvalidInputError(f"signed note has two signatures by {verifier.label}")
        if not verifier.verify(text, signature.signature):
            raise IntegrityFailure(f"signature by {verifier.label} does not verify")
        verified.append(verifier)
    if not verified:
        expected = ", ".join(v.label for v in known.values()) or "none configured"
        raise IntegrityFailure(f"note is not signed by any known key (known: {expected})")
    return OpenedNote(text, tuple(verified), tuple(unverified))


def _assemble(text: str, lines: Sequence[str]) -> str:
    if len(lines) > MAX_SIGNATURES:
        raise InvalidInputError(f"a note may carry at most {MAX_SIGNATURES} signatures")
    note = text + "\n" + "".join(lines)
    if len(note.encode("utf-8")) > MAX_NOTE_BYTES:
        raise InvalidInputError(f"signed note would be larger than {MAX_NOTE_BYTES} bytes")
    return note


def add_signature(signed_note: str | bytes, signer: NoteSigner) -> str:
    """Cosign: append ``signer``'s signature line to an existing signed note.

    Existing lines keep their order and the new line goes last (order of
    addition). A line already present for the same key (name and key ID) is
    dropped first, so a key never signs twice. Existing signatures are not
    verified here; ``open_note`` does that.
    """
    text, signatures = parse_note(signed_note)
    kept = [s.line for s in signatures if (s.name, s.key_id) != (signer.name, signer.key_id)]
    return _assemble(text, [*kept, signer.signature_line(text)])


__all__ = [
    "ED25519_TYPE",
    "MAX_NOTE_BYTES",
    "MAX_SIGNATURES",
    "NoteSigner",
    "NoteVerifier",
    "OpenedNote",
    "Signature",
    "add_signature",
    "check_key_name",
    "decode_base64",
    "key_id",
    "open_note",
    "parse_note",
]
