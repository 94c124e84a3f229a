"""Personal data sealed per subject: AES-256-GCM inside the canonical state.

Free text that may identify a person is never stored in clear. Before an
event's state is encoded, each personal value is replaced by an envelope::

    {"aes256gcm": "<base64 of nonce (12 bytes) || ciphertext || tag>",
     "subject": "case:CSPR-2020-03"}

The plaintext is the RFC 8785 JSON of the value; a list is sealed element by
element, so its length stays visible and each element opens on its own. The
associated data binds the envelope to its place: the stream id, the stream
version, the path of the field and the element index, so an envelope copied
to another event or field does not open.

Each subject (the case a text concerns, or the stream it belongs to) has its
own 256-bit key, kept in ``subject_keys`` outside the hashed record. The
envelope is part of the hashed state, so every leaf hash, proof and
checkpoint stays valid when the key is destroyed; what the envelope held is
then gone for good and reads as :data:`ERASED`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import re
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.errors import IntegrityFailure, InvalidInputError
from ledger.records import MAX_SAFE_INTEGER, canonical_json

ERASED = "[erased]"
ALGORITHM = "aes256gcm"
KEY_BYTES = 32
NONCE_BYTES = 12

FieldPath = tuple[str, ...]

# What opens and seals under one subject's key.
Cipher = AESGCM


class KeyRing(Protocol):
    """Where subject keys come from."""

    def sealing_key(self, subject_id: str) -> bytes:
        """The subject's key, created on first use; refuses an erased subject."""
        ...

    def opening_key(self, subject_id: str) -> bytes | None:
        """The subject's key, or None once the subject has been erased."""
        ...

    def opening_cipher(self, subject_id: str) -> Cipher | None:
        """What opens the subject's envelopes (its key's :func:`cipher_for`),
        or None once the subject has been erased; a key ring may keep it."""
        ...


def cipher_for(key: bytes) -> Cipher:
    return AESGCM(key)


def new_subject_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def is_envelope(value: object) -> bool:
    if type(value) is dict:  # what json.loads gives: no ABC check needed
        return len(value) == 2 and ALGORITHM in value and "subject" in value
    return isinstance(value, Mapping) and set(value) == {ALGORITHM, "subject"}


def seal_state(
    state: MutableMapping[str, Any],
    paths: Iterable[FieldPath],
    *,
    subject_id: str,
    stream_id: str,
    version: int,
    keys: KeyRing,
) -> set[str]:
    """Seal the values at ``paths`` in place; the subjects whose keys were used."""
    used: set[str] = set()
    for path in paths:
        parent, name = _parent(state, path)
        if parent is None or parent.get(name) is None:
            continue
        value = parent[name]
        key = keys.sealing_key(subject_id)
        used.add(subject_id)
        if isinstance(value, list):
            parent[name] = [
                _seal_one(item, key, subject_id, _aad(stream_id, version, path, index))
                for index, item in enumerate(value)
            ]
        else:
            parent[name] = _seal_one(value, key, subject_id, _aad(stream_id, version, path, None))
    return used


def open_state(
    state: MutableMapping[str, Any],
    paths: Iterable[FieldPath],
    *,
    stream_id: str,
    version: int,
    keys: KeyRing,
) -> None:
    """Open the envelopes at ``paths`` in place; an erased subject's read :data:`ERASED`."""
    for path in paths:
        parent, name = _parent(state, path)
        if parent is None or parent.get(name) is None:
            continue
        value = parent[name]
        if isinstance(value, list):
            parent[name] = [
                _open_one(item, keys, _aad(stream_id, version, path, index))
                for index, item in enumerate(value)
            ]
        else:
            parent[name] = _open_one(value, keys, _aad(stream_id, version, path, None))


def subjects_at(state: Mapping[str, Any], paths: Iterable[FieldPath]) -> set[str]:
    """The subjects named by the envelopes at ``paths`` of a decoded state (what
    :func:`open_state` will ask keys for; a value that is not an envelope
    names none, and opening it fails)."""
    found: set[str] = set()
    for path in paths:
        parent, name = _parent(state, path)
        value: Any = None if parent is None else parent.get(name)
        for item in value if isinstance(value, list) else (value,):
            if is_envelope(item) and isinstance(item["subject"], str):
                found.add(item["subject"])
    return found


# An envelope as RFC 8785 writes it (keys sorted, no spaces).
_ENVELOPE = re.compile(rb'\{"aes256gcm":"[A-Za-z0-9+/=]*","subject":"((?:[^"\\]|\\.)*)"\}')


def subjects_in(state: bytes) -> set[str]:
    """The subjects of every envelope in a stored state (canonical JSON bytes)."""
    if b'"aes256gcm"' not in state:
        return set()
    return {
        json.loads(b'"' + found + b'"') if b"\\" in found else found.decode("utf-8")
        for found in _ENVELOPE.findall(state)
    }


def _parent(state: Mapping[str, Any], path: FieldPath) -> tuple[Any, str]:
    if len(path) == 1 and type(state) is dict:  # a top-level field of decoded JSON
        return state, path[0]
    node: Any = state
    for step in path[:-1]:
        node = node.get(step) if isinstance(node, Mapping) else None
        if node is None:
            return None, path[-1]
    return (node if isinstance(node, MutableMapping) else None), path[-1]


def _aad(stream_id: str, version: int, path: Sequence[str], index: int | None) -> bytes:
    """RFC 8785 JSON of ``[stream_id, version, path, index]``.

    Written directly when the stream id needs no escaping (every id the
    ledger makes); anything else takes :func:`canonical_json`. A property
    test pins the two together.
    """
    if (stream_id.isprintable() and '"' not in stream_id and "\\" not in stream_id
            and 0 <= version <= MAX_SAFE_INTEGER and (index is None or 0 <= index <= MAX_SAFE_INTEGER)):
        where = "null" if index is None else str(index)
        return f'["{stream_id}",{version},{_path_json(tuple(path))},{where}]'.encode()
    return canonical_json([stream_id, version, list(path), index])


@functools.lru_cache(maxsize=512)
def _path_json(path: FieldPath) -> str:
    """A field path's RFC 8785 JSON (there are a few dozen paths in all)."""
    return canonical_json(list(path)).decode("utf-8")


def _seal_one(value: Any, key: bytes, subject_id: str, aad: bytes) -> dict[str, str]:
    if value == ERASED:
        raise InvalidInputError(f"{ERASED!r} is reserved for erased personal data")
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, canonical_json(value), aad)
    return {ALGORITHM: base64.b64encode(nonce + sealed).decode("ascii"), "subject": subject_id}


def _open_one(envelope: Any, keys: KeyRing, aad: bytes) -> Any:
    if not is_envelope(envelope):
        raise IntegrityFailure("a personal field is stored in clear, not sealed")
    subject_id = str(envelope["subject"])
    cipher = keys.opening_cipher(subject_id)
    if cipher is None:
        return ERASED
    sealed = envelope[ALGORITHM]
    try:
        if type(sealed) is not str or not sealed.isascii():
            raise ValueError("not base64 text")
        blob = binascii.a2b_base64(sealed, strict_mode=True)
        plaintext = cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except (ValueError, InvalidTag) as exc:
        raise IntegrityFailure(
            f"a sealed field of {subject_id} does not open: it was altered or moved"
        ) from exc
    if _PLAIN_STRING.fullmatch(plaintext):
        return plaintext[1:-1].decode("utf-8")
    return json.loads(plaintext.decode("utf-8"))


# Canonical JSON of text with nothing escaped: its bytes between the quotes
# are the text's UTF-8 (most sealed values are such text).
_PLAIN_STRING = re.compile(rb'"[^"\\\x00-\x1f]*"')
