"""故障事件 types: the incident with its SLA clocks and history, and the service policies.

Each reads its row (models/operations) as its parent; relations resolve through
``info.context.loaders`` (resolvers/operations/dataloaders.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

import strawberry

from models.operations import Incident as IncidentRow
from models.operations import IncidentStep as IncidentStepRow
from models.operations import ServicePolicy as ServicePolicyRow
from resolvers.common.clock import now
from resolvers.common.values import parse_id
from resolvers.operations import sla
from schema.common.federation import entity
from schema.operations.context import Info
from schema.operations.enums import (
    IncidentAction,
    IncidentLevel,
    IncidentSource,
    IncidentStatus,
    ServiceCalendar,
    SlaKind,
    SupportTier,
)
from schema.operations.types.alerts import Alert
from schema.operations.types.orgs import Org, User


@strawberry.type(description="SLA 时钟: one target of an incident")
class SlaClock:
    """Reads resolvers/operations/sla.py ``SlaClock``."""

    kind: SlaKind
    due_at: datetime
    done_at: datetime | None = strawberry.field(description="null: still running")
    breached: bool = strawberry.field(description="missed (or, running, already past due)")
    paused: bool = strawberry.field(description="stands still: pending the reporter's confirmation")
    remaining_seconds: int | None = strawberry.field(
        description="left at the time of the request; negative: overdue"
    )


@strawberry.type(description="事件处理记录: one step of an incident's history")
class IncidentStep:
    action: IncidentAction
    from_status: IncidentStatus | None
    to_status: IncidentStatus
    tier: SupportTier | None = strawberry.field(description="the tier of who confirmed, or escalated to")
    at: datetime
    note: str

    @strawberry.field(description="who: null for the platform (escalations, SLA breaches)")
    @staticmethod
    async def actor(parent: strawberry.Parent[IncidentStepRow], info: Info) -> User | None:
        if parent.actor_id is None:
            return None
        return cast("User | None", await info.context.loaders.user.load(parent.actor_id))

    @strawberry.field(description="users notified of an escalation (those the caller sees)")
    @staticmethod
    async def notified(parent: strawberry.Parent[IncidentStepRow], info: Info) -> list[User]:
        ids = [parse_id(str(i)) for i in cast(list[object], parent.detail.get("notified", []))]
        users = await info.context.loaders.user.load_many(ids)
        return [cast(User, u) for u in users if u is not None]


@strawberry.federation.type(keys=["id"], description="故障事件")
class Incident:
    id: strawberry.ID
    code: str = strawberry.field(description="事件单号")
    title: str
    description: str
    category: str
    level: IncidentLevel
    status: IncidentStatus
    source: IncidentSource
    caller: str = strawberry.field(description="报修人 of a phone entry (服务热线)")
    calendar: ServiceCalendar = strawberry.field(
        description="the calendar of the report: whose targets apply"
    )
    reported_at: datetime
    confirmed_at: datetime | None
    on_site_at: datetime | None
    resolved_at: datetime | None = strawberry.field(description="last handed to the reporter as fixed")
    closed_at: datetime | None
    analysed_at: datetime | None
    paused_seconds: int = strawberry.field(description="time pending the reporter, not counted")
    confirmed_tier: SupportTier | None = strawberry.field(description="the highest tier that confirmed it")
    escalated_tier: SupportTier | None = strawberry.field(description="the highest tier it was escalated to")
    escalations: int
    satisfaction: int | None = strawberry.field(description="满意度 1–5, given at close")
    satisfaction_comment: str
    analysis: str = strawberry.field(description="事件分析")

    @strawberry.field(description="响应 / 到场 / 排除: the clocks at the time of the request")
    @staticmethod
    def sla(parent: strawberry.Parent[IncidentRow]) -> list[SlaClock]:
        return cast(list[SlaClock], list(sla.clocks(parent, now())))

    @strawberry.field
    @staticmethod
    async def org(parent: strawberry.Parent[IncidentRow], info: Info) -> Org:
        return cast(Org, await info.context.loaders.org.load(parent.org_id))

    @strawberry.field(description="null: raised by the platform, or a user the caller does not see")
    @staticmethod
    async def reporter(parent: strawberry.Parent[IncidentRow], info: Info) -> User | None:
        if parent.reporter_id is None:
            return None
        return cast("User | None", await info.context.loaders.user.load(parent.reporter_id))

    @strawberry.field(description="处理人")
    @staticmethod
    async def assignee(parent: strawberry.Parent[IncidentRow], info: Info) -> User | None:
        if parent.assignee_id is None:
            return None
        return cast("User | None", await info.context.loaders.user.load(parent.assignee_id))

    @strawberry.field(description="the alert it was escalated from")
    @staticmethod
    async def alert(parent: strawberry.Parent[IncidentRow], info: Info) -> Alert | None:
        if parent.alert_id is None:
            return None
        return cast("Alert | None", await info.context.loaders.alert.load(parent.alert_id))

    @strawberry.field(description="the service policy that times it")
    @staticmethod
    async def policy(parent: strawberry.Parent[IncidentRow], info: Info) -> ServicePolicy:
        return cast(ServicePolicy, await info.context.loaders.service_policy.load(parent.policy_id))

    @strawberry.field(description="every step, oldest first")
    @staticmethod
    async def history(parent: strawberry.Parent[IncidentRow], info: Info) -> list[IncidentStep]:
        return cast(list[IncidentStep], await info.context.loaders.incident_steps.load(parent.id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Incident:
        return entity(cls, await info.context.loaders.incident.load(parse_id(id)))


@strawberry.type(description="服务目标: minutes to respond, be on site and fix, for one level and calendar")
class ServiceTarget:
    level: IncidentLevel
    calendar: ServiceCalendar
    respond_minutes: int
    on_site_minutes: int
    resolve_minutes: int


@strawberry.type(description="确认时限: by afterMinutes, someone of tier must have confirmed")
class EscalationCell:
    level: IncidentLevel
    after_minutes: int
    tier: SupportTier


@strawberry.type(description="服务级别策略")
class ServicePolicy:
    id: strawberry.ID
    code: str
    name: str
    is_default: bool = strawberry.field(description="times the orgs no policy names")
    work_start_minute: int = strawberry.field(description="working hours start, minutes after midnight CST")
    work_end_minute: int
    stagnation_minutes: int = strawberry.field(
        description="升级时间: escalate after this long without movement"
    )

    @strawberry.field(description="the org subtree it times")
    @staticmethod
    async def org(parent: strawberry.Parent[ServicePolicyRow], info: Info) -> Org | None:
        if parent.org_id is None:
            return None
        return cast("Org | None", await info.context.loaders.org.load(parent.org_id))

    @strawberry.field
    @staticmethod
    async def targets(parent: strawberry.Parent[ServicePolicyRow], info: Info) -> list[ServiceTarget]:
        return cast(list[ServiceTarget], await info.context.loaders.service_targets.load(parent.id))

    @strawberry.field(description="确认时间 matrix")
    @staticmethod
    async def escalation_matrix(
        parent: strawberry.Parent[ServicePolicyRow], info: Info
    ) -> list[EscalationCell]:
        return cast(list[EscalationCell], await info.context.loaders.escalation_matrix.load(parent.id))


@strawberry.type(
    description="故障事件统计: one month (CST) and level; formulas in resolvers/operations/statistics.py"
)
class IncidentStatistic:
    month: date = strawberry.field(description="the first day of the month")
    level: IncidentLevel
    reported: int
    closed: int
    mtta_seconds: float | None = strawberry.field(description="MTTA: mean report → confirmation")
    mttr_seconds: float | None = strawberry.field(description="MTTR: mean report → fixed, pauses excluded")
    sla_compliance: float | None = strawberry.field(description="share of the closed that missed no target")
    escalations: int
    satisfaction: float | None = strawberry.field(description="mean 满意度 of the closed")


# 监控大屏 (the monitoring wall)


@strawberry.type(description="未关闭故障事件 of one level (一级 … 四级)")
class IncidentLevelCount:
    level: IncidentLevel
    count: int = strawberry.field(description="incidents in scope not yet closed or analysed")
