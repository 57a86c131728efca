"""业绩管理 (performance targets, seed 000's 业绩管理中心): indicator definitions (指标管理), targets
per org and per staff member and period (目标), and the trail of every change to a target (留痕).

Head office defines its bank's indicators (``PerformanceIndicator``): what is measured is one of a
fixed set of measure kinds the code knows (``MeasureKind``), chosen per indicator as data. Head
office sets a branch's target (``PerformanceTarget``, level ORG); it takes effect once approved
through the approvals engine (``BRANCH_TARGET``): until then the proposal waits in ``proposed``
and the figure in force, if any, stays in ``target``. A branch head splits an approved branch
target to the staff of their branch (level STAFF, ``parent_id`` the branch target); the split
takes effect at once, its sum never above the branch target. ``TargetChange`` records who changed
what when, before and after.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from tortoise import fields

from models.common import Entity


class MeasureKind(StrEnum):
    """How an indicator's progress is read from the platform's data (resolvers/marketing/performance.py)."""

    CUSTOMERS_MANAGED = (
        "CUSTOMERS_MANAGED"  # 管户客户数: customers whose primary manager (主办) the person is, now
    )
    NEW_CUSTOMERS = "NEW_CUSTOMERS"  # 新增客户数: customers created in the period
    CONTACTS = "CONTACTS"  # 客户接触次数: contact records (客户接触 / 走访) in the period
    WORK_ORDERS_DONE = "WORK_ORDERS_DONE"  # 营销工单完成数: work orders converted (DONE) in the period
    OPPORTUNITIES_CONVERTED = "OPPORTUNITIES_CONVERTED"  # 商机转化数: opportunities converted in the period
    DEPOSIT_BALANCE = "DEPOSIT_BALANCE"  # 存款余额: open deposit holdings at the period's end (or today)
    LOAN_BALANCE = "LOAN_BALANCE"  # 贷款余额: open loan holdings at the period's end (or today)


class PeriodKind(StrEnum):
    MONTH = "MONTH"  # 月度: 2026-12
    QUARTER = "QUARTER"  # 季度: 2026-Q4
    YEAR = "YEAR"  # 年度: 2026


class TargetLevel(StrEnum):
    ORG = "ORG"  # 机构目标: set by head office, approved (BRANCH_TARGET)
    STAFF = "STAFF"  # 个人目标: a branch head's split of their branch's target


class TargetStatus(StrEnum):
    PENDING = "PENDING"  # 待审批: a proposal waits (a figure approved earlier stays in force)
    APPROVED = "APPROVED"  # 已生效
    REJECTED = "REJECTED"  # 已驳回: the first proposal was rejected (nothing in force)


class TargetAction(StrEnum):
    SET = "SET"  # 下达 / 调整 (head office's proposal)
    APPROVE = "APPROVE"  # 审批通过: the proposal takes effect
    REJECT = "REJECT"  # 审批驳回
    SPLIT = "SPLIT"  # 分解到个人 (a staff target set or changed)
    REMOVE = "REMOVE"  # 分解中移除 (a staff target dropped from the split)


class PerformanceIndicator(Entity):
    """指标: one of a bank's performance indicators."""

    tenant_id = fields.UUIDField(db_index=True)
    code = fields.CharField(max_length=32)  # 指标编码, e.g. DEPOSIT_BALANCE_2026
    name = fields.CharField(max_length=50)  # 指标名称
    category = fields.CharField(max_length=20)  # 指标类别: 存款类 / 贷款类 / 客户类 / 营销类 …
    unit = fields.CharField(max_length=10)  # 单位: 户, 次, 笔, 元
    measure = fields.CharEnumField(MeasureKind, max_length=24)
    weight = fields.DecimalField(max_digits=5, decimal_places=2)  # 权重 (0–100) in the score
    active = fields.BooleanField(default=True)  # 启用: an inactive one takes no new targets
    created_by = fields.UUIDField()
    updated_by = fields.UUIDField()

    class Meta:
        table = "performance_indicator"
        unique_together = (("tenant_id", "code"),)


class PerformanceTarget(Entity):
    """目标: one indicator's figure for one org (ORG) or staff member (STAFF) in one period."""

    tenant_id = fields.UUIDField(db_index=True)
    indicator: fields.ForeignKeyRelation[PerformanceIndicator] = fields.ForeignKeyField(
        "marketing.PerformanceIndicator", related_name="targets", on_delete=fields.RESTRICT
    )
    indicator_id: UUID
    level = fields.CharEnumField(TargetLevel, max_length=5)
    assignee_id = fields.UUIDField()  # operations Org (ORG) or User (STAFF)
    # The org's path; a person's target: the path of the org whose target it was split from (the branch).
    org_path = fields.CharField(max_length=400, db_index=True)
    period = fields.CharField(max_length=7, db_index=True)  # 2026-12, 2026-Q4, 2026
    period_kind = fields.CharEnumField(PeriodKind, max_length=7)
    target = fields.DecimalField(max_digits=18, decimal_places=2, null=True)  # in force; None before approval
    proposed = fields.DecimalField(max_digits=18, decimal_places=2, null=True)  # waiting for approval
    status = fields.CharEnumField(TargetStatus, max_length=8)
    parent_id = fields.UUIDField(null=True, db_index=True)  # a staff target's branch target
    created_by = fields.UUIDField()
    proposed_by = fields.UUIDField(null=True)
    decided_by = fields.UUIDField(null=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "performance_target"
        unique_together = (("indicator", "assignee_id", "period"),)


class TargetChange(Entity):
    """留痕: one change of a target, who made it and the figure before and after."""

    tenant_id = fields.UUIDField(db_index=True)
    target_id = fields.UUIDField(db_index=True)
    org_path = fields.CharField(max_length=400, db_index=True)  # the target's (scopes)
    assignee_id = fields.UUIDField()
    action = fields.CharEnumField(TargetAction, max_length=8)
    before = fields.DecimalField(max_digits=18, decimal_places=2, null=True)
    after = fields.DecimalField(max_digits=18, decimal_places=2, null=True)
    actor_id = fields.UUIDField()
    comment = fields.CharField(max_length=500, default="")

    class Meta:
        table = "performance_target_change"
