"""Figures, the ratios made of them, their targets, and how they are printed.

A figure is one measurement: ``{"value": v, "unit": u}``, named
``NAME@SIZE`` when it was measured on a log of SIZE events (``10k``,
``100k``, ``1M``; other sizes in full) and plain ``NAME`` when the log's
size does not matter (process start-up). A ratio divides a ledger figure by
its baseline from the same run at the same size: ``NAME@SIZE`` for every size
and plain ``NAME`` for the largest size at which both figures exist (the
headline). Rates (events/s) give "higher is better" ratios; times and memory
give "lower is better" ones. Targets are reported, never enforced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Ratio:
    name: str
    numerator: str
    denominator: str
    target: str | None = None  # e.g. ">= 0.75", "<= 20"
    meaning: str = ""

    def meets(self, value: float) -> bool | None:
        if self.target is None:
            return None
        op, bound = self.target.split()
        return value >= float(bound) if op == ">=" else value <= float(bound)


RATIOS = (
    Ratio("append_batch_vs_eventsourcing", "append_batch100_ledger", "append_batch100_eventsourcing",
          ">= 0.75", "100 events per commit: ledger recorder / eventsourcing's recorder (goal 1.0)"),
    Ratio("append_single_vs_eventsourcing", "append_single_ledger_app", "append_single_eventsourcing_app",
          ">= 0.75", "one act per commit: ScrutinyLedger.record / plain Application.save"),
    Ratio("verify_vs_raw_read_sha256", "verify_ledger", "read_rows_and_sha256_raw",
          ">= 0.30", "full verification / raw read of the same rows + SHA-256 of the same leaf bytes"),
    Ratio("rebuild_vs_eventsourcing_decode", "rebuild_views", "decode_eventsourcing",
          ">= 0.25", "rebuild of every view / eventsourcing reading + to_domain_event of every event"),
    Ratio("proof_vs_row_lookup", "proof_inclusion", "row_lookup_ledger_db",
          "<= 20", "inclusion proof / one primary-key row lookup (same engine, same pool)"),
    Ratio("cli_help_vs_python_startup", "cli_help", "python_startup",
          "<= 4", "`scrutiny --help` / `python -c pass`, new processes"),
    # Further ratios without a target: context for the ones above.
    Ratio("append_batch_vs_raw_driver", "append_batch100_ledger", "append_batch100_raw_driver",
          meaning="100 per commit: ledger recorder / bare driver executemany of the same rows"),
    Ratio("append_batch1000_vs_eventsourcing", "append_batch1000_ledger", "append_batch1000_eventsourcing",
          meaning="1,000 per commit (growing the log): ledger / eventsourcing"),
    Ratio("append_single_recorder_vs_eventsourcing", "append_single_ledger_recorder",
          "append_single_eventsourcing_recorder", meaning="one event per commit, recorder level"),
    Ratio("append_single_vs_raw_driver", "append_single_ledger_recorder", "append_single_raw_driver",
          meaning="one event per commit: ledger recorder / bare driver"),
    Ratio("act_handler_vs_eventsourcing_app", "act_raise_challenge_handler", "append_single_eventsourcing_app",
          meaning="a whole command (validation, loads, authorisation, save) / plain Application.save"),
    Ratio("import_vs_handler_acts", "import_acts_cli", "act_raise_challenge_handler",
          meaning="`scrutiny import` of a file (100 acts per transaction, process included) / one act per command"),
    Ratio("consistency_proof_vs_row_lookup", "proof_consistency", "row_lookup_ledger_db",
          meaning="consistency proof / one primary-key row lookup"),
    Ratio("proof_vs_raw_row_lookup", "proof_inclusion", "row_lookup_raw_driver",
          meaning="inclusion proof / row lookup on an open bare driver connection"),
    Ratio("cli_write_vs_python_startup", "cli_write_challenge_raise", "python_startup_at_size",
          meaning="`scrutiny challenge raise` / `python -c pass`, new processes"),
    Ratio("verify_peak_rss_vs_idle", "verify_peak_rss", "idle_peak_rss",
          meaning="peak RSS of a verify process / of a process that imports and connects only"),
    Ratio("rebuild_peak_rss_vs_idle", "rebuild_peak_rss", "idle_peak_rss",
          meaning="peak RSS of a rebuild process / of a process that imports and connects only"),
)
RATIO_NAMES = tuple(r.name for r in RATIOS)
TARGETED = tuple(r.name for r in RATIOS if r.target is not None)
MEMORY_LIMIT_MIB = 200.0
MEMORY_FIGURES = ("verify_peak_rss", "rebuild_peak_rss")


GROUPS = ("append_batch100_", "append_batch1000_", "append_single", "act_", "verify_ledger",
          "read_rows", "rebuild_views", "decode_", "idle_", "verify_peak", "read_sha256_peak",
          "rebuild_peak", "plain_decode_peak", "as_known_at", "proof_", "row_lookup", "history_",
          "log_bytes", "views_bytes", "import_", "python_startup", "cli_")


def figure_order(name: str) -> tuple[int, int, str]:
    """Figures grouped by workload, ledger before baselines, for tables."""
    ledger_first = 0 if "ledger" in name else 1
    for index, prefix in enumerate(GROUPS):
        if name.startswith(prefix):
            return index, ledger_first, name
    return len(GROUPS), ledger_first, name


def figure_names(figures: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Base names (without ``@SIZE``) in table order, with their units."""
    names: dict[str, str] = {}
    for key, figure in figures.items():
        names.setdefault(key.split("@", 1)[0], figure["unit"])
    return {name: names[name] for name in sorted(names, key=figure_order)}


def size_label(size: int) -> str:
    for unit, factor in (("M", 1_000_000), ("k", 1_000)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return str(size)


class Results:
    """What one engine's run measured."""

    def __init__(self, engine: str, sizes: list[int]) -> None:
        self.engine = engine
        self.sizes = sizes
        self.figures: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, str] = {}
        self.notes: list[str] = []
        self.plans: dict[str, Any] = {}

    def put(self, name: str, size: int | None, value: float, unit: str) -> None:
        key = name if size is None else f"{name}@{size_label(size)}"
        self.figures[key] = {"value": round(value, 4 if value < 10 else 1), "unit": unit}

    def value(self, name: str, size: int | None) -> float | None:
        key = name if size is None else f"{name}@{size_label(size)}"
        figure = self.figures.get(key) or self.figures.get(name)
        return None if figure is None else float(figure["value"])

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def error(self, workload: str, size: int | None, exc: BaseException) -> None:
        key = workload if size is None else f"{workload}@{size_label(size)}"
        self.errors[key] = f"{type(exc).__name__}: {exc}"

    def ratios(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for ratio in RATIOS:
            headline = None
            for size in self.sizes:
                top, bottom = self.value(ratio.numerator, size), self.value(ratio.denominator, size)
                if top is None or not bottom:
                    continue
                value = round(top / bottom, 3)
                out[f"{ratio.name}@{size_label(size)}"] = value
                headline = value
            if headline is not None:
                out[ratio.name] = headline
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "sizes": self.sizes,
            "figures": self.figures,
            "ratios": self.ratios(),
            "targets": {r.name: r.target for r in RATIOS if r.target is not None}
            | {f"{name}@1M": f"<= {MEMORY_LIMIT_MIB:g}" for name in MEMORY_FIGURES},
            "plans": self.plans,
            "notes": self.notes,
            "errors": self.errors,
        }


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:,.1f}"
    return f"{value:,.3f}"


def table(result: dict[str, Any]) -> str:
    """A plain-text table of one engine's figures and ratios, sizes as columns."""
    sizes = [size_label(s) for s in result["sizes"]]
    lines = [f"engine: {result['engine']}   sizes: {', '.join(sizes)}", ""]
    names = figure_names(result["figures"])
    width = max([len(n) for n in names] + [len(r) for r in RATIO_NAMES] + [20])
    head = f"{'figure':{width}s}  {'unit':9s}" + "".join(f"{s:>12s}" for s in sizes + ["-"])
    lines += [head, "-" * len(head)]
    for name, unit in names.items():
        cells = []
        for label in sizes:
            figure = result["figures"].get(f"{name}@{label}")
            cells.append(_number(figure["value"]) if figure else "")
        plain = result["figures"].get(name)
        cells.append(_number(plain["value"]) if plain else "")
        lines.append(f"{name:{width}s}  {unit:9s}" + "".join(f"{c:>12s}" for c in cells))
    lines.append("")
    head = f"{'ratio':{width}s}  {'target':9s}" + "".join(f"{s:>12s}" for s in sizes + ["headline"])
    lines += [head, "-" * len(head)]
    for ratio in RATIOS:
        cells = []
        for label in sizes:
            value = result["ratios"].get(f"{ratio.name}@{label}")
            cells.append("" if value is None else f"{value:.3f}")
        value = result["ratios"].get(ratio.name)
        mark = "" if value is None or ratio.meets(value) is None else (" ok" if ratio.meets(value) else " MISS")
        cells.append("" if value is None else f"{value:.3f}{mark}")
        lines.append(f"{ratio.name:{width}s}  {ratio.target or '':9s}" + "".join(f"{c:>12s}" for c in cells))
    if result.get("errors"):
        lines += ["", "errors (workloads that could not be measured):"]
        lines += [f"  {k}: {v}" for k, v in result["errors"].items()]
    if result.get("notes"):
        lines += ["", "notes:"] + [f"  {n}" for n in result["notes"]]
    return "\n".join(lines)
