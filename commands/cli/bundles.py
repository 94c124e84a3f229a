"""``scrutiny export DIR`` and ``scrutiny verify-bundle DIR``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from commands.cli.common import emit, json_option, pass_settings, progress_printer
from commands.cli.witness_options import witness_policy_options
from commands.settings import Settings


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), metavar="DIR")
@click.option(
    "--checkpoint",
    "fresh_checkpoint",
    is_flag=True,
    help="Verify the log and sign a fresh checkpoint first (needs --key), instead of exporting the latest stored one.",
)
@click.option(
    "--stream",
    "streams",
    multiple=True,
    metavar="ID",
    help="Export only this stream (e.g. challenge:CH-2019-001), each event with its inclusion proof. Repeatable.",
)
@click.option(
    "--case",
    metavar="REF",
    help="Export only the streams of this case: the stream named REF, and every stream with an event whose fields mention REF.",
)
@click.option(
    "--since",
    "since_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="An inspector's earlier checkpoint: add the proof that the log grew from it unchanged.",
)
@json_option
@pass_settings
def export(
    settings: Settings,
    directory: Path,
    fresh_checkpoint: bool,
    streams: tuple[str, ...],
    case: str | None,
    since_file: str | None,
    as_json: bool,
) -> None:
    """Write an export bundle an inspector can verify on their own machine.

    DIR must be new or empty. It receives the signed checkpoint, the verifier
    key, events.jsonl (one event per line with the exact bytes hashed), a
    README for the inspector and a summary. Without --stream or --case every
    event of the checkpoint is exported; with them, only the chosen streams,
    each event with its inclusion proof. Nothing is written if anything fails.
    """
    from commands.bundles import export as export_bundle
    from commands.cli.printable import printable
    from commands.output import key_values, to_json

    result = export_bundle(
        settings.db_url,
        settings.key_path,
        directory,
        fresh_checkpoint=fresh_checkpoint,
        streams=streams,
        case=case,
        since_file=since_file,
        progress=progress_printer("exported"),
    )
    data = result.as_dict()
    if as_json:
        emit(to_json(data))
        return
    emit(
        key_values(
            [
                ("bundle", printable(data["directory"])),
                ("kind", data["kind"]),
                ("events", data["events"]),
                ("checkpoint", f"{data['origin']} at {data['tree_size']} events"),
                ("root", data["root"]),
                ("since", data["since_size"] if data["since_size"] is not None else "-"),
                ("files", ", ".join(data["files"])),
            ]
        )
    )


@click.command("verify-bundle")
@click.argument("directory", type=click.Path(path_type=Path), metavar="DIR")
@click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="VKEY",
    help="The partnership's verifier key, obtained independently (a vkey string or a file holding one). Repeatable.",
)
@click.option(
    "--against",
    "against_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="A checkpoint you kept earlier: the bundle must be consistent with it.",
)
@click.option(
    "--require-complete",
    is_flag=True,
    help="Fail unless the bundle is full (every event of the checkpoint).",
)
@witness_policy_options
@json_option
def verify_bundle(
    directory: Path,
    keys: tuple[str, ...],
    against_file: str | None,
    require_complete: bool,
    witnesses: tuple[str, ...],
    witnesses_required: int | None,
    as_json: bool,
) -> None:
    """Check an export bundle: signatures, every leaf, the root or each proof.

    Exit 0 when intact; exit 3 naming what failed (the line and position,
    the proof, or the signature). Without --key the bundle's own
    verifier.key is used, with a warning: it proves nothing unless compared
    with the partnership's key obtained independently. The same checks are
    made by tools/verify_bundle.py, which needs only Python and cryptography.
    """
    from commands.bundles import verify_bundle as check
    from commands.output import to_json
    from ledger.errors import IntegrityFailure

    report = check(
        directory,
        keys=keys,
        against_file=against_file,
        witnesses=witnesses,
        witnesses_required=witnesses_required,
        require_complete=require_complete,
    )
    if report.ok:  # on failure the one Error line says all that matters
        for warning in report.warnings:
            click.echo(warning, err=True)
    data = report.as_dict()
    emit(to_json(data) if as_json else _render(data))
    if not report.ok:
        raise IntegrityFailure(f"{report.check}: {report.problem}", report.position)


def _render(data: dict[str, Any]) -> str:
    from commands.output import key_values

    pairs: list[tuple[str, Any]] = [
        ("result", "INTACT" if data["ok"] else f"FAILED ({data['check']})"),
        ("kind", data["kind"] or "-"),
        ("origin", data["origin"] or "-"),
        ("tree size", data["tree_size"] if data["tree_size"] is not None else "-"),
        ("root", data["root"] or "-"),
        ("events", data["events"]),
        ("keys trusted", ", ".join(data["trusted_keys"]) or "-"),
        (
            "key from",
            "you (--key)" if data["key_source"] == "given" else "the bundle itself (see warning)",
        ),
        ("key rotations", data["key_rotations"]),
        ("since", data["consistency_from"] if data["consistency_from"] is not None else "-"),
        ("against", data["against_size"] if data["against_size"] is not None else "-"),
        ("witnesses", ", ".join(data["witnesses"]) or "-"),
    ]
    for stream, count in sorted((data["streams"] or {}).items()):
        pairs.append(("stream", f"{stream} ({count})"))
    return key_values(pairs)
