"""``--witness VKEY`` (repeatable) and ``--witnesses-required K``: a k-of-n witness policy.

Shared by ``scrutiny verify-bundle`` and, once wired there, ``scrutiny verify``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def witness_policy_options(func: F) -> F:
    """Add ``witnesses`` (tuple of str) and ``witnesses_required`` (int or None)."""
    func = click.option(
        "--witnesses-required",
        "witnesses_required",
        type=int,
        metavar="K",
        help="How many of the --witness keys must have cosigned the checkpoint [default: all].",
    )(func)
    return click.option(
        "--witness",
        "witnesses",
        multiple=True,
        metavar="VKEY",
        help="A witness's verifier key (cosignature/v1, type 0x04), or a file holding one. Repeatable.",
    )(func)
