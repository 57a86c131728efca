"""Refuse anonymous operations before any resolver runs.

The one gate every entry point passes (root fields, ``_entities``, mutations,
subscriptions). It also checks, once per operation, that the token's session is not
revoked (logout, refresh-token reuse; in process, security/sessions.py), and before a mutation
that the gateway's signature of the request was not used at another replica before (a captured
mutation replayed elsewhere would repeat its effect; the signature's check in
security/gateway_trust.py already refused a replay to this process). Only the federation SDL
(``_service``, read by the composer), introspection, ``login`` / ``refreshToken`` and the signup
pair (operations) and a portal's published content (marketing's ``PUBLIC_CONTENT_FIELDS``) are open.
"""

from __future__ import annotations

from graphql import FieldNode, OperationDefinitionNode
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from resolvers.common.errors import CodedError, forbidden
from security.gateway_trust import REPLAYED

ANONYMOUS_FIELDS = frozenset({"_service", "__typename", "__schema", "__type", "login", "refreshToken"})
# 注册 (operations, resolvers/operations/signup.py and onboarding.py): a signup code, then the
# application it proves; each rate limited, neither tells whether a phone or name is known.
SIGNUP_FIELDS = frozenset({"requestSignupCode", "registerApplicant"})
ANONYMOUS_FIELDS |= SIGNUP_FIELDS
# A portal's published content (marketing, issue 17: 内容管理 / 产品推荐位), read by its visitors
# without logging in; each answers only what is published (resolvers/marketing/content.py).
PUBLIC_CONTENT_FIELDS = frozenset(
    {"contentCategories", "publishedArticles", "article", "searchArticles", "recommendationSlot"}
)
ANONYMOUS_FIELDS |= PUBLIC_CONTENT_FIELDS


async def authentication_refusal(ctx: ExecutionContext) -> CodedError | None:
    """Why the operation may not run (FORBIDDEN for a replayed mutation, UNAUTHENTICATED), or None.
    Run before execution by the subgraph's schema extension (subgraphs/pipeline.py)."""
    if ctx.operation_type is OperationType.MUTATION and not await ctx.context.first_use_everywhere():
        return forbidden(REPLAYED)
    await ctx.context.check_revocation()
    if ctx.context.principal is None and not _only_anonymous_fields(ctx.graphql_document, ctx.operation_name):
        return ctx.context.not_signed_in()
    return None


def _only_anonymous_fields(document: object, operation_name: str | None) -> bool:
    for definition in getattr(document, "definitions", ()):
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None or definition.name.value != operation_name):
            continue
        return all(
            isinstance(sel, FieldNode) and sel.name.value in ANONYMOUS_FIELDS
            for sel in definition.selection_set.selections
        )
    return True  # no operation: validation reports it
