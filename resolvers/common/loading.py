"""DataLoader building blocks: every relation is fetched in one statement per request.

``by_id``      – entity by primary key (also used by ``_entities``).
``page_by``    – a Relay page of children per parent key, the first ``first`` rows of each
                 after ``after``, in one windowed statement whatever the number of parents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from resolvers.common.pagination import page_of
from schema.common.connection import Connection, check_page_size, decode_cursor


def by_id(model: type[Model]) -> DataLoader[UUID, Any]:
    async def load(ids: Sequence[UUID]) -> list[Any]:
        rows = {row.id: row for row in await model.filter(id__in=list(ids))}
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


def _sql_uuid(value: UUID | str) -> str:
    # Parsing through UUID() guarantees the literal holds only hex digits and dashes.
    return f"'{UUID(str(value))}'"


def page_by(
    model: type[Model], column: str, first: int, after: str | None = None
) -> DataLoader[UUID, Connection[Any]]:
    """Children of ``model`` whose ``column`` is the key, paged per key by id."""
    check_page_size(first)
    after_id = decode_cursor(after) if after else None
    table = model._meta.db_table

    async def load(keys: Sequence[UUID]) -> list[Connection[Any]]:
        where = f'"{column}" IN ({", ".join(_sql_uuid(k) for k in keys)})'
        if after_id:
            where += f' AND "id" > {_sql_uuid(after_id)}'
        fields = ", ".join(f'"{name}"' for name in model._meta.db_fields)
        sql = (
            f"SELECT {fields} FROM (SELECT {fields}, ROW_NUMBER() OVER "
            f'(PARTITION BY "{column}" ORDER BY "id") AS "_rn" FROM "{table}" WHERE {where}) AS ranked '
            f'WHERE "_rn" <= {int(first) + 1} ORDER BY "id"'
        )
        grouped: dict[str, list[Any]] = defaultdict(list)
        for row in await model.raw(sql):
            grouped[str(getattr(row, column))].append(row)
        return [page_of(grouped.get(str(key), []), first) for key in keys]

    return DataLoader(load_fn=load)


class LoaderRegistry:
    """Per-request cache of loaders, keyed by name and arguments, so one request
    shares one loader per relation and page shape."""

    def __init__(self) -> None:
        self._loaders: dict[tuple[Any, ...], DataLoader[Any, Any]] = {}

    def get(self, key: tuple[Any, ...], factory: Callable[[], DataLoader[Any, Any]]) -> DataLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = factory()
        return loader
