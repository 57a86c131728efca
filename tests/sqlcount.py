"""Count SQL statements sent through Tortoise, by wrapping the client's execute methods."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from tortoise import connections

_METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script")


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def count_statements() -> Iterator[StatementCounter]:
    counter = StatementCounter()
    patched: list[tuple[type, str, Any]] = []
    # Only the concrete classes of the open connections, so a super() call is not counted twice.
    for cls in {type(conn) for conn in connections.all()}:
        for name in _METHODS:
            original = getattr(cls, name, None)
            if original is None:
                continue

            def wrapper(self: Any, query: str, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
                counter.statements.append(query)
                return _original(self, query, *args, **kwargs)

            setattr(cls, name, wrapper)
            patched.append((cls, name, cls.__dict__.get(name)))
    try:
        yield counter
    finally:
        for cls, name, own in patched:
            if own is None:
                delattr(cls, name)  # it was inherited: unshadow it
            else:
                setattr(cls, name, own)
