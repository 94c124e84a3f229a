"""``scrutiny prove inclusion`` and ``scrutiny prove consistency``."""

from __future__ import annotations

from typing import Any

import click

from commands.cli.common import emit, json_option, pass_settings
from commands.settings import Settings


@click.group()
def prove() -> None:
    """Merkle proofs (RFC 9162) that anyone can check without trusting the ledger.

    Hashes are standard base64. Each proof is computed from the stored
    subtree hashes in O(log n) reads and verified before it is printed.
    """


@prove.command()
@click.argument("position")
@click.option(
    "--size",
    metavar="N",
    help="Size of the tree to prove against [default: the size of the latest checkpoint].",
)
@json_option
@pass_settings
def inclusion(settings: Settings, position: str, size: str | None, as_json: bool) -> None:
    """Prove that the event at POSITION is leaf POSITION of the tree of N events.

    N defaults to the size of the latest checkpoint (so the root printed is
    the one it signed). Prints the leaf input and hash, the root and the
    audit path. Refuses
    (exit 1) a size beyond the log or a position outside the tree, and
    (exit 2) anything that is not a whole number.
    """
    from commands.output import to_json
    from commands.proofs import inclusion as prove_inclusion

    data = prove_inclusion(settings.db_url, position, size)
    emit(to_json(data) if as_json else _render(data))


@prove.command()
@click.argument("old")
@click.argument("new")
@json_option
@pass_settings
def consistency(settings: Settings, old: str, new: str, as_json: bool) -> None:
    """Prove that the tree of OLD events is a prefix of the tree of NEW events.

    OLD must be at least 1 and at most NEW (exit 2 otherwise); NEW must not
    be beyond the log (exit 1).
    """
    from commands.output import to_json
    from commands.proofs import consistency as prove_consistency

    data = prove_consistency(settings.db_url, old, new)
    emit(to_json(data) if as_json else _render(data))


def _render(data: dict[str, Any]) -> str:
    from commands.output import key_values

    if data["type"] == "inclusion":
        pairs: list[tuple[str, Any]] = [
            ("proof", f"inclusion of position {data['leaf_index']} in {data['tree_size']} events"),
            ("origin", data["origin"]),
            ("leaf hash", data["leaf_hash"]),
            ("root", data["root"]),
        ]
    else:
        pairs = [
            ("proof", f"consistency of {data['old_size']} events with {data['new_size']}"),
            ("origin", data["origin"]),
            ("old root", data["old_root"]),
            ("new root", data["new_root"]),
        ]
    pairs += [(f"path[{i}]", value) for i, value in enumerate(data["proof"])]
    return key_values(pairs)
