"""潜在客户 (prospects): people or companies with no customer number yet, kept by a manager until
they open an account (converted) or are dropped; the next-contact date (下次联系) drives a reminder."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from models.common import BlindIndexField, EncryptedTextField, Entity


class ProspectStatus(StrEnum):
    OPEN = "OPEN"  # 跟进中
    CONVERTED = "CONVERTED"  # 已开户转化为客户
    DROPPED = "DROPPED"  # 已放弃


class Prospect(Entity):
    tenant_id = fields.UUIDField(db_index=True)
    org_id = fields.UUIDField(db_index=True)
    org_path = fields.CharField(max_length=400, db_index=True)  # for 辖内 scope
    manager_id = fields.UUIDField(db_index=True)  # operations User who keeps the prospect
    name = fields.CharField(max_length=100)
    corporate = fields.BooleanField(default=False)  # 对公 (else 零售)
    phone = EncryptedTextField(default="")
    phone_bidx = BlindIndexField(source="phone")
    source = fields.CharField(max_length=30, default="")  # 来源: 转介绍, 营销活动, 网点到访, 扫码 …
    note = fields.CharField(max_length=500, default="")
    next_contact_on = fields.DateField(null=True, db_index=True)  # 下次联系日期
    status = fields.CharEnumField(ProspectStatus, max_length=10, default=ProspectStatus.OPEN)
    customer_id = fields.UUIDField(null=True)  # the customer it became

    class Meta:
        table = "prospect"
