"""The hand-written fast paths of ``ledger.records`` are exactly RFC 8785.

``canonical_json`` writes objects with ASCII keys, lists, text, integers,
booleans and nulls itself (every event state, each sealed value and each
envelope's associated data) and ``leaf_input``
formats the whole record in one go when its texts need no escaping; both
must give the bytes of ``rfc8785.dumps``, and fall back to it (or to its
errors) for anything else.
"""

from __future__ import annotations

import base64

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from ledger.records import canonical_json, leaf_input

# Printable text (the fast path) as often as any text (the general path).
any_text = st.text(max_size=20)
plain_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF), max_size=20)
texts = st.one_of(plain_text, any_text)
safe = 2**53 - 1
integers = st.one_of(st.integers(min_value=-safe, max_value=safe), st.integers())
scalars = st.one_of(st.none(), st.booleans(), integers, texts, st.floats(allow_nan=False))
# Objects with ASCII keys (every event state) take the fast path; other keys the library's.
ascii_keys = st.text(alphabet=st.characters(min_codepoint=0x00, max_codepoint=0x7F), max_size=12)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(texts, inner, max_size=4),
                            st.dictionaries(ascii_keys, inner, max_size=6)),
    max_leaves=12,
)


def rfc8785_or_error(value: object) -> bytes | type[BaseException]:
    try:
        return rfc8785.dumps(value)
    except Exception as exc:  # what the library refuses, canonical_json must refuse too
        return type(exc)


@given(json_values)
def test_canonical_json_is_rfc8785_for_any_json_value(value) -> None:
    expected = rfc8785_or_error(value)
    if isinstance(expected, bytes):
        assert canonical_json(value) == expected
    else:
        with pytest.raises(expected):
            canonical_json(value)


@given(st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=safe),
       st.lists(plain_text, min_size=1, max_size=3), st.one_of(st.none(), st.integers(0, 50)))
def test_associated_data_of_an_envelope_is_rfc8785(stream_id, version, path, index) -> None:
    value = [stream_id, version, path, index]
    expected = rfc8785_or_error(value)
    if isinstance(expected, bytes):
        assert canonical_json(value) == expected


ascii_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
record_text = st.one_of(ascii_text, plain_text, st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                                        max_size=30))


@given(position=st.integers(0, safe), stream_id=record_text, version=st.integers(0, safe), topic=record_text,
       recorded_at=record_text, state=st.binary(max_size=600))
def test_leaf_input_is_rfc8785_on_both_paths(position, stream_id, version, topic, recorded_at, state) -> None:
    expected = rfc8785.dumps({
        "position": position, "recorded_at": recorded_at, "state": base64.b64encode(state).decode("ascii"),
        "stream_id": stream_id, "stream_version": version, "topic": topic,
    })
    assert leaf_input(position, stream_id, version, topic, recorded_at, state) == expected
    assert leaf_input(position, stream_id, version, topic, recorded_at, bytearray(state)) == expected
    assert leaf_input(position, stream_id, version, topic, recorded_at, memoryview(state)) == expected


@pytest.mark.parametrize(
    "columns",
    [
        (1, "s", 1, "t", "2026-01-01T00:00:00.000000Z", "state as text"),
        (1, b"s", 1, "t", "2026-01-01T00:00:00.000000Z", b"x"),
        (1, "s", 1, 7, "2026-01-01T00:00:00.000000Z", b"x"),
        (1, "s", 1, "t", None, b"x"),
        (1, "s", "seven", "t", "2026-01-01T00:00:00.000000Z", b"x"),
    ],
)
def test_a_column_of_the_wrong_type_raises_type_error(columns) -> None:
    """Verification names such a row by its position: it catches TypeError."""
    with pytest.raises(TypeError):
        leaf_input(*columns)


@pytest.mark.parametrize(
    "columns",
    [
        (-1, "s", 1, "t", "r", b"x"),
        (2**53, "s", 1, "t", "r", b"x"),
        (1, "s", 2**53, "t", "r", b"x"),
        (1, "s\ud800", 1, "t", "r", b"x"),
        (1.0, "s", 1, "t", "r", b"x"),
    ],
)
def test_what_rfc8785_cannot_encode_raises_value_error(columns) -> None:
    with pytest.raises(ValueError):
        leaf_input(*columns)
