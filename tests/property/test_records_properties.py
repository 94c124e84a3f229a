"""The hand-written leaf input is exactly RFC 8785 of the stored record."""

from __future__ import annotations

import base64

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from ledger.records import leaf_input

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
counts = st.integers(min_value=0, max_value=2**53 - 1)


@given(position=counts, stream_id=texts, version=counts, topic=texts, recorded_at=texts,
       state=st.binary(max_size=64))
def test_leaf_input_is_the_rfc8785_encoding_of_the_record(position, stream_id, version, topic,
                                                          recorded_at, state) -> None:
    expected = rfc8785.dumps({
        "position": position,
        "recorded_at": recorded_at,
        "state": base64.b64encode(state).decode("ascii"),
        "stream_id": stream_id,
        "stream_version": version,
        "topic": topic,
    })
    assert leaf_input(position, stream_id, version, topic, recorded_at, state) == expected
