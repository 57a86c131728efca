"""Operations root queries."""

from __future__ import annotations

import strawberry

from models.operations import Alert as AlertModel
from models.operations import AlertStatus, OrgKind
from models.operations import Org as OrgModel
from resolvers.common.loading import scoped
from resolvers.common.pagination import paginate
from resolvers.common.values import parse_id
from resolvers.operations.audit import audit_records
from resolvers.operations.scopes import alert_scope, org_scope
from schema.common.connection import Connection
from schema.operations.audit import AuditRecord
from schema.operations.types import Alert, AlertStatusEnum, Org, OrgKindEnum, User


@strawberry.type
class Query:
    @strawberry.field(description="当前用户")
    async def me(self, info: strawberry.Info) -> User | None:
        return await info.context.loaders.user.load(info.context.require_principal().user_id)

    @strawberry.field
    async def org(self, info: strawberry.Info, id: strawberry.ID) -> Org | None:
        return await info.context.loaders.org.load(parse_id(id))

    @strawberry.field(description="机构列表")
    async def orgs(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        kind: OrgKindEnum | None = None,
    ) -> Connection[Org]:
        queryset = scoped(info.context.require_principal(), OrgModel, org_scope)
        if kind is not None:
            queryset = queryset.filter(kind=OrgKind(kind))
        return await paginate(queryset, first, after)

    @strawberry.field(description="告警列表")
    async def alerts(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        status: AlertStatusEnum | None = None,
    ) -> Connection[Alert]:
        queryset = scoped(info.context.require_principal(), AlertModel, alert_scope)
        if status is not None:
            queryset = queryset.filter(status=AlertStatus(status))
        return await paginate(queryset, first, after)

    audit_records: Connection[AuditRecord] = strawberry.federation.field(
        resolver=audit_records,
        description="审计日志查询: audit admins only (AUDIT_READ), newest first",
        requires_scopes=[["AUDIT_ADMIN"]],  # the gateway's check; the resolver applies security/duties.py
    )
