"""The in-worker SQLite write gate (hub.services.write_gate)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from hub.services.write_gate import WriteGate

pytestmark = [pytest.mark.unit, pytest.mark.timeout(30)]


async def test_intake_waits_for_the_fold_without_blocking_the_event_loop() -> None:
    """While the fold thread holds the gate, other coroutines keep running; intake gets it after."""
    gate = WriteGate()
    held, release = threading.Event(), threading.Event()

    def fold() -> None:
        with gate:
            held.set()
            release.wait(10)

    fold_thread = threading.Thread(target=fold)
    fold_thread.start()
    await asyncio.to_thread(held.wait, 10)
    order: list[str] = []

    async def intake() -> None:
        async with gate.intake_turn():
            order.append("intake")

    waiting = asyncio.create_task(intake())
    await asyncio.sleep(0.05)  # the loop is free: this returns although the gate is taken
    order.append("loop ran")
    release.set()
    await waiting
    fold_thread.join(10)
    assert order == ["loop ran", "intake"]


async def test_a_waiting_intake_goes_before_the_next_fold_write() -> None:
    """A fold step that finds an intake chunk waiting lets it take the gate first."""
    gate = WriteGate()
    order: list[str] = []
    async with gate.intake_turn():
        second = asyncio.create_task(_intake_write(gate, order))
        await asyncio.sleep(0.01)  # let the second chunk start waiting before the fold arrives
        fold_done = asyncio.ensure_future(asyncio.to_thread(_fold_write, gate, order))
        await asyncio.sleep(0.01)
    await asyncio.gather(fold_done, second)
    assert order == ["intake", "fold"]


def _fold_write(gate: WriteGate, order: list[str]) -> None:
    with gate:
        order.append("fold")


async def _intake_write(gate: WriteGate, order: list[str]) -> None:
    async with gate.intake_turn():
        order.append("intake")


async def test_disabled_gate_never_blocks() -> None:
    """On PostgreSQL the gate is off: nested use neither blocks nor raises."""
    gate = WriteGate(enabled=False)
    with gate, gate:
        async with gate.intake_turn():
            pass
