"""供电营业厅 types: the hall's profile and zones, queue tickets, visitor counts, staff duty,
service-quality events and rules, and the live status (reads models/operations/halls.py rows and
resolvers/operations/halls.py ``HallFigures``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry

from models.operations import QueueTicket as QueueTicketRow
from models.operations import ServiceQualityEvent as ServiceQualityEventRow
from models.operations import ServiceQualityRule as ServiceQualityRuleRow
from resolvers.operations.halls import BusinessFigures, HallFigures
from resolvers.operations.queues import business_name
from schema.operations.context import Info
from schema.operations.enums import (
    AlertLevel,
    DutyStatus,
    HallType,
    QualityCategory,
    TicketStatus,
    ZoneKind,
)
from schema.operations.federation import Device
from schema.operations.types.alerts import Alert
from schema.operations.types.orgs import Org


@strawberry.type(description="营业厅档案")
class HallProfile:
    hall_type: HallType = strawberry.field(description="品牌厅 / 生态厅")
    address: str
    opening_hours: str = strawberry.field(description="营业时间")
    business_types: list[str] = strawberry.field(
        description="业务类型 codes offered: PAYMENT 电费缴纳, NEW_CONNECTION 业扩报装, CHANGE 用电变更, "
        "INVOICE 发票打印, CONSULTING 咨询"
    )


@strawberry.type(description="营业厅功能区")
class HallZone:
    id: strawberry.ID
    name: str
    kind: ZoneKind


async def _hall(parent: strawberry.Parent[Any], info: Info) -> Org:
    return cast(Org, await info.context.loaders.org.load(parent.hall_id))


async def _zone(parent: strawberry.Parent[Any], info: Info) -> HallZone | None:
    if parent.zone_id is None:
        return None
    return cast("HallZone | None", await info.context.loaders.hall_zone.load(parent.zone_id))


def _device(parent: strawberry.Parent[Any]) -> Device | None:
    return Device(id=strawberry.ID(str(parent.device_id))) if parent.device_id else None


@strawberry.type(description="排队号")
class QueueTicket:
    id: strawberry.ID
    number: str = strawberry.field(description='e.g. "A023": unique per hall per day')
    business_type: str
    status: TicketStatus
    window: str = strawberry.field(description="窗口 it was called to")
    issued_at: datetime
    called_at: datetime | None
    serving_at: datetime | None
    finished_at: datetime | None
    called_by: strawberry.ID | None
    served_by: strawberry.ID | None

    @strawberry.field(description="业务名称")
    @staticmethod
    def business_name(parent: strawberry.Parent[QueueTicketRow]) -> str:
        return business_name(parent.business_type)

    hall: Org = strawberry.field(resolver=_hall)


@strawberry.type(description="客流计数: one counter's (or staff's) count for a period")
class VisitorCount:
    id: strawberry.ID
    period_start: datetime
    count: int

    device: Device | None = strawberry.field(resolver=_device)

    zone: HallZone | None = strawberry.field(resolver=_zone)


@strawberry.type(description="在岗记录: current while until is null")
class StaffDuty:
    id: strawberry.ID
    user_id: strawberry.ID
    user_name: str
    status: DutyStatus
    since: datetime
    until: datetime | None

    hall: Org = strawberry.field(resolver=_hall)


@strawberry.type(description="服务质量事件 (音视频分析): 服务规范 / 异常行为 / 风险预警")
class ServiceQualityEvent:
    id: strawberry.ID
    category: QualityCategory
    type_code: str
    detail: str
    at: datetime

    hall: Org = strawberry.field(resolver=_hall)

    zone: HallZone | None = strawberry.field(resolver=_zone)

    device: Device | None = strawberry.field(resolver=_device)

    @strawberry.field(description="the alert a rule raised from it (null: none, or out of your alert scope)")
    @staticmethod
    async def alert(parent: strawberry.Parent[ServiceQualityEventRow], info: Info) -> Alert | None:
        if parent.alert_id is None:
            return None
        return cast("Alert | None", await info.context.loaders.alert.load(parent.alert_id))


@strawberry.type(description="服务质量告警规则")
class ServiceQualityRule:
    id: strawberry.ID
    category: QualityCategory
    type_code: str = strawberry.field(description='"": any type of the category')
    threshold: int
    window_minutes: int
    active: bool

    @strawberry.field
    @staticmethod
    def level(parent: strawberry.Parent[ServiceQualityRuleRow]) -> AlertLevel:
        return AlertLevel(parent.level)

    @strawberry.field
    @staticmethod
    async def org(parent: strawberry.Parent[ServiceQualityRuleRow], info: Info) -> Org:
        return cast(Org, await info.context.loaders.org.load(parent.org_id))


@strawberry.type(description="分业务排队")
class BusinessQueue:
    business_type: str
    waiting: int
    average_wait_minutes: float | None
    longest_wait_minutes: float | None

    @strawberry.field(description="业务名称")
    @staticmethod
    def business_name(parent: strawberry.Parent[BusinessFigures]) -> str:
        return business_name(parent.business_type)


@strawberry.type(description="营业厅实时状态 (today, CST): queue, waiting time, served, visitors, staff")
class HallStatus:
    queue_length: int = strawberry.field(description="排队人数: tickets issued or called, not yet served")
    average_wait_minutes: float | None = strawberry.field(description="平均等待 of those waiting, so far")
    longest_wait_minutes: float | None = strawberry.field(description="最长等待")
    served_today: int = strawberry.field(description="今日办结")
    visitors_today: int = strawberry.field(description="今日客流")
    staff_on_duty: int = strawberry.field(description="在岗人数")
    by_business: list[BusinessQueue]

    @strawberry.field(description="the hall (its devices: Org.deviceSummary, from the devices subgraph)")
    @staticmethod
    async def hall(parent: strawberry.Parent[HallFigures], info: Info) -> Org:
        return cast(Org, await info.context.loaders.org.load(parent.hall_id))
