"""The benchmark harness, run at a tiny size on both engines.

These tests check that ``python -m bench`` runs end to end, produces every
figure and every named ratio, and writes the JSON shape docs/performance.md
describes. They never assert a timing: on a shared machine a timing is not a
fact, and the harness reports targets without enforcing them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import parse_sizes
from bench.results import RATIO_NAMES, TARGETED, Results, size_label, table
from bench.scratch import ENGINES, Scratch, pg_connect

ROOT = Path(__file__).resolve().parents[2]
TINY = "300"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any], str]:
    """One ``python -m bench --tiny --engine both --json --output FILE``:
    (stdout JSON, file JSON, stderr)."""
    output = tmp_path_factory.mktemp("bench") / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--engine", "both", "--json", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout), json.loads(output.read_text()), done.stderr


def test_both_engines_give_one_object_each_keyed_by_engine(tiny_run: Any) -> None:
    printed, written, _ = tiny_run
    assert set(printed) == set(ENGINES)
    assert printed == written
    for engine, result in printed.items():
        assert result["engine"] == engine
        assert result["sizes"] == [int(TINY)]


@pytest.mark.parametrize("engine", ENGINES)
def test_every_figure_is_a_value_with_a_unit(tiny_run: Any, engine: str) -> None:
    result = tiny_run[0][engine]
    assert result["figures"]
    for name, figure in result["figures"].items():
        assert set(figure) == {"value", "unit"}, name
        assert isinstance(figure["value"], int | float) and figure["value"] > 0, name
        assert isinstance(figure["unit"], str) and figure["unit"], name


@pytest.mark.parametrize("engine", ENGINES)
def test_every_named_ratio_is_produced_at_each_size_and_as_a_headline(tiny_run: Any, engine: str) -> None:
    result = tiny_run[0][engine]
    assert result["errors"] == {}
    for name in RATIO_NAMES:
        assert isinstance(result["ratios"][name], float | int), name
        assert result["ratios"][f"{name}@{TINY}"] == result["ratios"][name]
    assert set(TARGETED) <= set(result["targets"])


@pytest.mark.parametrize("engine", ENGINES)
def test_peak_memory_of_verify_and_rebuild_is_reported(tiny_run: Any, engine: str) -> None:
    figures = tiny_run[0][engine]["figures"]
    for name in ("verify_peak_rss", "rebuild_peak_rss", "idle_peak_rss"):
        assert figures[f"{name}@{TINY}"]["unit"] == "MiB"


@pytest.mark.parametrize("engine", ENGINES)
def test_every_history_filter_has_a_plan(tiny_run: Any, engine: str) -> None:
    plans = tiny_run[0][engine]["plans"]
    for name in ("stream", "actor", "organisation", "tier", "kind", "since", "until"):
        assert plans[name]["plan"], name
        assert isinstance(plans[name]["uses_index"], bool)


def test_the_table_names_every_ratio(tiny_run: Any) -> None:
    text = table(tiny_run[0]["sqlite"])
    for name in RATIO_NAMES:
        assert name in text


def test_sizes_are_read_with_k_and_m_suffixes() -> None:
    assert parse_sizes("1M,10k,100_000") == [10_000, 100_000, 1_000_000]
    assert [size_label(n) for n in (300, 10_000, 1_000_000, 12_345)] == ["300", "10k", "1M", "12345"]


def test_a_ratio_divides_the_ledger_figure_by_its_baseline_at_the_same_size() -> None:
    results = Results("sqlite", [1000, 2000])
    for size, ledger, plain in ((1000, 30.0, 40.0), (2000, 20.0, 40.0)):
        results.put("append_batch100_ledger", size, ledger, "events/s")
        results.put("append_batch100_eventsourcing", size, plain, "events/s")
    ratios = results.ratios()
    assert ratios["append_batch_vs_eventsourcing@1k"] == 0.75
    assert ratios["append_batch_vs_eventsourcing@2k"] == 0.5
    assert ratios["append_batch_vs_eventsourcing"] == 0.5  # the headline: the largest size


@pytest.mark.parametrize("engine", ENGINES)
def test_scratch_places_are_removed_afterwards(engine: str) -> None:
    scratch = Scratch(engine)
    place = scratch.place("probe")
    scratch.close()
    assert not scratch.directory.exists()
    if place.schema is not None:
        with pg_connect() as conn:
            found = conn.execute(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (place.schema,)
            ).fetchone()
        assert found is None
