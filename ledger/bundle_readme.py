"""The README.md written into every export bundle: how to check it, in plain words."""

from __future__ import annotations

from typing import Any

_TEMPLATE = """\
# Scrutiny ledger export: how to check it yourself

This folder is an export from the scrutiny ledger of **{origin}**, taken at
its signed checkpoint of **{tree_size} events** ({exported_at} UTC).

{what}

## What you need

* Python 3.11 or newer, and the `cryptography` package (`pip install cryptography`).
* The standalone checker `verify_bundle.py` from the Scrutiny Ledger source
  (`tools/verify_bundle.py`). It uses nothing else. Do not use a checker that
  came inside a bundle: get it from the published source, or ask someone you trust.
* **The partnership's verifier key, obtained independently** of this folder:
  from its website, in a letter, or from an earlier inspection. This folder
  holds a copy in `verifier.key`, but a copy supplied with the evidence proves
  nothing on its own: anyone who could change the evidence could change the key.

## Check it

```sh
python3 verify_bundle.py THIS_FOLDER --key 'THE_KEY_YOU_OBTAINED_INDEPENDENTLY'
```

The key printed in `verifier.key` is:

    {vkey}

Compare it character by character with the one you obtained independently.

If you kept a checkpoint from an earlier visit, add `--against THAT_FILE`:
the checker then also proves that nothing before that checkpoint was changed
or removed since. If you were told to require cosignatures from other
agencies (witnesses), add `--witness THEIR_KEY` for each and
`--witnesses-required K`.

The checker ends with **INTACT** (exit status 0) when everything verifies,
and otherwise with **FAILED** (exit status 3) and one sentence naming what
failed: the line of `events.jsonl` and the event's position, the proof, or
the signature.

## What is in this folder

* `checkpoint`: the partnership's signed statement of the log's size and
  Merkle root, exactly as signed (with any witnesses' cosignatures).
* `events.jsonl`: one event per line. `leaf_input` is the exact data that
  was hashed; the other fields repeat it in readable form and the checker
  makes sure they say the same.
* `bundle.json`: a summary of this export.
* `rotations.json` (only if the partnership changed its signing key): the
  checkpoints signed by both the old and the new key.
* `consistency.json` (only if you gave an earlier checkpoint when asking for
  the export): the proof that the log grew from it without changes.

`docs/formats.md` in the Scrutiny Ledger source describes every byte, so you
can also write your own checker in any language.
"""

_FULL = """\
It is a **full** export: every event of the log up to the checkpoint. A
successful check proves that these are all the events the partnership had
signed for, that none was changed, and in what order they were recorded."""

_PARTIAL = """\
It is a **partial** export of {selection}: {events} events, each with a proof
that it is part of the signed log. A successful check proves that each event
is in the log exactly as shown. It cannot prove that no other event concerns
the same matter; for that, ask for a full export. (The partnership's key
changes, if any, are always included.)"""


def render_readme(manifest: dict[str, Any], vkey: str) -> str:
    """README.md for a bundle described by ``manifest`` (see ``ledger.bundles``)."""
    if manifest["kind"] == "full":
        what = _FULL
    else:
        selection = manifest.get("selection") or {}
        parts = [f"stream {s}" for s in selection.get("streams", [])]
        if selection.get("case"):
            parts.append(f"case {selection['case']}")
        what = _PARTIAL.format(
            selection=" and ".join(parts) or "a selection", events=manifest["events"]
        )
    return _TEMPLATE.format(
        origin=manifest["origin"],
        tree_size=manifest["tree_size"],
        exported_at=manifest["exported_at"],
        what=what,
        vkey=vkey,
    )


__all__ = ["render_readme"]
