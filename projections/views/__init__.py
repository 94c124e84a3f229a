"""The views: each a projector with its own tables and tracked position."""

from __future__ import annotations

from projections.views.base import View
from projections.views.history import HistoryView
from projections.views.names import NamesView
from projections.views.scrutineers import ScrutineersView
from projections.views.streams import StreamsView


def all_views() -> list[View]:
    return [HistoryView(), NamesView(), StreamsView(), ScrutineersView()]


VIEW_NAMES = tuple(view.name for view in all_views())

__all__ = ["VIEW_NAMES", "View", "all_views"]
