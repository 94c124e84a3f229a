"""Properties of ``ledger.integrity`` (RFC 9162 section 2.1) under hypothesis.

The references here are written independently of the module: a naive
recursive MTH, and the RFC's PATH / SUBPROOF recursions reduced to the
sequence of left/right decisions a verifier must take. That sequence is the
exact oracle for tampering with sizes and indices: a proof made for
``(index, size)`` also verifies for ``(index', size')`` precisely when both
trees put the proof's hashes on the same sides (e.g. leaf 0 of a 3-leaf and
of a 4-leaf tree); with distinct leaves every other change must be rejected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    nodes_needed_for_consistency,
    nodes_needed_for_inclusion,
    nodes_needed_for_root,
    range_hash,
    root_from_leaf_hashes,
    root_from_store,
    subtree_plan,
    verify_consistency,
    verify_inclusion,
)

Store = dict[tuple[int, int], bytes]

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

leaf_inputs = st.binary(max_size=12)


def distinct_leaves(min_size: int, max_size: int) -> st.SearchStrategy[list[bytes]]:
    """Distinct leaves (no two different subtrees share a hash), with the
    size drawn uniformly so that big trees are as likely as small ones."""
    return st.integers(min_value=min_size, max_value=max_size).flatmap(
        lambda n: st.lists(leaf_inputs, min_size=n, max_size=n, unique=True)
    )


trees = distinct_leaves(1, 70)
small_trees = distinct_leaves(1, 40)


# --- independent references -------------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def split(n: int) -> int:
    """Largest power of two strictly smaller than n (n > 1), by counting."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(hashes: Sequence[bytes]) -> bytes:
    """MTH written straight from RFC 9162 section 2.1.1, over leaf hashes."""
    if len(hashes) == 0:
        return sha256(b"")
    if len(hashes) == 1:
        return hashes[0]
    k = split(len(hashes))
    return sha256(b"\x01" + ref_mth(hashes[:k]) + ref_mth(hashes[k:]))


def ref_leaf_hashes(leaves: Sequence[bytes]) -> list[bytes]:
    return [sha256(b"\x00" + x) for x in leaves]


def inclusion_sides(m: int, n: int) -> list[str]:
    """Side of each PATH(m, D[n]) element: 'R' right sibling, 'L' left."""
    if n == 1:
        return []
    k = split(n)
    if m < k:
        return inclusion_sides(m, k) + ["R"]
    return inclusion_sides(m - k, n - k) + ["L"]


def consistency_sides(m: int, n: int) -> list[str]:
    """What a verifier walks for PROOF(m, D[n]), 0 < m < n: the seed ('P' the
    old root prepended when m is a power of two, 'S' the proof's own first
    element otherwise) then 'L' (in both trees) or 'R' (new tree only)."""

    def sub(m: int, n: int, b: bool) -> list[str]:
        if m == n:
            return [] if b else ["S"]
        k = split(n)
        if m <= k:
            return sub(m, k, b) + ["R"]
        return sub(m - k, n - k, False) + ["L"]

    sides = sub(m, n, True)
    return ["P"] + sides if m & (m - 1) == 0 else sides


def flip(value: bytes, bit: int) -> bytes:
    data = bytearray(value)
    data[bit // 8] ^= 1 << (bit % 8)
    return bytes(data)


def complete(level: int, index: int, size: int) -> bool:
    return (index + 1) << level <= size


def build_store(leaves: Sequence[bytes], batches: Sequence[int]) -> Store:
    """Feed the leaves through complete_subtrees_after_append in batches,
    checking the append contract on the way."""
    store: Store = {}
    size = 0
    batch_iter = iter(batches)
    while size < len(leaves):
        k = min(next(batch_iter, 1), len(leaves) - size)
        new_hashes = ref_leaf_hashes(leaves[size : size + k])
        calls: list[tuple[int, int]] = []

        def lookup(level: int, index: int, old: int = size) -> bytes:
            assert complete(level, index, old), ("not complete before append", level, index)
            calls.append((level, index))
            return store[(level, index)]

        created = complete_subtrees_after_append(size, new_hashes, lookup)
        new_size = size + k
        # O(log n) reads, none repeated.
        assert len(calls) == len(set(calls)) <= size.bit_length()
        # Level-0 entries for the new leaves, in position order.
        assert [(lv, ix, v) for lv, ix, v in created if lv == 0] == [
            (0, size + i, new_hashes[i]) for i in range(k)
        ]
        # Exactly the subtrees that become complete now.
        expected = {
            (lv, ix)
            for lv in range(new_size.bit_length())
            for ix in range(new_size >> lv)
            if not complete(lv, ix, size)
        }
        assert {(lv, ix) for lv, ix, _ in created} == expected
        assert len(created) == len(expected)
        # Safe insertion order: a parent comes after both children.
        for level, index, value in created:
            if level > 0:
                left, right = (level - 1, 2 * index), (level - 1, 2 * index + 1)
                assert left in store and right in store, (level, index)
                assert value == node_hash(store[left], store[right])
            assert (level, index) not in store
            store[(level, index)] = value
        size = new_size
    return store


class BoundedLookup:
    """A lookup over a dict that only allows complete subtrees in [0, size)."""

    def __init__(self, store: Store, size: int) -> None:
        self.store, self.size = store, size
        self.calls: list[tuple[int, int]] = []

    def __call__(self, level: int, index: int) -> bytes:
        assert complete(level, index, self.size), (level, index, self.size)
        self.calls.append((level, index))
        return self.store[(level, index)]


batch_sizes = st.lists(st.integers(min_value=1, max_value=33), max_size=70)


# --- roots ------------------------------------------------------------------------


@SETTINGS
@given(st.lists(leaf_inputs, max_size=70))
def test_root_matches_naive_recursive_reference(leaves: list[bytes]) -> None:
    hashes = ref_leaf_hashes(leaves)
    expected = ref_mth(hashes)
    assert root_from_leaf_hashes(iter(hashes)) == expected
    assert merkle_root(leaves) == expected
    assert [leaf_hash(x) for x in leaves] == hashes
    assert len(expected) == 32
    if not leaves:
        assert expected == EMPTY_ROOT


@SETTINGS
@given(st.lists(leaf_inputs, min_size=2, max_size=70), st.data())
def test_node_hash_is_rfc(leaves: list[bytes], data: st.DataObject) -> None:
    left, right = data.draw(st.binary()), data.draw(st.binary())
    assert node_hash(left, right) == sha256(b"\x01" + left + right)
    hashes = ref_leaf_hashes(leaves)
    k = split(len(hashes))
    assert merkle_root(leaves) == node_hash(ref_mth(hashes[:k]), ref_mth(hashes[k:]))


# --- every proof verifies ------------------------------------------------------------


@SETTINGS
@given(trees)
def test_every_inclusion_proof_verifies(leaves: list[bytes]) -> None:
    hashes = ref_leaf_hashes(leaves)
    for size in range(1, len(leaves) + 1):
        root = merkle_root(leaves[:size])
        for index in range(size):
            proof = inclusion_proof(leaves[:size], index)
            assert len(proof) == len(inclusion_sides(index, size))
            assert verify_inclusion(hashes[index], index, size, proof, root)


@SETTINGS
@given(trees)
def test_every_consistency_proof_verifies(leaves: list[bytes]) -> None:
    roots = [merkle_root(leaves[:size]) for size in range(len(leaves) + 1)]
    for new in range(1, len(leaves) + 1):
        for old in range(1, new + 1):
            proof = consistency_proof(leaves[:new], old)
            if old == new:
                assert proof == []
            else:
                sides = consistency_sides(old, new)
                assert len(proof) == len(sides) - (sides[0] == "P")
            assert verify_consistency(old, new, roots[old], roots[new], proof)


# --- the store gives the same answers ----------------------------------------------


@SETTINGS
@given(trees, batch_sizes)
def test_store_matches_leaf_based_functions(leaves: list[bytes], batches: list[int]) -> None:
    store = build_store(leaves, batches)
    hashes = ref_leaf_hashes(leaves)
    n = len(leaves)
    # The store holds exactly the complete subtrees, with their MTH.
    for (level, index), value in store.items():
        assert value == ref_mth(hashes[index << level : (index + 1) << level])
    for size in range(0, n + 1):
        bound = 2 * size.bit_length() + 1
        lookup = BoundedLookup(store, size)
        root = root_from_store(size, lookup)
        assert root == merkle_root(leaves[:size])
        assert set(lookup.calls) == nodes_needed_for_root(size)
        assert len(lookup.calls) <= size.bit_length()
        if size == 0:
            continue
        for index in range(size):
            lookup = BoundedLookup(store, size)
            proof = inclusion_proof_from_store(index, size, lookup)
            assert proof == inclusion_proof(leaves[:size], index)
            assert sorted(lookup.calls) == sorted(nodes_needed_for_inclusion(index, size))
            assert len(lookup.calls) <= bound
        for old in range(1, size + 1):
            lookup = BoundedLookup(store, size)
            proof = consistency_proof_from_store(old, size, lookup)
            assert proof == consistency_proof(leaves[:size], old)
            assert sorted(lookup.calls) == sorted(nodes_needed_for_consistency(old, size))
            assert len(lookup.calls) <= bound


@SETTINGS
@given(trees, batch_sizes)
def test_range_hash_and_plan(leaves: list[bytes], batches: list[int]) -> None:
    store = build_store(leaves, batches)
    hashes = ref_leaf_hashes(leaves)
    n = len(leaves)
    for start in range(n):
        for end in range(start + 1, n + 1):
            plan = subtree_plan(start, end)
            # Contiguous, aligned complete subtrees covering exactly [start, end).
            pos = start
            for level, index in plan:
                assert index << level == pos
                pos += 1 << level
            assert pos == end
            span = end - start
            if start % (1 << (span - 1).bit_length()) == 0:  # an RFC subtree
                assert len(plan) == bin(span).count("1")
                lookup = BoundedLookup(store, end)
                assert range_hash(start, end, lookup) == ref_mth(hashes[start:end])
            else:
                with pytest.raises(ValueError):
                    range_hash(start, end, BoundedLookup(store, end))


@SETTINGS
@given(st.integers(min_value=0, max_value=2**40), st.integers(min_value=1, max_value=40))
def test_append_reads_only_the_right_edge(old_size: int, k: int) -> None:
    """Huge trees: an append reads at most log2(n) + 1 stored subtrees."""
    reads: list[tuple[int, int]] = []

    def lookup(level: int, index: int) -> bytes:
        assert complete(level, index, old_size)
        reads.append((level, index))
        return sha256(f"{level}/{index}".encode())

    created = complete_subtrees_after_append(
        old_size, [sha256(bytes([i])) for i in range(k)], lookup
    )
    assert len(reads) == len(set(reads)) <= old_size.bit_length()
    assert set(reads) <= set(subtree_plan(0, old_size))
    expected = sum(
        ((old_size + k) >> level) - (old_size >> level)
        for level in range((old_size + k).bit_length())
    )
    assert len(created) == expected


# --- tampering is caught ---------------------------------------------------------------


@SETTINGS
@given(small_trees, st.data())
def test_tampered_inclusion_is_rejected(leaves: list[bytes], data: st.DataObject) -> None:
    n = len(leaves)
    size = data.draw(st.integers(min_value=1, max_value=n), label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    hashes = ref_leaf_hashes(leaves)
    root = merkle_root(leaves[:size])
    proof = inclusion_proof(leaves[:size], index)
    assert verify_inclusion(hashes[index], index, size, proof, root)

    # Any single bit of any proof element, or of the leaf hash, or the root.
    for i, element in enumerate(proof):
        for bit in range(256):
            bad = proof[:i] + [flip(element, bit)] + proof[i + 1 :]
            assert not verify_inclusion(hashes[index], index, size, bad, root)
    for bit in range(256):
        assert not verify_inclusion(flip(hashes[index], bit), index, size, proof, root)
        assert not verify_inclusion(hashes[index], index, size, proof, flip(root, bit))

    # Another leaf, another root.
    for other in range(n):
        if other != index:
            assert not verify_inclusion(hashes[other], index, size, proof, root)
    for other_size in range(n + 1):
        if other_size != size:
            other_root = merkle_root(leaves[:other_size])
            assert not verify_inclusion(hashes[index], index, size, proof, other_root)

    # Other positions and sizes: accepted exactly when the verifier would walk
    # the same sides (the RFC's own ambiguity), otherwise rejected.
    want = inclusion_sides(index, size)
    for other_size in range(-1, 2 * size + 4):
        for other_index in range(-1, other_size + 2):
            if (other_index, other_size) == (index, size):
                continue
            valid = 0 <= other_index < other_size
            same = valid and inclusion_sides(other_index, other_size) == want
            got = verify_inclusion(hashes[index], other_index, other_size, proof, root)
            assert got is same, (other_index, other_size)
    for other_index in range(size):
        if other_index != index:
            assert not verify_inclusion(hashes[index], other_index, size, proof, root)

    # Removing, adding or reordering elements.
    if proof:
        assert not verify_inclusion(hashes[index], index, size, proof[:-1], root)
        assert not verify_inclusion(hashes[index], index, size, proof[1:], root)
    assert not verify_inclusion(hashes[index], index, size, proof + [root], root)
    assert not verify_inclusion(hashes[index], index, size, [root] + proof, root)
    if len(proof) > 1 and proof != proof[::-1]:
        assert not verify_inclusion(hashes[index], index, size, proof[::-1], root)


@SETTINGS
@given(distinct_leaves(2, 40), st.data())
def test_tampered_consistency_is_rejected(leaves: list[bytes], data: st.DataObject) -> None:
    n = len(leaves)
    new = data.draw(st.integers(min_value=2, max_value=n), label="new")
    old = data.draw(st.integers(min_value=1, max_value=new - 1), label="old")
    roots = [merkle_root(leaves[:size]) for size in range(n + 1)]
    old_root, new_root = roots[old], roots[new]
    proof = consistency_proof(leaves[:new], old)
    assert verify_consistency(old, new, old_root, new_root, proof)

    for i, element in enumerate(proof):
        for bit in range(256):
            bad = proof[:i] + [flip(element, bit)] + proof[i + 1 :]
            assert not verify_consistency(old, new, old_root, new_root, bad)
    for bit in range(256):
        assert not verify_consistency(old, new, flip(old_root, bit), new_root, proof)
        assert not verify_consistency(old, new, old_root, flip(new_root, bit), proof)

    assert not verify_consistency(old, new, new_root, old_root, proof)
    assert not verify_consistency(new, old, new_root, old_root, proof)
    for size in range(n + 1):
        if roots[size] != old_root:
            assert not verify_consistency(old, new, roots[size], new_root, proof)
        if roots[size] != new_root:
            assert not verify_consistency(old, new, old_root, roots[size], proof)

    want = consistency_sides(old, new)
    for other_new in range(0, 2 * new + 4):
        for other_old in range(-1, other_new + 2):
            if (other_old, other_new) == (old, new):
                continue
            same = 0 < other_old < other_new and consistency_sides(other_old, other_new) == want
            got = verify_consistency(other_old, other_new, old_root, new_root, proof)
            assert got is same, (other_old, other_new)

    assert not verify_consistency(old, new, old_root, new_root, [])
    assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
    assert not verify_consistency(old, new, old_root, new_root, proof[1:])
    assert not verify_consistency(old, new, old_root, new_root, proof + [new_root])
    assert not verify_consistency(old, new, old_root, new_root, [old_root] + proof)


# --- policy and malformed input ---------------------------------------------------


hash32 = st.binary(min_size=32, max_size=32)


@SETTINGS
@given(st.integers(min_value=0, max_value=100), hash32, hash32, st.lists(hash32, max_size=8))
def test_consistency_from_size_zero_is_always_rejected(
    new: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> None:
    assert not verify_consistency(0, new, root1, root2, proof)
    assert not verify_consistency(0, new, EMPTY_ROOT, EMPTY_ROOT, proof)
    assert not verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(0, 0, root1, root1, [])


@SETTINGS
@given(st.integers(min_value=1, max_value=2**70), st.binary(max_size=40), st.binary(max_size=40),
       st.lists(hash32, min_size=1, max_size=4))
def test_equal_sizes_need_empty_proof_and_identical_roots(
    size: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> None:
    assert verify_consistency(size, size, root1, root1, [])
    assert verify_consistency(size, size, root1, bytearray(root1), ())
    assert verify_consistency(size, size, root1, root2, []) is (root1 == root2)
    assert not verify_consistency(size, size, root1, root1, proof)


@SETTINGS
@given(distinct_leaves(2, 40), st.data())
def test_wrong_lengths_and_shrinking_are_rejected(leaves: list[bytes], data: st.DataObject) -> None:
    n = len(leaves)
    new = data.draw(st.integers(min_value=2, max_value=n))
    old = data.draw(st.integers(min_value=1, max_value=new - 1))
    index = data.draw(st.integers(min_value=0, max_value=new - 1))
    extra = data.draw(st.binary(min_size=1, max_size=3))
    old_root, new_root = merkle_root(leaves[:old]), merkle_root(leaves[:new])
    c_proof = consistency_proof(leaves[:new], old)
    i_proof = inclusion_proof(leaves[:new], index)
    lh = leaf_hash(leaves[index])
    assert not verify_consistency(new, old, old_root, new_root, c_proof)
    for i in range(len(c_proof)):
        longer = c_proof[:i] + [c_proof[i] + extra] + c_proof[i + 1 :]
        shorter = c_proof[:i] + [c_proof[i][:-1]] + c_proof[i + 1 :]
        assert not verify_consistency(old, new, old_root, new_root, longer)
        assert not verify_consistency(old, new, old_root, new_root, shorter)
    for i in range(len(i_proof)):
        longer = i_proof[:i] + [i_proof[i] + extra] + i_proof[i + 1 :]
        assert not verify_inclusion(lh, index, new, longer, new_root)
    assert not verify_inclusion(lh + extra, index, new, i_proof, new_root)
    assert not verify_inclusion(lh[:-1], index, new, i_proof, new_root)
    assert not verify_consistency(old, new, old_root + extra, new_root, c_proof)
    assert not verify_consistency(old, new, old_root, new_root[:-1], c_proof)
    # Bytes-like inputs are fine; tuples are fine.
    assert verify_inclusion(bytearray(lh), index, new, tuple(i_proof), bytearray(new_root))
    assert verify_consistency(old, new, bytearray(old_root), new_root, tuple(c_proof))


@SETTINGS
@given(st.binary(max_size=64), hash32)
def test_lengths_are_checked_before_hashing(x: bytes, c: bytes) -> None:
    """Proofs built around a value of the wrong length hash correctly and
    would verify if lengths were not checked; they verify iff len(x) == 32."""
    ok = len(x) == 32
    assert verify_inclusion(x, 0, 2, [c], node_hash(x, c)) is ok
    assert verify_inclusion(c, 1, 2, [x], node_hash(x, c)) is ok
    assert verify_inclusion(x, 0, 1, [], x) is ok
    assert verify_consistency(1, 2, x, node_hash(x, c), [c]) is ok
    assert verify_consistency(1, 2, c, node_hash(c, x), [x]) is ok
    assert verify_consistency(2, 3, node_hash(c, c), node_hash(node_hash(c, c), x), [x]) is ok


def test_booleans_are_not_numbers() -> None:
    leaves = [b"a", b"b", b"c"]
    lh, root = leaf_hash(b"b"), merkle_root(leaves)
    proof = inclusion_proof(leaves, 1)
    assert verify_inclusion(lh, 1, 3, proof, root)
    assert not verify_inclusion(lh, True, 3, proof, root)
    one = merkle_root(leaves[:1])
    c_proof = consistency_proof(leaves, 1)
    assert verify_consistency(1, 3, one, root, c_proof)
    assert not verify_consistency(True, 3, one, root, c_proof)
    assert verify_consistency(1, 1, one, one, [])
    assert not verify_consistency(True, 1, one, one, [])
    assert not verify_consistency(1, True, one, one, [])


garbage = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.lists(st.one_of(st.binary(max_size=40), st.integers(), st.none(), st.text()), max_size=4),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(garbage, garbage, garbage, garbage, garbage)
def test_verifiers_never_raise(a: object, b: object, c: object, d: object, e: object) -> None:
    assert verify_inclusion(a, b, c, d, e) in (True, False)  # type: ignore[arg-type]
    assert verify_consistency(a, b, c, d, e) in (True, False)  # type: ignore[arg-type]


not_int = st.one_of(st.none(), st.floats(), st.text(max_size=3), st.binary(max_size=3),
                    st.booleans(), st.integers(max_value=-1))
not_hash = st.one_of(st.none(), st.integers(), st.text(max_size=40),
                     st.binary(max_size=40).filter(lambda b: len(b) != 32),
                     st.lists(st.binary(max_size=2), max_size=2))
not_proof = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.binary(max_size=64),
                      st.lists(not_hash, min_size=1, max_size=3),
                      st.dictionaries(st.integers(), hash32, max_size=2))


@SETTINGS
@given(distinct_leaves(2, 40), st.data())
def test_one_malformed_argument_rejects_a_valid_proof(
    leaves: list[bytes], data: st.DataObject
) -> None:
    n = len(leaves)
    old = data.draw(st.integers(min_value=1, max_value=n - 1))
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    inc: list[Any] = [leaf_hash(leaves[index]), index, n, inclusion_proof(leaves, index), merkle_root(leaves)]
    con: list[Any] = [old, n, merkle_root(leaves[:old]), merkle_root(leaves), consistency_proof(leaves, old)]
    assert verify_inclusion(*inc) and verify_consistency(*con)
    kinds = {"inc": ["hash", "int", "int", "proof", "hash"], "con": ["int", "int", "hash", "hash", "proof"]}
    strategies = {"int": not_int, "hash": not_hash, "proof": not_proof}
    for name, args, verify in (("inc", inc, verify_inclusion), ("con", con, verify_consistency)):
        position = data.draw(st.integers(min_value=0, max_value=4))
        bad = data.draw(strategies[kinds[name][position]])
        broken = list(args)
        broken[position] = bad
        assert verify(*broken) is False, (name, position, bad)


# --- generators refuse out-of-range arguments ------------------------------------


@SETTINGS
@given(st.lists(leaf_inputs, max_size=20), st.integers(min_value=-5, max_value=30))
def test_generators_refuse_out_of_range(leaves: list[bytes], k: int) -> None:
    n = len(leaves)
    store = build_store(leaves, [n or 1])
    if not 0 <= k < n:
        with pytest.raises(ValueError):
            inclusion_proof(leaves, k)
        with pytest.raises(ValueError):
            inclusion_proof_from_store(k, n, BoundedLookup(store, n))
        with pytest.raises(ValueError):
            nodes_needed_for_inclusion(k, n)
    if not 1 <= k <= n:
        with pytest.raises(ValueError):
            consistency_proof(leaves, k)
        with pytest.raises(ValueError):
            consistency_proof_from_store(k, n, BoundedLookup(store, n))
        with pytest.raises(ValueError):
            nodes_needed_for_consistency(k, n)


# --- cost: linear from leaves, logarithmic from the store ---------------------------


class CountingLeaves(Sequence[bytes]):
    """A leaf list that counts how often each leaf input is read."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.leaves = leaves
        self.reads = [0] * len(leaves)

    def __len__(self) -> int:
        return len(self.leaves)

    def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
        if isinstance(index, slice):
            raise AssertionError("leaf inputs should be streamed, not sliced")
        self.reads[index] += 1
        return self.leaves[index]

    def __iter__(self) -> Iterator[bytes]:
        for index in range(len(self.leaves)):
            self.reads[index] += 1
            yield self.leaves[index]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 100, 1000, 1025, 4097])
def test_leaf_based_functions_hash_each_leaf_once(n: int) -> None:
    """Every leaf input is read (and hashed) once per call: nothing re-hashes
    slices of the tree, which is what would make these quadratic."""
    plain = [i.to_bytes(4, "big") for i in range(n)]
    calls: list[Callable[[CountingLeaves], object]] = [merkle_root]
    calls += [partial(inclusion_proof, index=i) for i in {0, n // 2, n - 1}]
    calls += [partial(consistency_proof, old_size=m) for m in {1, n // 2 or 1, n - 1 or 1, n}]
    for call in calls:
        leaves = CountingLeaves(plain)
        call(leaves)
        assert leaves.reads == [1] * n


@pytest.mark.parametrize("size", [1, 7, 1000, 2**20 + 12345, 2**62 + 3])
def test_store_reads_are_logarithmic(size: int) -> None:
    bound = 2 * size.bit_length() + 1
    assert len(nodes_needed_for_root(size)) <= size.bit_length()
    for index in {0, size // 3, size // 2, size - 1}:
        needed = nodes_needed_for_inclusion(index, size)
        assert len(needed) <= bound
        assert all(complete(lv, ix, size) for lv, ix in needed)
    for old in {1, size // 3 or 1, size // 2 or 1, size - 1 or 1, size}:
        needed = nodes_needed_for_consistency(old, size)
        assert len(needed) <= bound
        assert all(complete(lv, ix, size) for lv, ix in needed)
    fake = lambda level, index: sha256(f"{level}/{index}".encode())  # noqa: E731
    assert len(root_from_store(size, fake)) == 32
    for index in {0, size // 2, size - 1}:
        proof = inclusion_proof_from_store(index, size, fake)
        assert len(proof) == len(inclusion_sides(index, size))
