"""营销方案 (marketing schemes) and 营销工单 (work orders).

A scheme (``MarketingScheme``) is made by head office (the member bank's org) or by a branch head
(their branch: the scheme then covers only that subtree), reviewed through the approvals engine,
and run: its target list (``SchemeTarget``, 目标名单) is read from a stored audience when it starts,
and every target with a managing manager gets a work order (``WorkOrder``) for that manager. Targets
without one wait for their branch head to allocate them (名单分配). Indicators (``SchemeIndicator``,
分解指标) carry a total, split down to orgs by head office and to managers by a branch head
(``IndicatorSplit``); their progress is computed from the work orders' feedback.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields

from models.common import Entity


class SchemeKind(StrEnum):
    PRECISION = "PRECISION"  # 精准营销: a target list, work orders per manager
    MASS = "MASS"  # 大众营销


class SchemeStatus(StrEnum):
    DRAFT = "DRAFT"  # 草稿: the only state a scheme may be edited in
    PENDING = "PENDING"  # 待审核
    APPROVED = "APPROVED"  # 审核通过
    REJECTED = "REJECTED"  # 审核驳回
    RUNNING = "RUNNING"  # 执行中
    CLOSED = "CLOSED"  # 已结束


class MarketingScheme(Entity):
    """营销方案."""

    tenant_id = fields.UUIDField(db_index=True)
    org_id = fields.UUIDField()  # operations Org: the member bank (总行) or a branch (支行)
    org_path = fields.CharField(max_length=400, db_index=True)  # the subtree the scheme covers
    kind = fields.CharEnumField(SchemeKind, max_length=10)
    name = fields.CharField(max_length=100)
    description = fields.TextField(default="")
    status = fields.CharEnumField(SchemeStatus, max_length=10, default=SchemeStatus.DRAFT)
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    products: fields.JSONField[list[str]] = fields.JSONField(default=list)  # 产品 (names)
    channels: fields.JSONField[list[str]] = fields.JSONField(default=list)  # ContactChannel values
    audience_id = fields.UUIDField(null=True)  # marketing Audience (目标客群)
    conversion_points = fields.IntField(default=0)  # 积分奖励: what a converted customer earns
    # The audience's criteria as read when the scheme started (the list is built from these).
    criteria: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    created_by = fields.UUIDField()
    submitted_by = fields.UUIDField(null=True)
    decided_by = fields.UUIDField(null=True)
    decided_at = fields.DatetimeField(null=True)
    started_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    # The target list job's progress: the last customer id read, and whether the list is complete.
    list_after = fields.UUIDField(null=True)
    list_complete = fields.BooleanField(default=False)
    idempotency_key = fields.CharField(max_length=64, null=True)  # 幂等键, unique per creator

    class Meta:
        table = "marketing_scheme"
        unique_together = (("created_by", "idempotency_key"),)


class IndicatorKind(StrEnum):
    CONTACTS = "CONTACTS"  # 接触客户数
    CONVERSIONS = "CONVERSIONS"  # 成功转化数
    AMOUNT = "AMOUNT"  # 营销金额


class SchemeIndicator(Entity):
    """分解指标: one of a scheme's indicators, with its total."""

    scheme: fields.ForeignKeyRelation[MarketingScheme] = fields.ForeignKeyField(
        "marketing.MarketingScheme", related_name="indicators", on_delete=fields.CASCADE
    )
    scheme_id: UUID
    kind = fields.CharEnumField(IndicatorKind, max_length=12)
    total = fields.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        table = "scheme_indicator"
        unique_together = (("scheme", "kind"),)


class SplitLevel(StrEnum):
    ORG = "ORG"  # 机构: head office's split to branches
    MANAGER = "MANAGER"  # 客户经理: a branch head's split to the managers of their org


class IndicatorSplit(Entity):
    """An indicator's share for one org or one manager (``assignee_id``)."""

    indicator: fields.ForeignKeyRelation[SchemeIndicator] = fields.ForeignKeyField(
        "marketing.SchemeIndicator", related_name="splits", on_delete=fields.CASCADE
    )
    indicator_id: UUID
    scheme_id = fields.UUIDField(db_index=True)
    level = fields.CharEnumField(SplitLevel, max_length=8)
    assignee_id = fields.UUIDField()  # operations Org (ORG) or User (MANAGER)
    org_path = fields.CharField(max_length=400)  # the org's path; a manager's: their org's
    target = fields.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        table = "indicator_split"
        unique_together = (("indicator", "assignee_id"),)


class SchemeTarget(Entity):
    """目标名单: one customer of a running scheme's list, ``manager_id`` None until allocated."""

    scheme: fields.ForeignKeyRelation[MarketingScheme] = fields.ForeignKeyField(
        "marketing.MarketingScheme", related_name="targets", on_delete=fields.CASCADE
    )
    scheme_id: UUID
    customer_id = fields.UUIDField()  # customers Customer
    org_path = fields.CharField(max_length=400, db_index=True)  # the customer's org
    manager_id = fields.UUIDField(null=True)  # 主办 when listed, or the manager allocated
    allocated_by = fields.UUIDField(null=True)  # the branch head who allocated it (名单分配)

    class Meta:
        table = "scheme_target"
        unique_together = (("scheme", "customer_id"),)


class WorkOrderStatus(StrEnum):
    PENDING = "PENDING"  # 待处理
    IN_PROGRESS = "IN_PROGRESS"  # 处理中
    DONE = "DONE"  # 已完成
    FAILED = "FAILED"  # 失败 (the customer refused)
    CLOSED = "CLOSED"  # 已关闭 (with the scheme)


class ContactChannel(StrEnum):
    PHONE = "PHONE"  # 电话
    VISIT = "VISIT"  # 上门走访
    WECHAT = "WECHAT"  # 微信
    SMS = "SMS"  # 短信
    MOBILE_BANKING = "MOBILE_BANKING"  # 手机银行 (线上)
    APP = "APP"  # 客户 App (线上)
    ONLINE_BANKING = "ONLINE_BANKING"  # 网上银行 (线上)


ONLINE_CHANNELS = frozenset(
    {ContactChannel.MOBILE_BANKING, ContactChannel.APP, ContactChannel.ONLINE_BANKING}
)  # 线上渠道


class FeedbackResult(StrEnum):
    CONTACTED = "CONTACTED"  # 已接触
    INTERESTED = "INTERESTED"  # 有意向
    CONVERTED = "CONVERTED"  # 已转化
    REFUSED = "REFUSED"  # 拒绝


class WorkOrder(Entity):
    """营销工单: one scheme's task for one manager and one customer."""

    scheme: fields.ForeignKeyRelation[MarketingScheme] = fields.ForeignKeyField(
        "marketing.MarketingScheme", related_name="work_orders", on_delete=fields.CASCADE
    )
    scheme_id: UUID
    tenant_id = fields.UUIDField(db_index=True)
    manager_id = fields.UUIDField(db_index=True)  # operations User
    customer_id = fields.UUIDField()  # customers Customer
    org_path = fields.CharField(max_length=400, db_index=True)  # the customer's org
    status = fields.CharEnumField(WorkOrderStatus, max_length=12, default=WorkOrderStatus.PENDING)
    channel = fields.CharEnumField(ContactChannel, max_length=16, null=True)  # the last feedback's
    result = fields.CharEnumField(FeedbackResult, max_length=12, null=True)
    amount = fields.DecimalField(max_digits=18, decimal_places=2, default=0)  # converted amount
    note = fields.CharField(max_length=500, default="")
    feedback_at = fields.DatetimeField(null=True)
    points = fields.IntField(default=0)  # 积分 the customer earned when the order converted (points ledger)

    class Meta:
        table = "work_order"
        unique_together = (("scheme", "manager_id", "customer_id"),)


class WorkOrderFeedback(Entity):
    """工单反馈: one feedback on a work order, ``client_id`` makes a repeat harmless."""

    work_order: fields.ForeignKeyRelation[WorkOrder] = fields.ForeignKeyField(
        "marketing.WorkOrder", related_name="feedback", on_delete=fields.CASCADE
    )
    work_order_id: UUID
    client_id = fields.CharField(max_length=64)
    given_by = fields.UUIDField()
    channel = fields.CharEnumField(ContactChannel, max_length=16)
    result = fields.CharEnumField(FeedbackResult, max_length=12)
    amount = fields.DecimalField(max_digits=18, decimal_places=2, default=0)
    note = fields.CharField(max_length=500, default="")

    class Meta:
        table = "work_order_feedback"
        unique_together = (("work_order", "client_id"),)
