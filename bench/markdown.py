"""``python -m bench.markdown RUN.json [RUN.json ...]``: the run's tables as Markdown.

Used to write docs/performance.md from the JSON a run wrote (``--output``),
so every figure there comes from a run. Several files may be given (e.g. one
per engine); an engine found in more than one keeps the last.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.plans import access_of
from bench.results import RATIOS, figure_names, size_label


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:,.1f}"
    return f"{value:,.3f}"


def engine_tables(result: dict[str, Any]) -> str:
    sizes = [size_label(s) for s in result["sizes"]]
    out = [f"#### {result['engine']}", ""]
    out.append("| figure | unit | " + " | ".join(sizes) + " | - |")
    out.append("|---|---|" + "---:|" * (len(sizes) + 1))
    names = figure_names(result["figures"])
    for name, unit in names.items():
        cells = []
        for label in sizes:
            figure = result["figures"].get(f"{name}@{label}")
            cells.append(_number(figure["value"]) if figure else "")
        plain = result["figures"].get(name)
        cells.append(_number(plain["value"]) if plain else "")
        out.append(f"| `{name}` | {unit} | " + " | ".join(cells) + " |")
    out += ["", "| ratio | target | " + " | ".join(sizes) + " | headline |",
            "|---|---|" + "---:|" * (len(sizes) + 1)]
    for ratio in RATIOS:
        cells = []
        for label in sizes:
            value = result["ratios"].get(f"{ratio.name}@{label}")
            cells.append("" if value is None else f"{value:.3f}")
        value = result["ratios"].get(ratio.name)
        verdict = ratio.meets(value) if value is not None else None
        mark = "" if verdict is None else (" ✓" if verdict else " ✗")
        cells.append("" if value is None else f"**{value:.3f}**{mark}")
        out.append(f"| `{ratio.name}` | {ratio.target or ''} | " + " | ".join(cells) + " |")
    if result.get("errors"):
        out += ["", "Not measured: " + "; ".join(f"`{k}`: {v}" for k, v in result["errors"].items())]
    return "\n".join(out)


GROWTH = (
    ("append_batch100_ledger", "µs per event, 100 per commit", "per_event"),
    ("append_single_ledger_app", "ms per act, one per commit", "per_act"),
    ("verify_ledger", "s for the whole log", "whole"),
    ("rebuild_views", "s for the whole log", "whole"),
    ("verify_peak_rss", "MiB peak, verify process", "value"),
    ("rebuild_peak_rss", "MiB peak, rebuild process", "value"),
    ("proof_inclusion", "ms per inclusion proof", "value"),
    ("proof_consistency", "ms per consistency proof", "value"),
    ("row_lookup_ledger_db", "ms per row lookup (baseline)", "value"),
    ("as_known_at_history", "s, history as known at the middle", "value"),
    ("log_bytes_per_event", "bytes on disk per event, log", "value"),
)


def growth_table(result: dict[str, Any]) -> str:
    """How each cost grows with the log: the figure at each size, and the
    factor from the smallest to the largest size."""
    sizes = result["sizes"]
    labels = [size_label(s) for s in sizes]
    out = [f"#### {result['engine']}", "",
           "| cost | " + " | ".join(labels) + f" | {labels[0]} → {labels[-1]} |",
           "|---|" + "---:|" * (len(labels) + 1)]
    for name, what, how in GROWTH:
        values: list[float | None] = []
        for size, label in zip(sizes, labels):
            figure = result["figures"].get(f"{name}@{label}")
            if figure is None:
                values.append(None)
                continue
            value = float(figure["value"])
            if how == "per_event":
                value = 1e6 / value
            elif how == "per_act":
                value = 1e3 / value
            elif how == "whole":
                value = size / value
            values.append(value)
        known = [v for v in values if v is not None]
        if not known:
            continue
        cells = ["" if v is None else _number(v) for v in values]
        factor = f"×{known[-1] / known[0]:.2f}" if len(known) >= 2 and known[0] else ""
        out.append(f"| `{name}`: {what} | " + " | ".join(cells) + f" | {factor} |")
    return "\n".join(out)


def plan_tables(result: dict[str, Any]) -> str:
    largest = size_label(result["sizes"][-1])
    out = [f"#### {result['engine']} ({largest} events)", ""]
    for name, data in result.get("plans", {}).items():
        time = result["figures"].get(f"history_{name}@{largest}")
        took = f", median {time['value']:.2f} ms" if time else ""
        verdict = data.get("access") or access_of(result["engine"], data["plan"])
        if verdict != "index search":
            verdict = f"**{verdict}**"
        out.append(f"`{name}` {json.dumps(data['filter'])}: {verdict}{took}, {data['rows']} rows")
        out.append("")
        out.append("```")
        out += data["plan"]
        out.append("```")
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print((__doc__ or "").strip())
        return 0 if argv else 2
    engines: dict[str, dict[str, Any]] = {}
    for name in argv:
        data = json.loads(Path(name).read_text())
        if "engine" in data:
            data = {data["engine"]: data}
        engines.update(data)
    order = ("sqlite", "postgresql")
    engines = dict(sorted(engines.items(), key=lambda item: order.index(item[0]) if item[0] in order else 9))
    for result in engines.values():
        print(engine_tables(result))
        print()
    for result in engines.values():
        print(growth_table(result))
        print()
    for result in engines.values():
        print(plan_tables(result))
    machine = next(iter(engines.values())).get("machine", {})
    print("Machine: " + json.dumps(machine))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
