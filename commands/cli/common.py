"""Shared pieces of the command line: settings, output options, progress."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from commands.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

pass_settings = click.make_pass_decorator(Settings)


def json_option(func: F) -> F:
    """``--json``: machine-readable output on stdout."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)


def output_options(func: F) -> F:
    """``--json`` and ``--csv`` for list commands."""
    func = click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of text.")(func)
    return json_option(func)


def emit(text: str) -> None:
    click.echo(text)


def progress_printer(label: str) -> Callable[[int], None] | None:
    """A progress line on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        return None

    def report(count: int) -> None:
        click.echo(f"\r{label}: {count:,}", err=True, nl=False)

    return report


def require_actor(settings: Settings) -> str:
    from ledger.errors import InvalidInputError

    if not settings.actor:
        raise InvalidInputError("say who is recording this act with --as PERSON (or SCRUTINY_ACTOR)")
    return settings.actor
