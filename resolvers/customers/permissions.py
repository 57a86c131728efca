"""Who may act on the customers side: the role sets of each feature, and who acts on a customer
as its manager (管户: primary, assisting, custodian). The row scope (scopes.py ``customer_scope``)
says who sees a customer; these say, among those, who may act for it (consents, tier requests,
marketing filter) and who gets its sensitive fields in full."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from models.customers import Customer
from resolvers.common.errors import forbidden
from resolvers.customers.scopes import managed_by
from security.principal import Principal
from security.roles import Role

# 接触 (contacts.py)
CONTACT_RECORDERS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD)
# 提醒 (reminders.py)
MOVEMENT_FEEDERS = (Role.HQ_ADMIN, Role.PLATFORM_ADMIN)  # the member bank's integration account
SCHEDULERS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN)
POLICY_SETTERS = (Role.HQ_ADMIN,)
# 客户关系管理 (ownership.py)
MOVERS = (Role.HQ_ADMIN, Role.BRANCH_HEAD)
CUSTODY_KEEPERS = (*MOVERS, Role.CUSTOMER_MANAGER)  # a manager: only their own primary customers
# 客户分层 (tiering.py)
SCHEME_AUTHORS = (Role.HQ_ADMIN,)  # draft and submit schemes
TIER_REQUESTERS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD)  # ask for a tier change
# 客群, 网格 (groups.py, grids.py)
GROUP_EDITORS = (Role.HQ_ADMIN, Role.BRANCH_HEAD)
GRID_MAPPERS = (Role.HQ_ADMIN,)
GRID_ASSIGNERS = (Role.HQ_ADMIN, Role.BRANCH_HEAD)
# 营销过滤, 授权 (consents.py)
CONSENT_RECORDERS = (Role.CUSTOMER_MANAGER, Role.HQ_ADMIN)
MARKETING_FILTER_EDITORS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN)
# Who reads what a consent opens (征信报告): the customer's own managers (管户 — not a manager who
# only found them by whole-bank search), their branch head and head office.
CONSENT_USERS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN, Role.HQ_REVIEWER)

# Whether the caller manages a customer: the GraphQL layer answers it through a loader (one
# statement for a page), a domain function with ``manages`` below (one statement).
ManagesCheck = Callable[[Customer], Awaitable[bool]]


def require_role(principal: Principal, roles: tuple[Role, ...], message: str) -> None:
    """FORBIDDEN with ``message`` unless the caller acts in one of ``roles``."""
    if not principal.has_role(*roles):
        raise forbidden(message)


async def manages(principal: Principal, customer: Customer) -> bool:
    """The caller manages the customer (管户): primary, assisting or custodian."""
    if customer.primary_manager_id == principal.user_id:
        return True  # the common case needs no query
    return await Customer.filter(managed_by(principal.user_id).q(), id=customer.id).exists()


async def acts_for(
    principal: Principal, customer: Customer, roles: tuple[Role, ...], check: ManagesCheck | None = None
) -> bool:
    """The caller acts in one of ``roles`` on a customer in their scope; a customer manager only
    for a customer they manage (``check``: how to tell; by default one query)."""
    if not principal.has_role(*roles):
        return False
    if not principal.has_role(Role.CUSTOMER_MANAGER):
        return True
    return await (check(customer) if check is not None else manages(principal, customer))
