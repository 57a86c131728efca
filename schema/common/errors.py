"""Coded errors in GraphQL: the one place a domain error (resolvers/common/errors.py) becomes a
GraphQL error outside execution, and what the client may see of the others."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from resolvers.common.errors import CodedError


def graphql_error(error: CodedError) -> GraphQLError:
    """``error`` for a result built before execution (a refusal by an extension)."""
    return GraphQLError(error.message, original_error=error, extensions=error.extensions)


def coded(error: GraphQLError) -> CodedError | None:
    """The coded error ``error`` carries, if any (GraphQL-core may wrap it more than once: a
    scalar's refusal inside a variable's)."""
    original = error.original_error
    while isinstance(original, GraphQLError):
        original = original.original_error
    return original if isinstance(original, CodedError) else None


MASKED_MESSAGE = "Unexpected error."  # Strawberry's MaskErrors' message


def should_mask_error(error: GraphQLError) -> bool:
    """Keep our coded errors and GraphQL's own validation errors, mask everything else."""
    if error.original_error is None:
        return False  # parse / validation errors: safe to show
    return coded(error) is None


def mask_errors(result: Any) -> None:
    """What Strawberry's MaskErrors does to a result, run by the subgraph's schema extension
    (subgraphs/pipeline.py): each error ``should_mask_error`` names becomes "Unexpected error."
    at the same place, without its original error."""
    errors: list[GraphQLError] | None = getattr(result, "errors", None)
    if errors:
        result.errors = [_masked(error) if should_mask_error(error) else error for error in errors]


def _masked(error: GraphQLError) -> GraphQLError:
    return GraphQLError(MASKED_MESSAGE, error.nodes, error.source, error.positions, error.path)
