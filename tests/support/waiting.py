"""Waiting for a condition instead of sleeping for a guessed time."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable


async def eventually(
    check: Callable[[], bool | Awaitable[bool]], seconds: float = 15.0, every: float = 0.1
) -> None:
    """Return once ``check()`` (plain or async) is true; fail if it is not within ``seconds``."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        met = check()
        if inspect.isawaitable(met):
            met = await met
        if met:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met in {seconds} s: {getattr(check, '__name__', check)}")
        await asyncio.sleep(every)
