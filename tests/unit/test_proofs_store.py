"""Proofs read from the stored tree equal the RFC's proofs from the leaves (both engines).

Every inclusion proof (each position of each tree size) and every consistency
proof (each pair of sizes) of a 17-event log appended in uneven batches is
compared with ``ledger.integrity``'s leaf-based functions; a counting recorder
(a real recorder that counts its reads) shows each proof costs one query for
the tree plus, for inclusion, one row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from ledger.errors import IntegrityFailure, InvalidInputError, NotFoundError
from ledger.integrity import consistency_proof, inclusion_proof, leaf_hash, merkle_root
from ledger.proofs import prove_consistency, prove_inclusion, stored_root
from ledger.records import StoredRecord
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder
from tests.ledger_helpers import append, drop_append_only_triggers, execute

SIZE = 17


class CountingRecorder(LedgerRecorder):
    """The real recorder, counting what proofs read."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.node_queries = 0
        self.nodes_read = 0
        self.rows_read = 0

    def tree_nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        self.node_queries += 1
        self.nodes_read += len(keys)
        return super().tree_nodes(keys)

    def iter_records(
        self, start: int = 0, stop: int | None = None, page_size: int = 5000
    ) -> Iterator[StoredRecord]:
        for record in super().iter_records(start, stop, page_size):
            self.rows_read += 1
            yield record


@pytest.fixture
def log(initialised: tuple[str, Path]) -> Iterator[tuple[CountingRecorder, list[bytes]]]:
    recorder = CountingRecorder(Database(initialised[0]))
    for number, batch in enumerate((1, 4, 2, 7, 1, 2)):
        append(recorder, batch, stream=f"test:{number}", batch=batch)
    leaves = [record.leaf_input() for record in recorder.iter_records()]
    assert len(leaves) == SIZE
    yield recorder, leaves
    recorder.database.dispose()


def test_every_inclusion_proof_from_the_store_equals_the_rfc_proof(log) -> None:
    recorder, leaves = log
    for size in range(1, SIZE + 1):
        root = merkle_root(leaves[:size])
        for index in range(size):
            proof = prove_inclusion(recorder, index, size)
            assert list(proof.proof) == inclusion_proof(leaves[:size], index), (index, size)
            assert (proof.root, proof.leaf_hash, proof.leaf_input) == (
                root,
                leaf_hash(leaves[index]),
                leaves[index],
            )


def test_every_consistency_proof_from_the_store_equals_the_rfc_proof(log) -> None:
    recorder, leaves = log
    for new in range(1, SIZE + 1):
        for old in range(1, new + 1):
            proof = prove_consistency(recorder, old, new)
            assert list(proof.proof) == consistency_proof(leaves[:new], old), (old, new)
            assert (proof.old_root, proof.new_root) == (
                merkle_root(leaves[:old]),
                merkle_root(leaves[:new]),
            )
    assert stored_root(recorder, SIZE) == merkle_root(leaves)


def test_a_proof_costs_one_query_for_O_log_n_nodes(initialised: tuple[str, Path]) -> None:
    recorder = CountingRecorder(Database(initialised[0]))
    append(recorder, 1000, batch=250)
    recorder.rows_read = 0
    prove_inclusion(recorder, 617, 1000)
    assert (recorder.node_queries, recorder.rows_read) == (1, 1)
    assert recorder.nodes_read <= 2 * 10 + 2  # log2(1000) < 10
    recorder.node_queries = recorder.nodes_read = 0
    prove_consistency(recorder, 333, 1000)
    assert recorder.node_queries == 1 and recorder.nodes_read <= 3 * 10 + 3
    assert recorder.rows_read == 1
    recorder.database.dispose()


def test_sizes_beyond_the_log_are_not_found_and_nonsense_is_invalid(log) -> None:
    recorder, _ = log
    with pytest.raises(NotFoundError, match="beyond the log, which holds 17"):
        prove_inclusion(recorder, 0, 18)
    with pytest.raises(NotFoundError, match="position 17 is not in a tree of 17"):
        prove_inclusion(recorder, 17, 17)
    with pytest.raises(NotFoundError):
        prove_consistency(recorder, 3, 18)
    with pytest.raises(InvalidInputError, match="at least 1"):
        prove_consistency(recorder, 0, 5)
    with pytest.raises(InvalidInputError, match="larger than the new size"):
        prove_consistency(recorder, 6, 5)


def test_a_missing_or_altered_stored_node_is_an_integrity_failure(log) -> None:
    recorder, _ = log
    drop_append_only_triggers(recorder.database)
    execute(
        recorder.database,
        "UPDATE ledger_tree SET hash = :h WHERE level = 0 AND idx = 3",
        h=b"\x00" * 32,
    )
    with pytest.raises(IntegrityFailure, match="position 3: stored leaf hash does not match"):
        prove_inclusion(recorder, 3, 8)
    execute(recorder.database, "DELETE FROM ledger_tree WHERE level = 2 AND idx = 1")
    with pytest.raises(
        IntegrityFailure, match=r"tree node \(2, 1\) covering positions 4..7 is missing"
    ):
        prove_consistency(recorder, 3, 9)
