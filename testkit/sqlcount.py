"""Count SQL statements sent through Tortoise, by wrapping the client's execute methods."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from tortoise import connections

from subgraphs.settings import Settings
from testkit.inprocess import execute

_METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script")


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

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

            def wrapper(self: Any, query: str, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
                counter.statements.append(query)
                return _original(self, query, *args, **kwargs)

            setattr(cls, name, wrapper)
            patched.append((cls, name, original))
    try:
        yield counter
    finally:
        for cls, name, original in patched:
            setattr(cls, name, original)


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
