"""投诉: submitted by the applicant, handled by the institution, reviewed by the regulator."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from tortoise import fields

from models.common import Entity
from models.finance.orders import Handling


class ComplaintKind(StrEnum):
    SLOW_HANDLING = "SLOW_HANDLING"  # 办理超时
    SERVICE_ATTITUDE = "SERVICE_ATTITUDE"  # 服务态度
    FEES = "FEES"  # 违规收费
    MISLEADING = "MISLEADING"  # 虚假宣传
    OTHER = "OTHER"  # 其他


class ComplaintStatus(StrEnum):
    SUBMITTED = "SUBMITTED"  # 待处理
    HANDLED = "HANDLED"  # 机构已处理, awaiting review
    REVIEWED = "REVIEWED"  # 监管已复核 (final): the result goes to both sides


class ReviewVerdict(StrEnum):
    UPHELD = "UPHELD"  # 投诉成立
    DISMISSED = "DISMISSED"  # 投诉不成立


class Complaint(Entity):
    handling_id: UUID  # the column behind ``handling`` (for the type checker)
    handling: fields.ForeignKeyRelation[Handling] = fields.ForeignKeyField(
        "finance.Handling", related_name="complaints", on_delete=fields.RESTRICT
    )
    order_no = fields.CharField(max_length=24, db_index=True)
    institution_id = fields.UUIDField(db_index=True)
    applicant_user_id = fields.UUIDField(db_index=True)
    kind = fields.CharEnumField(ComplaintKind, max_length=20)
    content = fields.TextField()
    status = fields.CharEnumField(ComplaintStatus, max_length=10, default=ComplaintStatus.SUBMITTED)
    reply = fields.TextField(default="")  # the institution's handling
    handled_by_id = fields.UUIDField(null=True)
    handled_at = fields.DatetimeField(null=True)
    verdict = fields.CharEnumField(ReviewVerdict, max_length=10, null=True)
    review_comment = fields.TextField(default="")  # the regulator's result
    reviewed_by_id = fields.UUIDField(null=True)
    reviewed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "complaint"
        indexes = (("created_at", "id"),)  # lists newest first (resolvers/common/pagination.py)
