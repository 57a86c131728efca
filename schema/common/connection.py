"""Relay connections: ``first``/``after`` paging, at most 100 items a page."""

from __future__ import annotations

import base64
import re
from typing import Generic, TypeVar
from uuid import UUID

import strawberry

from schema.common.errors import bad_input

MAX_PAGE_SIZE = 100

Node = TypeVar("Node")


@strawberry.federation.type(shareable=True)  # every subgraph defines it
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo

    @strawberry.field(description="The nodes of this page, without edges.")
    def nodes(self) -> list[Node]:
        return [edge.node for edge in self.edges]


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
