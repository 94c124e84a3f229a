"""The web app and JSON API (``scrutiny serve``): read-only, per-person access.

``create_app(db_url)`` builds the FastAPI app; see ``docs/web.md``. FastAPI is
imported only when this package is, so ``scrutiny --help`` stays fast.
"""

from __future__ import annotations

from commands.web.app import create_app

__all__ = ["create_app"]
