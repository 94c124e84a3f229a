"""The signing key file (ledger.keys): created once, 0600, never overwritten."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.errors import InvalidInputError, RefusedError
from ledger.keys import create_key_file, load_signer, load_verifier, public_key_path
from ledger.notes import NoteSigner, open_note

ORIGIN = "scrutiny.somerset.example/sscp"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.key"


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


# -- creating -----------------------------------------------------------------------


def test_create_writes_the_private_key_0600_and_the_public_key_0644(key_path: Path) -> None:
    signer = create_key_file(key_path, ORIGIN)

    assert _mode(key_path) == 0o600
    assert key_path.read_text(encoding="utf-8") == signer.to_skey() + "\n"
    public = public_key_path(key_path)
    assert public == key_path.parent / "ledger.key.pub"
    assert _mode(public) == 0o644
    assert public.read_text(encoding="utf-8") == signer.vkey + "\n"
    assert signer.name == ORIGIN


def test_modes_are_exact_whatever_the_umask(key_path: Path, permissive_umask: None) -> None:
    create_key_file(key_path, ORIGIN)

    assert _mode(key_path) == 0o600
    assert _mode(public_key_path(key_path)) == 0o644


def test_a_second_create_refuses_and_leaves_both_files_byte_identical(key_path: Path) -> None:
    create_key_file(key_path, ORIGIN)
    public = public_key_path(key_path)
    before = (key_path.read_bytes(), public.read_bytes(), _mode(key_path), _mode(public))

    with pytest.raises(RefusedError, match="already exists; refusing to overwrite it"):
        create_key_file(key_path, ORIGIN)

    assert (key_path.read_bytes(), public.read_bytes(), _mode(key_path), _mode(public)) == before


def test_create_refuses_when_only_the_public_key_file_exists(key_path: Path) -> None:
    public = public_key_path(key_path)
    public.write_text("someone else's\n", encoding="utf-8")

    with pytest.raises(RefusedError, match="refusing to overwrite"):
        create_key_file(key_path, ORIGIN)

    assert not key_path.exists()
    assert public.read_text(encoding="utf-8") == "someone else's\n"


def test_create_refuses_a_dangling_symlink_in_the_way(key_path: Path, tmp_path: Path) -> None:
    key_path.symlink_to(tmp_path / "elsewhere.key")

    with pytest.raises(RefusedError):
        create_key_file(key_path, ORIGIN)

    assert not (tmp_path / "elsewhere.key").exists()


def test_create_in_a_missing_directory_is_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "dir" / "ledger.key"
    with pytest.raises(InvalidInputError, match="cannot create key file"):
        create_key_file(path, ORIGIN)


@pytest.mark.parametrize("origin", ["", "has space", "has+plus"])
def test_create_refuses_an_origin_that_cannot_be_a_key_name(key_path: Path, origin: str) -> None:
    with pytest.raises(InvalidInputError):
        create_key_file(key_path, origin)
    assert list(key_path.parent.iterdir()) == []


# -- loading ------------------------------------------------------------------------


def test_the_loaded_signer_is_the_created_one(key_path: Path) -> None:
    created = create_key_file(key_path, ORIGIN)
    loaded = load_signer(key_path)

    assert loaded.to_skey() == created.to_skey()
    assert loaded.sign("x\n") == created.sign("x\n")


def test_verifiers_load_from_the_public_and_the_private_file_alike(key_path: Path) -> None:
    signer = create_key_file(key_path, ORIGIN)

    from_public = load_verifier(public_key_path(key_path))
    from_private = load_verifier(key_path)

    assert from_public == from_private == signer.verifier
    assert open_note(load_signer(key_path).sign("x\n"), [from_public]).text == "x\n"


def test_a_key_file_with_windows_line_ending_loads(key_path: Path) -> None:
    signer = NoteSigner.generate(ORIGIN)
    key_path.write_text(signer.to_skey() + "\r\n", encoding="utf-8")
    key_path.chmod(0o600)

    assert load_signer(key_path).vkey == signer.vkey


def test_a_missing_key_file_is_invalid_input_naming_the_path(key_path: Path) -> None:
    with pytest.raises(InvalidInputError) as failure:
        load_signer(key_path)
    message = str(failure.value)
    assert str(key_path) in message and "does not exist" in message
    assert "\n" not in message


def test_a_missing_verifier_file_is_invalid_input(key_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="does not exist"):
        load_verifier(public_key_path(key_path))


def test_a_key_file_others_can_read_is_refused(key_path: Path) -> None:
    create_key_file(key_path, ORIGIN)
    key_path.chmod(0o644)

    with pytest.raises(RefusedError) as failure:
        load_signer(key_path)
    assert str(failure.value) == (
        f"key file {key_path} is readable by other users (mode 0644); chmod 600 it"
    )
    with pytest.raises(RefusedError):
        load_verifier(key_path)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o602, 0o610])
def test_a_key_file_with_any_group_or_other_permission_is_refused(
    key_path: Path, mode: int
) -> None:
    create_key_file(key_path, ORIGIN)
    key_path.chmod(mode)

    with pytest.raises(RefusedError, match="chmod 600"):
        load_signer(key_path)


def test_an_owner_only_read_only_key_file_loads(key_path: Path) -> None:
    signer = create_key_file(key_path, ORIGIN)
    key_path.chmod(0o400)

    assert load_signer(key_path).vkey == signer.vkey


def _write_private(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    path.chmod(0o600)


_SIGNER = NoteSigner.generate(ORIGIN)
_OTHER_ID = "00000000" if _SIGNER.key_id.hex() != "00000000" else "00000001"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\n", id="blank line"),
        pytest.param(b"not a key\n", id="garbage"),
        pytest.param(_SIGNER.vkey.encode() + b"\n", id="a public key"),
        pytest.param((_SIGNER.to_skey() + "\n").encode() * 2, id="two keys"),
        pytest.param(
            _SIGNER.to_skey().replace(_SIGNER.key_id.hex(), _OTHER_ID).encode(),
            id="id mismatch",
        ),
        pytest.param(b"PRIVATE+KEY+\xff\xfe\n", id="not utf-8"),
        pytest.param(b"A" * 5000, id="too large"),
    ],
)
def test_a_malformed_key_file_is_invalid_input_naming_the_path(
    key_path: Path, content: bytes
) -> None:
    _write_private(key_path, content)

    with pytest.raises(InvalidInputError) as failure:
        load_signer(key_path)
    message = str(failure.value)
    assert message.startswith(f"key file {key_path} is malformed")
    assert "\n" not in message


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"garbage\n", id="garbage"),
        pytest.param(_SIGNER.vkey.replace(_SIGNER.key_id.hex(), _OTHER_ID).encode(), id="id"),
    ],
)
def test_a_malformed_verifier_file_is_invalid_input(key_path: Path, content: bytes) -> None:
    public = public_key_path(key_path)
    public.write_bytes(content)

    expected = re.escape(f"verifier key file {public} is malformed")
    with pytest.raises(InvalidInputError, match=expected):
        load_verifier(public)


def test_a_directory_is_not_a_key_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not a regular file"):
        load_signer(tmp_path)
