"""工作报告 (work reports, seed 000 工作台 "工作报告"): a manager's weekly (周报) or monthly (月报) report,
drafted from the period's activity the platform holds, edited, then submitted to the branch head
(支行负责人), who may return it with a comment. One report per user and period."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from models.common import Entity


class WorkReportPeriod(StrEnum):
    WEEK = "WEEK"  # 周报: Monday to Sunday (China time)
    MONTH = "MONTH"  # 月报: a calendar month


class WorkReportStatus(StrEnum):
    DRAFT = "DRAFT"  # 草稿
    SUBMITTED = "SUBMITTED"  # 已提交 to the branch head
    RETURNED = "RETURNED"  # 已退回 with a comment: edited and submitted again


class WorkReport(Entity):
    """One user's report of one period, ``figures`` the activity counted when it was drafted
    (refreshed while a draft: resolvers/marketing/reports.py ``activity_of``)."""

    tenant_id = fields.UUIDField(db_index=True)
    user_id = fields.UUIDField()  # operations User, its author
    org_path = fields.CharField(max_length=400, db_index=True)  # the author's org: the branch head's scope
    period = fields.CharEnumField(WorkReportPeriod, max_length=5)
    starts_on = fields.DateField()  # the period's first day
    ends_on = fields.DateField()  # its last day
    figures: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)
    summary = fields.TextField(default="")  # 本期工作总结
    plan = fields.TextField(default="")  # 下期工作计划
    status = fields.CharEnumField(WorkReportStatus, max_length=9, default=WorkReportStatus.DRAFT)
    submitted_at = fields.DatetimeField(null=True)
    returned_at = fields.DatetimeField(null=True)
    returned_by = fields.UUIDField(null=True)
    return_comment = fields.CharField(max_length=500, default="")

    class Meta:
        table = "work_report"
        unique_together = (("user_id", "period", "starts_on"),)
        indexes = (("created_at", "id"),)
