"""Keyset pagination: pages of rows with their cursors, ``first``/``after``, at most 100 rows a page,
by id, or newest first (by creation time, then id) for the lists people read from the top: orders,
handlings, complaints, warnings, alerts. A ``Page`` has the shape of a Relay connection
(schema/common/connection.py), which reads it as it is."""

from __future__ import annotations

import base64
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from resolvers.common.errors import bad_input

MAX_PAGE_SIZE = 100

Row = TypeVar("Row")


@dataclass(frozen=True, slots=True)
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@dataclass(frozen=True, slots=True)
class Edge(Generic[Row]):
    cursor: str
    node: Row


@dataclass(frozen=True, slots=True)
class Page(Generic[Row]):
    edges: list[Edge[Row]]
    page_info: PageInfo


def page_of(rows: list[Any], first: int, key: Callable[[Any], str] = lambda row: str(row.id)) -> Page[Any]:
    """A connection from up to ``first + 1`` rows in ``key`` order (the extra row only says there is
    more); each row's cursor is its ``key`` (its id, unless the page is ordered by more)."""
    edges = [Edge(cursor=encode_cursor(key(row)), node=row) for row in rows[:first]]
    return Page(
        edges=edges,
        page_info=PageInfo(has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None),
    )


def page_in(rows: list[Any], first: int, after: str | None) -> Page[Any]:
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


async def paginate(
    queryset: QuerySet[Any],
    first: int,
    after: str | None,
    fetch: Callable[[QuerySet[Any]], Awaitable[list[Any]]] | None = None,
    *,
    newest_first: bool = False,
) -> Page[Any]:
    """One SQL statement per page; ``fetch`` runs it (default: Tortoise models; a hot list passes
    ``resolvers.common.loading.records`` for plain records). ``newest_first``: by ``created_at``
    then ``id``, both descending, the cursor holding both."""
    check_page_size(first)
    if newest_first:
        if after is not None:
            at, last = _newest_first_cursor(after)
            queryset = queryset.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=last))
        queryset = queryset.order_by("-created_at", "-id").limit(first + 1)
        rows = await (queryset if fetch is None else fetch(queryset))
        return page_of(rows, first, key=lambda row: f"{row.created_at.isoformat()}|{row.id}")
    if after is not None:
        queryset = queryset.filter(id__gt=decode_cursor(after))
    queryset = queryset.order_by("id").limit(first + 1)
    return page_of(await (queryset if fetch is None else fetch(queryset)), first)


def _newest_first_cursor(cursor: str) -> tuple[datetime, str]:
    """The (creation time, id) a newest-first cursor holds; anything else is BAD_USER_INPUT."""
    at, _, last = decode_cursor(cursor).partition("|")
    try:
        when = datetime.fromisoformat(at)
        return when, str(UUID(last))
    except ValueError as exc:
        raise bad_input("invalid cursor") from exc


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


# What a cursor may hold once decoded: an id (a UUID), or several keys joined by "|" (a page
# ordered by more than its id: "rating|id", "time|subgraph|seq"), all printable ASCII.
_CURSOR_KEY = re.compile(r"[0-9A-Za-z.:+\-_ |]{1,200}")
_CURSOR = re.compile(r"[0-9A-Za-z_\-]+={0,2}")


def decode_cursor(cursor: str) -> str:
    """The key an ``encode_cursor`` cursor holds; anything else is BAD_USER_INPUT, never a
    string that reaches the database (a NUL byte, or a non-UUID compared with a UUID column,
    fails there as an internal error)."""
    if not _CURSOR.fullmatch(cursor) or len(cursor) > 300:
        raise bad_input("invalid cursor")
    try:
        key = base64.urlsafe_b64decode(cursor.encode()).decode("ascii")
    except ValueError as exc:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise bad_input("invalid cursor") from exc
    if not _CURSOR_KEY.fullmatch(key):
        raise bad_input("invalid cursor")
    if "|" not in key:
        try:
            return str(UUID(key))
        except ValueError as exc:
            raise bad_input("invalid cursor") from exc
    return key


def check_page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise bad_input(f"first must be between 1 and {MAX_PAGE_SIZE}")
    return first
