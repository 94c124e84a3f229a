"""Public RFC 6962 / RFC 9162 test vectors against ``ledger.integrity``.

The vectors are read at test time from ``shared/testdata/rfc6962_vectors.json``
(next to the project checkout, or in the directory named by the environment
variable ``SCRUTINY_TESTDATA``); no vector value is copied into this file. If
the file cannot be found every test here FAILS with a message saying where it
looked: missing vectors must never pass silently as skips.

Every vector of every group is run, including the probes of class ``policy``
(edge cases RFC 9162 leaves to the implementation, decided in ARCHITECTURE.md)
and ``validation`` (hashes that are not 32 bytes). The ``signed_note`` group
belongs to the checkpoint tests and is not iterated here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ledger.integrity import (
    EMPTY_ROOT,
    complete_subtrees_after_append,
    consistency_proof,
    consistency_proof_from_store,
    inclusion_proof,
    inclusion_proof_from_store,
    leaf_hash,
    merkle_root,
    node_hash,
    range_hash,
    root_from_leaf_hashes,
    root_from_store,
    subtree_plan,
    verify_consistency,
    verify_inclusion,
)

VECTORS_NAME = "rfc6962_vectors.json"
ENV_VAR = "SCRUTINY_TESTDATA"
DEFAULT_DIR = Path(__file__).resolve().parents[3] / "shared" / "testdata"

#: Groups this file runs; any other group in the file (except signed_note)
#: makes ``test_every_group_is_covered`` fail instead of being ignored.
HANDLED_GROUPS = {
    "tree",
    "hasher",
    "inclusion_table",
    "inclusion_real_ct_log",
    "consistency_table",
    "inclusion_probes",
    "consistency_probes",
    "derived_exhaustive_n_le_8",
}
NOT_OURS = {"signed_note"}


def _vectors_path() -> Path:
    configured = os.environ.get(ENV_VAR)
    return (Path(configured) if configured else DEFAULT_DIR) / VECTORS_NAME


@cache
def _load() -> tuple[dict[str, Any] | None, str]:
    path = _vectors_path()
    try:
        return json.loads(path.read_text(encoding="utf-8")), ""
    except FileNotFoundError:
        return None, (
            f"RFC 6962 test vectors not found at {path}. Put {VECTORS_NAME} in "
            f"{DEFAULT_DIR} or set {ENV_VAR} to the directory that holds it."
        )
    except (OSError, ValueError) as exc:
        return None, f"cannot read RFC 6962 test vectors at {path}: {exc}"


def vectors() -> dict[str, Any]:
    """The whole document; fails the calling test if it is unavailable."""
    data, problem = _load()
    if data is None:
        pytest.fail(problem, pytrace=False)
    return data


def group(name: str) -> dict[str, Any]:
    groups = vectors().get("groups", {})
    if name not in groups:
        pytest.fail(f"group {name!r} missing from {_vectors_path()}", pytrace=False)
    return groups[name]


_MISSING = object()


def params(name: str, key: str = "vectors") -> list[Any]:
    """One pytest param per vector; a single failing param if unavailable.

    Built at collection time. When the file is missing or the group is empty
    the param list still has one entry, whose test then fails (an empty
    parametrisation would be reported as a skip).
    """
    data, _ = _load()
    items = (data or {}).get("groups", {}).get(name, {}).get(key) or []
    if not items:
        return [pytest.param(_MISSING, id=f"{name}-{key}-unavailable")]
    out = []
    for i, v in enumerate(items):
        label = v.get("desc") or v.get("file") or _sizes_label(v)
        out.append(pytest.param(v, id=f"{name}-{i:03d}-{label}".rstrip("-")))
    return out


def _sizes_label(v: dict[str, Any]) -> str:
    if "leaf_index" in v:
        return f"leaf{v['leaf_index']}-size{v['tree_size']}"
    if "size1" in v:
        return f"size{v['size1']}-to-{v['size2']}"
    return ""


def need(vector: Any, name: str, key: str = "vectors") -> dict[str, Any]:
    if vector is _MISSING:
        vectors()  # fails with the file problem, if that is the cause
        pytest.fail(f"group {name!r} has no {key!r} in {_vectors_path()}", pytrace=False)
    return vector


def h(hex_string: str) -> bytes:
    return bytes.fromhex(hex_string)


def hs(hex_list: list[str]) -> list[bytes]:
    return [bytes.fromhex(x) for x in hex_list]


def expected(vector: dict[str, Any]) -> bool:
    assert vector["expect"] in ("accept", "reject"), vector["expect"]
    return vector["expect"] == "accept"


# --- the published tree ----------------------------------------------------


def tree_leaves() -> list[bytes]:
    return hs(group("tree")["leaves_hex"])


def tree_root(size: int) -> bytes | None:
    """The published root of the first ``size`` tree leaves, if published."""
    if size == 0:
        return h(group("tree")["empty_root"])
    root = group("tree")["roots_by_size"].get(str(size))
    return h(root) if root is not None else None


def store_for(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Complete subtrees built the way the ledger builds them, one at a time."""
    store: dict[tuple[int, int], bytes] = {}
    for position, leaf in enumerate(leaves):
        for level, index, value in complete_subtrees_after_append(
            position, [leaf_hash(leaf)], lambda lv, ix: store[(lv, ix)]
        ):
            assert (level, index) not in store
            store[(level, index)] = value
    return store


def published_store() -> dict[tuple[int, int], bytes]:
    return {
        (int(level), index): h(value)
        for level, values in group("tree")["node_hashes_by_level"].items()
        for index, value in enumerate(values)
    }


def bounded_lookup(store: dict[tuple[int, int], bytes], size: int) -> Callable[[int, int], bytes]:
    """A lookup that refuses any subtree not complete inside ``[0, size)``."""

    def lookup(level: int, index: int) -> bytes:
        assert (index + 1) << level <= size, (level, index, size)
        return store[(level, index)]

    return lookup


# --- file and coverage -------------------------------------------------------


def test_vectors_file_is_present_and_understood() -> None:
    data = vectors()
    assert data.get("schema") == "rfc6962-vectors/1"
    conventions = data["conventions"]
    assert conventions["hash"] == "sha256"
    assert conventions["leaf_prefix"] == "00"
    assert conventions["node_prefix"] == "01"
    assert conventions["index_base"] == 0


def test_every_group_is_covered() -> None:
    present = set(vectors()["groups"])
    assert HANDLED_GROUPS <= present, f"missing groups: {HANDLED_GROUPS - present}"
    assert present - HANDLED_GROUPS - NOT_OURS == set(), "new groups need tests here"


# --- tree group --------------------------------------------------------------


def test_tree_empty_root() -> None:
    published = h(group("tree")["empty_root"])
    assert EMPTY_ROOT == published
    assert merkle_root([]) == published
    assert root_from_leaf_hashes([]) == published
    assert root_from_store(0, lambda level, index: pytest.fail("no lookup")) == published


def test_tree_roots_by_size_are_all_published() -> None:
    sizes = {int(s) for s in group("tree")["roots_by_size"]}
    assert sizes == set(range(1, len(tree_leaves()) + 1))


@pytest.mark.parametrize("size", range(1, 9), ids=lambda s: f"tree-root-size-{s}")
def test_tree_root_by_size(size: int) -> None:
    leaves = tree_leaves()
    published = tree_root(size)
    assert published is not None, f"no published root for size {size}"
    assert merkle_root(leaves[:size]) == published
    assert root_from_leaf_hashes(leaf_hash(x) for x in leaves[:size]) == published
    built = store_for(leaves)
    assert root_from_store(size, bounded_lookup(built, size)) == published
    assert root_from_store(size, bounded_lookup(published_store(), size)) == published


def test_tree_level_zero_is_leaf_hashes() -> None:
    level0 = hs(group("tree")["node_hashes_by_level"]["0"])
    assert level0 == [leaf_hash(x) for x in tree_leaves()]


def test_tree_node_hashes_by_level() -> None:
    """Every published node equals the store we build by appending, and the
    store holds nothing else."""
    leaves = tree_leaves()
    published = published_store()
    assert store_for(leaves) == published
    # Appending everything in one batch gives the same nodes.
    batch = complete_subtrees_after_append(
        0, [leaf_hash(x) for x in leaves], lambda lv, ix: pytest.fail("nothing stored yet")
    )
    assert {(lv, ix): v for lv, ix, v in batch} == published
    for (level, index), value in published.items():
        start, end = index << level, (index + 1) << level
        assert merkle_root(leaves[start:end]) == value
        assert subtree_plan(start, end) == [(level, index)]


def test_tree_range_hash_from_published_nodes() -> None:
    """MTH of every RFC subtree of the published tree, from its nodes only."""
    leaves = tree_leaves()
    published = published_store()
    checked = 0
    for start in range(len(leaves)):
        for end in range(start + 1, len(leaves) + 1):
            span = end - start
            if start % (1 << (span - 1).bit_length()):
                with pytest.raises(ValueError):
                    range_hash(start, end, bounded_lookup(published, end))
                continue
            assert range_hash(start, end, bounded_lookup(published, end)) == merkle_root(
                leaves[start:end]
            )
            checked += 1
    assert checked > len(leaves)


# --- hasher group ------------------------------------------------------------


@pytest.mark.parametrize("vector", params("hasher"))
def test_hasher(vector: Any) -> None:
    v = need(vector, "hasher")
    want = h(v["expect_hash"])
    if v["kind"] == "empty_root":
        assert EMPTY_ROOT == want
        assert merkle_root([]) == want
    elif v["kind"] == "leaf":
        assert leaf_hash(h(v["leaf_hex"])) == want
        assert merkle_root([h(v["leaf_hex"])]) == want
    elif v["kind"] == "node":
        assert node_hash(h(v["left_hex"]), h(v["right_hex"])) == want
    else:
        pytest.fail(f"unknown hasher vector kind {v['kind']!r}")


# --- inclusion ---------------------------------------------------------------


def _leaf_hash_of(v: dict[str, Any]) -> bytes:
    if "leaf_hex" in v:
        computed = leaf_hash(h(v["leaf_hex"]))
        if "leaf_hash" in v:
            assert computed == h(v["leaf_hash"]), "vector's leaf_hash != H(0x00||leaf)"
        return computed
    return h(v["leaf_hash"])


def _check_generated_inclusion(v: dict[str, Any]) -> bool:
    """Compare our proof with the published one when the vector is about the
    published tree. Returns whether it could be compared."""
    leaves = tree_leaves()
    size, index = v["tree_size"], v["leaf_index"]
    if not (expected(v) and 0 <= index < size <= len(leaves)):
        return False
    if tree_root(size) != h(v["root"]) or leaf_hash(leaves[index]) != _leaf_hash_of(v):
        return False
    published = hs(v["proof"])
    assert inclusion_proof(leaves[:size], index) == published
    assert inclusion_proof_from_store(index, size, bounded_lookup(store_for(leaves), size)) == published
    return True


def _run_inclusion(v: dict[str, Any]) -> None:
    result = verify_inclusion(
        h(v["leaf_hash"]) if "leaf_hash" in v else _leaf_hash_of(v),
        v["leaf_index"],
        v["tree_size"],
        hs(v["proof"]),
        h(v["root"]),
    )
    assert result is expected(v), f"{v.get('class', '')} vector: expected {v['expect']}"


@pytest.mark.parametrize("vector", params("inclusion_table"))
def test_inclusion_table(vector: Any) -> None:
    v = need(vector, "inclusion_table")
    _run_inclusion(v)
    if expected(v):
        # Every accepted table entry is about the published tree.
        assert _check_generated_inclusion(v), "table entry not about the published tree"


@pytest.mark.parametrize("vector", params("inclusion_real_ct_log"))
def test_inclusion_real_ct_log(vector: Any) -> None:
    v = need(vector, "inclusion_real_ct_log")
    _leaf_hash_of(v)  # checks leaf_hash == H(0x00 || leaf_hex) where both are given
    _run_inclusion(v)


@pytest.mark.parametrize("vector", params("inclusion_probes"))
def test_inclusion_probe(vector: Any) -> None:
    v = need(vector, "inclusion_probes")
    assert v["class"] in ("rfc", "policy", "validation")
    _run_inclusion(v)
    _check_generated_inclusion(v)


@pytest.mark.parametrize("vector", params("derived_exhaustive_n_le_8", "inclusion"))
def test_derived_inclusion(vector: Any) -> None:
    v = need(vector, "derived_exhaustive_n_le_8", "inclusion")
    _run_inclusion(v)
    assert expected(v)
    assert _check_generated_inclusion(v), "derived vector not about the published tree"


def test_derived_inclusion_is_exhaustive() -> None:
    pairs = {
        (v["leaf_index"], v["tree_size"])
        for v in group("derived_exhaustive_n_le_8")["inclusion"]
    }
    n = len(tree_leaves())
    assert pairs == {(i, s) for s in range(1, n + 1) for i in range(s)}


# --- consistency ---------------------------------------------------------------


def _check_generated_consistency(v: dict[str, Any]) -> bool:
    leaves = tree_leaves()
    old, new = v["size1"], v["size2"]
    if not (expected(v) and 1 <= old <= new <= len(leaves)):
        return False
    if tree_root(old) != h(v["root1"]) or tree_root(new) != h(v["root2"]):
        return False
    published = hs(v["proof"])
    assert consistency_proof(leaves[:new], old) == published
    assert consistency_proof_from_store(old, new, bounded_lookup(store_for(leaves), new)) == published
    return True


def _run_consistency(v: dict[str, Any]) -> None:
    result = verify_consistency(
        v["size1"], v["size2"], h(v["root1"]), h(v["root2"]), hs(v["proof"])
    )
    assert result is expected(v), f"{v.get('class', '')} vector: expected {v['expect']}"


@pytest.mark.parametrize("vector", params("consistency_table"))
def test_consistency_table(vector: Any) -> None:
    v = need(vector, "consistency_table")
    _run_consistency(v)
    if expected(v):
        assert _check_generated_consistency(v), "table entry not about the published tree"


@pytest.mark.parametrize("vector", params("consistency_probes"))
def test_consistency_probe(vector: Any) -> None:
    v = need(vector, "consistency_probes")
    assert v["class"] in ("rfc", "policy", "validation")
    _run_consistency(v)
    _check_generated_consistency(v)


@pytest.mark.parametrize("vector", params("derived_exhaustive_n_le_8", "consistency"))
def test_derived_consistency(vector: Any) -> None:
    v = need(vector, "derived_exhaustive_n_le_8", "consistency")
    _run_consistency(v)
    assert expected(v)
    assert _check_generated_consistency(v), "derived vector not about the published tree"


def test_derived_consistency_is_exhaustive() -> None:
    pairs = {(v["size1"], v["size2"]) for v in group("derived_exhaustive_n_le_8")["consistency"]}
    n = len(tree_leaves())
    assert pairs == {(m, s) for s in range(1, n + 1) for m in range(1, s)}
