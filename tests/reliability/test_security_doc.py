"""docs/security.md cannot drift: every test it points at exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.reliability.support import ROOT

SECURITY = ROOT / "docs" / "security.md"
REFERENCE = re.compile(r"((?:tests/[\w/]+/)?test_\w+\.py)(?:::(test_\w+))?")


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def resolve(name: str) -> Path:
    if "/" in name:
        return ROOT / name
    found = sorted((ROOT / "tests").rglob(name))
    assert len(found) == 1, f"docs/security.md names {name}, found {found}"
    return found[0]


def test_every_test_the_security_page_points_at_exists() -> None:
    text = " ".join(SECURITY.read_text(encoding="utf-8").split())  # references may wrap lines
    references = REFERENCE.findall(text)
    assert len(references) >= 25
    missing = []
    for file_name, function in references:
        path = resolve(file_name)
        if not path.is_file():
            missing.append(file_name)
        elif function and function not in functions_in(path):
            missing.append(f"{file_name}::{function}")
    assert not missing, missing
