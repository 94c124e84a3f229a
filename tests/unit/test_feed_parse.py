"""The read side parses stored states with the decoder directly; it must
answer exactly as ``json.loads`` does, on canonical JSON and on anything else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections.feed import _parse

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
padding = st.sampled_from(["", " ", "\n", "\t ", "x", "}", "[]"])


@given(values, padding, padding)
def test_parsing_a_state_answers_as_json_loads(value: object, before: str, after: str) -> None:
    text = before + json.dumps(value, separators=(",", ":")) + after
    try:
        expected = json.loads(text)
    except ValueError as refused:
        with pytest.raises(type(refused)):
            _parse(text)
        return
    assert _parse(text) == expected
