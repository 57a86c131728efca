"""Row scopes of the operations subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from models.operations import OrgKind
from security.conditions import Cond, Eq, Everything, In, Prefix, any_of
from security.principal import Principal
from security.roles import Scope
from security.scopes import ancestors, role_scope, site_scope, tenant, tenant_path


def org_scope(p: Principal) -> Cond:
    """Own tenant's tree, own ancestors, and the public orgs (institutions, regulators)."""
    if role_scope(p) is Scope.ALL:
        return Everything()
    public = In("kind", (OrgKind.INSTITUTION, OrgKind.REGULATOR))
    return any_of(Prefix("path", tenant_path(p)), ancestors(p), public)


def user_scope(p: Principal) -> Cond:
    if role_scope(p) is Scope.ALL:
        return Everything()
    return any_of(Eq("id", p.user_id), tenant(p))


alert_scope = site_scope  # by the org path of the org the alert is about


# -- 巡检 (inspections) -------------------------------------------------------------------------------
# Plans, tasks, records, photos and sign-offs carry the org path of the plan's user unit: the
# unit's own staff and those over it (a branch, the bank, the province; the ops engineers of the
# grid company over its halls) see them, as they see the unit's alerts.
inspection_scope = site_scope
