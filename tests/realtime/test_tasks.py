"""Stopping background tasks on Python 3.11 (realtime/tasks.py, realtime/mqtt.py's client): a task
that swallows its cancellation is cancelled again, and the MQTT client's waits do not swallow it."""

from __future__ import annotations

import asyncio

import pytest

from realtime import tasks
from realtime.mqtt import BrokerAddress, connect_client
from realtime.tasks import cancel

pytestmark = pytest.mark.unit


async def test_a_task_that_swallows_its_cancellation_is_cancelled_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tasks, "RECANCEL_SECONDS", 0.05)
    swallowed = 0

    async def stubborn() -> None:  # what a loop around 3.11's wait_for does when the race hits
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if swallowed:
                    raise
                swallowed += 1

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    async with asyncio.timeout(5):
        await cancel(task, None)
    assert task.cancelled() and swallowed == 1


async def test_a_task_that_failed_raises_its_error_and_the_others_are_still_stopped() -> None:
    async def fails() -> None:
        raise LookupError("gone")

    failed = asyncio.create_task(fails())
    running = asyncio.create_task(asyncio.sleep(3600))
    await asyncio.sleep(0)
    with pytest.raises(LookupError):
        await cancel(failed, running)
    assert running.cancelled()


async def test_an_mqtt_wait_answered_as_it_is_cancelled_raises_the_cancellation() -> None:
    """The broker's answer and the cancellation in the same loop turn: the stock aiomqtt client
    (asyncio.wait_for on 3.11) returns the answer and the caller runs on; ours is cancelled."""
    client = connect_client(BrokerAddress.parse("mqtt://127.0.0.1:1"), None, persistent=False)
    answer: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    waiting = asyncio.create_task(client._wait_for(answer, None))
    await asyncio.sleep(0)
    answer.set_result(1)
    waiting.cancel()
    await asyncio.wait({waiting})
    assert waiting.cancelled()
