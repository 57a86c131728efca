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


# -- issue 15: changes and backups (变更 / 备份) -------------------------------------------------------
# By the org path of the unit they belong to, copied onto each row (steps and runs carry their
# change's / job's), as alerts: a hall manager sees their hall's, an HQ admin their tenant's.
change_scope = site_scope
backup_scope = site_scope
