"""Stopping background tasks for good.

``task.cancel()`` then ``await task`` waits for ever when the task swallows its cancellation, and on
Python 3.11 ``asyncio.wait_for`` does exactly that when the awaited result and the cancellation
arrive together (python/cpython#86296, fixed in 3.12). The libraries under our tasks call it
(aiomqtt for every publish, subscribe and disconnect; asyncpg): a bridge or relay stopped at that
instant ran on and the stop waited for ever (a CI run hung in the MQTT bridge tests). ``cancel``
cancels again until the task is gone.
"""

from __future__ import annotations

import asyncio
from typing import Any

RECANCEL_SECONDS = 2.0  # time a task gets to finish its cleanup before it is cancelled again


async def cancel(*tasks: asyncio.Task[Any] | None) -> None:
    """Cancel ``tasks`` and wait until every one is done; a task that ended with an error other
    than its cancellation raises it here, as awaiting it would."""
    given = [task for task in tasks if task is not None]
    pending = {task for task in given if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        # asyncio.wait neither raises a task's CancelledError nor absorbs the caller's
        _, pending = await asyncio.wait(pending, timeout=RECANCEL_SECONDS)
    for task in given:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            raise error
