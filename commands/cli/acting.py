"""What every write command of the domain shares: options, running, rendering.

Each write command takes ``--on DATE`` (when the act happened), ``--evidence
FILE`` (repeatable) and ``--json``, builds its command model, hands it to
``commands.acts.handle`` and prints what was recorded. (Usage errors become
one ``Error:`` line with exit code 2 in ``commands.cli.main.LedgerGroup``.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from commands.cli.common import emit, require_actor
from commands.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def act_options(func: F) -> F:
    """``--on``, ``--evidence`` and ``--json``, in that order in the help."""
    func = click.option("--json", "as_json", is_flag=True, help="Print what was recorded as JSON.")(
        func
    )
    func = click.option(
        "--evidence",
        "evidence_files",
        multiple=True,
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help="A document supporting the act; its SHA-256 is recorded. Repeatable.",
    )(func)
    func = click.option(
        "--on",
        "on",
        metavar="DATE",
        help="Date the act happened, YYYY-MM-DD, Europe/London; never in the future "
        "[default: today].",
    )(func)
    return func


def record_act(
    settings: Settings,
    command_class: Any,
    *,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
    **fields: Any,
) -> None:
    """Validate, authorise and record one act; print what was recorded."""
    from commands.acts import handle
    from ledger.application import open_ledger

    command = build_act(settings, command_class, on=on, evidence_files=evidence_files, **fields)
    ledger = open_ledger(settings.db_url)
    try:
        result = handle(command, ledger)
    finally:
        ledger.close()
    emit(render(result, as_json))


def build_act(
    settings: Settings,
    command_class: Any,
    *,
    on: str | None,
    evidence_files: tuple[str, ...],
    **fields: Any,
) -> Any:
    """The act's command: who (``--as``), when (``--on``), evidence, fields; or one error line."""
    from pathlib import Path

    from ledger.errors import InvalidInputError

    actor = require_actor(settings)
    if on is not None:
        fields["occurred_on"] = on
    evidence = tuple(evidence_of(Path(name)) for name in evidence_files)
    try:
        return command_class.build(actor=actor, evidence=evidence, **fields)
    except InvalidInputError as exc:
        message = str(exc)
        if message.startswith("occurred_on:"):
            raise InvalidInputError("--on" + message.removeprefix("occurred_on")) from exc
        raise


def evidence_of(path: Any) -> Any:
    """The evidence reference of a file, or one InvalidInputError line."""
    from pydantic import ValidationError

    from ledger.domain.base import EvidenceRef, describe_validation_error
    from ledger.errors import InvalidInputError

    try:
        return EvidenceRef.from_file(path)
    except ValidationError as exc:
        raise InvalidInputError(f"--evidence: {describe_validation_error(exc)}") from exc


def render(result: dict[str, Any], as_json: bool) -> str:
    from commands.output import key_values, to_json

    if as_json:
        return to_json(result)
    pairs: list[tuple[str, Any]] = [
        ("recorded", result["event_type"]),
        ("stream", f"{result['stream_id']} (version {result['version']})"),
        ("position", result["position"]),
        ("occurred on", result["occurred_on"]),
        ("by", f"{result['actor_id']} ({result['actor_role']})"),
    ]
    if result.get("tier") is not None:
        pairs.append(("tier", result["tier"]))
    for name, value in result["fields"].items():
        if value is None or value == []:
            continue
        if isinstance(value, list):
            value = "; ".join(str(item) for item in value)
        pairs.append((name.replace("_", " "), value))
    for item in result.get("evidence", []):
        pairs.append(("evidence", f"{item['title']} sha256:{item['sha256']}"))
    return key_values(pairs)
