"""End to end: ``scrutiny serve`` in a subprocess, headless Chromium logs in with a token
through the login form, and the dashboard it renders shows the demo's figures.

Chromium is driven over the DevTools protocol (a websocket). If Chromium is
not installed this test fails: ``.ci/run`` installs Debian's package.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websocket

from tests.conftest import make_db_url
from tests.web.conftest import WebLedger, bearer, build_demo

CHROMIUM = Path("/usr/bin/chromium")
WIDTH = 1280


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a process group this test started (by its id)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, WebLedger]]:
    url, _ = make_db_url("sqlite", tmp_path)
    ledger = build_demo(url, tmp_path / "keys" / "scrutiny.key")
    port = free_port()
    scrutiny = Path(sys.executable).parent / "scrutiny"
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [str(scrutiny), "--db", url, "--key", str(ledger.key), "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start within 30 s"
            time.sleep(0.2)
        yield base, ledger
    finally:
        stop(process)
        log.close()


class DevTools:
    """A minimal Chrome DevTools protocol client over one page's websocket."""

    def __init__(self, url: str) -> None:
        self.socket = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def wait_for_path(self, path: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate("document.readyState === 'complete' ? location.pathname : ''") == path:
                return
            time.sleep(0.1)
        raise AssertionError(f"the browser did not reach {path}: at {self.evaluate('location.href')}")

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    assert CHROMIUM.exists(), "Chromium is not installed (apt-get install chromium); .ci/run installs it"
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    process = subprocess.Popen(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--remote-debugging-port=0", f"--window-size={WIDTH},900",
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (active.exists() and active.read_text().strip()):
            assert process.poll() is None, "Chromium exited at start"
            assert time.monotonic() < deadline, "Chromium did not open its DevTools port within 30 s"
            time.sleep(0.1)
        port = active.read_text().split()[0]
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(t for t in targets if t["type"] == "page")
        tools = DevTools(page["webSocketDebuggerUrl"])
        try:
            yield tools
        finally:
            tools.close()
    finally:
        stop(process)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_a_browser_logs_in_and_the_dashboard_shows_the_demo_figures(
    server: tuple[str, WebLedger], browser: DevTools, tmp_path: Path
) -> None:
    base, ledger = server
    status = httpx.get(f"{base}/api/status", headers=bearer(ledger.tokens["executive"]), timeout=30).json()
    open_ids = [c["challenge_id"] for c in status["open_challenges"]]
    overdue = status["deadlines"]["counts"]["overdue"]
    assert open_ids, "the demo has open challenges"

    browser.call("Page.enable")
    browser.call("Page.navigate", url=f"{base}/login")
    browser.wait_for_path("/login")
    browser.evaluate(
        f"document.querySelector('input[name=token]').value = {json.dumps(ledger.tokens['executive'])};"
        "document.querySelector('form[action=\"/login\"]').submit();"
    )
    browser.wait_for_path("/dashboard")

    assert browser.evaluate("document.cookie") == "", "the token cookie must be HttpOnly"
    text = browser.evaluate("document.body.innerText")
    for challenge_id in open_ids:
        assert challenge_id in text
    assert browser.evaluate("document.querySelector('#kpi-overdue .n').textContent") == str(overdue)
    assert browser.evaluate("document.querySelector('#kpi-open-challenges .n').textContent") == str(len(open_ids))
    assert browser.evaluate("document.querySelectorAll('svg rect').length") > 5

    height = int(browser.call("Page.getLayoutMetrics")["cssContentSize"]["height"])
    browser.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=min(height, 8000),
                 deviceScaleFactor=1, mobile=False)
    shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    import base64

    picture = base64.b64decode(shot["data"])
    path = tmp_path / "dashboard.png"
    path.write_bytes(picture)
    width, shot_height = png_size(path.read_bytes())
    assert width == WIDTH and shot_height >= 900
    assert path.stat().st_size > 40_000, "a screenshot of the dashboard is more than a blank page"
