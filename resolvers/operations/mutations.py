"""Operations mutations."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID

import strawberry
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.operations import Alert as AlertModel
from models.operations import AlertLevel
from realtime.broker import ALERTS
from resolvers.common import audit
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.events import publish
from resolvers.common.values import parse_id
from resolvers.operations.device_directory import device_at
from resolvers.operations.scopes import alert_scope
from schema.operations.types import Alert, AlertLevelEnum


@strawberry.input
class RaiseAlertInput:
    org_id: strawberry.ID
    level: AlertLevelEnum
    title: str
    detail: str = ""
    device_id: strawberry.ID | None = None
    source: str = "manual"
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="幂等键: a key the client makes once per alert (e.g. a UUID) and sends again when it "
        "retries; the same caller with the same key gets the first alert back and nothing is raised twice",
    )


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
        key = _idempotency_key(input.idempotency_key)
        async with in_transaction("operations"):
            first = await _raised_before(principal.user_id, key)
            if first is None:
                try:
                    async with in_transaction("operations"):  # a savepoint: a concurrent twin may win
                        alert = await AlertModel.create(
                            org=org,
                            org_path=org.path,
                            level=AlertLevel(input.level),
                            title=input.title,
                            detail=input.detail,
                            source=input.source,
                            device_id=device_id,
                            raised_by=principal.user_id,
                            idempotency_key=key,
                        )
                except IntegrityError:  # the twin committed first: its alert is the answer
                    first = await _raised_before(principal.user_id, key)
                    if first is None:  # no twin: another constraint refused it
                        raise
            if first is not None:
                asked = (org.id, AlertLevel(input.level), input.title, input.detail, input.source, device_id)
                given = (first.org_id, first.level, first.title, first.detail, first.source, first.device_id)
                if given != asked:
                    raise conflict("幂等键已用于另一条告警 (idempotencyKey already used for another alert)")
                await audit.record(target=audit.Target("Alert", first.id), detail={"repeated": True})
                return first
            await audit.record(target=audit.Target("Alert", alert.id))
            await publish(ALERTS, "alert.raised", alert, tenant_id=org.tenant_id, org_path=org.path)
        return alert


def _idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    if not 1 <= len(value) <= 64:
        raise bad_input("idempotencyKey must be 1 to 64 characters")
    return value


async def _raised_before(user_id: UUID, key: str | None) -> AlertModel | None:
    """The caller's alert raised earlier with this idempotency key (always None without a key)."""
    if key is None:
        return None
    return await AlertModel.get_or_none(raised_by=user_id, idempotency_key=key)
