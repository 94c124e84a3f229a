"""Charts as inline SVG, drawn in Python: no script, no external file, no CDN.

Every label is escaped; the figures drawn are also given as a table beside
each chart on the pages, so a screen reader and a printout lose nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"
AXIS = "#6b7280"

# Colours chosen to be told apart in the common colour-vision deficiencies.
STATE_COLOURS = {
    "met": "#1b7837",
    "met late": "#a6dba0",
    "due": "#2166ac",
    "overdue": "#b2182b",
    "closed": "#9e9e9e",
}
TIER_COLOURS = {1: "#1f4e79", 2: "#e08214", 3: "#5aae61"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    colour: str


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value`` (at least 1)."""
    if value <= 5:
        return max(value, 1)
    step = 1
    while step * 10 < value:
        step *= 10
    for multiple in (1, 2, 5, 10):
        if step * multiple >= value:
            return step * multiple
    return step * 10


def _ticks(top: int) -> list[int]:
    if top <= 5:
        return list(range(top + 1))
    return [round(top * i / 5) for i in range(6)]


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    t = escape(title)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{t}" style="{FONT}">'
        f"<title>{t}</title>" + "".join(body) + "</svg>"
    )


def bar_chart(bars: Sequence[Bar], title: str, width: int = 420, height: int = 220) -> Markup:
    """Vertical bars, one per label, with the value above each bar."""
    left, right, top, bottom = 36, 10, 28, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((b.value for b in bars), default=0))
    body = [f'<text x="{left}" y="16" font-size="13" font-weight="600">{escape(title)}</text>']
    for tick in _ticks(peak):
        y = top + plot_h - plot_h * tick / peak
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="#e5e7eb"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
                    f'fill="{AXIS}">{tick}</text>')
    slot = plot_w / max(len(bars), 1)
    for i, bar in enumerate(bars):
        h = plot_h * bar.value / peak
        x = left + i * slot + slot * 0.15
        y = top + plot_h - h
        label = escape(bar.label)
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                    f'fill="{escape(bar.colour)}"><title>{label}: {bar.value}</title></rect>')
        body.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" font-size="11" '
                    f'text-anchor="middle">{bar.value}</text>')
        body.append(f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16}" font-size="11" '
                    f'text-anchor="middle" fill="#111827">{label}</text>')
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
                f'stroke="{AXIS}"/>')
    return _svg(width, height, title, body)


def grouped_bar_chart(
    groups: Sequence[str],
    series: Sequence[tuple[str, str]],
    values: Mapping[tuple[str, str], int],
    title: str,
    width: int = 560,
    height: int = 240,
) -> Markup:
    """Bars grouped by ``groups`` (e.g. years), one bar per series (e.g. tier), with a legend."""
    left, right, top, bottom = 36, 10, 44, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max(values.values(), default=0))
    body = [f'<text x="{left}" y="16" font-size="13" font-weight="600">{escape(title)}</text>']
    x = left
    for name, colour in series:
        body.append(f'<rect x="{x}" y="24" width="10" height="10" fill="{escape(colour)}"/>')
        body.append(f'<text x="{x + 14}" y="33" font-size="11">{escape(name)}</text>')
        x += 14 + 8 * len(name) + 16
    for tick in _ticks(peak):
        y = top + plot_h - plot_h * tick / peak
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="#e5e7eb"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
                    f'fill="{AXIS}">{tick}</text>')
    slot = plot_w / max(len(groups), 1)
    bar_w = slot * 0.8 / max(len(series), 1)
    for g, group in enumerate(groups):
        for s, (name, colour) in enumerate(series):
            value = values.get((group, name), 0)
            h = plot_h * value / peak
            bx = left + g * slot + slot * 0.1 + s * bar_w
            by = top + plot_h - h
            body.append(
                f'<rect x="{bx:.1f}" y="{by:.1f}" width="{bar_w * 0.92:.1f}" height="{h:.1f}" '
                f'fill="{escape(colour)}"><title>{escape(group)}, {escape(name)}: {value}</title></rect>'
            )
            if value:
                body.append(f'<text x="{bx + bar_w * 0.46:.1f}" y="{by - 3:.1f}" font-size="10" '
                            f'text-anchor="middle">{value}</text>')
        body.append(f'<text x="{left + g * slot + slot / 2:.1f}" y="{height - bottom + 16}" '
                    f'font-size="11" text-anchor="middle">{escape(group)}</text>')
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
                f'stroke="{AXIS}"/>')
    return _svg(width, height, title, body)


def deadline_chart(counts: Mapping[str, int]) -> Markup:
    bars = [Bar(state, int(counts.get(state, 0)), colour) for state, colour in STATE_COLOURS.items()]
    return bar_chart(bars, "Deadlines by state")


def coverage_chart(rows: Sequence[Mapping[str, object]]) -> Markup:
    """Scrutiny acts by independent scrutineers per tier and year."""
    years = sorted({str(r["year"]) for r in rows})
    series = [(f"Tier {tier}", colour) for tier, colour in TIER_COLOURS.items()]
    values: dict[tuple[str, str], int] = {}
    for row in rows:
        values[(str(row["year"]), f"Tier {row['tier']}")] = int(str(row["scrutiny_acts"]))
    return grouped_bar_chart(years, series, values, "Scrutiny acts per tier and year")


def activity_chart(by_tier: Mapping[str, int], title: str) -> Markup:
    bars = [Bar(f"Tier {t}", int(by_tier.get(str(t), 0)), c) for t, c in TIER_COLOURS.items()]
    if by_tier.get("none"):
        bars.append(Bar("No tier", int(by_tier["none"]), "#9e9e9e"))
    return bar_chart(bars, title, width=320, height=200)
