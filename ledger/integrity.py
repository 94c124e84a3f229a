"""The integrity core: an RFC 9162 Merkle tree over the ledger's leaf inputs.

Everything here is a pure function over bytes and integers; only the standard
library (``hashlib``) is used, so an inspector can read this file next to the
RFC and nothing else.

Hashing (RFC 9162 section 2.1.1, identical to RFC 6962 section 2.1)
--------------------------------------------------------------------

* ``MTH({})          = SHA-256()``                       -> :data:`EMPTY_ROOT`
* ``MTH({d0})        = SHA-256(0x00 || d0)``             -> :func:`leaf_hash`
* ``MTH(D[n]), n > 1 = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`` where ``k``
  is the largest power of two smaller than ``n``            -> :func:`node_hash`

Proofs
------

* inclusion proofs: RFC 9162 section 2.1.3.1 (``PATH``), verified with the
  algorithm of section 2.1.3.2 (:func:`inclusion_proof`,
  :func:`verify_inclusion`);
* consistency proofs: RFC 9162 section 2.1.4.1 (``PROOF``/``SUBPROOF``),
  verified with the algorithm of section 2.1.4.2 (:func:`consistency_proof`,
  :func:`verify_consistency`).

Edge cases the RFC leaves to the implementation (ARCHITECTURE.md, "Integrity"):
a consistency proof from size 0 is always rejected (also ``0 -> 0``); an old
size larger than the new size is rejected; equal sizes are consistent only with
an empty proof and byte-identical roots; the leaf hash and every proof element
must be exactly 32 bytes; ``index >= size`` and negative numbers are rejected;
any value of the wrong type is rejected. The ``verify_*`` functions never raise
on malformed input: they return ``False``. The proof *generators* raise
``ValueError`` for out-of-range arguments.

Complete subtrees and their (level, index) address
--------------------------------------------------

The ledger stores the hash of every *complete subtree* so that appends and
proofs cost O(log n) database reads instead of O(n) re-hashing. A complete
subtree is addressed by ``(level, index)``: it covers the ``2**level`` leaves
``[index * 2**level, (index + 1) * 2**level)`` and its hash is the MTH of those
leaves. Level 0 holds the leaf hashes; ``(level + 1, i)`` is
``node_hash((level, 2*i), (level, 2*i + 1))``. A subtree is complete (and can
be stored) as soon as its last leaf exists; it never changes afterwards, which
is what makes the table append-only.

Every range that the RFC algorithms hash, ``MTH(D[a:b])`` (a root, or a
sibling in a ``PATH``/``SUBPROOF``), starts at a multiple of the smallest power
of two that is at least ``b - a``. Such a range decomposes into at most
``log2(b - a) + 1`` complete subtrees, one for each set bit of ``b - a`` from
the highest to the lowest (:func:`subtree_plan`); folding their hashes from
right to left with :func:`node_hash` gives ``MTH(D[a:b])`` exactly as the RFC's
split at the largest power of two would (:func:`range_hash`).

Functions that read stored subtrees take a ``lookup(level, index) -> bytes``
callable. ``nodes_needed_for_root``, ``nodes_needed_for_inclusion`` and
``nodes_needed_for_consistency`` return the set of addresses a computation will
read, so that a database layer can fetch them in one query and pass
``lambda level, index: fetched[(level, index)]`` as the lookup.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "complete_subtrees_after_append",
    "consistency_proof",
    "consistency_proof_from_store",
    "inclusion_proof",
    "inclusion_proof_from_store",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "nodes_needed_for_consistency",
    "nodes_needed_for_inclusion",
    "nodes_needed_for_root",
    "range_hash",
    "root_from_leaf_hashes",
    "root_from_store",
    "subtree_plan",
    "verify_consistency",
    "verify_inclusion",
]

_HASH_SIZE = 32
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

#: ``lookup(level, index)`` returns the stored hash of a complete subtree.
_Lookup = Callable[[int, int], bytes]
#: A complete-subtree address: ``(level, index)``.
_Node = tuple[int, int]

EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()
"""MTH({}) = SHA-256 of the empty string (RFC 9162 section 2.1.1)."""


# ---------------------------------------------------------------------------
# Hashing (RFC 9162 section 2.1.1)
# ---------------------------------------------------------------------------


def leaf_hash(leaf_input: bytes) -> bytes:
    """``SHA-256(0x00 || leaf_input)``: the hash of one leaf."""
    return hashlib.sha256(_LEAF_PREFIX + bytes(leaf_input)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an interior node.

    The RFC does not constrain the children's length, so neither does this
    function (verification checks lengths before it hashes anything).
    """
    return hashlib.sha256(_NODE_PREFIX + bytes(left) + bytes(right)).digest()


def root_from_leaf_hashes(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH of the leaves whose hashes are streamed in, in O(log n) memory.

    Keeps a stack of the hashes of complete subtrees (strictly decreasing in
    size from bottom to top); two subtrees of equal size are merged as soon as
    the right one is complete. At the end the stack is the decomposition of
    ``n`` into powers of two, largest first, and folding it from the right
    reproduces the RFC split at the largest power of two smaller than ``n``.
    """
    stack: list[tuple[int, bytes]] = []  # (level, hash)
    for h in leaf_hashes:
        level, current = 0, h
        while stack and stack[-1][0] == level:
            _, left = stack.pop()
            current = node_hash(left, current)
            level += 1
        stack.append((level, current))
    if not stack:
        return EMPTY_ROOT
    root = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        root = node_hash(left, root)
    return root


def merkle_root(leaf_inputs: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of the leaf inputs (RFC 9162 section 2.1.1); O(n) time.

    The empty list gives :data:`EMPTY_ROOT`.
    """
    return root_from_leaf_hashes(leaf_hash(d) for d in leaf_inputs)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _largest_power_of_two_below(n: int) -> int:
    """The ``k`` of RFC 9162 section 2.1.1: largest power of two ``< n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_count(value: object) -> bool:
    """A non-negative ``int`` (``bool`` is not a number here)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_bytes(value: object) -> bool:
    return isinstance(value, (bytes, bytearray))


def _is_hash(value: object) -> bool:
    return isinstance(value, (bytes, bytearray)) and len(value) == _HASH_SIZE


def _is_proof(value: object) -> bool:
    return isinstance(value, (list, tuple)) and all(_is_hash(p) for p in value)


def _require_count(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def _require_hash(name: str, value: object) -> bytes:
    if not isinstance(value, (bytes, bytearray)):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    if len(value) != _HASH_SIZE:
        raise ValueError(f"{name} must be {_HASH_SIZE} bytes, got {len(value)}")
    return bytes(value)


# ---------------------------------------------------------------------------
# Proofs from the leaves (RFC 9162 sections 2.1.3.1 and 2.1.4.1, literally)
# ---------------------------------------------------------------------------


def _mth(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) from the leaf hashes, in O(hi - lo)."""
    return root_from_leaf_hashes(hashes[i] for i in range(lo, hi))


def _path(m: int, hashes: Sequence[bytes], lo: int, hi: int) -> list[bytes]:
    """PATH(m, D[lo:hi]) of RFC 9162 section 2.1.3.1 (m relative to lo).

    The sibling ranges hashed at successive depths are disjoint, so the whole
    proof costs O(n) hashing; the recursion is O(log n) deep.
    """
    n = hi - lo
    if n == 1:
        return []
    k = _largest_power_of_two_below(n)
    if m < k:
        return _path(m, hashes, lo, lo + k) + [_mth(hashes, lo + k, hi)]
    return _path(m - k, hashes, lo + k, hi) + [_mth(hashes, lo, lo + k)]


def _subproof(m: int, hashes: Sequence[bytes], lo: int, hi: int, b: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b) of RFC 9162 section 2.1.4.1 (m relative to lo)."""
    n = hi - lo
    if m == n:
        return [] if b else [_mth(hashes, lo, hi)]
    k = _largest_power_of_two_below(n)
    if m <= k:
        return _subproof(m, hashes, lo, lo + k, b) + [_mth(hashes, lo + k, hi)]
    return _subproof(m - k, hashes, lo + k, hi, False) + [_mth(hashes, lo, lo + k)]


def inclusion_proof(leaf_inputs: Sequence[bytes], index: int) -> list[bytes]:
    """The inclusion proof ``PATH(index, D[n])`` (RFC 9162 section 2.1.3.1).

    ``n = len(leaf_inputs)``; raises ``ValueError`` unless ``0 <= index < n``.
    Elements are ordered from the leaf's sibling up to the root's child.
    """
    _require_count("index", index)
    hashes = [leaf_hash(d) for d in leaf_inputs]
    if index >= len(hashes):
        raise ValueError(f"index {index} is outside a tree of size {len(hashes)}")
    return _path(index, hashes, 0, len(hashes))


def consistency_proof(leaf_inputs: Sequence[bytes], old_size: int) -> list[bytes]:
    """The consistency proof ``PROOF(old_size, D[n])`` (RFC 9162 section 2.1.4.1).

    ``n = len(leaf_inputs)`` is the new size; raises ``ValueError`` unless
    ``1 <= old_size <= n``. ``old_size == n`` gives the empty proof.
    """
    _require_count("old_size", old_size)
    hashes = [leaf_hash(d) for d in leaf_inputs]
    if not 1 <= old_size <= len(hashes):
        raise ValueError(
            f"old_size {old_size} is outside [1, {len(hashes)}] (the new tree size)"
        )
    return _subproof(old_size, hashes, 0, len(hashes), True)


# ---------------------------------------------------------------------------
# Verification (RFC 9162 sections 2.1.3.2 and 2.1.4.2, step by step)
# ---------------------------------------------------------------------------


def verify_inclusion(
    leaf_hash: bytes,  # the name ARCHITECTURE.md gives it; shadows the function here
    index: int,
    size: int,
    proof: Sequence[bytes],
    root: bytes,
) -> bool:
    """True if ``proof`` proves ``leaf_hash`` is leaf ``index`` of the tree
    of ``size`` leaves whose root is ``root`` (RFC 9162 section 2.1.3.2).

    Returns False (never raises) for malformed input: wrong types, negative
    numbers, hashes that are not 32 bytes, ``index >= size``.
    """
    if not (_is_count(index) and _is_count(size)):
        return False
    if not (_is_hash(leaf_hash) and _is_hash(root) and _is_proof(proof)):
        return False
    # 1. leaf_index >= tree_size fails.
    if index >= size:
        return False
    # 2. fn = leaf_index, sn = tree_size - 1.  3. r = hash.
    fn, sn = index, size - 1
    r = bytes(leaf_hash)
    # 4. For each value p in the inclusion path:
    for p in proof:
        # a. sn == 0: the proof is too long.
        if sn == 0:
            return False
        # b. LSB(fn) set, or fn == sn: p is a left sibling.
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # ii. skip the levels where this node has no right sibling.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        # c. one level up.
        fn >>= 1
        sn >>= 1
    # 5. sn == 0 and r == root_hash.
    return sn == 0 and r == bytes(root)


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """True if ``proof`` proves the tree ``(old_size, old_root)`` is a prefix
    of the tree ``(new_size, new_root)`` (RFC 9162 section 2.1.4.2).

    Policy (ARCHITECTURE.md): ``old_size == 0`` is always rejected (also for
    ``0 -> 0``); ``old_size > new_size`` is rejected; equal sizes are
    consistent only with an empty proof and byte-identical roots. Every proof
    element, and both roots when the sizes differ, must be 32 bytes. Returns
    False (never raises) for malformed input.
    """
    if not (_is_count(old_size) and _is_count(new_size)):
        return False
    if not (_is_bytes(old_root) and _is_bytes(new_root) and _is_proof(proof)):
        return False
    if old_size == 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return len(proof) == 0 and bytes(old_root) == bytes(new_root)
    if not (_is_hash(old_root) and _is_hash(new_root)):
        return False
    first, second = old_size, new_size
    first_hash, second_hash = bytes(old_root), bytes(new_root)
    # 1. An empty consistency path fails.
    if len(proof) == 0:
        return False
    path = [bytes(c) for c in proof]
    # 2. If first is an exact power of 2, prepend first_hash.
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = first - 1, second - 1
    # 4. If LSB(fn) is set, right-shift both until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first value of the path.
    fr = sr = path[0]
    # 6. For each subsequent value c:
    for c in path[1:]:
        # a. sn == 0: the proof is too long.
        if sn == 0:
            return False
        # b. LSB(fn) set, or fn == sn: c is a left sibling of both trees.
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            # c is a right sibling, present only in the second tree.
            sr = node_hash(sr, c)
        # c. one level up.
        fn >>= 1
        sn >>= 1
    # 7. fr == first_hash, sr == second_hash, sn == 0.
    return fr == first_hash and sr == second_hash and sn == 0


# ---------------------------------------------------------------------------
# Complete subtrees in a store, addressed by (level, index)
# ---------------------------------------------------------------------------


def subtree_plan(start: int, end: int) -> list[tuple[int, int]]:
    """Decompose the leaf range ``[start, end)`` into maximal complete
    aligned subtrees ``(level, index)``, left to right.

    Greedy from the left: at each position take the largest subtree that is
    aligned there and fits before ``end``. For a range that is an RFC subtree
    (``start`` a multiple of the smallest power of two ``>= end - start``, e.g.
    any ``[0, n)`` and every sibling in a PATH or SUBPROOF) these are the
    subtrees of sizes given by the set bits of ``end - start``, largest
    first, and folding their hashes right to left with :func:`node_hash`
    gives ``MTH(D[start:end])``. An empty range gives ``[]``.
    """
    _require_count("start", start)
    _require_count("end", end)
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    plan: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        level = (end - pos).bit_length() - 1
        if pos:
            level = min(level, (pos & -pos).bit_length() - 1)
        plan.append((level, pos >> level))
        pos += 1 << level
    return plan


def _is_rfc_range(start: int, end: int) -> bool:
    """True if ``MTH(D[start:end])`` is a node of some RFC 9162 tree."""
    span = end - start
    if span <= 0:
        return False
    alignment = 1 << (span - 1).bit_length()  # smallest power of two >= span
    return start % alignment == 0


def _fetch(nodes: Iterable[_Node], lookup: _Lookup) -> dict[_Node, bytes]:
    """Read each needed complete subtree once (in a deterministic order)."""
    fetched: dict[_Node, bytes] = {}
    for level, index in sorted(set(nodes)):
        fetched[(level, index)] = _require_hash(
            f"stored hash of subtree ({level}, {index})", lookup(level, index)
        )
    return fetched


def _fold(plan: Sequence[_Node], hashes: dict[_Node, bytes]) -> bytes:
    """Fold a plan's subtree hashes right to left: MTH of the planned range."""
    if not plan:
        return EMPTY_ROOT
    result = hashes[plan[-1]]
    for node in reversed(plan[:-1]):
        result = node_hash(hashes[node], result)
    return result


def range_hash(start: int, end: int, lookup: _Lookup) -> bytes:
    """``MTH(D[start:end])`` from stored complete subtrees, O(log n) lookups.

    The range must be one the RFC algorithms hash: ``start`` a multiple of
    the smallest power of two ``>= end - start`` (``ValueError`` otherwise).
    An empty range gives :data:`EMPTY_ROOT`.
    """
    _require_count("start", start)
    _require_count("end", end)
    if start == end:
        return EMPTY_ROOT
    if not _is_rfc_range(start, end):
        raise ValueError(f"[{start}, {end}) is not a subtree of an RFC 9162 tree")
    plan = subtree_plan(start, end)
    return _fold(plan, _fetch(plan, lookup))


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTH form PATH(index, D[size]), in proof order."""
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if index - lo < k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()  # PATH lists the deepest sibling first
    return ranges


def _consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTH form PROOF(old_size, D[new_size]), in order."""
    ranges: list[tuple[int, int]] = []
    lo, hi, b = 0, new_size, True
    while True:
        if old_size == hi:  # SUBPROOF(m, D[m], b)
            if not b:
                ranges.append((lo, hi))
            break
        k = _largest_power_of_two_below(hi - lo)
        if old_size - lo <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            b = False
    ranges.reverse()  # SUBPROOF lists the deepest element first
    return ranges


def _check_inclusion_args(index: int, size: int) -> None:
    _require_count("index", index)
    _require_count("size", size)
    if index >= size:
        raise ValueError(f"index {index} is outside a tree of size {size}")


def _check_consistency_args(old_size: int, new_size: int) -> None:
    _require_count("old_size", old_size)
    _require_count("new_size", new_size)
    if not 1 <= old_size <= new_size:
        raise ValueError(f"old_size {old_size} is outside [1, {new_size}]")


def _nodes_for(ranges: Iterable[tuple[int, int]]) -> set[_Node]:
    needed: set[_Node] = set()
    for start, end in ranges:
        needed.update(subtree_plan(start, end))
    return needed


def nodes_needed_for_root(size: int) -> set[tuple[int, int]]:
    """The complete subtrees :func:`root_from_store` reads (empty for size 0)."""
    _require_count("size", size)
    return set(subtree_plan(0, size))


def nodes_needed_for_inclusion(index: int, size: int) -> set[tuple[int, int]]:
    """The complete subtrees :func:`inclusion_proof_from_store` reads."""
    _check_inclusion_args(index, size)
    return _nodes_for(_inclusion_ranges(index, size))


def nodes_needed_for_consistency(old_size: int, new_size: int) -> set[tuple[int, int]]:
    """The complete subtrees :func:`consistency_proof_from_store` reads."""
    _check_consistency_args(old_size, new_size)
    return _nodes_for(_consistency_ranges(old_size, new_size))


def root_from_store(size: int, lookup: _Lookup) -> bytes:
    """MTH(D[size]) from stored complete subtrees: at most log2(size)+1 reads."""
    needed = nodes_needed_for_root(size)
    return _fold(subtree_plan(0, size), _fetch(needed, lookup))


def inclusion_proof_from_store(index: int, size: int, lookup: _Lookup) -> list[bytes]:
    """Same result as :func:`inclusion_proof` over the first ``size`` leaves,
    read from stored complete subtrees inside ``[0, size)``: O(log n) reads.

    Raises ``ValueError`` unless ``0 <= index < size``.
    """
    fetched = _fetch(nodes_needed_for_inclusion(index, size), lookup)
    return [_fold(subtree_plan(a, b), fetched) for a, b in _inclusion_ranges(index, size)]


def consistency_proof_from_store(
    old_size: int, new_size: int, lookup: _Lookup
) -> list[bytes]:
    """Same result as :func:`consistency_proof` over the first ``new_size``
    leaves, read from stored complete subtrees inside ``[0, new_size)``:
    O(log n) reads.

    Raises ``ValueError`` unless ``1 <= old_size <= new_size``.
    """
    fetched = _fetch(nodes_needed_for_consistency(old_size, new_size), lookup)
    return [
        _fold(subtree_plan(a, b), fetched)
        for a, b in _consistency_ranges(old_size, new_size)
    ]


def complete_subtrees_after_append(
    old_size: int,
    new_leaf_hashes: Sequence[bytes],
    lookup: _Lookup,
) -> list[tuple[int, int, bytes]]:
    """Every ``(level, index, hash)`` that becomes complete when the leaves
    with hashes ``new_leaf_hashes`` are appended at positions
    ``old_size, old_size + 1, ...``.

    The level-0 entries for the new leaves are included. Entries come in an
    order that is safe to insert: leaves in position order, and every parent
    after both of its children. ``lookup(level, index)`` is called only for
    subtrees that were already complete before the append (the old tree's
    right edge, each at most once, at most log2(old_size) + 1 calls); every
    other hash is computed here. Work is O(k + log n) for k new leaves.
    """
    _require_count("old_size", old_size)
    # The old tree's right edge: its complete subtrees, strictly decreasing
    # in size. Their hashes are read lazily, only if a new leaf completes a
    # parent of one of them.
    stack: list[tuple[int, int, bytes | None]] = [
        (level, index, None) for level, index in subtree_plan(0, old_size)
    ]
    created: list[tuple[int, int, bytes]] = []
    position = old_size
    for i, h in enumerate(new_leaf_hashes):
        current = (0, position, _require_hash(f"new_leaf_hashes[{i}]", h))
        created.append(current)
        while stack and stack[-1][0] == current[0]:
            level, left_index, left_hash = stack.pop()
            if left_hash is None:
                left_hash = _require_hash(
                    f"stored hash of subtree ({level}, {left_index})",
                    lookup(level, left_index),
                )
            current = (level + 1, left_index >> 1, node_hash(left_hash, current[2]))
            created.append(current)
        stack.append(current)
        position += 1
    return created
