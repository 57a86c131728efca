"""Operations mutations."""

from __future__ import annotations

from types import SimpleNamespace

import strawberry
from tortoise.transactions import in_transaction

from models.operations import Alert as AlertModel
from models.operations import AlertLevel
from realtime.broker import ALERTS
from resolvers.common import audit
from resolvers.common.events import publish
from resolvers.operations.device_directory import device_at
from schema.common.errors import forbidden, not_found
from schema.common.scalars import parse_id
from schema.operations.types import Alert, AlertLevelEnum
from security.scopes import alert_scope


@strawberry.input
class RaiseAlertInput:
    org_id: strawberry.ID
    level: AlertLevelEnum
    title: str
    detail: str = ""
    device_id: strawberry.ID | None = None
    source: str = "manual"


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(description="发出告警", authenticated=True)
    async def raise_alert(self, info: strawberry.Info, input: RaiseAlertInput) -> Alert:
        principal = info.context.require_principal()
        org_id = parse_id(input.org_id, "orgId")
        device_id = parse_id(input.device_id, "deviceId") if input.device_id else None
        org = await info.context.loaders.org.load(org_id)
        if org is None:
            raise not_found("org")
        if not alert_scope(principal).test(SimpleNamespace(org_path=org.path)):
            raise forbidden("不能为该机构发出告警 (outside your scope)")
        if device_id is not None and not await device_at(principal, device_id, org.path):
            raise not_found("device (at that org)")  # another hall's, out of scope, or none: alike
        async with in_transaction("operations"):
            alert = await AlertModel.create(
                org=org,
                org_path=org.path,
                level=AlertLevel(input.level),
                title=input.title,
                detail=input.detail,
                source=input.source,
                device_id=device_id,
            )
            await audit.record(info, target=audit.Target("Alert", alert.id))
            await publish(info, ALERTS, "alert.raised", alert, tenant_id=org.tenant_id, org_path=org.path)
        return alert
