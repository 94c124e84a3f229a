"""``scrutiny correct event``: correct a recorded entry by a new event that names it."""

from __future__ import annotations

import json
from typing import Any

import click

from commands.cli.acting import act_options, record_act
from commands.cli.common import pass_settings
from commands.settings import Settings


def parse_values(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, Any]:
    """``FIELD=VALUE`` pairs; a VALUE that is JSON is read as JSON, else as text."""
    parsed: dict[str, Any] = {}
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not FIELD=VALUE", ctx, param)
        try:
            parsed[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            parsed[name.strip()] = raw
        except RecursionError:
            raise click.BadParameter(f"the value of {name.strip()!r} is nested too deeply",
                                     ctx, param) from None
    return parsed


@click.group()
def correct() -> None:
    """Corrections: a wrong entry is never edited; a correction names it.

    The correction records the corrected values, the values they replace and
    the reason; views show the corrected value and keep the original.
    """


@correct.command("event")
@click.option("--stream", "stream_id", metavar="STREAM_ID",
              help="The entry's stream, e.g. challenge:CH-2019-0c5a01 (with --version).")
@click.option("--version", type=int, metavar="N", help="The entry's version in its stream.")
@click.option("--position", type=int, metavar="N", help="Or: the entry's position in the log.")
@click.option("--set", "values", multiple=True, required=True, metavar="FIELD=VALUE",
              callback=parse_values, help="A corrected value (JSON or text). Repeatable.")
@click.option("--reason", required=True, help="Why the entry is corrected.")
@act_options
@pass_settings
def event(
    settings: Settings, stream_id: str | None, version: int | None, position: int | None,
    values: dict[str, Any], reason: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Correct fields of an entry (business unit, or the person who recorded it)."""
    from commands.acts import CorrectEvent

    record_act(
        settings, CorrectEvent, on=on, evidence_files=evidence_files, as_json=as_json,
        stream_id=stream_id, version=version, position=position, values=values, reason=reason,
    )
