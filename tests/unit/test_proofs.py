"""Proof formats, and the standalone verifier's RFC 9162 and C2SP code against public vectors.

``tools/verify_bundle.py`` re-implements what it checks without importing the
project; here its Merkle and signed-note functions meet the published RFC 6962
/ C2SP vectors and, by property, the project's own ``ledger.integrity``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.proofs import parse_count
from ledger import integrity
from ledger.errors import InvalidInputError
from ledger.proofs import ConsistencyProof, InclusionProof

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT.parent / "shared" / "testdata" / "rfc6962_vectors.json"


def load_standalone() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "verify_bundle", ROOT / "tools" / "verify_bundle.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = load_standalone()
hashes = st.binary(min_size=32, max_size=32)


def groups() -> dict[str, Any]:
    return json.loads(VECTORS.read_text(encoding="utf-8"))["groups"]


def test_the_standalone_verifier_imports_only_the_standard_library_and_cryptography() -> None:
    import ast
    import sys

    tree = ast.parse((ROOT / "tools" / "verify_bundle.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported - {"__future__"} <= set(sys.stdlib_module_names) | {"cryptography"}
    assert not imported & {"ledger", "commands", "projections", "rfc8785", "pydantic"}


def _inclusion_vectors() -> list[dict[str, Any]]:
    g = groups()
    items = g["inclusion_table"]["vectors"] + g["inclusion_real_ct_log"]["vectors"]
    items += g["inclusion_probes"]["vectors"] + g["derived_exhaustive_n_le_8"]["inclusion"]
    return items


def _consistency_vectors() -> list[dict[str, Any]]:
    g = groups()
    return (
        g["consistency_table"]["vectors"]
        + g["consistency_probes"]["vectors"]
        + g["derived_exhaustive_n_le_8"]["consistency"]
    )


def test_standalone_inclusion_matches_every_published_vector() -> None:
    vectors = _inclusion_vectors()
    assert len(vectors) > 100
    for v in vectors:
        digest = (
            bytes.fromhex(v["leaf_hash"])
            if "leaf_hash" in v
            else tool.leaf_hash(bytes.fromhex(v["leaf_hex"]))
        )
        proof = [bytes.fromhex(h) for h in v["proof"]]
        got = tool.verify_inclusion(
            digest, v["leaf_index"], v["tree_size"], proof, bytes.fromhex(v["root"])
        )
        assert got == (v["expect"] == "accept"), v.get("desc", v)


def test_standalone_consistency_matches_every_published_vector() -> None:
    vectors = _consistency_vectors()
    assert len(vectors) > 100
    for v in vectors:
        proof = [bytes.fromhex(h) for h in v["proof"]]
        got = tool.verify_consistency(
            v["size1"], v["size2"], bytes.fromhex(v["root1"]), bytes.fromhex(v["root2"]), proof
        )
        assert got == (v["expect"] == "accept"), v.get("desc", v)


def test_standalone_roots_match_the_published_tree() -> None:
    tree = groups()["tree"]
    leaves = [bytes.fromhex(h) for h in tree["leaves_hex"]]
    for size, root in tree["roots_by_size"].items():
        builder = tool.RootBuilder()
        for leaf in leaves[: int(size)]:
            builder.add(tool.leaf_hash(leaf))
        assert builder.root().hex() == root
    assert tool.RootBuilder().root().hex() == tree["empty_root"]


def test_standalone_opens_the_published_signed_notes() -> None:
    for v in groups()["signed_note"]["vectors"]:
        if "note" not in v or "vkey" not in v:
            continue
        key = tool.Key.parse(v["vkey"], tool.LOG_KEY_TYPE)
        text, signatures = tool.parse_note(v["note"])
        ok = any(
            (n, i) == (key.name, key.id) and key.signature_valid(text, s) for n, i, s in signatures
        )
        assert ok == (v["expect"] == "accept"), v["desc"]
    example = groups()["signed_note"]["checkpoint_example"]
    text, _ = tool.parse_note(example["note"])
    origin, size, root = tool.parse_checkpoint(text)
    assert (origin, size, root.hex()) == (
        example["origin"],
        example["tree_size"],
        example["root_hash"],
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=40), st.data())
def test_standalone_and_project_agree_on_proofs_and_their_mutations(
    leaves: list[bytes], data: st.DataObject
) -> None:
    n = len(leaves)
    root = integrity.merkle_root(leaves)
    index = data.draw(st.integers(0, n - 1))
    path = integrity.inclusion_proof(leaves, index)
    digest = integrity.leaf_hash(leaves[index])
    assert tool.verify_inclusion(digest, index, n, path, root)
    old = data.draw(st.integers(1, n))
    cproof = integrity.consistency_proof(leaves, old)
    old_root = integrity.merkle_root(leaves[:old])
    assert tool.verify_consistency(old, n, old_root, root, cproof)
    # Any change (a flipped bit, another index or size) gets the same verdict from both.
    if path:
        i = data.draw(st.integers(0, len(path) - 1))
        path = path[:i] + [bytes([path[i][0] ^ 1]) + path[i][1:]] + path[i + 1 :]
    other_index = data.draw(st.integers(0, n + 1))
    assert tool.verify_inclusion(digest, other_index, n, path, root) == integrity.verify_inclusion(
        digest, other_index, n, path, root
    )
    other_old = data.draw(st.integers(0, n + 1))
    assert tool.verify_consistency(
        other_old, n, old_root, root, cproof
    ) == integrity.verify_consistency(other_old, n, old_root, root, cproof)


@given(
    st.integers(0, 2**40),
    st.integers(0, 2**40),
    hashes,
    hashes,
    st.lists(hashes, max_size=40),
    st.none() | st.binary(max_size=64),
)
def test_an_inclusion_proof_round_trips_through_json(
    index: int, size: int, leaf: bytes, root: bytes, path: list[bytes], leaf_input: bytes | None
) -> None:
    proof = InclusionProof(index, size, leaf, root, tuple(path), leaf_input, "o.example/log")
    data = json.loads(json.dumps(proof.as_dict()))
    assert InclusionProof.from_dict(data) == proof


@given(st.integers(0, 2**40), st.integers(0, 2**40), hashes, hashes, st.lists(hashes, max_size=40))
def test_a_consistency_proof_round_trips_through_json(
    old: int, new: int, a: bytes, b: bytes, path: list[bytes]
) -> None:
    proof = ConsistencyProof(old, new, a, b, tuple(path), None)
    assert ConsistencyProof.from_dict(json.loads(json.dumps(proof.as_dict()))) == proof


@pytest.mark.parametrize(
    "change",
    [
        {"type": "consistency"},
        {"leaf_index": -1},
        {"leaf_index": True},
        {"tree_size": "5"},
        {"root": "AAAA"},  # 3 bytes, not 32
        {"leaf_hash": "not base64!"},
        {"proof": ["AA=="]},
        {"proof": "abc"},
        {"leaf_input": "YQ"},  # missing padding: not canonical
    ],
)
def test_a_malformed_inclusion_proof_is_invalid_input(change: dict[str, Any]) -> None:
    good = InclusionProof(1, 4, b"\x01" * 32, b"\x02" * 32, (b"\x03" * 32,), b"a", None).as_dict()
    assert InclusionProof.from_dict(good).leaf_index == 1
    with pytest.raises(InvalidInputError):
        InclusionProof.from_dict(good | change)


@pytest.mark.parametrize(
    "text, value", [("0", 0), ("7", 7), ("120", 120), ("9" * 19, int("9" * 19))]
)
def test_counts_are_plain_decimal_numbers(text: str, value: int) -> None:
    assert parse_count(text, "N") == value


@pytest.mark.parametrize(
    "text", ["-1", "07", "+5", "1e3", " 5", "5 ", "", "0x10", "\uff15", "1" * 20, "3.0"]
)
def test_anything_else_is_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInputError, match="whole number"):
        parse_count(text, "N")
