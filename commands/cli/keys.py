"""``scrutiny key rotate``: replace the checkpoint signing key."""

from __future__ import annotations

from pathlib import Path

import click

from commands.cli.common import emit, json_option, pass_settings
from commands.settings import Settings


@click.group()
def key() -> None:
    """The ledger's checkpoint signing key."""


@key.command()
@click.option(
    "--new-key",
    "new_key",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Where to create the new key file (mode 0600) and PATH.pub; must not exist (with --resume: the new key file made before).",
)
@click.option("--reason", metavar="TEXT", help="Why the key is replaced (recorded in the log).")
@click.option(
    "--resume",
    is_flag=True,
    help="Finish an interrupted rotation: sign its handover checkpoint with --key (old) and --new-key.",
)
@json_option
@pass_settings
def rotate(
    settings: Settings, new_key: Path, reason: str | None, resume: bool, as_json: bool
) -> None:
    """Replace the signing key (--key) by a new Ed25519 key at --new-key.

    Records the rotation in the log (stream ledger:signing-keys, with both
    verifier keys and the time), then signs a checkpoint with BOTH keys, so
    anyone who trusts the old key can follow the handover. Checkpoints signed
    by the old key keep verifying; from now on only the new key may sign.
    Nothing is overwritten; the old key file is left where it is.
    """
    from commands.cli.printable import printable
    from commands.keys import rotate_key
    from commands.output import to_json

    result = rotate_key(
        settings.db_url,
        settings.key_path,
        new_key,
        actor=settings.actor,
        reason=reason,
        resume=resume,
    )
    data = result.as_dict()
    if as_json:
        emit(to_json(data))
        return
    new_file, new_public, old_file = (
        printable(data[name]) for name in ("new_key_file", "new_public_key_file", "old_key_file")
    )
    click.echo(data["checkpoint"], nl=False)
    click.echo(
        "\n".join(
            [
                "",
                f"The signing key was rotated at position {data['position']}; the checkpoint above "
                f"(#{data['checkpoint_id']}) is signed by both keys.",
                f"New key file: {new_file} (mode 0600); its verifier key, for inspectors "
                f"and witnesses, is in {new_public}:",
                f"  {data['new_verifier_key']}",
                f"From now on use --key {new_file} (or SCRUTINY_KEY={new_file}).",
                f"The old key file {old_file} is retired: it can no longer sign. Keep it "
                "offline, or destroy it once you no longer need it; nothing was overwritten.",
                "Send the new verifier key and the checkpoint above to your inspectors and witnesses.",
            ]
        ),
        err=True,
    )
