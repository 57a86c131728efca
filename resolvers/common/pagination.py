"""Keyset pagination (by id) into Relay connections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tortoise.queryset import QuerySet

from schema.common.connection import Connection, Edge, PageInfo, check_page_size, decode_cursor, encode_cursor
from schema.common.errors import bad_input


def page_of(
    rows: list[Any], first: int, key: Callable[[Any], str] = lambda row: str(row.id)
) -> Connection[Any]:
    """A connection from up to ``first + 1`` rows in ``key`` order (the extra row only says there is
    more); each row's cursor is its ``key`` (its id, unless the page is ordered by more)."""
    edges = [Edge(cursor=encode_cursor(key(row)), node=row) for row in rows[:first]]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None),
    )


def page_in(rows: list[Any], first: int, after: str | None) -> Connection[Any]:
    """A page of ``rows`` already loaded in order (a short history loaded whole per parent): the
    ``first`` after the row ``after`` points at."""
    check_page_size(first)
    start = 0
    if after is not None:
        ids = [str(row.id) for row in rows]
        cursor = decode_cursor(after)
        if cursor not in ids:
            raise bad_input("invalid cursor")
        start = ids.index(cursor) + 1
    return page_of(rows[start : start + first + 1], first)


async def paginate(queryset: QuerySet[Any], first: int, after: str | None) -> Connection[Any]:
    """One SQL statement per page."""
    check_page_size(first)
    if after is not None:
        queryset = queryset.filter(id__gt=decode_cursor(after))
    return page_of(await queryset.order_by("id").limit(first + 1), first)
