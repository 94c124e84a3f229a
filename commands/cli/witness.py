"""``scrutiny witness``: another agency cosigns checkpoints (C2SP tlog-witness)."""

from __future__ import annotations

from pathlib import Path

import click

from commands.cli.common import emit, json_option, pass_settings
from commands.settings import Settings


@click.group()
def witness() -> None:
    """Witness cosigning: another agency vouches for the log's checkpoints.

    A witness (a regional partner, a moderator) cosigns a checkpoint only
    after checking that it is consistent with the last one it cosigned, so
    the partnership cannot show different histories to different people.
    """


@witness.group("key")
def witness_key() -> None:
    """Witness keys (Ed25519, cosignature/v1)."""


@witness_key.command("new")
@click.argument("name")
@click.option(
    "--key",
    "key_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Where to create the witness key file (mode 0600) and PATH.pub; must not exist.",
)
@json_option
def new_key(name: str, key_path: Path, as_json: bool) -> None:
    """Create a witness key named NAME (e.g. regional-partner.example/witness)."""
    from commands.cli.printable import printable
    from commands.output import key_values, to_json
    from commands.witness import new_witness_key

    data = new_witness_key(name, key_path)
    emit(to_json(data) if as_json else key_values([(k, printable(v)) for k, v in data.items()]))


@witness.command()
@click.argument("checkpoint_file", type=click.Path(dir_okay=False), metavar="CHECKPOINT_FILE")
@click.option(
    "--key",
    "key_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="WITNESS_KEY",
    help="The witness's private key file.",
)
@click.option(
    "--state",
    "state_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="The witness's own state directory (the last checkpoint it cosigned per log).",
)
@click.option(
    "--log-key",
    "log_keys",
    multiple=True,
    metavar="VKEY",
    help="The log's verifier key (string or file), obtained independently; needed the first time. Repeatable.",
)
@click.option(
    "--proof",
    "proof_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Consistency proof JSON (scrutiny prove consistency --json); without it the proof is read from --db.",
)
@json_option
@pass_settings
def cosign(
    settings: Settings,
    checkpoint_file: str,
    key_path: Path,
    state_dir: Path,
    log_keys: tuple[str, ...],
    proof_file: str | None,
    as_json: bool,
) -> None:
    """Cosign CHECKPOINT_FILE after checking it against the last one cosigned.

    Checks the log's signature, refuses a smaller tree than the last one
    cosigned (exit 1), and verifies the consistency proof from it (exit 3 if
    it fails: the log was rewritten). Prints the checkpoint with the
    witness's cosignature line added.
    """
    from commands.output import to_json
    from commands.witness import cosign as cosign_checkpoint

    data = cosign_checkpoint(
        checkpoint_file,
        key_path,
        state_dir,
        log_keys=log_keys,
        proof_file=proof_file,
        db_url=settings.db_url,
    )
    if as_json:
        emit(to_json(data))
    else:
        click.echo(data["checkpoint"], nl=False)


@witness.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="FILE..."
)
@click.option(
    "--witness",
    "witnesses",
    multiple=True,
    metavar="VKEY",
    help="A witness key whose cosignature must be present and valid. Repeatable.",
)
@json_option
@pass_settings
def collect(
    settings: Settings, files: tuple[str, ...], witnesses: tuple[str, ...], as_json: bool
) -> None:
    """Store a checkpoint again with the cosignatures witnesses returned.

    Each FILE is one stored checkpoint as a witness returned it. The result
    is appended to the checkpoints (the history stays append-only) and is
    what 'scrutiny export' ships from then on.
    """
    from commands.output import to_json
    from commands.witness import collect as collect_cosignatures

    data = collect_cosignatures(settings.db_url, settings.key_path, files, witnesses)
    if as_json:
        emit(to_json(data))
    else:
        click.echo(data["checkpoint"], nl=False)
