"""Check an export bundle: signatures, every leaf, the root or each proof, and more.

The checks run in this order; the first that fails is reported, with the
name of the check, and the line of events.jsonl and the position where one
applies (docs/formats.md, "Verifying a bundle", is the specification; the
standalone ``tools/verify_bundle.py`` follows it too, and a test holds the two
to the same verdicts). The lines are checked in ``ledger.bundle_events``, the
keys in ``ledger.bundle_keys``::

    layout       the four required files are there
    manifest     bundle.json is a known format and kind
    key          verifier.key is a verifier key
    checkpoint   the checkpoint is a well-formed signed note
    key-history  each key rotation of a key you trust (found in events.jsonl,
                 its statement signed by both keys) has a handover checkpoint
                 signed by both keys and consistent with the checkpoint
    checkpoint   signed by a key you trust that was not retired at its size
    key          (with --key) verifier.key is a key you trust
    events       each line: JSON, fields, canonical leaf_input, readable fields
                 agree with it, order (full: positions 0..n-1; partial:
                 increasing, each stream's versions contiguous from 1),
                 inside the tree; a full bundle holds exactly n lines
    key-history  the lines hold exactly the rotations found at first
    root         full: the Merkle root of all leaves is the signed root
    inclusion    partial: every inclusion proof verifies
    manifest     bundle.json agrees with the checkpoint and the lines
    consistency  consistency.json (--since at export) verifies
    against      your own checkpoint (--against) is consistent with the bundle
    witnesses    the k-of-n witness policy, if one is given
    complete     with --require-complete, the bundle is full

Trust: the keys given (``keys``) are the anchors. Without them the bundle's
own verifier.key is used and the report carries a loud warning, because a
key shipped inside the bundle proves nothing unless compared with one
obtained independently. A key rotation recorded in the bundle (its statement
and its handover checkpoint signed by both keys) links the keys before and
after it, so an inspector who holds either can check checkpoints signed by
the other; and a key it retired cannot sign any tree that includes it.
Rotation events not signed by the keys they name (written by someone without
the key) link nothing and retire nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.bundle_events import EventScan, rotation_lines, scan_events
from ledger.bundle_keys import Trust
from ledger.bundles import (
    CHECKPOINT,
    CONSISTENCY,
    EVENTS,
    FORMAT,
    FULL,
    MANIFEST,
    PARTIAL,
    REQUIRED_FILES,
    ROTATIONS,
    VERIFIER_KEY,
    BundleFailure,
    fail,
    parse_hashes,
    strict_json,
)
from ledger.checkpoints import Checkpoint, parse_checkpoint
from ledger.errors import IntegrityFailure, InvalidInputError
from ledger.integrity import verify_consistency
from ledger.notes import NoteVerifier, parse_note
from ledger.proofs import b64
from ledger.witness import WitnessPolicy

BUNDLE_KEY_WARNING = (
    "WARNING: no --key was given, so the checkpoint was checked with the verifier.key "
    "shipped INSIDE the bundle. Whoever made the bundle chose that key: this proves "
    "nothing unless you compare it, character by character, with the partnership's key "
    "obtained independently (its website, a letter, an earlier inspection): {vkey}"
)


@dataclass
class BundleReport:
    """The verdict on a bundle; ``ok`` only when every check passed."""

    ok: bool = True
    check: str | None = None
    problem: str | None = None
    line: int | None = None
    position: int | None = None
    kind: str | None = None
    origin: str | None = None
    tree_size: int | None = None
    root: str | None = None
    events: int = 0
    streams: dict[str, int] | None = None
    key_source: str = "given"
    trusted_keys: list[str] = field(default_factory=list)
    key_rotations: int = 0
    consistency_from: int | None = None
    against_size: int | None = None
    witnesses: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def load_log_verifier(value: str) -> NoteVerifier:
    """A log verifier key given as a vkey string or as a file holding one (``--key``)."""
    text = value.strip()
    path = Path(value)
    try:
        is_file = path.is_file()
    except OSError:  # e.g. a name too long to be a file: then it must be a key
        is_file = False
    if not is_file:
        if "+" not in text:
            raise InvalidInputError(
                f"--key {value!r} is neither a verifier key nor a readable file"
            )
        return NoteVerifier.from_vkey(text)
    try:
        content = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read key file {value}: {exc}") from exc
    if content.startswith("PRIVATE+KEY+"):
        raise InvalidInputError(
            f"{value} holds a private key; give the verifier key (.pub) instead"
        )
    try:
        return NoteVerifier.from_vkey(content)
    except InvalidInputError as exc:
        raise InvalidInputError(f"key file {value} is malformed: {exc}") from exc


def parse_against(note: str) -> Checkpoint:
    """The inspector's own checkpoint (``--against``); malformed is invalid input."""
    try:
        text, _ = parse_note(note)
        checkpoint = parse_checkpoint(text)
    except InvalidInputError as exc:
        raise InvalidInputError(f"the checkpoint given with --against is malformed: {exc}") from exc
    if checkpoint.size == 0:
        raise InvalidInputError(
            "the checkpoint given with --against is of the empty tree: it proves nothing"
        )
    return checkpoint


def check_bundle(
    directory: Path,
    *,
    keys: Sequence[NoteVerifier] = (),
    against: str | None = None,
    witness_policy: WitnessPolicy | None = None,
    require_complete: bool = False,
) -> BundleReport:
    """Check the bundle in ``directory``; see the module docstring.

    ``InvalidInputError`` for bad usage (no such directory, a malformed
    ``against``); every finding about the bundle itself is in the report.
    """
    directory = Path(directory)
    try:
        is_dir = directory.is_dir()
    except OSError as exc:
        raise InvalidInputError(f"cannot read {directory}: {exc.strerror}") from exc
    if not is_dir:
        raise InvalidInputError(f"{directory} is not a bundle directory")
    against_cp = None if against is None else parse_against(against)
    report = BundleReport(key_source="given" if keys else "bundle")
    try:
        _Checker(directory, list(keys), against, against_cp, report).run(
            witness_policy, require_complete
        )
    except BundleFailure as failed:
        report.ok = False
        report.check, report.problem = failed.check, failed.problem
        report.line, report.position = failed.line, failed.position
    return report


class _Checker:
    def __init__(
        self,
        directory: Path,
        keys: list[NoteVerifier],
        against: str | None,
        against_cp: Checkpoint | None,
        report: BundleReport,
    ) -> None:
        self.dir = directory
        self.keys = keys
        self.against = against
        self.against_cp = against_cp
        self.report = report

    # -- reading files ------------------------------------------------------------

    def _text(self, name: str, check: str) -> str:
        try:
            data = (self.dir / name).read_bytes()
        except OSError as exc:
            fail("layout", f"cannot read {name}: {exc.strerror}")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            fail(check, f"{name} is not UTF-8 text")

    def _json(self, name: str, check: str) -> Any:
        try:
            return strict_json(self._text(name, check))
        except (ValueError, RecursionError) as exc:
            fail(check, f"{name} is not valid JSON: {exc}")

    def _rotations_file(self) -> Any:
        if not (self.dir / ROTATIONS).is_file():
            return None
        return self._json(ROTATIONS, "key-history")

    # -- the checks, in order -----------------------------------------------------

    def run(self, policy: WitnessPolicy | None, require_complete: bool) -> None:
        report = self.report
        for name in REQUIRED_FILES:
            if not (self.dir / name).is_file():
                fail("layout", f"the bundle has no {name}")
        manifest = self._json(MANIFEST, "manifest")
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            fail("manifest", f"{MANIFEST} is not a {FORMAT} manifest")
        kind = manifest.get("kind")
        if kind not in (FULL, PARTIAL):
            fail("manifest", f"{MANIFEST} gives the kind {kind!r}, not 'full' or 'partial'")
        report.kind = kind
        try:
            bundle_key = NoteVerifier.from_vkey(self._text(VERIFIER_KEY, "key").removesuffix("\n"))
        except InvalidInputError as exc:
            fail("key", f"{VERIFIER_KEY} is not a verifier key: {exc}")
        self.note = self._text(CHECKPOINT, "checkpoint")
        try:
            text, signatures = parse_note(self.note)
            self.checkpoint = parse_checkpoint(text)
        except InvalidInputError as exc:
            fail("checkpoint", f"the checkpoint is malformed: {exc}")
        cp = self.checkpoint
        report.origin, report.tree_size, report.root = cp.origin, cp.size, b64(cp.root_hash)
        found = rotation_lines(self.dir / EVENTS)
        self.trust = Trust(self.keys or [bundle_key], found)
        self.trust.check_handovers(self._rotations_file, cp)
        report.key_rotations = len(self.trust.rotations)
        report.trusted_keys = [key.label for key in self.trust.trusted]
        self.trust.check_signed(text, signatures, cp.size, "checkpoint", "the checkpoint")
        if not self.keys:
            report.warnings.append(BUNDLE_KEY_WARNING.format(vkey=bundle_key.vkey))
        elif bundle_key not in self.trust.trusted:
            fail(
                "key",
                f"{VERIFIER_KEY} in the bundle ({bundle_key.label}) is not a key you gave "
                f"({', '.join(k.label for k in self.keys)}) nor linked to one by a key rotation",
            )
        against_size = None if self.against_cp is None else self.against_cp.size
        scan = scan_events(self.dir / EVENTS, kind, cp, against_size)
        report.events = scan.count
        report.streams = dict(scan.streams) if kind == PARTIAL else None
        seen = [(number, position) for number, position, _ in scan.rotations]
        first_look = [(number, position) for number, position, _ in found]
        if seen != first_look:
            fail(
                "key-history",
                f"{EVENTS} holds key rotations at (line, position) {seen}, not {first_look}",
            )
        if kind == FULL and scan.root != cp.root_hash:
            fail(
                "root",
                f"the Merkle root of the {scan.count} events in {EVENTS} is {b64(scan.root)}, "
                f"but the checkpoint signs {b64(cp.root_hash)}: an event was changed, added, "
                "removed or reordered",
            )
        if scan.inclusion_failure is not None:
            line, position = scan.inclusion_failure
            fail(
                "inclusion",
                f"{EVENTS} line {line} (position {position}): the inclusion proof does not "
                "verify against the checkpoint's root",
                line,
                position,
            )
        self._check_manifest(manifest, scan)
        consistency = self._check_consistency()
        self._check_against(scan, consistency)
        if policy is not None:
            try:
                report.witnesses = [w.label for w, _ in policy.check(self.note)]
            except (IntegrityFailure, InvalidInputError) as exc:
                fail("witnesses", str(exc))
        if require_complete and kind != FULL:
            fail(
                "complete",
                "the bundle is partial: it proves that its events are in the log, "
                "not that they are all of it",
            )

    # -- manifest, consistency, against ---------------------------------------------------

    def _check_manifest(self, manifest: dict[str, Any], scan: EventScan) -> None:
        cp = self.checkpoint
        expected = {
            "origin": cp.origin,
            "tree_size": cp.size,
            "root": b64(cp.root_hash),
            "events": scan.count,
        }
        for key, value in expected.items():
            if type(manifest.get(key)) is not type(value) or manifest.get(key) != value:
                fail(
                    "manifest",
                    f"{MANIFEST} gives {key} {manifest.get(key)!r}, but the bundle has {value!r}",
                )

    def _check_consistency(self) -> tuple[int, bytes] | None:
        if not (self.dir / CONSISTENCY).is_file():
            return None
        data = self._json(CONSISTENCY, "consistency")
        if not isinstance(data, dict) or not isinstance(data.get("old_checkpoint"), str):
            fail("consistency", f"{CONSISTENCY} has no old_checkpoint")
        try:
            text, signatures = parse_note(data["old_checkpoint"])
            old = parse_checkpoint(text)
        except InvalidInputError as exc:
            fail("consistency", f"the earlier checkpoint in {CONSISTENCY} is malformed: {exc}")
        if old.origin != self.checkpoint.origin:
            fail(
                "consistency",
                f"the earlier checkpoint in {CONSISTENCY} is for another log ({old.origin!r})",
            )
        self.trust.check_signed(
            text, signatures, old.size, "consistency", f"the earlier checkpoint in {CONSISTENCY}"
        )
        cp = self.checkpoint
        claimed = {
            "old_size": old.size,
            "new_size": cp.size,
            "old_root": b64(old.root_hash),
            "new_root": b64(cp.root_hash),
        }
        for key, value in claimed.items():
            if type(data.get(key)) is not type(value) or data.get(key) != value:
                fail(
                    "consistency",
                    f"{CONSISTENCY} gives {key} {data.get(key)!r}, but its checkpoints say {value!r}",
                )
        hashes = parse_hashes(data.get("proof"), "consistency", f"{CONSISTENCY}: proof")
        if old.size == 0 or old.size > cp.size:
            fail(
                "consistency",
                f"{CONSISTENCY}: no consistency proof can go from size {old.size} to {cp.size}",
            )
        consistent = (
            not hashes and old.root_hash == cp.root_hash
            if old.size == cp.size
            else verify_consistency(old.size, cp.size, old.root_hash, cp.root_hash, hashes)
        )
        if not consistent:
            fail(
                "consistency",
                f"{CONSISTENCY}: the proof from size {old.size} to {cp.size} does not verify: "
                "the log was rewritten since the earlier checkpoint",
            )
        self.report.consistency_from = old.size
        return old.size, old.root_hash

    def _check_against(self, scan: EventScan, consistency: tuple[int, bytes] | None) -> None:
        if self.against is None or self.against_cp is None:
            return
        mine = self.against_cp
        text, signatures = parse_note(self.against)
        self.trust.check_signed(
            text, signatures, mine.size, "against", "your checkpoint (--against)"
        )
        cp = self.checkpoint
        if mine.origin != cp.origin:
            fail("against", f"your checkpoint is for {mine.origin!r}, the bundle for {cp.origin!r}")
        self.report.against_size = mine.size
        if mine.size > cp.size:
            fail(
                "against",
                f"your checkpoint covers {mine.size} events, the bundle's only {cp.size}: the "
                "bundle is older than your checkpoint, or the log was cut short",
            )
        if mine.size == cp.size:
            if mine.root_hash != cp.root_hash:
                fail(
                    "against",
                    f"your checkpoint and the bundle's both cover {cp.size} events but their roots "
                    "differ: the log was rewritten",
                )
            return
        if self.report.kind == FULL:
            if scan.root_at_against != mine.root_hash:
                fail(
                    "against",
                    f"the first {mine.size} events of the bundle do not have your checkpoint's root: "
                    "history before your checkpoint was rewritten",
                )
            return
        if consistency != (mine.size, mine.root_hash):
            fail(
                "against",
                f"the bundle has no consistency proof from your checkpoint (size {mine.size}); "
                "ask for an export made with --since YOUR_CHECKPOINT",
            )


__all__ = [
    "BUNDLE_KEY_WARNING",
    "BundleReport",
    "check_bundle",
    "load_log_verifier",
    "parse_against",
]
