#!/usr/bin/env python3
"""Check a Scrutiny Ledger export bundle on your own machine.

    python3 verify_bundle.py BUNDLE_DIR --key 'PARTNERSHIP_VERIFIER_KEY' [--against MY.checkpoint]
        [--witness WITNESS_KEY ... --witnesses-required K] [--require-complete] [--json]

Needs only Python 3.11+ and the ``cryptography`` package; it imports nothing
from the Scrutiny Ledger project, so you can read every line of it next to
the public specifications it implements:

* RFC 9162 section 2.1 (Merkle tree hashes, inclusion and consistency proofs);
* RFC 8785 (canonical JSON, for the bytes of each leaf);
* C2SP signed-note, tlog-checkpoint and tlog-cosignature (signatures);
* docs/formats.md of the project ("Export bundle", "Verifying a bundle").

Exit status: 0 intact; 3 something failed (one line names what: the check,
the line of events.jsonl and the event's position, the proof or the
signature); 2 bad usage (a malformed key, a missing directory).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import sys
from typing import Any, NoReturn

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover - depends on the inspector's machine
    sys.stderr.write(
        "Error: this checker needs the 'cryptography' package: pip install cryptography\n"
    )
    sys.exit(2)

FORMAT = "scrutiny-ledger-bundle/1"
REQUIRED_FILES = ("bundle.json", "checkpoint", "verifier.key", "events.jsonl")
LINE_KEYS = {
    "position",
    "stream",
    "version",
    "topic",
    "recorded_at",
    "event",
    "leaf_input",
    "inclusion_proof",
}
REQUIRED_LINE_KEYS = {"position", "leaf_input", "stream", "version", "topic", "recorded_at"}
RECORD_KEYS = {"position", "recorded_at", "state", "stream_id", "stream_version", "topic"}
SIGNING_KEYS_STREAM = "ledger:signing-keys"
ROTATION_TOPIC = "ledger.domain.signing_keys:SigningKeyRotated"
STATEMENT_HEADER = "scrutiny-ledger/key-rotation/v1"
LOG_KEY_TYPE = 0x01  # Ed25519 in C2SP signed-note
COSIGNER_KEY_TYPE = 0x04  # Ed25519 cosignature/v1 in C2SP tlog-cosignature
MAX_NOTE_BYTES = 1 << 20
MAX_SIGNATURES = 100
MAX_SAFE_INTEGER = 2**53 - 1
EMPTY_ROOT = hashlib.sha256(b"").digest()
BUNDLE_KEY_WARNING = (
    "WARNING: no --key was given, so the checkpoint was checked with the verifier.key "
    "shipped INSIDE the bundle. Whoever made the bundle chose that key: this proves "
    "nothing unless you compare it, character by character, with the partnership's key "
    "obtained independently (its website, a letter, an earlier inspection): {vkey}"
)


class UsageError(Exception):
    """Bad usage: exit status 2."""


class Failed(Exception):
    """The bundle failed a check: exit status 3."""

    def __init__(
        self, check: str, problem: str, line: int | None = None, position: int | None = None
    ):
        super().__init__(problem)
        self.check, self.problem, self.line, self.position = check, problem, line, position


def fail(
    check: str, problem: str, line: int | None = None, position: int | None = None
) -> NoReturn:
    raise Failed(check, problem, line, position)


class Malformed(ValueError):
    """Input that does not follow the format."""


# --- base64, JSON ------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(value: Any) -> bytes:
    """Canonical standard base64 with padding (RFC 4648 section 4), or Malformed."""
    if not isinstance(value, str):
        raise Malformed("not a base64 string")
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise Malformed("not base64") from None
    if b64(raw) != value:
        raise Malformed("not canonical base64")
    return raw


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise Malformed(f"duplicate key {key!r}")
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise Malformed(f"{name} is not JSON")


def strict_json(text: str) -> Any:
    """JSON without duplicate keys, NaN or Infinity."""
    return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)


def normal_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --- RFC 9162 ------------------------------------------------------------------------


def leaf_hash(leaf_input: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf_input).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(digest: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2; every hash must be 32 bytes."""
    if not (is_count(index) and is_count(size)) or index >= size:
        return False
    if any(len(h) != 32 for h in (digest, root, *proof)):
        return False
    fn, sn, r = index, size - 1, digest
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_hash: bytes, second_hash: bytes, proof: list[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2; from size 0 and between equal sizes: see docs/formats.md."""
    if not (is_count(first) and is_count(second)) or first == 0 or first > second:
        return False
    if any(len(h) != 32 for h in proof):
        return False
    if first == second:
        return not proof and first_hash == second_hash
    if not proof or len(first_hash) != 32 or len(second_hash) != 32:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


class RootBuilder:
    """The Merkle root of leaves added one by one, in O(log n) memory."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, bytes]] = []

    def add(self, digest: bytes) -> None:
        level = 0
        while self.stack and self.stack[-1][0] == level:
            digest = node_hash(self.stack.pop()[1], digest)
            level += 1
        self.stack.append((level, digest))

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        root = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            root = node_hash(left, root)
        return root


# --- RFC 8785: the leaf input ----------------------------------------------------------


def jcs_string(value: str) -> str:
    """RFC 8785 string: json.dumps escapes exactly as JCS does (without ASCII-only output)."""
    text = json.dumps(value, ensure_ascii=False)
    text.encode("utf-8")  # a lone surrogate cannot be encoded: UnicodeEncodeError
    return text


def parse_leaf(raw: bytes) -> dict[str, Any]:
    """The six-field record of a leaf input, which must be its own canonical encoding."""
    try:
        record = strict_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Malformed("not JSON") from None
    if not isinstance(record, dict) or set(record) != RECORD_KEYS:
        raise Malformed("not an object with exactly the six record fields")
    for key in ("position", "stream_version"):
        if not is_count(record[key]) or record[key] > MAX_SAFE_INTEGER:
            raise Malformed(f"{key} is not a safe non-negative integer")
    for key in ("recorded_at", "state", "stream_id", "topic"):
        if not isinstance(record[key], str):
            raise Malformed(f"{key} is not a string")
    state = unb64(record["state"])
    try:
        canonical = (
            f'{{"position":{record["position"]},"recorded_at":{jcs_string(record["recorded_at"])},'
            f'"state":"{b64(state)}","stream_id":{jcs_string(record["stream_id"])},'
            f'"stream_version":{record["stream_version"]},"topic":{jcs_string(record["topic"])}}}'
        ).encode("utf-8")
    except UnicodeEncodeError:
        raise Malformed("holds text that RFC 8785 cannot encode") from None
    if canonical != raw:
        raise Malformed("its bytes are not the RFC 8785 encoding of its fields")
    record["state_bytes"] = state
    return record


def decoded_state(state: bytes) -> Any:
    try:
        value = strict_json(state.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# --- C2SP signed notes, checkpoints and keys -----------------------------------------------


CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
SIZE = re.compile(r"0|[1-9][0-9]*", re.ASCII)
KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")


def check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" or ord(c) < 0x20 for c in name):
        raise Malformed(f"key name {name!r} is not allowed")


def key_id(name: str, key_type: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([key_type]) + public_key).digest()[
        :4
    ]


class Key:
    """An Ed25519 public key under a name: a log key (type 0x01) or a cosigner (0x04)."""

    def __init__(self, name: str, key_type: int, public_key: bytes):
        self.name, self.type, self.public_key = name, key_type, public_key
        self.id = key_id(name, key_type, public_key)
        try:
            self.ed25519 = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError:
            raise Malformed("not an Ed25519 public key") from None

    @classmethod
    def parse(cls, vkey: str, key_type: int) -> Key:
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise Malformed("a verifier key has the form name+keyid+key")
        name, hex_id, material = parts
        check_name(name)
        if not KEY_ID_HEX.fullmatch(hex_id):
            raise Malformed("the key ID is not 8 lowercase hex digits")
        raw = unb64(material)
        if len(raw) != 33 or raw[0] != key_type:
            raise Malformed(f"not an Ed25519 key of type 0x{key_type:02x}")
        key = cls(name, key_type, raw[1:])
        if key.id.hex() != hex_id:
            raise Malformed("the key ID does not match the key")
        return key

    @property
    def label(self) -> str:
        return f"{self.name}+{self.id.hex()}"

    @property
    def vkey(self) -> str:
        return f"{self.label}+{b64(bytes([self.type]) + self.public_key)}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and (self.name, self.type, self.public_key) == (
            other.name,
            other.type,
            other.public_key,
        )

    def __hash__(self) -> int:
        return hash((self.name, self.type, self.public_key))

    def verifies(self, message: bytes, signature: bytes) -> bool:
        try:
            self.ed25519.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def signature_valid(self, text: str, signature: bytes) -> bool:
        """A note signature by a log key: Ed25519 over the note text."""
        return len(signature) == 64 and self.verifies(text.encode("utf-8"), signature)

    def cosignature_time(self, text: str, signature: bytes) -> int | None:
        """A cosignature/v1: 8-byte big-endian time, then Ed25519 over header, time line, text."""
        if len(signature) != 72:
            return None
        when = int.from_bytes(signature[:8], "big")
        if when > 2**63 - 1:
            return None
        message = f"cosignature/v1\ntime {when}\n{text}".encode("utf-8")
        return when if self.verifies(message, signature[8:]) else None


def parse_note(note: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """C2SP signed-note: (text, [(name, key id, signature)]), unverified."""
    if len(note.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES:
        raise Malformed("the note is too large")
    if CONTROL.search(note):
        raise Malformed("the note holds a control character")
    if not note.endswith("\n"):
        raise Malformed("the note does not end with a newline")
    split = note.rfind("\n\n")
    if split < 0:
        raise Malformed("the note has no blank line before its signatures")
    text, lines = note[: split + 1], note[split + 2 :].split("\n")[:-1]
    if not lines or len(lines) > MAX_SIGNATURES:
        raise Malformed("the note has no signature lines, or too many")
    signatures = []
    for line in lines:
        if not line.startswith("\u2014 "):
            raise Malformed("a signature line does not start with an em dash and a space")
        fields = line[2:].split(" ")
        if len(fields) != 2:
            raise Malformed("a signature line is not '— <name> <base64>'")
        check_name(fields[0])
        raw = unb64(fields[1])
        if len(raw) < 5:
            raise Malformed("a signature is too short")
        signatures.append((fields[0], raw[:4], raw[4:]))
    return text, signatures


def parse_checkpoint(text: str) -> tuple[str, int, bytes]:
    """C2SP tlog-checkpoint: (origin, size, root hash)."""
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise Malformed("a checkpoint needs an origin, a size and a root hash line")
    origin, size, root = lines[:3]
    for line in (origin, *lines[3:]):
        if not line or any(ord(c) < 0x20 for c in line):
            raise Malformed("empty line or control character in the checkpoint")
    if origin != origin.strip():
        raise Malformed("the origin starts or ends with whitespace")
    if not SIZE.fullmatch(size) or int(size) > 2**64 - 1:
        raise Malformed(f"the size {size!r} is not a decimal number without leading zeroes")
    root_hash = unb64(root)
    if len(root_hash) != 32:
        raise Malformed("the root hash is not 32 bytes")
    return origin, int(size), root_hash


def read_note(note: str) -> tuple[str, list[tuple[str, bytes, bytes]], str, int, bytes]:
    text, signatures = parse_note(note)
    origin, size, root = parse_checkpoint(text)
    return text, signatures, origin, size, root


def valid_signers(
    text: str, signatures: list[tuple[str, bytes, bytes]], keys: list[Key], check: str, what: str
) -> list[Key]:
    """Keys among ``keys`` that signed the note; each of their lines must verify."""
    valid = []
    for key in keys:
        lines = [s for n, i, s in signatures if (n, i) == (key.name, key.id)]
        if len(lines) > 1:
            fail(check, f"{what} carries two signatures by {key.label}")
        if lines and not key.signature_valid(text, lines[0]):
            fail(check, f"the signature by {key.label} on {what} does not verify")
        if lines:
            valid.append(key)
    return valid


# --- the checks ------------------------------------------------------------------------------


class Bundle:
    """One bundle being checked; the order of the checks is that of docs/formats.md."""

    def __init__(
        self,
        directory: str,
        keys: list[Key],
        against: str | None,
        witnesses: list[Key],
        required: int,
        require_complete: bool,
    ):
        self.dir, self.keys, self.against_note = directory, keys, against
        self.witnesses, self.required, self.require_complete = witnesses, required, require_complete
        self.against = None if against is None else read_note(against)
        self.report: dict[str, Any] = {
            "ok": True,
            "check": None,
            "problem": None,
            "line": None,
            "position": None,
            "kind": None,
            "origin": None,
            "tree_size": None,
            "root": None,
            "events": 0,
            "streams": None,
            "key_source": "given" if keys else "bundle",
            "trusted_keys": [],
            "key_rotations": 0,
            "consistency_from": None,
            "against_size": None,
            "witnesses": [],
            "warnings": [],
        }

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def read_text(self, name: str, check: str) -> str:
        try:
            with open(self.path(name), "rb") as handle:
                data = handle.read()
        except OSError as exc:
            fail("layout", f"cannot read {name}: {exc.strerror}")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            fail(check, f"{name} is not UTF-8 text")

    def read_json(self, name: str, check: str) -> Any:
        try:
            return strict_json(self.read_text(name, check))
        except (ValueError, RecursionError) as exc:
            fail(check, f"{name} is not valid JSON: {exc}")

    def run(self) -> dict[str, Any]:
        try:
            self.check_all()
        except Failed as failed:
            self.report.update(
                ok=False,
                check=failed.check,
                problem=failed.problem,
                line=failed.line,
                position=failed.position,
            )
        return self.report

    def check_all(self) -> None:
        report = self.report
        for name in REQUIRED_FILES:
            if not os.path.isfile(self.path(name)):
                fail("layout", f"the bundle has no {name}")
        manifest = self.read_json("bundle.json", "manifest")
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            fail("manifest", f"bundle.json is not a {FORMAT} manifest")
        kind = manifest.get("kind")
        if kind not in ("full", "partial"):
            fail("manifest", f"bundle.json gives the kind {kind!r}, not 'full' or 'partial'")
        report["kind"] = kind
        try:
            self.bundle_key = Key.parse(
                self.read_text("verifier.key", "key").removesuffix("\n"), LOG_KEY_TYPE
            )
        except Malformed as exc:
            fail("key", f"verifier.key is not a verifier key: {exc}")
        self.note = self.read_text("checkpoint", "checkpoint")
        try:
            self.text, self.signatures, self.origin, self.size, self.root = read_note(self.note)
        except Malformed as exc:
            fail("checkpoint", f"the checkpoint is malformed: {exc}")
        report.update(origin=self.origin, tree_size=self.size, root=b64(self.root))
        found = self.rotation_lines()
        self.rotations = self.key_history(found)
        report["key_rotations"] = len(self.rotations)
        self.check_trust()
        count, root, root_at_against, rotations, inclusion_failure, streams = self.scan_events(kind)
        report["events"] = count
        report["streams"] = streams if kind == "partial" else None
        seen = [(number, position) for number, position, _ in rotations]
        if seen != [(number, position) for number, position, _ in found]:
            fail(
                "key-history",
                f"events.jsonl holds key rotations on lines and positions {seen}, not {[(n, p) for n, p, _ in found]}",
            )
        if kind == "full" and root != self.root:
            fail(
                "root",
                f"the Merkle root of the {count} events in events.jsonl is {b64(root)}, but the checkpoint signs {b64(self.root)}: an event was changed, added, removed or reordered",
            )
        if inclusion_failure is not None:
            line, position = inclusion_failure
            fail(
                "inclusion",
                f"events.jsonl line {line} (position {position}): the inclusion proof does not verify against the checkpoint's root",
                line,
                position,
            )
        expected = {
            "origin": self.origin,
            "tree_size": self.size,
            "root": b64(self.root),
            "events": count,
        }
        for key, value in expected.items():
            if type(manifest.get(key)) is not type(value) or manifest.get(key) != value:
                fail(
                    "manifest",
                    f"bundle.json gives {key} {manifest.get(key)!r}, but the bundle has {value!r}",
                )
        consistency = self.check_consistency()
        self.check_against(root_at_against, consistency)
        if self.witnesses:
            report["witnesses"] = self.check_witnesses()
        if self.require_complete and kind != "full":
            fail(
                "complete",
                "the bundle is partial: it proves that its events are in the log, not that they are all of it",
            )

    # events.jsonl

    def rotation_lines(self) -> list[tuple[int, int, Any]]:
        """A first look for key rotations, needed to know which key must sign."""
        found = []
        try:
            handle = open(self.path("events.jsonl"), "rb")
        except OSError as exc:
            fail("layout", f"cannot read events.jsonl: {exc.strerror}")
        with handle:
            for number, raw in enumerate(handle, start=1):
                if SIGNING_KEYS_STREAM.encode("utf-8") not in raw:
                    continue
                try:
                    line = strict_json(raw.decode("utf-8"))
                except (UnicodeDecodeError, ValueError, RecursionError):
                    continue
                if (
                    isinstance(line, dict)
                    and line.get("stream") == SIGNING_KEYS_STREAM
                    and line.get("topic") == ROTATION_TOPIC
                    and is_count(line.get("position"))
                ):
                    found.append((number, line["position"], line.get("event")))
        return found

    def scan_events(
        self, kind: str
    ) -> tuple[
        int, bytes, bytes | None, list[tuple[int, int, Any]], tuple[int, int] | None, dict[str, int]
    ]:
        builder = RootBuilder()
        count, previous = 0, None
        versions: dict[str, int] = {}
        streams: dict[str, int] = {}
        rotations: list[tuple[int, int, Any]] = []
        inclusion_failure = None
        against_size = None if self.against is None else self.against[3]
        root_at_against = None
        try:
            handle = open(self.path("events.jsonl"), "rb")
        except OSError as exc:
            fail("layout", f"cannot read events.jsonl: {exc.strerror}")
        with handle:
            for number, raw in enumerate(handle, start=1):
                line, record = self.read_line(number, raw)
                position = record["position"]
                if position >= self.size:
                    fail(
                        "events",
                        f"events.jsonl line {number} holds position {position}, outside the checkpoint's tree of {self.size} events",
                        number,
                        position,
                    )
                digest = leaf_hash(raw_leaf(line))
                where = f"events.jsonl line {number} (position {position})"
                if kind == "full":
                    if "inclusion_proof" in line:
                        fail(
                            "events",
                            f"events.jsonl line {number} has an inclusion proof, but bundle.json says the bundle is full",
                            number,
                            position,
                        )
                    if position != count:
                        fail(
                            "events",
                            f"events.jsonl line {number} holds position {position} where position {count} was expected: a line was removed, added or reordered",
                            number,
                            position,
                        )
                    builder.add(digest)
                else:
                    if "inclusion_proof" not in line:
                        fail(
                            "events",
                            f"{where} has no inclusion proof, but the bundle is partial",
                            number,
                            position,
                        )
                    if previous is not None and position <= previous:
                        fail(
                            "events",
                            f"{where} does not follow position {previous}: lines were reordered or repeated",
                            number,
                            position,
                        )
                    stream, version = record["stream_id"], record["stream_version"]
                    last = versions.get(stream, 0)
                    if version != last + 1:
                        fail(
                            "events",
                            f"{where}: stream {stream} goes from version {last} to {version}: an event of this stream is missing",
                            number,
                            position,
                        )
                    versions[stream] = version
                    proof = hashes(
                        line["inclusion_proof"],
                        "events",
                        f"{where}: inclusion_proof",
                        number,
                        position,
                    )
                    if inclusion_failure is None and not verify_inclusion(
                        digest, position, self.size, proof, self.root
                    ):
                        inclusion_failure = (number, position)
                    streams[stream] = streams.get(stream, 0) + 1
                    previous = position
                count += 1
                if kind == "full" and count == against_size:
                    root_at_against = builder.root()
                if record["stream_id"] == SIGNING_KEYS_STREAM and record["topic"] == ROTATION_TOPIC:
                    rotations.append((number, position, line.get("event")))
        if kind == "full" and count != self.size:
            fail(
                "events",
                f"events.jsonl holds {count} events but the checkpoint covers {self.size}: events from position {count} are missing",
                None,
                count,
            )
        return count, builder.root(), root_at_against, rotations, inclusion_failure, streams

    def read_line(self, number: int, raw: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
        where = f"events.jsonl line {number}"
        if not raw.endswith(b"\n"):
            fail("events", f"{where} does not end with a newline: the file was cut short", number)
        try:
            line = strict_json(raw[:-1].decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            fail("events", f"{where} is not valid JSON", number)
        if not isinstance(line, dict):
            fail("events", f"{where} is not a JSON object", number)
        if set(line) - LINE_KEYS:
            fail(
                "events",
                f"{where} has unknown field(s): {', '.join(sorted(set(line) - LINE_KEYS))}",
                number,
            )
        if REQUIRED_LINE_KEYS - set(line):
            fail(
                "events",
                f"{where} lacks field(s): {', '.join(sorted(REQUIRED_LINE_KEYS - set(line)))}",
                number,
            )
        position = line["position"]
        if not is_count(position):
            fail("events", f"{where}: position is not a non-negative integer", number)
        where = f"{where} (position {position})"
        try:
            record = parse_leaf(unb64(line["leaf_input"]))
        except Malformed as exc:
            fail(
                "events",
                f"{where}: leaf_input is not a canonical ledger record: {exc}",
                number,
                position,
            )
        if record["position"] != position:
            fail(
                "events",
                f"{where}: position disagrees with leaf_input (position {record['position']})",
                number,
                position,
            )
        for name, key in (
            ("stream", "stream_id"),
            ("version", "stream_version"),
            ("topic", "topic"),
            ("recorded_at", "recorded_at"),
        ):
            if type(line[name]) is not type(record[key]) or line[name] != record[key]:
                fail(
                    "events", f"{where}: field {name!r} disagrees with leaf_input", number, position
                )
        event = decoded_state(record["state_bytes"])
        if event is None and "event" in line:
            fail(
                "events",
                f"{where}: field 'event' is present but the stored state is not a JSON object",
                number,
                position,
            )
        if event is not None and (
            "event" not in line or normal_json(line["event"]) != normal_json(event)
        ):
            fail("events", f"{where}: field 'event' disagrees with leaf_input", number, position)
        return line, record

    # keys and signatures

    def key_history(self, found: list[tuple[int, int, Any]]) -> list[tuple[int, Key, Key, int]]:
        """Rotations that concern your keys: (position, old, new, line), handovers checked."""
        valid = [r for r in (rotation_of(*item) for item in found) if r is not None]
        trusted = list(self.keys) if self.keys else [self.bundle_key]
        changed = True
        while changed:
            changed = False
            for _, old, new, _ in valid:
                if old in trusted or new in trusted:
                    for key in (old, new):
                        if key not in trusted:
                            trusted.append(key)
                            changed = True
        self.trusted = trusted
        relevant = [r for r in valid if r[1] in trusted]
        self.retired: dict[Key, int] = {}
        for position, old, _, _ in relevant:
            self.retired.setdefault(old, position)
        if not relevant:
            return []
        if not os.path.isfile(self.path("rotations.json")):
            fail(
                "key-history",
                f"the log rotated its key at position {relevant[0][0]} but the bundle has no rotations.json",
                relevant[0][3],
                relevant[0][0],
            )
        entries = self.read_json("rotations.json", "key-history")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            fail("key-history", "rotations.json is not a list of objects")
        by_position: dict[Any, dict[str, Any]] = {}
        for entry in entries:
            if is_count(entry.get("position")):
                by_position.setdefault(entry["position"], entry)
        for position, old, new, number in relevant:
            if position not in by_position:
                fail(
                    "key-history",
                    f"rotations.json has no handover for the key rotation at position {position}",
                    number,
                    position,
                )
            self.handover(position, old, new, by_position[position])
        return relevant

    def handover(self, position: int, old: Key, new: Key, entry: dict[str, Any]) -> None:
        where = f"the handover checkpoint of the key rotation at position {position}"
        try:
            if not isinstance(entry.get("checkpoint"), str):
                raise Malformed("not a string")
            text, signatures, origin, size, root = read_note(entry["checkpoint"])
        except Malformed as exc:
            fail("key-history", f"{where} is malformed: {exc}")
        if origin != self.origin:
            fail("key-history", f"{where} is for another log ({origin!r})")
        if not position < size <= self.size:
            fail(
                "key-history",
                f"{where} (size {size}) does not lie between the rotation and the bundle's checkpoint (size {self.size})",
            )
        valid = valid_signers(text, signatures, [old, new], "key-history", where)
        missing = [k.label for k in (old, new) if k not in valid]
        if missing:
            fail(
                "key-history", f"{where} is not signed by both keys (missing: {', '.join(missing)})"
            )
        proof = hashes(entry.get("consistency_proof"), "key-history", f"{where}: consistency_proof")
        ok = (
            (not proof and root == self.root)
            if size == self.size
            else verify_consistency(size, self.size, root, self.root, proof)
        )
        if not ok:
            fail(
                "key-history",
                f"{where} (size {size}) is not consistent with the bundle's checkpoint",
            )

    def check_trust(self) -> None:
        self.report["trusted_keys"] = [key.label for key in self.trusted]
        self.log_signed(self.text, self.signatures, self.size, "checkpoint", "the checkpoint")
        if self.keys:
            if self.bundle_key not in self.trusted:
                fail(
                    "key",
                    f"verifier.key in the bundle ({self.bundle_key.label}) is not a key you gave ({', '.join(k.label for k in self.keys)}) nor linked to one by a key rotation",
                )
        else:
            self.report["warnings"].append(BUNDLE_KEY_WARNING.format(vkey=self.bundle_key.vkey))

    def log_signed(
        self,
        text: str,
        signatures: list[tuple[str, bytes, bytes]],
        size: int,
        check: str,
        what: str,
    ) -> None:
        """A trusted key not retired at ``size`` must have signed (a key retired at
        position p signs no tree of more than p events); trusted lines must verify."""
        valid = valid_signers(text, signatures, self.trusted, check, what)
        if any(self.retired.get(key, size) >= size for key in valid):
            return
        if valid:
            fail(
                check,
                f"{what} (size {size}) is signed only by {', '.join(k.label for k in valid)}, retired by the key rotation at position {self.retired[valid[0]]}",
            )
        fail(
            check,
            f"{what} is not signed by any key you trust ({', '.join(k.label for k in self.trusted)})",
        )

    # consistency, against, witnesses

    def check_consistency(self) -> tuple[int, bytes] | None:
        if not os.path.isfile(self.path("consistency.json")):
            return None
        data = self.read_json("consistency.json", "consistency")
        if not isinstance(data, dict) or not isinstance(data.get("old_checkpoint"), str):
            fail("consistency", "consistency.json has no old_checkpoint")
        try:
            text, signatures, origin, size, root = read_note(data["old_checkpoint"])
        except Malformed as exc:
            fail("consistency", f"the earlier checkpoint in consistency.json is malformed: {exc}")
        if origin != self.origin:
            fail(
                "consistency",
                f"the earlier checkpoint in consistency.json is for another log ({origin!r})",
            )
        self.log_signed(
            text, signatures, size, "consistency", "the earlier checkpoint in consistency.json"
        )
        claimed = {
            "old_size": size,
            "new_size": self.size,
            "old_root": b64(root),
            "new_root": b64(self.root),
        }
        for key, value in claimed.items():
            if type(data.get(key)) is not type(value) or data.get(key) != value:
                fail(
                    "consistency",
                    f"consistency.json gives {key} {data.get(key)!r}, but its checkpoints say {value!r}",
                )
        proof = hashes(data.get("proof"), "consistency", "consistency.json: proof")
        if size == 0 or size > self.size:
            fail(
                "consistency",
                f"consistency.json: no consistency proof can go from size {size} to {self.size}",
            )
        ok = (
            (not proof and root == self.root)
            if size == self.size
            else verify_consistency(size, self.size, root, self.root, proof)
        )
        if not ok:
            fail(
                "consistency",
                f"consistency.json: the proof from size {size} to {self.size} does not verify: the log was rewritten since the earlier checkpoint",
            )
        self.report["consistency_from"] = size
        return size, root

    def check_against(
        self, root_at_against: bytes | None, consistency: tuple[int, bytes] | None
    ) -> None:
        if self.against is None:
            return
        text, signatures, origin, size, root = self.against
        self.log_signed(text, signatures, size, "against", "your checkpoint (--against)")
        if origin != self.origin:
            fail("against", f"your checkpoint is for {origin!r}, the bundle for {self.origin!r}")
        self.report["against_size"] = size
        if size > self.size:
            fail(
                "against",
                f"your checkpoint covers {size} events, the bundle's only {self.size}: the bundle is older than your checkpoint, or the log was cut short",
            )
        if size == self.size:
            if root != self.root:
                fail(
                    "against",
                    f"your checkpoint and the bundle's both cover {self.size} events but their roots differ: the log was rewritten",
                )
            return
        if self.report["kind"] == "full":
            if root_at_against != root:
                fail(
                    "against",
                    f"the first {size} events of the bundle do not have your checkpoint's root: history before your checkpoint was rewritten",
                )
            return
        if consistency != (size, root):
            fail(
                "against",
                f"the bundle has no consistency proof from your checkpoint (size {size}); ask for an export made with --since YOUR_CHECKPOINT",
            )

    def check_witnesses(self) -> list[str]:
        verified = []
        for witness in self.witnesses:
            lines = [s for n, i, s in self.signatures if (n, i) == (witness.name, witness.id)]
            if len(lines) > 1:
                fail("witnesses", f"the checkpoint has two cosignatures by {witness.label}")
            if not lines:
                continue
            if witness.cosignature_time(self.text, lines[0]) is None:
                fail("witnesses", f"the cosignature by witness {witness.label} does not verify")
            verified.append(witness)
        if len(verified) < self.required:
            missing = ", ".join(w.label for w in self.witnesses if w not in verified)
            fail(
                "witnesses",
                f"witness policy not met: {len(verified)} of the {self.required} required cosignatures verify (missing: {missing})",
            )
        return [w.label for w in verified]


def rotation_of(number: int, position: int, event: Any) -> tuple[int, Key, Key, int] | None:
    """A key rotation line whose statement is signed by both keys it names, else None.

    The statement is a signed note with the text (see docs/formats.md, "Key rotation"):
    scrutiny-ledger/key-rotation/v1, old <vkey>, new <vkey>, valid-from <time>.
    """
    try:
        old_vkey, new_vkey, valid_from, statement = (
            event["old_vkey"],
            event["new_vkey"],
            event["valid_from"],
            event["statement"],
        )
        old, new = Key.parse(old_vkey, LOG_KEY_TYPE), Key.parse(new_vkey, LOG_KEY_TYPE)
        text, signatures = parse_note(statement)
    except (Malformed, KeyError, TypeError, AttributeError):
        return None
    if text != f"{STATEMENT_HEADER}\nold {old_vkey}\nnew {new_vkey}\nvalid-from {valid_from}\n":
        return None
    for key in (old, new):
        lines = [s for n, i, s in signatures if (n, i) == (key.name, key.id)]
        if len(lines) != 1 or not key.signature_valid(text, lines[0]):
            return None
    return position, old, new, number


def raw_leaf(line: dict[str, Any]) -> bytes:
    return base64.b64decode(line["leaf_input"])


def hashes(
    value: Any, check: str, what: str, line: int | None = None, position: int | None = None
) -> list[bytes]:
    if not isinstance(value, list):
        fail(check, f"{what} is not a list of hashes", line, position)
    result = []
    for item in value:
        try:
            digest = unb64(item)
        except Malformed:
            fail(check, f"{what} holds something that is not base64", line, position)
        if len(digest) != 32:
            fail(check, f"{what} holds a hash that is not 32 bytes", line, position)
        result.append(digest)
    return result


# --- command line -------------------------------------------------------------------------


def key_argument(value: str, key_type: int, what: str) -> Key:
    """A key given as a vkey string or as a file holding one (never a private key)."""
    text = value.strip()
    if os.path.isfile(value):
        try:
            with open(value, encoding="utf-8") as handle:
                text = handle.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read key file {value}: {exc}") from None
        if text.startswith("PRIVATE+KEY+"):
            raise UsageError(f"{value} holds a private key; give the verifier key (.pub) instead")
    elif "+" not in text:
        raise UsageError(f"{what} {value!r} is neither a verifier key nor a readable file")
    try:
        return Key.parse(text, key_type)
    except Malformed as exc:
        raise UsageError(f"{what} {value!r} is malformed: {exc}") from None


def build(args: argparse.Namespace) -> Bundle:
    if not os.path.isdir(args.directory):
        raise UsageError(f"{args.directory} is not a bundle directory")
    keys = [key_argument(value, LOG_KEY_TYPE, "--key") for value in args.key]
    witnesses = [key_argument(value, COSIGNER_KEY_TYPE, "--witness") for value in args.witness]
    if len(set(witnesses)) != len(witnesses) or len({(w.name, w.id) for w in witnesses}) != len(
        witnesses
    ):
        raise UsageError("the same witness key is listed twice")
    if args.witnesses_required is not None and not witnesses:
        raise UsageError("--witnesses-required needs at least one --witness")
    required = len(witnesses) if args.witnesses_required is None else args.witnesses_required
    if witnesses and not 1 <= required <= len(witnesses):
        raise UsageError(
            f"--witnesses-required must be between 1 and the {len(witnesses)} witness(es) given, not {required}"
        )
    against = None
    if args.against is not None:
        try:
            with open(args.against, encoding="utf-8") as handle:
                against = handle.read(MAX_NOTE_BYTES)
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read checkpoint file {args.against}: {exc}") from None
        try:
            size = read_note(against)[3]
        except Malformed as exc:
            raise UsageError(f"the checkpoint given with --against is malformed: {exc}") from None
        if size == 0:
            raise UsageError(
                "the checkpoint given with --against is of the empty tree: it proves nothing"
            )
    return Bundle(args.directory, keys, against, witnesses, required, args.require_complete)


def render(report: dict[str, Any]) -> str:
    pairs = [
        ("result", "INTACT" if report["ok"] else f"FAILED ({report['check']})"),
        ("kind", report["kind"] or "-"),
        ("origin", report["origin"] or "-"),
        ("tree size", "-" if report["tree_size"] is None else report["tree_size"]),
        ("root", report["root"] or "-"),
        ("events", report["events"]),
        ("keys trusted", ", ".join(report["trusted_keys"]) or "-"),
        (
            "key from",
            "you (--key)" if report["key_source"] == "given" else "the bundle itself (see warning)",
        ),
        ("key rotations", report["key_rotations"]),
        ("since", "-" if report["consistency_from"] is None else report["consistency_from"]),
        ("against", "-" if report["against_size"] is None else report["against_size"]),
        ("witnesses", ", ".join(report["witnesses"]) or "-"),
    ]
    pairs += [
        ("stream", f"{stream} ({count})")
        for stream, count in sorted((report["streams"] or {}).items())
    ]
    width = max(len(label) for label, _ in pairs)
    visible = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)}
    return "\n".join(
        f"{label.ljust(width)}  {str(value).translate(visible)}" for label, value in pairs
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="verify_bundle.py",
        description="Check a Scrutiny Ledger export bundle (exit 0 intact, 3 failed, 2 bad usage).",
    )
    parser.add_argument("directory", metavar="DIR", help="the bundle directory")
    parser.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="VKEY",
        help="the partnership's verifier key, obtained independently (string or file); repeatable",
    )
    parser.add_argument("--against", metavar="FILE", help="a checkpoint you kept earlier")
    parser.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="VKEY",
        help="a witness's cosignature key (string or file); repeatable",
    )
    parser.add_argument(
        "--witnesses-required",
        type=int,
        metavar="K",
        help="how many --witness cosignatures are required [default: all]",
    )
    parser.add_argument(
        "--require-complete", action="store_true", help="fail unless the bundle holds every event"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        bundle = build(args)
    except UsageError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        return 2
    report = bundle.run()
    if report["ok"]:  # on failure the one Error line says all that matters
        for warning in report["warnings"]:
            sys.stderr.write(warning + "\n")
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=True))
    else:
        print(render(report))
    if not report["ok"]:
        sys.stderr.write(f"Error: {report['check']}: {report['problem']}\n")
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
