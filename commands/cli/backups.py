"""``scrutiny backup FILE`` and ``scrutiny verify-backup FILE [--against CHECKPOINT]``."""

from __future__ import annotations

from pathlib import Path

import click

from commands.cli.common import emit, json_option, pass_settings
from commands.settings import Settings


@click.command()
@click.argument("file", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_settings
def backup(settings: Settings, file: Path, as_json: bool) -> None:
    """Copy the SQLite ledger into FILE while it is in use; never overwrites FILE.

    The copy is one consistent state of the ledger (SQLite's online backup
    API), checked, flushed to disk and only then named FILE. Appends carry on
    meanwhile. Prints the copy's SHA-256 and tree size: record them with the
    latest checkpoint, and check the copy with 'scrutiny verify-backup FILE
    --against CHECKPOINT'. The signing key is not in the copy; keep it
    elsewhere. PostgreSQL ledgers are refused: use pg_dump as
    docs/operations.md describes.
    """
    from commands.backups import make_backup
    from commands.output import key_values, to_json

    result = make_backup(settings.db_url, file)
    data = result.as_dict() | {"file": click.format_filename(result.path)}
    if as_json:
        emit(to_json(data))
        return
    emit(key_values([("backup", data["file"]), ("bytes", data["bytes"]), ("sha256", data["sha256"]),
                     ("events", data["tree_size"]), ("checkpoints", data["checkpoints"])]))


@click.command("verify-backup")
@click.argument("file", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--against", "against_file", type=click.Path(dir_okay=False), metavar="CHECKPOINT",
              help="The last checkpoint sent out (a signed note); the backup must hold its tree.")
@json_option
@pass_settings
def verify_backup(settings: Settings, file: Path, against_file: str | None, as_json: bool) -> None:
    """Open a backup FILE as a ledger (as a restore would) and verify it.

    Every leaf, tree node, root and stored checkpoint is recomputed, with the
    verifier key from --key (or its .pub). With --against, the backup must
    also hold the tree of that checkpoint unaltered: a backup older than the
    checkpoint, or a rewritten one, fails. Exit 0 when the backup is whole;
    exit 3, naming the first bad position, when it is not. The file is only read.
    """
    from commands.backups import verify_backup as check
    from commands.output import key_values, to_json
    from ledger.errors import IntegrityFailure, InvalidInputError

    against = None
    if against_file is not None:
        try:
            with open(against_file, encoding="utf-8") as handle:
                against = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"cannot read checkpoint file {against_file}: {exc}") from exc
    report, key_source = check(file, settings.key_path, against)
    shown = click.format_filename(file)
    data = {"backup": shown} | report.as_dict() | {"verifier_key_from": key_source}
    if as_json:
        emit(to_json(data))
    else:
        emit(key_values([
            ("backup", data["backup"]),
            ("result", "intact" if report.ok else "FAILED"),
            ("events", report.size),
            ("root hash", data["root_hash"]),
            ("checkpoints checked", report.checkpoints_checked),
            ("against", "checked" if report.against_checked else "-"),
            ("verifier key from", key_source),
        ]))
    if not report.ok:
        raise IntegrityFailure(str(report.problem), report.first_bad_position)
