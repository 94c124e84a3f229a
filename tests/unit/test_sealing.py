"""Sealing personal values: AES-256-GCM envelopes bound to their place."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import IntegrityFailure, InvalidInputError
from ledger.records import canonical_json
from ledger.sealing import ALGORITHM, ERASED, open_state, seal_state, subjects_at, subjects_in
from tests.memory_keys import MemoryKeys


PATHS = [("summary",), ("findings",), ("values", "note")]


def sealed(keys: MemoryKeys, state: dict[str, Any], stream: str = "case:A", version: int = 1
           ) -> dict[str, Any]:
    copied = copy.deepcopy(state)
    seal_state(copied, PATHS, subject_id="case:A", stream_id=stream, version=version, keys=keys)
    return copied


def opened(keys: MemoryKeys, state: dict[str, Any], stream: str = "case:A", version: int = 1
           ) -> dict[str, Any]:
    copied = copy.deepcopy(state)
    open_state(copied, PATHS, stream_id=stream, version=version, keys=keys)
    return copied


texts = st.text(min_size=1, max_size=200).filter(lambda t: t != ERASED)


@given(summary=texts, findings=st.lists(texts, max_size=5), note=texts)
def test_sealing_then_opening_gives_back_every_value_and_hides_it(
    summary: str, findings: list[str], note: str
) -> None:
    keys = MemoryKeys()
    state = {"summary": summary, "findings": findings, "values": {"note": note}, "tier": 1}
    stored = sealed(keys, state)
    assert stored["tier"] == 1
    assert set(stored["summary"]) == {ALGORITHM, "subject"}
    assert len(stored["findings"]) == len(findings)
    assert opened(keys, stored) == state
    other = MemoryKeys()
    other.sealing_key("case:A")  # the same subject under another key reads nothing
    with pytest.raises(IntegrityFailure):
        opened(other, stored)


def test_an_erased_subject_reads_erased_in_the_shape_of_the_field() -> None:
    keys = MemoryKeys()
    stored = sealed(keys, {"summary": "s", "findings": ["a", "b"], "values": {"note": "n"}})
    keys.keys["case:A"] = None
    assert opened(keys, stored) == {
        "summary": ERASED, "findings": [ERASED, ERASED], "values": {"note": ERASED}
    }


def test_an_envelope_moved_to_another_event_or_field_does_not_open() -> None:
    keys = MemoryKeys()
    stored = sealed(keys, {"summary": "s", "findings": ["a", "b"]})
    with pytest.raises(IntegrityFailure, match="altered or moved"):
        opened(keys, stored, version=2)
    with pytest.raises(IntegrityFailure, match="altered or moved"):
        opened(keys, stored, stream="case:B")
    swapped = dict(stored, findings=list(reversed(stored["findings"])))
    with pytest.raises(IntegrityFailure, match="altered or moved"):
        opened(keys, swapped)
    moved = {"values": {"note": stored["summary"]}}
    with pytest.raises(IntegrityFailure, match="altered or moved"):
        opened(keys, moved)


def test_a_changed_byte_of_the_ciphertext_is_detected() -> None:
    keys = MemoryKeys()
    stored = sealed(keys, {"summary": "the text"})
    blob = stored["summary"][ALGORITHM]
    flipped = blob[:20] + ("A" if blob[20] != "A" else "B") + blob[21:]
    with pytest.raises(IntegrityFailure):
        opened(keys, {"summary": {ALGORITHM: flipped, "subject": "case:A"}})


def test_clear_text_where_a_sealed_value_belongs_is_refused_on_reading() -> None:
    with pytest.raises(IntegrityFailure, match="stored in clear"):
        opened(MemoryKeys(), {"summary": "written around the ledger"})


def test_the_erased_marker_cannot_be_recorded_as_text() -> None:
    with pytest.raises(InvalidInputError, match="reserved"):
        sealed(MemoryKeys(), {"summary": ERASED})


def test_absent_and_null_values_are_left_alone() -> None:
    keys = MemoryKeys()
    assert sealed(keys, {"summary": None}) == {"summary": None}
    assert keys.keys == {}


@given(summary=texts, findings=st.lists(texts, max_size=3), other=st.text(max_size=50))
def test_the_subjects_of_a_stored_state_are_found_in_its_bytes(
    summary: str, findings: list[str], other: str
) -> None:
    keys = MemoryKeys()
    state = {"summary": summary, "findings": findings, "other": other, "values": {}}
    seal_state(state, PATHS, subject_id='case:A"\\b', stream_id="case:A", version=1, keys=keys)
    assert subjects_in(canonical_json(state)) == {'case:A"\\b'}
    assert subjects_at(json.loads(canonical_json(state)), PATHS) == {'case:A"\\b'}
    assert subjects_in(canonical_json({"summary": summary, "other": other})) == set()
    assert subjects_at({"summary": summary, "findings": [other]}, PATHS) == set()


@given(stream_id=st.text(max_size=40), version=st.integers(min_value=0, max_value=2**60),
       path=st.lists(st.text(max_size=12), min_size=1, max_size=3),
       index=st.none() | st.integers(min_value=0, max_value=2**60))
def test_the_associated_data_is_the_canonical_json_of_where_the_field_sits(
    stream_id: str, version: int, path: list[str], index: int | None
) -> None:
    from ledger.sealing import _aad

    try:
        expected = canonical_json([stream_id, version, path, index])
    except (ValueError, TypeError) as refused:  # lone surrogates, unsafe integers
        with pytest.raises(type(refused)):
            _aad(stream_id, version, tuple(path), index)
        return
    assert _aad(stream_id, version, tuple(path), index) == expected


@pytest.mark.parametrize(
    "value", [42, {"name": "A \"quoted\" name", "age": 7}, "tab\there", "é ü ✓"])
def test_values_other_than_plain_text_open_as_they_were_sealed(value: Any) -> None:
    keys = MemoryKeys()
    assert opened(keys, sealed(keys, {"summary": value})) == {"summary": value}


@pytest.mark.parametrize("blob", [12345, None, "AAAA*AAA", "AAAA\u00e9AAA", "AAAA=AAA"])
def test_an_envelope_whose_sealed_part_is_not_base64_text_is_an_integrity_failure(
    blob: Any,
) -> None:
    keys = MemoryKeys()
    keys.sealing_key("case:A")
    with pytest.raises(IntegrityFailure, match="altered or moved"):
        opened(keys, {"summary": {ALGORITHM: blob, "subject": "case:A"}})
