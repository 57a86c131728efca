"""机构 (the org tree) and its users. One org or user by id, and the caller itself, come through
the loaders (dataloaders.py), scoped like the list."""

from __future__ import annotations

from models.operations import Org, OrgKind
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.operations.scopes import org_scope
from security.principal import Principal


async def list_orgs(
    principal: Principal, first: int, after: str | None, kind: OrgKind | None = None
) -> Page[Org]:
    """The orgs the caller sees (own tenant's tree, own ancestors, the public orgs), optionally of
    one kind, by id."""
    queryset = scoped(principal, Org, org_scope)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return await paginate(queryset, first, after)
