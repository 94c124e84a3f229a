"""Text for the terminal from values a user or a file supplied (paths, names).

``commands.output.safe_text`` escapes control characters; file names may also
hold lone surrogates (bytes that are not UTF-8), which cannot be written to
stdout at all. ``printable`` escapes both, so no output of the integrity
commands can fail or act on the terminal.
"""

from __future__ import annotations

from commands.output import safe_text


def printable(value: object) -> str:
    """``safe_text`` with lone surrogates written as ``\\udcff`` escapes."""
    return safe_text(value).encode("utf-8", "backslashreplace").decode("utf-8")
