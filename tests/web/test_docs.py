"""docs/web.md cannot drift: its access table is the one the API tests enforce, and it
names every endpoint of the OpenAPI document, every page and every command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.web.test_api import ENDPOINTS

DOC = Path(__file__).resolve().parents[2] / "docs" / "web.md"
AUDIENCES = ("executive", "inspector", "moderation")


def documented_access() -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `GET (/api/[^`]+)`[^|]*\|([^|]*)\|([^|]*)\|([^|]*)\|$", line)
        if match:
            cells = [cell.strip() for cell in match.groups()[1:]]
            table[match.group(1)] = frozenset(a for a, cell in zip(AUDIENCES, cells, strict=True)
                                              if cell.startswith("yes"))
    return table


def route_of(template: str) -> str:
    path = template.split("?")[0]
    path = path.replace("challenge:{challenge}", "{case_id}").replace("{case}", "{case_id}")
    return path.replace("{scrutineer}", "{person_id}").replace("/inclusion/3", "/inclusion/{position}")


def test_the_documented_access_table_is_the_enforced_one() -> None:
    documented = documented_access()
    enforced = {route_of(template): allowed for template, allowed in ENDPOINTS.items()}
    assert documented == enforced


def test_every_endpoint_page_and_command_is_documented(client: Any) -> None:
    from commands.cli.web import access_log, serve, token

    text = DOC.read_text(encoding="utf-8")
    for path in client.get("/openapi.json").json()["paths"]:
        assert f"`GET {path}" in text, path
    for route in client.app.routes:
        path = getattr(route, "path", "")
        if not path.startswith(("/api", "/openapi", "/docs", "/redoc")) and path != "/":
            assert f"`{path}" in text or f"{path}`" in text or f", `{path}" in text, path
    for command in ("serve", "token issue", "token list", "token revoke", "access-log"):
        assert f"scrutiny {command}" in text or f"`{command}`" in text, command
    assert serve.help and token.help and access_log.help
