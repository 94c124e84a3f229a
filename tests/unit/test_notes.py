"""C2SP signed notes (ledger.notes) against the published vectors and by hand.

The vectors are read from ``rfc6962_vectors.json`` (group ``signed_note``) at
test time: ``$SCRUTINY_TESTDATA/rfc6962_vectors.json`` when that variable is
set, else ``../shared/testdata/`` beside the project. A missing file fails
the run; it is never skipped.
"""

from __future__ import annotations

import base64
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

from ledger.errors import IntegrityFailure, InvalidInputError, LedgerError
from ledger.notes import (
    MAX_SIGNATURES,
    NoteSigner,
    NoteVerifier,
    Signature,
    add_signature,
    key_id,
    open_note,
    parse_note,
)

EM_DASH = "\u2014"


def _vectors_path() -> Path:
    directory = os.environ.get("SCRUTINY_TESTDATA")
    if directory:
        return Path(directory) / "rfc6962_vectors.json"
    return Path(__file__).resolve().parents[3] / "shared" / "testdata" / "rfc6962_vectors.json"


def _load_signed_note_group() -> dict[str, Any]:
    path = _vectors_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"signed-note test vectors not found at {path}; "
            "set SCRUTINY_TESTDATA to the directory holding rfc6962_vectors.json"
        )
    group: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["groups"]["signed_note"]
    return group


GROUP = _load_signed_note_group()
VECTORS: list[dict[str, Any]] = GROUP["vectors"]
NOTE_VECTORS = [v for v in VECTORS if "note" in v]
SIGNING_VECTORS = [v for v in VECTORS if "skey" in v]


def _ids(vectors: list[dict[str, Any]]) -> list[str]:
    return [v["desc"] for v in vectors]


def _signer_vector() -> dict[str, Any]:
    return SIGNING_VECTORS[0]


def test_the_vector_group_has_signed_notes_and_a_signing_key() -> None:
    # An empty parameter list would skip the vector tests silently: fail instead.
    assert NOTE_VECTORS, "no signed_note vector with a 'note'"
    assert SIGNING_VECTORS, "no signed_note vector with an 'skey'"
    assert all(v["expect"] in ("accept", "reject") for v in VECTORS)


# A fixed key, so test ids and failures reproduce from run to run.
SIGNER = NoteSigner(
    "scrutiny.test/notes",
    Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"scrutiny.test/notes").digest()),
)


def _mutations(note: str) -> list[str]:
    """The note with each single byte changed (two ways), as text."""
    raw = note.encode("utf-8")
    changed = []
    for index in range(len(raw)):
        for mask in (0x01, 0x80):
            mutated = bytearray(raw)
            mutated[index] ^= mask
            changed.append(bytes(mutated).decode("utf-8", errors="surrogateescape"))
    return changed


# -- the published vectors ----------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS, ids=_ids(VECTORS))
def test_vector_vkey_parses_and_its_key_id_matches_the_key(vector: dict[str, Any]) -> None:
    name, hex_id, encoded = vector["vkey"].split("+", 2)
    verifier = NoteVerifier.from_vkey(vector["vkey"])

    assert verifier.name == name
    assert verifier.key_id.hex() == hex_id
    assert bytes([0x01]) + verifier.public_key == base64.b64decode(encoded)
    assert key_id(name, verifier.public_key) == bytes.fromhex(hex_id)
    assert verifier.vkey == vector["vkey"]


@pytest.mark.parametrize("vector", NOTE_VECTORS, ids=_ids(NOTE_VECTORS))
def test_vector_note_opens_with_its_vkey_as_expected(vector: dict[str, Any]) -> None:
    verifier = NoteVerifier.from_vkey(vector["vkey"])
    if vector["expect"] == "accept":
        opened = open_note(vector["note"], [verifier])
        assert opened.verified == (verifier,)
        assert opened.unverified == ()
        assert vector["note"].startswith(opened.text + "\n" + EM_DASH + " ")
    else:
        with pytest.raises(LedgerError):
            open_note(vector["note"], [verifier])


@pytest.mark.parametrize("vector", SIGNING_VECTORS, ids=_ids(SIGNING_VECTORS))
def test_vector_skey_signs_the_text_to_exactly_the_expected_note(vector: dict[str, Any]) -> None:
    signer = NoteSigner.from_skey(vector["skey"])

    assert signer.vkey == vector["vkey"]
    assert signer.to_skey() == vector["skey"]
    assert signer.sign(vector["text"]) == vector["expect_signed_note"]
    opened = open_note(vector["expect_signed_note"], [NoteVerifier.from_vkey(vector["vkey"])])
    assert opened.text == vector["text"]


@pytest.mark.parametrize("vector", NOTE_VECTORS, ids=_ids(NOTE_VECTORS))
def test_changing_any_byte_of_a_vector_note_fails_verification(vector: dict[str, Any]) -> None:
    verifier = NoteVerifier.from_vkey(vector["vkey"])
    for mutated in _mutations(vector["note"]):
        with pytest.raises((IntegrityFailure, InvalidInputError)):
            open_note(mutated, [verifier])


def test_changing_any_byte_of_a_signed_note_fails_verification() -> None:
    note = SIGNER.sign("Ognuno sta solo\n\ned \u00e8 subito sera.\n")
    for mutated in _mutations(note):
        with pytest.raises((IntegrityFailure, InvalidInputError)):
            open_note(mutated, [SIGNER.verifier])


def test_changing_the_text_is_an_integrity_failure_naming_the_key() -> None:
    note = SIGNER.sign("size 10\n")
    with pytest.raises(IntegrityFailure, match=re.escape(SIGNER.verifier.label)):
        open_note(note.replace("size 10", "size 11"), [SIGNER.verifier])


# -- who signed ---------------------------------------------------------------------


def test_a_signature_by_another_key_with_the_same_name_fails() -> None:
    impostor = NoteSigner.generate(SIGNER.name)
    assert impostor.key_id != SIGNER.key_id

    with pytest.raises(IntegrityFailure, match="not signed by any known key"):
        open_note(impostor.sign("hello\n"), [SIGNER.verifier])


def test_another_keys_signature_under_the_known_name_and_id_fails() -> None:
    impostor = NoteSigner.generate(SIGNER.name)
    _, [forged] = parse_note(impostor.sign("hello\n"))
    note = "hello\n\n" + Signature(SIGNER.name, SIGNER.key_id, forged.signature).line

    with pytest.raises(IntegrityFailure, match=re.escape(f"signature by {SIGNER.verifier.label}")):
        open_note(note, [SIGNER.verifier])


def test_a_note_with_no_configured_verifier_is_rejected() -> None:
    with pytest.raises(IntegrityFailure):
        open_note(SIGNER.sign("hello\n"), [])


def test_a_bad_known_signature_rejects_the_note_even_if_another_verifies() -> None:
    other = NoteSigner.generate("scrutiny.test/witness")
    note = add_signature(SIGNER.sign("hello\n"), other)
    text, [good, cosig] = parse_note(note)
    broken = Signature(cosig.name, cosig.key_id, bytes(64))
    tampered = text + "\n" + good.line + broken.line

    with pytest.raises(IntegrityFailure, match=re.escape(other.verifier.label)):
        open_note(tampered, [SIGNER.verifier, other.verifier])
    assert open_note(tampered, [SIGNER.verifier]).verified == (SIGNER.verifier,)


def test_unknown_signers_are_ignored_and_kept_as_unverified() -> None:
    vector = _signer_vector()
    enoch = next(v for v in NOTE_VECTORS if v["note"].startswith(vector["text"]))
    peter = NoteSigner.from_skey(vector["skey"])
    note = add_signature(enoch["note"], peter)

    opened = open_note(note, [peter.verifier])

    assert opened.text == vector["text"]
    assert opened.verified == (peter.verifier,)
    [unknown] = opened.unverified
    assert unknown.line in enoch["note"]


def test_both_signers_verify_when_both_are_known() -> None:
    vector = _signer_vector()
    enoch = next(v for v in NOTE_VECTORS if v["note"].startswith(vector["text"]))
    peter = NoteSigner.from_skey(vector["skey"])
    enoch_verifier = NoteVerifier.from_vkey(enoch["vkey"])

    opened = open_note(add_signature(enoch["note"], peter), [peter.verifier, enoch_verifier])

    assert set(opened.verified) == {peter.verifier, enoch_verifier}
    assert opened.unverified == ()


def test_a_known_key_signing_twice_makes_the_note_malformed() -> None:
    note = SIGNER.sign("hello\n")
    with pytest.raises(InvalidInputError, match="two signatures"):
        open_note(note + note.split("\n\n")[1], [SIGNER.verifier])


def test_the_same_verifier_given_twice_is_one_key() -> None:
    opened = open_note(SIGNER.sign("hello\n"), [SIGNER.verifier, SIGNER.verifier])
    assert opened.verified == (SIGNER.verifier,)


# -- cosigning ----------------------------------------------------------------------


def test_add_signature_appends_in_order_of_addition() -> None:
    witness = NoteSigner.generate("scrutiny.test/witness")
    note = add_signature(SIGNER.sign("hello\n"), witness)

    text, signatures = parse_note(note)

    assert text == "hello\n"
    assert [s.name for s in signatures] == [SIGNER.name, witness.name]
    assert note == SIGNER.sign("hello\n") + witness.signature_line("hello\n")


def test_add_signature_by_a_key_already_present_does_not_duplicate_it() -> None:
    witness = NoteSigner.generate("scrutiny.test/witness")
    once = add_signature(SIGNER.sign("hello\n"), witness)

    assert add_signature(once, witness) == once
    assert add_signature(SIGNER.sign("hello\n"), SIGNER) == SIGNER.sign("hello\n")


def test_add_signature_refuses_a_malformed_note() -> None:
    with pytest.raises(InvalidInputError):
        add_signature("hello\n", SIGNER)


# -- round trips --------------------------------------------------------------------


def test_a_generated_key_round_trips_through_its_key_strings() -> None:
    signer = NoteSigner.generate("scrutiny.somerset.example/sscp")
    again = NoteSigner.from_skey(signer.to_skey())
    verifier = NoteVerifier.from_vkey(signer.vkey)

    assert again.vkey == signer.vkey
    assert verifier == signer.verifier
    assert again.sign("x\n") == signer.sign("x\n")
    assert open_note(again.sign("x\n"), [verifier]).text == "x\n"


def test_the_text_ends_at_the_last_blank_line() -> None:
    text = "first\n\nsecond\n\n"
    note = SIGNER.sign(text)

    assert parse_note(note)[0] == text
    assert open_note(note, [SIGNER.verifier]).text == text


def test_a_note_may_be_given_as_utf8_bytes() -> None:
    note = SIGNER.sign("caf\u00e9\n")
    assert open_note(note.encode("utf-8"), [SIGNER.verifier]).text == "caf\u00e9\n"


_NOTE_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, codec="utf-8") | st.just("\n"),
    max_size=200,
).map(lambda text: text + "\n")


@settings(max_examples=60, deadline=None)
@given(_NOTE_TEXT)
def test_any_valid_text_round_trips_through_sign_and_open(text: str) -> None:
    opened = open_note(SIGNER.sign(text), [SIGNER.verifier])
    assert opened.text == text


# -- malformed input ----------------------------------------------------------------

_GOOD_LINE = SIGNER.signature_line("hello\n")
_GOOD_B64 = _GOOD_LINE.split(" ")[2].rstrip("\n")


@pytest.mark.parametrize(
    "note",
    [
        pytest.param("hello\n", id="no signatures"),
        pytest.param("hello\n\n", id="blank line but no signatures"),
        pytest.param("hello\n" + _GOOD_LINE, id="no blank line"),
        pytest.param("hello\n\n" + _GOOD_LINE.rstrip("\n"), id="no final newline"),
        pytest.param("hello\n\n" + _GOOD_LINE.replace(EM_DASH, "-"), id="hyphen not em dash"),
        pytest.param("hello\n\n" + _GOOD_LINE.replace(" ", "  ", 1), id="two spaces"),
        pytest.param(f"hello\n\n{EM_DASH} a+b {_GOOD_B64}\n", id="plus in name"),
        pytest.param(f"hello\n\n{EM_DASH}  {_GOOD_B64}\n", id="empty name"),
        pytest.param(f"hello\n\n{EM_DASH} a\u00a0b {_GOOD_B64}\n", id="unicode space in name"),
        pytest.param(f"hello\n\n{EM_DASH} a {_GOOD_B64} extra\n", id="trailing field"),
        pytest.param(f"hello\n\n{EM_DASH} a {_GOOD_B64.rstrip('=')}\n", id="unpadded base64"),
        pytest.param(f"hello\n\n{EM_DASH} a !!!!\n", id="not base64"),
        pytest.param(f"hello\n\n{EM_DASH} a AAAAAA==\n", id="signature shorter than 5 bytes"),
        pytest.param(f"hello\n\n{EM_DASH} a AAAAAAB=\n", id="non canonical base64"),
        pytest.param("hello\r\n\n" + _GOOD_LINE, id="carriage return"),
        pytest.param("hel\tlo\n\n" + _GOOD_LINE, id="tab"),
        pytest.param("hello\n\n" + _GOOD_LINE + "\n", id="blank line after signatures"),
        pytest.param("hello\n\n" + _GOOD_LINE + "trailing\n", id="non signature line"),
        pytest.param("caf\udce9\n\n" + _GOOD_LINE, id="lone surrogate"),
    ],
)
def test_malformed_notes_are_invalid_input(note: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_note(note)
    with pytest.raises(InvalidInputError):
        open_note(note, [SIGNER.verifier])


def test_a_note_that_is_not_utf8_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="UTF-8"):
        parse_note(b"caf\xe9\n\n" + _GOOD_LINE.encode("utf-8"))


def _unknown_lines(count: int) -> str:
    return "".join(
        Signature(f"witness{i}.example", i.to_bytes(4, "big"), bytes(64)).line for i in range(count)
    )


def test_sixteen_unknown_signatures_are_accepted_as_the_spec_requires() -> None:
    note = SIGNER.sign("hello\n") + _unknown_lines(16)
    assert len(open_note(note, [SIGNER.verifier]).unverified) == 16


def test_too_many_signatures_are_invalid_input() -> None:
    note = SIGNER.sign("hello\n") + _unknown_lines(MAX_SIGNATURES)
    with pytest.raises(InvalidInputError, match="more than"):
        parse_note(note)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("no newline", id="no final newline"),
        pytest.param("", id="empty"),
        pytest.param("bell\x07\n", id="control character"),
    ],
)
def test_sign_refuses_text_that_cannot_be_a_note(text: str) -> None:
    with pytest.raises(InvalidInputError):
        SIGNER.sign(text)


_VKEY = SIGNER.vkey
_NAME, _HEX_ID, _KEY_B64 = _VKEY.split("+", 2)
assert set(_HEX_ID) & set("abcdef"), "the fixed test key's id must contain a hex letter"
_OTHER_TYPE = base64.b64encode(b"\x02" + SIGNER.public_key).decode("ascii")


@pytest.mark.parametrize(
    "vkey",
    [
        pytest.param(f"{_NAME}+{(int(_HEX_ID, 16) ^ 1):08x}+{_KEY_B64}", id="id mismatch"),
        pytest.param(f"other.example+{_HEX_ID}+{_KEY_B64}", id="name does not match id"),
        pytest.param(f"{_NAME}+{_HEX_ID.upper()}+{_KEY_B64}", id="uppercase hex"),
        pytest.param(f"{_NAME}+{_HEX_ID}0+{_KEY_B64}", id="nine hex digits"),
        pytest.param(f"{_NAME}+{_HEX_ID[:7]}+{_KEY_B64}", id="short id"),
        pytest.param(f"{_NAME}+{_HEX_ID}+{_OTHER_TYPE}", id="not type 0x01"),
        pytest.param(
            f"{_NAME}+{_HEX_ID}+" + base64.b64encode(b"\x01" + bytes(31)).decode(),
            id="short key",
        ),
        pytest.param(f"{_NAME}+{_HEX_ID}+{_KEY_B64[:-1]}", id="truncated base64"),
        pytest.param(f"{_NAME}+{_HEX_ID}+{_KEY_B64}=", id="extra padding"),
        pytest.param(f"+{_HEX_ID}+{_KEY_B64}", id="empty name"),
        pytest.param(f"a b+{_HEX_ID}+{_KEY_B64}", id="space in name"),
        pytest.param(f"{_NAME}+{_HEX_ID}", id="two parts"),
        pytest.param("", id="empty"),
        pytest.param(f" {_VKEY}", id="leading space"),
        pytest.param(f"{_VKEY}\n", id="trailing newline"),
        pytest.param("PRIVATE+KEY+" + SIGNER.to_skey()[len("PRIVATE+KEY+") :], id="skey"),
    ],
)
def test_malformed_vkeys_are_invalid_input(vkey: str) -> None:
    with pytest.raises(InvalidInputError):
        NoteVerifier.from_vkey(vkey)


@pytest.mark.parametrize(
    "skey",
    [
        pytest.param(_VKEY, id="a vkey"),
        pytest.param("PRIVATE+KEY+" + _VKEY, id="public key bytes under the wrong id"),
        pytest.param(SIGNER.to_skey().replace(_HEX_ID, "00000000"), id="id mismatch"),
        pytest.param(SIGNER.to_skey().replace("PRIVATE+KEY", "SECRET+KEY"), id="prefix"),
        pytest.param(SIGNER.to_skey()[:-4], id="truncated"),
    ],
)
def test_malformed_skeys_are_invalid_input(skey: str) -> None:
    with pytest.raises(InvalidInputError):
        NoteSigner.from_skey(skey)


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there", "new\nline", "nb\u00a0sp"])
def test_key_names_the_spec_forbids_are_refused(name: str) -> None:
    with pytest.raises(InvalidInputError):
        NoteSigner.generate(name)
    with pytest.raises(InvalidInputError):
        key_id(name, SIGNER.public_key)
