"""Where the ledger is, who is acting, which key signs: resolved once per run."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = "sqlite:///scrutiny.sqlite3"
DEFAULT_KEY = "scrutiny.key"


@dataclass(frozen=True)
class Settings:
    """Global options: ``--db`` / SCRUTINY_DB, ``--as`` / SCRUTINY_ACTOR, ``--key`` / SCRUTINY_KEY."""

    db_url: str = DEFAULT_DB
    actor: str | None = None
    key_path: Path = Path(DEFAULT_KEY)

    @classmethod
    def resolve(cls, db: str | None, actor: str | None, key: str | None) -> Settings:
        return cls(
            db_url=db or os.environ.get("SCRUTINY_DB") or DEFAULT_DB,
            actor=actor or os.environ.get("SCRUTINY_ACTOR") or None,
            key_path=Path(key or os.environ.get("SCRUTINY_KEY") or DEFAULT_KEY),
        )
