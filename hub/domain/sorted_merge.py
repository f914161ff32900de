"""Insert a batch of items into sorted parallel lists in one pass (ADR 0023).

A growing matter keeps several lists in event-time order (its events, their keys, the events of
each type and case file, each clock rule's triggers). Inserting a chunk's events one by one
moves the tail of a list per event: k inserts into n items cost k * n/2 element moves, which is
what made a 20,000-event matter's last tenth cost twice its first. Merging the chunk in one
pass moves each element once.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

V = TypeVar("V")

# Up to this many new items, inserting them one by one is cheaper than rebuilding the lists.
_ONE_BY_ONE = 8


def merge_parallel(
    keys: list[Any],
    values: list[V],
    new: Sequence[tuple[Any, V]],
    position: Callable[[Any, V], int] | None = None,
) -> None:
    """Insert ``new`` (key, value) pairs into ``keys``/``values``, sorted by key, in place.

    ``new`` may come in any order; equal keys keep their order in ``new``. ``position(key)``
    ``position(key, value)`` gives the insertion point in the current lists (default:
    ``bisect_left`` on ``keys``), for lists whose keys alone do not order them (timestamps
    with an id tie-break: then ``new`` must come in that full order).
    """
    if not new:
        return
    where = position if position is not None else (lambda key, _value: bisect_left(keys, key))
    ordered = sorted(new, key=lambda pair: pair[0]) if len(new) > 1 else list(new)
    if len(ordered) <= _ONE_BY_ONE or len(ordered) * 16 < len(keys) // 64:
        for key, value in ordered:
            if not keys or keys[-1] < key:
                keys.append(key)
                values.append(value)
            else:
                at = where(key, value)
                keys.insert(at, key)
                values.insert(at, value)
        return
    positions = [where(key, value) for key, value in ordered]  # in the lists as they are: non-decreasing
    merged_keys: list[Any] = []
    merged_values: list[V] = []
    previous = 0
    for at, (key, value) in zip(positions, ordered, strict=True):
        merged_keys.extend(keys[previous:at])
        merged_values.extend(values[previous:at])
        merged_keys.append(key)
        merged_values.append(value)
        previous = at
    merged_keys.extend(keys[previous:])
    merged_values.extend(values[previous:])
    keys[:] = merged_keys  # in place: callers hold these list objects
    values[:] = merged_values


def merge_keys(keys: list[Any], new: Sequence[Any]) -> None:
    """Insert ``new`` keys into the sorted list ``keys`` in place."""
    if len(new) <= _ONE_BY_ONE:
        for key in new:
            insort(keys, key)
        return
    keys.extend(new)
    keys.sort()  # a sorted run and a short tail: Timsort merges them in about one pass
