"""Coded errors in GraphQL: the one place a domain error (resolvers/common/errors.py) becomes a
GraphQL error outside execution, and what the client may see of the others."""

from __future__ import annotations

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


def should_mask_error(error: GraphQLError) -> bool:
    """For Strawberry's MaskErrors: keep our coded errors and GraphQL's own
    validation errors, mask everything else (its default masks all)."""
    if error.original_error is None:
        return False  # parse / validation errors: safe to show
    return coded(error) is None
