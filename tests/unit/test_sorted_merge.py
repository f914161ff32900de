"""Batch insertion into sorted parallel lists equals sorting everything (hub.domain.sorted_merge)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.domain.sorted_merge import merge_keys, merge_parallel

pytestmark = pytest.mark.unit


@given(
    held=st.lists(st.integers(0, 50), max_size=200),
    new=st.lists(st.integers(0, 50), max_size=60),
)
def test_merge_parallel_keeps_keys_sorted_and_values_paired(held: list[int], new: list[int]) -> None:
    keys = sorted(held)
    values = [f"old{k}" for k in keys]
    key_list, value_list = keys, values
    merge_parallel(keys, values, [(k, f"new{k}") for k in new])
    assert keys is key_list and values is value_list  # in place: holders keep their lists
    assert keys == sorted(held + new)
    assert all(v.removeprefix("old").removeprefix("new") == str(k) for k, v in zip(keys, values, strict=True))
    assert sorted(values) == sorted([f"old{k}" for k in held] + [f"new{k}" for k in new])


@given(held=st.lists(st.integers(), max_size=100), new=st.lists(st.integers(), max_size=40))
def test_merge_keys(held: list[int], new: list[int]) -> None:
    keys = sorted(held)
    merge_keys(keys, new)
    assert keys == sorted(held + new)
