"""Rendering for every command: human text, ``--json``, ``--csv``; safe text.

Data goes to stdout; diagnostics and progress to stderr. Text that came from
the ledger is passed through :func:`safe_text` before it reaches a terminal,
so control characters and escape sequences stored in an event are shown as
visible escapes and never act on the terminal.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x00, 0x20), 0x7F)}
_CONTROL.update({0x0A: "\\n", 0x09: "\\t", 0x0D: "\\r"})
_CONTROL.update({code: f"\\u{code:04x}" for code in range(0x80, 0xA0)})
_CONTROL.update({code: f"\\u{code:04x}" for code in (0x2028, 0x2029, *range(0x202A, 0x202F),
                                                     *range(0x2066, 0x206A), 0x200E, 0x200F)})


def safe_text(value: object) -> str:
    """A one-line, terminal-safe rendering of a stored value.

    Control characters (C0, DEL, C1, line and paragraph separators, bidi
    overrides) become visible escapes, and so does any lone surrogate, which
    no terminal encoding can carry.
    """
    text = str(value).translate(_CONTROL)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True, default=str)


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    buffer = io.StringIO()
    columns = list(columns or (rows[0].keys() if rows else []))
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _csv_cell(row.get(key)) for key in columns})
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    # Neutralise spreadsheet formulas (CSV injection) and control characters.
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return safe_text(text)


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A plain text table with safe cells."""
    cells = [[safe_text("" if row.get(c) is None else row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    for row in cells:
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def key_values(pairs: Iterable[tuple[str, Any]]) -> str:
    pairs = list(pairs)
    width = max((len(k) for k, _ in pairs), default=0)
    return "\n".join(f"{k.ljust(width)}  {safe_text(v)}" for k, v in pairs)
