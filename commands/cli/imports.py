"""``scrutiny import FILE.jsonl``: record acts in bulk (see ``commands.imports``)."""

from __future__ import annotations

import sys

import click

from commands.cli.common import emit, json_option, pass_settings
from commands.settings import Settings


@click.command("import")
@click.argument("path", metavar="FILE.jsonl", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--batch-size", type=click.IntRange(min=1), default=100, show_default=True,
              help="Acts recorded per transaction; each batch is all or nothing.")
@json_option
@pass_settings
def import_(settings: Settings, path: str, batch_size: int, as_json: bool) -> None:
    """Record the acts of FILE.jsonl (one JSON object per line), exactly once.

    Each line names the act ("act": "challenge.raise"), who records it
    ("as"), when it happened ("on"), an optional idempotency "key" (default:
    the SHA-256 of the canonical line) and the act's fields. The whole file
    is checked first: a malformed line refuses it ("line N: reason") before
    anything is written. Acts already recorded (same key) are skipped, so a
    file can be run again safely. A progress bar shows on a terminal.
    """
    from commands.imports import import_file
    from commands.output import to_json
    from ledger.errors import InvalidInputError

    try:
        with click.open_file(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{path} is not UTF-8 text") from exc
    if sys.stderr.isatty():
        with click.progressbar(
            length=sum(1 for line in lines if line.strip()), label="Importing", file=sys.stderr
        ) as bar:
            result = import_file(settings.db_url, lines, batch_size, bar.update)
    else:
        result = import_file(settings.db_url, lines, batch_size)
    emit(to_json(result.as_dict()) if as_json else result.describe())
