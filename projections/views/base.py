"""What every view implements."""

from __future__ import annotations

from typing import Protocol

from projections.feed import Item
from projections.store import ViewWriter


class View(Protocol):
    """A projector: applies one item of the log to its own tables.

    ``apply`` must be deterministic and depend only on the item and on the
    view's own rows, so that a rebuilt view equals the incremental one.
    """

    name: str

    def apply(self, writer: ViewWriter, item: Item) -> None: ...

    def finish(self, writer: ViewWriter) -> None:
        """Called once at the end of each transaction, before its rows are written."""
