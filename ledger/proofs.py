"""Inclusion and consistency proofs read from the stored tree, and their JSON form.

Every proof is computed from the stored hashes of complete subtrees
(``ledger_tree``): the addresses a proof needs are listed by
``ledger.integrity.nodes_needed_for_*`` and fetched in **one** query, so a
proof costs O(log n) reads whatever the size of the log. No leaf is re-read
except the one whose inclusion is proved, whose leaf input is recomputed from
its stored columns and compared with the stored leaf hash.

What is stored is not trusted blindly: each proof is verified (RFC 9162
section 2.1.3.2 / 2.1.4.2) before it is returned, and the root it leads to is
the one a signed checkpoint must carry. A missing or inconsistent node is an
``IntegrityFailure``.

JSON (docs/formats.md, "Proofs"); hashes are standard base64 with padding::

    {"type": "inclusion", "origin": ..., "leaf_index": i, "tree_size": n,
     "leaf_input": b64, "leaf_hash": b64, "root": b64, "proof": [b64, ...]}
    {"type": "consistency", "origin": ..., "old_size": m, "new_size": n,
     "old_root": b64, "new_root": b64, "proof": [b64, ...]}
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger.errors import IntegrityFailure, InvalidInputError, NotFoundError
from ledger.integrity import (
    consistency_proof_from_store,
    inclusion_proof_from_store,
    leaf_hash,
    nodes_needed_for_consistency,
    nodes_needed_for_inclusion,
    nodes_needed_for_root,
    root_from_store,
    verify_consistency,
    verify_inclusion,
)
from ledger.storage.recorder import LedgerRecorder

HASH_BYTES = 32


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(value: object, what: str) -> bytes:
    """Strict, canonical standard base64 (RFC 4648 section 4)."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be a base64 string")
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError) as exc:
        raise InvalidInputError(f"{what} is not valid base64") from exc
    if b64(raw) != value:
        raise InvalidInputError(f"{what} is not canonical base64")
    return raw


def _hash(value: object, what: str) -> bytes:
    raw = unb64(value, what)
    if len(raw) != HASH_BYTES:
        raise InvalidInputError(f"{what} must be {HASH_BYTES} bytes, not {len(raw)}")
    return raw


def _count(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInputError(f"proof field {key!r} must be a non-negative integer")
    return value


def _hashes(data: Mapping[str, Any], key: str) -> tuple[bytes, ...]:
    value = data.get(key)
    if not isinstance(value, list):
        raise InvalidInputError(f"proof field {key!r} must be a list of base64 hashes")
    return tuple(_hash(item, f"{key}[{i}]") for i, item in enumerate(value))


@dataclass(frozen=True)
class InclusionProof:
    """Leaf ``leaf_index`` (with this leaf hash) is in the tree of ``tree_size`` leaves."""

    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    root: bytes
    proof: tuple[bytes, ...]
    leaf_input: bytes | None = None
    origin: str | None = None

    def verifies(self) -> bool:
        if self.leaf_input is not None and leaf_hash(self.leaf_input) != self.leaf_hash:
            return False
        return verify_inclusion(
            self.leaf_hash, self.leaf_index, self.tree_size, list(self.proof), self.root
        )

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "inclusion", "origin": self.origin}
        data.update(leaf_index=self.leaf_index, tree_size=self.tree_size)
        if self.leaf_input is not None:
            data["leaf_input"] = b64(self.leaf_input)
        data.update(
            leaf_hash=b64(self.leaf_hash), root=b64(self.root), proof=[b64(h) for h in self.proof]
        )
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InclusionProof:
        if not isinstance(data, Mapping) or data.get("type") != "inclusion":
            raise InvalidInputError("not an inclusion proof (type must be 'inclusion')")
        leaf_input = data.get("leaf_input")
        return cls(
            _count(data, "leaf_index"),
            _count(data, "tree_size"),
            _hash(data.get("leaf_hash"), "leaf_hash"),
            _hash(data.get("root"), "root"),
            _hashes(data, "proof"),
            None if leaf_input is None else unb64(leaf_input, "leaf_input"),
            data.get("origin"),
        )


@dataclass(frozen=True)
class ConsistencyProof:
    """The tree of ``old_size`` leaves is a prefix of the tree of ``new_size``."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    proof: tuple[bytes, ...]
    origin: str | None = None

    def verifies(self) -> bool:
        return verify_consistency(
            self.old_size, self.new_size, self.old_root, self.new_root, list(self.proof)
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "consistency",
            "origin": self.origin,
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_root": b64(self.old_root),
            "new_root": b64(self.new_root),
            "proof": [b64(h) for h in self.proof],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConsistencyProof:
        if not isinstance(data, Mapping) or data.get("type") != "consistency":
            raise InvalidInputError("not a consistency proof (type must be 'consistency')")
        return cls(
            _count(data, "old_size"),
            _count(data, "new_size"),
            _hash(data.get("old_root"), "old_root"),
            _hash(data.get("new_root"), "new_root"),
            _hashes(data, "proof"),
            data.get("origin"),
        )


def _fetch(
    recorder: LedgerRecorder, needed: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """One query for every node a proof needs; a missing node is an integrity failure."""
    keys = sorted(set(needed))
    nodes = recorder.tree_nodes(keys)
    for level, index in keys:
        if (level, index) not in nodes:
            first = index << level
            raise IntegrityFailure(
                f"tree node ({level}, {index}) covering positions {first}.."
                f"{((index + 1) << level) - 1} is missing; run 'scrutiny verify'",
                first,
            )
    return nodes


def check_size(recorder: LedgerRecorder, size: int, what: str = "size") -> None:
    """``NotFoundError`` (exit 1) for a tree size the log does not have yet."""
    held = recorder.size()
    if size > held:
        raise NotFoundError(f"{what} {size} is beyond the log, which holds {held} events")


def prove_inclusion(recorder: LedgerRecorder, index: int, size: int) -> InclusionProof:
    """The inclusion proof of the event at ``index`` in the tree of ``size`` events."""
    check_size(recorder, size)
    if not 0 <= index < size:
        raise NotFoundError(f"position {index} is not in a tree of {size} events")
    nodes = _fetch(
        recorder,
        nodes_needed_for_inclusion(index, size) | nodes_needed_for_root(size) | {(0, index)},
    )

    def lookup(level: int, index: int) -> bytes:
        return nodes[(level, index)]

    records = list(recorder.iter_records(start=index, stop=index + 1, page_size=1))
    if len(records) != 1 or records[0].position != index:
        raise IntegrityFailure(f"event at position {index} is missing", index)
    leaf_input = records[0].leaf_input()
    if leaf_hash(leaf_input) != nodes[(0, index)]:
        raise IntegrityFailure(
            f"event at position {index}: stored leaf hash does not match the stored columns",
            index,
        )
    proof = InclusionProof(
        index,
        size,
        nodes[(0, index)],
        root_from_store(size, lookup),
        tuple(inclusion_proof_from_store(index, size, lookup)),
        leaf_input,
        recorder.get_meta("origin"),
    )
    if not proof.verifies():
        raise IntegrityFailure(f"the stored tree gives an inclusion proof for {index} that fails")
    return proof


def prove_consistency(recorder: LedgerRecorder, old_size: int, new_size: int) -> ConsistencyProof:
    """The consistency proof from the tree of ``old_size`` to that of ``new_size``."""
    if old_size < 1:
        raise InvalidInputError("a consistency proof needs an old size of at least 1")
    if old_size > new_size:
        raise InvalidInputError(f"the old size {old_size} is larger than the new size {new_size}")
    check_size(recorder, new_size, "new size")
    nodes = _fetch(
        recorder,
        nodes_needed_for_consistency(old_size, new_size)
        | nodes_needed_for_root(old_size)
        | nodes_needed_for_root(new_size),
    )

    def lookup(level: int, index: int) -> bytes:
        return nodes[(level, index)]

    proof = ConsistencyProof(
        old_size,
        new_size,
        root_from_store(old_size, lookup),
        root_from_store(new_size, lookup),
        tuple(consistency_proof_from_store(old_size, new_size, lookup)),
        recorder.get_meta("origin"),
    )
    if not proof.verifies():
        raise IntegrityFailure(
            f"the stored tree gives a consistency proof {old_size} -> {new_size} that fails"
        )
    return proof


def stored_root(recorder: LedgerRecorder, size: int) -> bytes:
    """The root of the first ``size`` events from stored subtrees (log2(n)+1 reads)."""
    check_size(recorder, size)
    nodes = _fetch(recorder, nodes_needed_for_root(size))
    return root_from_store(size, lambda level, index: nodes[(level, index)])


__all__ = [
    "ConsistencyProof",
    "InclusionProof",
    "b64",
    "check_size",
    "prove_consistency",
    "prove_inclusion",
    "stored_root",
    "unb64",
]
