"""Every root mutation of the operations subgraph: parse, call resolvers/operations, return.

``login`` and ``refreshToken`` are open to anonymous callers (schema/common/authentication.py);
the others carry ``@authenticated`` so the gateway refuses them before a subgraph is asked.
"""

from __future__ import annotations

from typing import Annotated, cast

import strawberry

from models.operations import AlertActionKind
from resolvers.common.values import parse_id
from resolvers.operations import alert_policies, alerts, auth
from schema.common.rate_limiting import client_ip
from schema.operations.context import Info
from schema.operations.inputs import AlertRouteInput, AlertSilenceInput, RaiseAlertInput
from schema.operations.types.alerts import Alert, AlertRoute, AlertSilence
from schema.operations.types.orgs import AuthPayload

NEW_PASSWORD = (
    "a new password to set while logging in; required when login answers "
    "PASSWORD_CHANGE_REQUIRED (demo users outside dev mode)"
)


def _services(info: Info) -> auth.SessionServices:
    context = info.context
    return auth.SessionServices(context.sessions, context.token_keys, context.realtime.guard)


def _payload(tokens: auth.Tokens) -> AuthPayload:
    return cast(AuthPayload, tokens)  # AuthPayload reads the fields of Tokens


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(description="发出告警", authenticated=True)
    async def raise_alert(self, info: Info, input: RaiseAlertInput) -> Alert:
        alert = await alerts.raise_alert(
            info.context.require_principal(),
            parse_id(input.org_id, "orgId"),
            input.level,
            input.title,
            detail=input.detail,
            device_id=parse_id(input.device_id, "deviceId") if input.device_id else None,
            source=input.source,
            idempotency_key=input.idempotency_key,
            dedup_key=input.dedup_key,
        )
        info.context.loaders.org.prime(alert.org_id, alert.org)  # read in scope above: no second read
        return cast(Alert, alert)

    @strawberry.mutation(description="登录: username and password → access and refresh tokens")
    async def login(
        self,
        info: Info,
        username: str,
        password: str,
        new_password: Annotated[str | None, strawberry.argument(description=NEW_PASSWORD)] = None,
    ) -> AuthPayload:
        address = client_ip(info.context.request)
        return _payload(await auth.login(_services(info), username, password, address, new_password))

    @strawberry.mutation(description="换取新令牌: a refresh token (good once) → new tokens, same session")
    async def refresh_token(self, info: Info, token: str) -> AuthPayload:
        return _payload(await auth.refresh(_services(info), token))

    @strawberry.federation.mutation(
        description="退出登录: revokes this session's access and refresh tokens", authenticated=True
    )
    async def logout(self, info: Info) -> bool:
        await auth.logout(_services(info), info.context.require_principal())
        return True

    @strawberry.federation.mutation(
        description="切换角色: new tokens acting in another role the user holds; the old ones are revoked",
        authenticated=True,
    )
    async def switch_role(self, info: Info, role: str) -> AuthPayload:
        return _payload(await auth.switch_role(_services(info), info.context.require_principal(), role))

    @strawberry.federation.mutation(
        description="修改密码: needs the current password; every earlier token of the user is revoked",
        authenticated=True,
    )
    async def change_password(self, info: Info, old_password: str, new_password: str) -> AuthPayload:
        principal = info.context.require_principal()
        address = client_ip(info.context.request)
        tokens = await auth.change_password(_services(info), principal, address, old_password, new_password)
        return _payload(tokens)

    # -- alert lifecycle, routing and silences (issue 15) -------------------------------------------

    @strawberry.federation.mutation(
        description="确认告警: OPEN → ACKNOWLEDGED; acknowledging again what you acknowledged returns it",
        authenticated=True,
    )
    async def acknowledge_alert(self, info: Info, id: strawberry.ID, note: str = "") -> Alert:
        return await _act(info, id, AlertActionKind.ACKNOWLEDGED, note)

    @strawberry.federation.mutation(
        description="解决告警: OPEN or ACKNOWLEDGED → RESOLVED; resolving again what you resolved returns it",
        authenticated=True,
    )
    async def resolve_alert(self, info: Info, id: strawberry.ID, note: str = "") -> Alert:
        return await _act(info, id, AlertActionKind.RESOLVED, note)

    @strawberry.federation.mutation(description="重开告警: RESOLVED → OPEN", authenticated=True)
    async def reopen_alert(self, info: Info, id: strawberry.ID, note: str = "") -> Alert:
        return await _act(info, id, AlertActionKind.REOPENED, note)

    @strawberry.federation.mutation(
        description="新增告警路由规则 (head-office, province and platform admins, for their subtree)",
        authenticated=True,
    )
    async def create_alert_route(self, info: Info, input: AlertRouteInput) -> AlertRoute:
        route = await alert_policies.create_alert_route(
            info.context.require_principal(),
            parse_id(input.org_id, "orgId"),
            input.roles,
            input.source,
            input.min_level,
        )
        return cast(AlertRoute, route)

    @strawberry.federation.mutation(description="删除告警路由规则: returns its id", authenticated=True)
    async def delete_alert_route(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        deleted = await alert_policies.delete_alert_route(info.context.require_principal(), parse_id(id))
        return strawberry.ID(str(deleted))

    @strawberry.federation.mutation(description="新增维护窗口 (告警静默)", authenticated=True)
    async def create_alert_silence(self, info: Info, input: AlertSilenceInput) -> AlertSilence:
        silence = await alert_policies.create_alert_silence(
            info.context.require_principal(),
            parse_id(input.org_id, "orgId"),
            input.starts_at,
            input.ends_at,
            input.reason,
            source=input.source,
            device_id=parse_id(input.device_id, "deviceId") if input.device_id else None,
        )
        return cast(AlertSilence, silence)

    @strawberry.federation.mutation(description="结束维护窗口 now", authenticated=True)
    async def end_alert_silence(self, info: Info, id: strawberry.ID) -> AlertSilence:
        silence = await alert_policies.end_alert_silence(info.context.require_principal(), parse_id(id))
        return cast(AlertSilence, silence)


async def _act(info: Info, id: strawberry.ID, action: AlertActionKind, note: str) -> Alert:
    return cast(
        Alert, await alerts.act_on_alert(info.context.require_principal(), parse_id(id), action, note)
    )
