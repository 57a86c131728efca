"""Relay connections: ``first``/``after`` paging, at most 100 items a page."""

from __future__ import annotations

import base64
from typing import Generic, TypeVar

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


def decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_input("invalid cursor") from exc


def check_page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise bad_input(f"first must be between 1 and {MAX_PAGE_SIZE}")
    return first
