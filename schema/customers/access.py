"""Who acts on a customer as its manager (管户: primary, assisting, custodian). The row scope
(security/scopes.py ``customer_scope``) says who sees a customer; these say, among those, who
gets its sensitive fields in full and who may act for it (consents, tier requests)."""

from __future__ import annotations

from typing import Any

import strawberry

from security.roles import Role


async def manages(customer: Any, info: strawberry.Info) -> bool:
    """The caller manages the customer (one query for a page, none for its primary manager)."""
    if customer.primary_manager_id == info.context.require_principal().user_id:
        return True  # the common case needs no query
    return await info.context.loaders.managed_by_me.load(customer.id)  # type: ignore[no-any-return]


async def acts_for(info: strawberry.Info, customer: Any, roles: tuple[Role, ...]) -> bool:
    """The caller acts in one of ``roles`` on a customer in their scope; a customer manager only
    for a customer they manage."""
    principal = info.context.require_principal()
    if not principal.has_role(*roles):
        return False
    return not principal.has_role(Role.CUSTOMER_MANAGER) or await manages(customer, info)
