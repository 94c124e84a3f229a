"""The one-way dependency rule of ARCHITECTURE.md, checked on every module.

commands -> projections -> ledger; click only under commands/; SQLAlchemy only
in the storage modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STORAGE_MODULES = {"ledger/storage", "projections/store"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def modules_under(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no modules under {package}"
    return files


@pytest.mark.parametrize("path", modules_under("ledger"), ids=lambda p: str(p.relative_to(ROOT)))
def test_ledger_imports_neither_projections_commands_nor_click(path: Path) -> None:
    assert not imported_modules(path) & {"projections", "commands", "click"}


@pytest.mark.parametrize("path", modules_under("projections"), ids=lambda p: str(p.relative_to(ROOT)))
def test_projections_import_neither_commands_nor_click(path: Path) -> None:
    assert not imported_modules(path) & {"commands", "click"}


@pytest.mark.parametrize(
    "path",
    modules_under("ledger") + modules_under("projections") + modules_under("commands"),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_sqlalchemy_appears_only_in_storage_modules(path: Path) -> None:
    relative = path.relative_to(ROOT).as_posix()
    if any(relative.startswith(prefix) for prefix in STORAGE_MODULES):
        return
    assert "sqlalchemy" not in imported_modules(path), relative


def test_the_rule_checker_sees_imports() -> None:
    assert "sqlalchemy" in imported_modules(ROOT / "ledger" / "storage" / "database.py")
    assert "click" in imported_modules(ROOT / "commands" / "cli" / "main.py")
