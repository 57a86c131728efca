"""Count what one request costs in process: the SQL statements sent through Tortoise (by wrapping
the client's execute methods), the rows they returned, and the asyncio tasks it created."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, cast

from tortoise import connections

from subgraphs.settings import Settings
from testkit.inprocess import execute

_METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script")


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []
        self.rows = 0  # rows the statements returned

    @property
    def count(self) -> int:
        return len(self.statements)


def _definers(name: str) -> set[type]:
    """The classes that define ``name`` for the open connections and the transactions they open:
    where it is defined in each connection's class, and every subclass overriding it there (the
    transaction wrappers). Only those, so an inherited method is counted once."""
    found: set[type] = set()
    for cls in {type(conn) for conn in connections.all()}:
        owner = next((k for k in cls.__mro__ if name in k.__dict__), None)
        stack: list[type] = [owner] if owner is not None else []
        while stack:
            current = stack.pop()
            found.add(current)
            subclasses: list[type] = type.__subclasses__(current)
            stack.extend(sub for sub in subclasses if name in sub.__dict__ or type.__subclasses__(sub))
    return {cls for cls in found if name in cls.__dict__}


@contextlib.contextmanager
def count_statements() -> Iterator[StatementCounter]:
    counter = StatementCounter()
    patched: list[tuple[type, str, Any]] = []
    for name in _METHODS:
        for cls in _definers(name):
            original = cls.__dict__[name]

            async def wrapper(
                self: Any, query: str, *args: Any, _original: Any = original, **kwargs: Any
            ) -> Any:
                counter.statements.append(query)
                result = await _original(self, query, *args, **kwargs)
                counter.rows += _rows_in(result)
                return result

            setattr(cls, name, wrapper)
            patched.append((cls, name, original))
    try:
        yield counter
    finally:
        for cls, name, original in patched:
            setattr(cls, name, original)


def _rows_in(result: Any) -> int:
    """Rows in what an execute method returned: ``(count, rows)`` or a list of rows."""
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], list | tuple):
        return len(result[1])
    return len(result) if isinstance(result, list) else 0


@contextlib.contextmanager
def count_tasks() -> Iterator[list[int]]:
    """The asyncio tasks created on the running loop meanwhile, as ``[count]``."""
    loop = asyncio.get_running_loop()
    previous = loop.get_task_factory()
    created = [0]

    def factory(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **kwargs: Any) -> Any:
        created[0] += 1
        if previous is not None:
            return previous(loop, coro, **kwargs)
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(cast(Any, factory))  # typeshed's factory takes no context keyword
    try:
        yield created
    finally:
        loop.set_task_factory(previous)


@dataclass(frozen=True)
class Cost:
    """What one request took in process."""

    statements: int
    rows: int
    tasks: int
    data: Any


async def cost_of(
    subgraph: str, query: str, variables: dict[str, Any], token: str, settings: Settings
) -> Cost:
    """Execute one request in process and count its statements, rows and tasks. Raises on errors."""
    with count_statements() as counter, count_tasks() as tasks:
        result = await execute(subgraph, query, variables, token, settings=settings)
    if result.errors:
        raise RuntimeError(f"{subgraph}: {result.errors}")
    return Cost(counter.count, counter.rows, tasks[0], result.data)


async def counted(
    subgraph: str, query: str, variables: dict[str, Any], token: str, settings: Settings
) -> tuple[int, Any]:
    """Execute one request in process: the SQL statements it sent, and its data. Raises on errors."""
    with count_statements() as counter:
        result = await execute(subgraph, query, variables, token, settings=settings)
    if result.errors:
        raise RuntimeError(f"{subgraph}: {result.errors}")
    return counter.count, result.data


async def statements_of(
    subgraph: str, query: str, variables: dict[str, Any], token: str, settings: Settings
) -> int:
    """The SQL statements one request sends (in process). Raises on errors."""
    return (await counted(subgraph, query, variables, token, settings))[0]
