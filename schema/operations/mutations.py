"""Every root mutation of the operations subgraph: parse, call resolvers/operations, return.

``login`` and ``refreshToken`` are open to anonymous callers (schema/common/authentication.py);
the others carry ``@authenticated`` so the gateway refuses them before a subgraph is asked.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.operations import alerts, auth, inspections
from schema.common.rate_limiting import client_ip
from schema.operations.context import Info
from schema.operations.inputs import (
    CreateInspectionPlanInput,
    InspectionTargetInput,
    PhotoUploadInput,
    RaiseAlertInput,
    RecordInspectionInput,
    UpdateInspectionPlanInput,
)
from schema.operations.types.alerts import Alert
from schema.operations.types.inspections import InspectionPlan, InspectionRecord, InspectionSignoff
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

    # -- 巡检 (inspections): resolvers/operations/inspections.py ------------------------------------

    @strawberry.federation.mutation(description="新建巡检计划", authenticated=True)
    async def create_inspection_plan(self, info: Info, input: CreateInspectionPlanInput) -> InspectionPlan:
        plan = await inspections.create_plan(
            info.context.require_principal(),
            parse_id(input.org_id, "orgId"),
            input.name,
            input.frequency,
            _targets(input.targets),
            input.checklist,
            input.start_date,
            assignee_id=parse_id(input.assignee_id, "assigneeId") if input.assignee_id else None,
        )
        return cast(InspectionPlan, plan)

    @strawberry.federation.mutation(description="修改或停用巡检计划", authenticated=True)
    async def update_inspection_plan(
        self, info: Info, id: strawberry.ID, input: UpdateInspectionPlanInput
    ) -> InspectionPlan:
        plan = await inspections.update_plan(
            info.context.require_principal(),
            parse_id(id, "planId"),
            name=input.name,
            targets=_targets(input.targets) if input.targets is not None else None,
            checklist=input.checklist,
            assignee_id=parse_id(input.assignee_id, "assigneeId") if input.assignee_id else None,
            clear_assignee=input.clear_assignee,
            active=input.active,
        )
        return cast(InspectionPlan, plan)

    @strawberry.federation.mutation(
        description="记录巡检: one target of a task; the last target's record completes it",
        authenticated=True,
    )
    async def record_inspection(self, info: Info, input: RecordInspectionInput) -> InspectionRecord:
        given = inspections.RecordInput(
            task_id=parse_id(input.task_id, "taskId"),
            target=_targets([input.target])[0],
            result=input.result,
            unit_name=input.unit_name,
            symptom=input.symptom,
            expected_resolution_at=input.expected_resolution_at,
            note=input.note,
            photos=_photos(input.photos),
        )
        principal = info.context.require_principal()
        record = await inspections.record_inspection(principal, info.context.rules, given)
        return cast(InspectionRecord, record)

    @strawberry.federation.mutation(description="补充巡检照片", authenticated=True)
    async def add_inspection_photos(
        self, info: Info, record_id: strawberry.ID, photos: list[PhotoUploadInput]
    ) -> InspectionRecord:
        principal = info.context.require_principal()
        record_uuid = parse_id(record_id, "recordId")
        record = await inspections.add_photos(principal, info.context.rules, record_uuid, _photos(photos))
        return cast(InspectionRecord, record)

    @strawberry.federation.mutation(
        description="签署月度巡检报告 (用户单位审批签署): once per unit and month; a repeat gets the first",
        authenticated=True,
    )
    async def sign_inspection_report(
        self, info: Info, org_id: strawberry.ID, month: date, note: str = ""
    ) -> InspectionSignoff:
        principal = info.context.require_principal()
        signoff = await inspections.sign_report(principal, parse_id(org_id, "orgId"), month, note)
        return cast(InspectionSignoff, signoff)


def _targets(given: list[InspectionTargetInput]) -> list[inspections.Target]:
    return [inspections.Target(t.kind, parse_id(t.id, "target id")) for t in given]


def _photos(given: list[PhotoUploadInput]) -> list[inspections.PhotoUpload]:
    return [inspections.PhotoUpload(p.file_name, p.content_base64) for p in given]
