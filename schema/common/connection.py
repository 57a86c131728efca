"""Relay connections: ``first``/``after`` paging, at most 100 items a page. A domain function returns a
``Page`` (resolvers/common/pagination.py), which these types read as it is."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

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
