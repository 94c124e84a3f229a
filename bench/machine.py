"""What the figures were measured on: CPUs, memory, versions, load."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from typing import Any


def describe(engines: list[str]) -> dict[str, Any]:
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_total_gib": _mem_total_gib(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
    for package in ("eventsourcing", "SQLAlchemy", "psycopg", "pydantic"):
        try:
            from importlib.metadata import version

            info[package.lower()] = version(package)
        except Exception:
            pass
    if "postgresql" in engines:
        try:
            from bench.scratch import pg_connect

            with pg_connect() as conn:
                info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
                info["postgresql_fsync"] = conn.execute("SHOW fsync").fetchone()[0]
                info["postgresql_synchronous_commit"] = conn.execute("SHOW synchronous_commit").fetchone()[0]
        except Exception as exc:
            info["postgresql"] = f"unreachable: {exc}"
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> float | None:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None
