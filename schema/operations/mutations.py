"""Every root mutation of the operations subgraph: parse, call resolvers/operations, return.

``login`` and ``refreshToken`` are open to anonymous callers (schema/common/authentication.py);
the others carry ``@authenticated`` so the gateway refuses them before a subgraph is asked.
"""

from __future__ import annotations

from typing import Annotated, cast

import strawberry

from resolvers.common.errors import bad_input
from resolvers.common.values import parse_id
from resolvers.operations import alerts, auth, backups, changes
from schema.common.rate_limiting import client_ip
from schema.operations.context import Info
from schema.operations.inputs import (
    AdvanceChangeRequestInput,
    CreateBackupJobInput,
    CreateChangeRequestInput,
    RaiseAlertInput,
    ReportBackupRunInput,
)
from schema.operations.types.alerts import Alert
from schema.operations.types.backups import BackupJob, BackupRun
from schema.operations.types.changes import ChangeRequest
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


# -- issue 15: changes and backups (变更 / 备份) -------------------------------------------------------


def _size(value: float | None) -> int | None:
    if value is None:
        return None
    if value != int(value) or not 0 <= value < 2**63:
        raise bad_input("sizeBytes must be a whole number of bytes")
    return int(value)


@strawberry.type
class ChangesAndBackupsMutation:
    @strawberry.federation.mutation(description="登记变更申请 (a DRAFT change request)", authenticated=True)
    async def create_change_request(self, info: Info, input: CreateChangeRequestInput) -> ChangeRequest:
        draft = changes.ChangeDraft(
            org_id=parse_id(input.org_id, "orgId"),
            kind=input.kind,
            title=input.title,
            planned_start=input.planned_start,
            planned_end=input.planned_end,
            risk=input.risk,
            rollback_plan=input.rollback_plan,
            description=input.description,
            system=input.system,
            device_id=parse_id(input.device_id, "deviceId") if input.device_id else None,
        )
        row = await changes.create_change(info.context.require_principal(), draft, input.idempotency_key)
        return cast(ChangeRequest, row)

    @strawberry.federation.mutation(
        description="变更流转: submit, approve / reject (a manager, not the requester), start (inside "
        "the approved window), complete, fail, roll back",
        authenticated=True,
    )
    async def advance_change_request(self, info: Info, input: AdvanceChangeRequestInput) -> ChangeRequest:
        principal = info.context.require_principal()
        row = await changes.advance_change(principal, parse_id(input.id), input.action, input.note)
        return cast(ChangeRequest, row)

    @strawberry.federation.mutation(description="新建备份作业", authenticated=True)
    async def create_backup_job(self, info: Info, input: CreateBackupJobInput) -> BackupJob:
        given = input.schedule
        draft = backups.JobDraft(
            org_id=parse_id(input.org_id, "orgId"),
            name=input.name,
            system=input.system,
            schedule=backups.Schedule(given.frequency, given.at, given.weekday, given.day_of_month),
            expected_minutes=input.expected_minutes,
            grace_minutes=input.grace_minutes,
            retention_days=input.retention_days,
            device_id=parse_id(input.device_id, "deviceId") if input.device_id else None,
        )
        return cast(BackupJob, await backups.create_backup_job(info.context.require_principal(), draft))

    @strawberry.federation.mutation(description="暂停或恢复备份作业", authenticated=True)
    async def set_backup_job_active(self, info: Info, id: strawberry.ID, active: bool) -> BackupJob:
        job = await backups.set_backup_job_active(info.context.require_principal(), parse_id(id), active)
        return cast(BackupJob, job)

    @strawberry.federation.mutation(
        description="上报备份结果 (数据备份记录); a failed run or check raises an alert", authenticated=True
    )
    async def report_backup_run(self, info: Info, input: ReportBackupRunInput) -> BackupRun:
        report = backups.RunReport(
            job_id=parse_id(input.job_id, "jobId"),
            started_at=input.started_at,
            finished_at=input.finished_at,
            status=input.status,
            idempotency_key=input.idempotency_key,
            size_bytes=_size(input.size_bytes),
            check_result=input.check_result,
            check_note=input.check_note,
        )
        return cast(BackupRun, await backups.report_backup_run(info.context.require_principal(), report))


@strawberry.type
class Mutation(ChangesAndBackupsMutation):
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
