"""C2SP tlog-checkpoint bodies (ledger.checkpoints), signed and unsigned.

The spec's example is read from ``rfc6962_vectors.json`` (group
``signed_note``, ``checkpoint_example``) at test time:
``$SCRUTINY_TESTDATA/rfc6962_vectors.json`` when that variable is set, else
``../shared/testdata/`` beside the project. A missing file fails the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.checkpoints import (
    MAX_TREE_SIZE,
    Checkpoint,
    format_checkpoint,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)
from ledger.errors import IntegrityFailure, InvalidInputError
from ledger.notes import NoteSigner, NoteVerifier, Signature, parse_note


def _vectors_path() -> Path:
    directory = os.environ.get("SCRUTINY_TESTDATA")
    if directory:
        return Path(directory) / "rfc6962_vectors.json"
    return Path(__file__).resolve().parents[3] / "shared" / "testdata" / "rfc6962_vectors.json"


def _load_checkpoint_example() -> dict[str, Any]:
    path = _vectors_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"checkpoint test vector not found at {path}; "
            "set SCRUTINY_TESTDATA to the directory holding rfc6962_vectors.json"
        )
    vectors = json.loads(path.read_text(encoding="utf-8"))
    example: dict[str, Any] = vectors["groups"]["signed_note"]["checkpoint_example"]
    return example


EXAMPLE = _load_checkpoint_example()
ORIGIN = "scrutiny.somerset.example/sscp"
SIGNER = NoteSigner(
    ORIGIN, Ed25519PrivateKey.from_private_bytes(hashlib.sha256(ORIGIN.encode()).digest())
)
ROOT = hashlib.sha256(b"root").digest()
CHECKPOINT = Checkpoint(ORIGIN, 42, ROOT)


def _example_text() -> str:
    text, _ = parse_note(EXAMPLE["note"])
    return text


# -- the spec's example -------------------------------------------------------------


def test_the_spec_example_parses_to_its_origin_size_and_root() -> None:
    checkpoint = parse_checkpoint(_example_text())

    assert checkpoint.origin == EXAMPLE["origin"]
    assert checkpoint.size == EXAMPLE["tree_size"]
    assert checkpoint.root_hash == bytes.fromhex(EXAMPLE["root_hash"])
    assert checkpoint.extensions == ()


def test_the_spec_example_formats_back_to_the_same_text() -> None:
    assert format_checkpoint(parse_checkpoint(_example_text())) == _example_text()


def test_the_spec_example_does_not_open_without_its_key() -> None:
    impostor = NoteSigner.generate(EXAMPLE["origin"])
    with pytest.raises(IntegrityFailure, match="not signed by any known key"):
        open_checkpoint(EXAMPLE["note"], [impostor.verifier])


# -- signing ------------------------------------------------------------------------


def test_a_signed_checkpoint_opens_to_the_same_checkpoint() -> None:
    signed = sign_checkpoint(CHECKPOINT, SIGNER)

    assert signed.startswith(f"{ORIGIN}\n42\n")
    assert open_checkpoint(signed, [SIGNER.verifier]) == CHECKPOINT
    assert open_checkpoint(signed, [SIGNER.verifier], origin=ORIGIN) == CHECKPOINT


def test_a_checkpoint_from_another_origin_is_refused_when_one_is_expected() -> None:
    other = Checkpoint("elsewhere.example/log", 42, ROOT)
    with pytest.raises(IntegrityFailure, match="origin"):
        open_checkpoint(sign_checkpoint(other, SIGNER), [SIGNER.verifier], origin=ORIGIN)


def test_changing_any_byte_of_a_signed_checkpoint_fails_verification() -> None:
    raw = sign_checkpoint(Checkpoint(ORIGIN, 7, ROOT, ("ext",)), SIGNER).encode("utf-8")
    for index in range(len(raw)):
        for mask in (0x01, 0x80):
            mutated = bytearray(raw)
            mutated[index] ^= mask
            text = bytes(mutated).decode("utf-8", errors="surrogateescape")
            with pytest.raises((IntegrityFailure, InvalidInputError)):
                open_checkpoint(text, [SIGNER.verifier])


def test_a_changed_size_is_an_integrity_failure_naming_the_key() -> None:
    signed = sign_checkpoint(CHECKPOINT, SIGNER)
    with pytest.raises(IntegrityFailure, match=re.escape(SIGNER.verifier.label)):
        open_checkpoint(signed.replace("\n42\n", "\n43\n"), [SIGNER.verifier])


def test_a_signature_by_another_key_with_the_same_name_fails() -> None:
    impostor = NoteSigner.generate(ORIGIN)
    with pytest.raises(IntegrityFailure):
        open_checkpoint(sign_checkpoint(CHECKPOINT, impostor), [SIGNER.verifier])


def test_a_forged_signature_under_the_known_key_id_names_the_key() -> None:
    impostor = NoteSigner.generate(ORIGIN)
    text, [line] = parse_note(sign_checkpoint(CHECKPOINT, impostor))
    forged = text + "\n" + Signature(ORIGIN, SIGNER.key_id, line.signature).line

    with pytest.raises(IntegrityFailure) as failure:
        open_checkpoint(forged, [SIGNER.verifier])
    assert str(failure.value) == (
        f"checkpoint: signature by {SIGNER.verifier.label} does not verify"
    )


def test_a_checkpoint_verifies_through_its_vkey_string() -> None:
    verifier = NoteVerifier.from_vkey(SIGNER.vkey)
    assert open_checkpoint(sign_checkpoint(CHECKPOINT, SIGNER), [verifier]) == CHECKPOINT


def test_a_signed_but_malformed_body_is_invalid_input() -> None:
    signed = SIGNER.sign(f"{ORIGIN}\n042\n{format_checkpoint(CHECKPOINT).split(chr(10))[2]}\n")
    with pytest.raises(InvalidInputError, match="leading zeroes"):
        open_checkpoint(signed, [SIGNER.verifier])


# -- strict parsing -----------------------------------------------------------------

_ROOT_LINE = format_checkpoint(CHECKPOINT).split("\n")[2]


def test_an_empty_tree_has_size_zero() -> None:
    checkpoint = parse_checkpoint(f"{ORIGIN}\n0\n{_ROOT_LINE}\n")
    assert checkpoint.size == 0


def test_the_largest_uint64_size_is_accepted() -> None:
    assert parse_checkpoint(f"{ORIGIN}\n{MAX_TREE_SIZE}\n{_ROOT_LINE}\n").size == MAX_TREE_SIZE


def test_extension_lines_are_kept_in_order() -> None:
    text = f"{ORIGIN}\n1\n{_ROOT_LINE}\nfirst ext\nsecond ext\n"
    checkpoint = parse_checkpoint(text)

    assert checkpoint.extensions == ("first ext", "second ext")
    assert format_checkpoint(checkpoint) == text


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"{ORIGIN}\n01\n{_ROOT_LINE}\n", id="leading zero"),
        pytest.param(f"{ORIGIN}\n00\n{_ROOT_LINE}\n", id="double zero"),
        pytest.param(f"{ORIGIN}\n-1\n{_ROOT_LINE}\n", id="negative size"),
        pytest.param(f"{ORIGIN}\n+1\n{_ROOT_LINE}\n", id="plus sign"),
        pytest.param(f"{ORIGIN}\n 1\n{_ROOT_LINE}\n", id="space before size"),
        pytest.param(f"{ORIGIN}\n1 \n{_ROOT_LINE}\n", id="space after size"),
        pytest.param(f"{ORIGIN}\n1_000\n{_ROOT_LINE}\n", id="underscore"),
        pytest.param(f"{ORIGIN}\n\u0661\n{_ROOT_LINE}\n", id="non ascii digit"),
        pytest.param(f"{ORIGIN}\n0x10\n{_ROOT_LINE}\n", id="hex size"),
        pytest.param(f"{ORIGIN}\n\n{_ROOT_LINE}\n", id="empty size"),
        pytest.param(f"{ORIGIN}\n{MAX_TREE_SIZE + 1}\n{_ROOT_LINE}\n", id="size beyond uint64"),
        pytest.param(f"{ORIGIN}\n1\n{_ROOT_LINE[:-4]}\n", id="truncated root"),
        pytest.param(f"{ORIGIN}\n1\n{_ROOT_LINE.rstrip('=')}\n", id="unpadded root"),
        pytest.param(f"{ORIGIN}\n1\nAAAA{_ROOT_LINE}\n", id="root of 35 bytes"),
        pytest.param(f"{ORIGIN}\n1\n{ROOT.hex()}\n", id="hex root"),
        pytest.param(f"{ORIGIN}\n1\n{_ROOT_LINE[:-2]}B=\n", id="non canonical root"),
        pytest.param(f"{ORIGIN}\n1\n\n", id="empty root"),
        pytest.param(f"\n1\n{_ROOT_LINE}\n", id="empty origin"),
        pytest.param(f" {ORIGIN}\n1\n{_ROOT_LINE}\n", id="origin with leading space"),
        pytest.param(f"{ORIGIN} \n1\n{_ROOT_LINE}\n", id="origin with trailing space"),
        pytest.param(f"{ORIGIN}\r\n1\n{_ROOT_LINE}\n", id="carriage return"),
        pytest.param(f"{ORIGIN}\n1\n{_ROOT_LINE}", id="no final newline"),
        pytest.param(f"{ORIGIN}\n1\n", id="two lines"),
        pytest.param("", id="empty"),
        pytest.param(f"{ORIGIN}\n1\n{_ROOT_LINE}\n\n", id="empty extension line"),
        pytest.param(f"{ORIGIN}\n1\n{_ROOT_LINE}\next\n\n", id="trailing empty line"),
        pytest.param(f"{ORIGIN}\n1\n{_ROOT_LINE}\nbell\x07\n", id="control in extension"),
    ],
)
def test_malformed_checkpoint_text_is_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_checkpoint(text)


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"size": -1}, id="negative size"),
        pytest.param({"size": MAX_TREE_SIZE + 1}, id="size beyond uint64"),
        pytest.param({"size": True}, id="bool size"),
        pytest.param({"size": "1"}, id="string size"),
        pytest.param({"root_hash": ROOT[:31]}, id="31 byte root"),
        pytest.param({"root_hash": ROOT.hex()}, id="hex string root"),
        pytest.param({"origin": ""}, id="empty origin"),
        pytest.param({"origin": "a\nb"}, id="newline in origin"),
        pytest.param({"origin": "\ta"}, id="tab in origin"),
        pytest.param({"origin": "a "}, id="trailing space in origin"),
        pytest.param({"extensions": ("",)}, id="empty extension"),
        pytest.param({"extensions": ("a\nb",)}, id="newline in extension"),
        pytest.param({"extensions": "abc"}, id="extensions as a string"),
    ],
)
def test_an_invalid_checkpoint_cannot_be_built(fields: dict[str, Any]) -> None:
    values: dict[str, Any] = {"origin": ORIGIN, "size": 1, "root_hash": ROOT, **fields}
    with pytest.raises(InvalidInputError):
        Checkpoint(**values)


def test_extensions_given_as_a_list_are_stored_as_a_tuple() -> None:
    checkpoint = Checkpoint(ORIGIN, 1, ROOT, ["ext"])  # type: ignore[arg-type]
    assert checkpoint.extensions == ("ext",)


def test_origins_with_inner_spaces_and_plus_are_accepted_as_the_spec_allows() -> None:
    checkpoint = Checkpoint("my log + friends", 3, ROOT)
    assert parse_checkpoint(format_checkpoint(checkpoint)) == checkpoint


# -- properties ---------------------------------------------------------------------

_LINE = st.text(alphabet=st.characters(min_codepoint=0x20, codec="utf-8"), min_size=1)
_CHECKPOINTS = st.builds(
    Checkpoint,
    origin=_LINE.filter(lambda line: line == line.strip()),
    size=st.integers(min_value=0, max_value=MAX_TREE_SIZE),
    root_hash=st.binary(min_size=32, max_size=32),
    extensions=st.lists(_LINE, max_size=3).map(tuple),
)


@settings(max_examples=200, deadline=None)
@given(_CHECKPOINTS)
def test_format_then_parse_is_the_identity(checkpoint: Checkpoint) -> None:
    text = format_checkpoint(checkpoint)

    assert text.endswith("\n")
    assert parse_checkpoint(text) == checkpoint
    assert format_checkpoint(parse_checkpoint(text)) == text


@settings(max_examples=30, deadline=None)
@given(_CHECKPOINTS)
def test_sign_then_open_is_the_identity(checkpoint: Checkpoint) -> None:
    assert open_checkpoint(sign_checkpoint(checkpoint, SIGNER), [SIGNER.verifier]) == checkpoint
