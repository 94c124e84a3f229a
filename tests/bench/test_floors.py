"""``bench.floors`` at a tiny size: every store is measured, and the raw
``tree_as_stored`` layout writes exactly the tree rows the ledger wrote (so
the floor it measures is the ledger's own). No timing is asserted."""

from __future__ import annotations

from typing import Any

import pytest

from bench import floors


@pytest.fixture(scope="module")
def tiny() -> dict[str, Any]:
    return floors.measure(before=200, count=300, batch=50)


def test_every_store_and_layout_is_timed(tiny: dict[str, Any]) -> None:
    assert set(tiny["seconds"]) == {"ledger", "eventsourcing", *floors.LAYOUTS}
    assert all(seconds > 0 for seconds in tiny["seconds"].values())
    assert tiny["count"] == 300 and tiny["before"] >= 200


def test_the_stored_layout_writes_what_the_ledger_wrote(tiny: dict[str, Any]) -> None:
    written = tiny["tree_rows_written"]
    # a leaf row per event plus a row per completed subtree: 2 per event, give or take
    assert written["ledger"] == written["tree_as_stored"]
    assert 2 * 300 - 20 <= written["ledger"] <= 2 * 300
    assert written["events_and_keys_only"] == 0
    assert written["leaf_column_heights_8_up"] < written["leaves_and_heights_8_up"] - 250


def test_ratios_divide_eventsourcing_by_each_store(tiny: dict[str, Any]) -> None:
    seconds = tiny["seconds"]
    for name, ratio in tiny["ratios"].items():
        store = name.removeprefix("eventsourcing_vs_")
        assert ratio == pytest.approx(seconds["eventsourcing"] / seconds[store])
    outside = seconds["ledger"] - seconds["tree_as_stored"]
    assert tiny["ledger_outside_database"] == pytest.approx(outside)
    assert tiny["estimated_ratio_with_layout"]["tree_as_stored"] == pytest.approx(
        seconds["eventsourcing"] / seconds["ledger"])


@pytest.mark.parametrize("position, expected", [
    (0, [(0, 0)]),
    (1, [(0, 1), (1, 0)]),
    (255, [(h, 255 >> h) for h in range(9)]),
])
def test_tree_rows_are_the_subtrees_a_leaf_completes(position: int, expected: list[tuple[int, int]]) -> None:
    assert [(level, idx) for level, idx, _ in floors.tree_rows(position, "tree_as_stored")] == expected
    assert [(level, idx) for level, idx, _ in floors.tree_rows(position, "leaf_column_heights_8_up")] == [
        (level, idx) for level, idx in expected if level >= 8]


def test_single_acts_are_timed_on_disk_and_in_memory_backed_files() -> None:
    found = floors.single_acts(before=200, count=20)
    assert set(found) == {"disk", "tmpfs"}
    for figures in found.values():
        assert figures["ledger_us"] > 0 and figures["eventsourcing_us"] > 0
        assert figures["ratio"] == pytest.approx(figures["eventsourcing_us"] / figures["ledger_us"])
    assert "waiting for the disk" in floors.render_acts(found)
