"""客群 (customer groups), 网格 mappings to orgs, the 营销过滤 list and data-use 授权 (consents)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields

from models.common import Entity


class GroupSource(StrEnum):
    SYSTEM = "SYSTEM"  # 系统客群 (by rule)
    CUSTOM = "CUSTOM"  # 自定义客群 (members picked)


class CustomerGroup(Entity):
    """客群 of a member bank: retail or corporate, system groups by rule, custom by members."""

    tenant_id = fields.UUIDField(db_index=True)
    name = fields.CharField(max_length=100)
    kind = fields.CharField(max_length=10)  # CustomerKind
    source = fields.CharEnumField(GroupSource, max_length=6)
    rule: fields.JSONField[dict[str, Any] | None] = fields.JSONField(
        null=True
    )  # a system group's filter (the advanced-search criteria)
    created_by = fields.UUIDField()

    class Meta:
        table = "customer_group"


class GroupMember(Entity):
    group: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.CustomerGroup", related_name="members", on_delete=fields.CASCADE
    )
    group_id: UUID  # the key column, for the type checker
    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="group_memberships", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker

    class Meta:
        table = "group_member"
        unique_together = (("group", "customer"),)


class GridOrg(Entity):
    """网格 ↔ 机构 mapping (a grid may span several outlets)."""

    grid: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Grid", related_name="org_links", on_delete=fields.CASCADE
    )
    grid_id: UUID  # the key column, for the type checker
    org_id = fields.UUIDField(db_index=True)

    class Meta:
        table = "grid_org"
        unique_together = (("grid", "org_id"),)


class MarketingExclusion(Entity):
    """营销过滤: a customer excluded from all marketing, with why and by whom."""

    customer: fields.OneToOneRelation = fields.OneToOneField(
        "customers.Customer", related_name="marketing_exclusion", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    tenant_id = fields.UUIDField(db_index=True)
    reason = fields.CharField(max_length=500)
    created_by = fields.UUIDField()

    class Meta:
        table = "marketing_exclusion"


class ConsentPurpose(StrEnum):
    RECOMMENDATION = "RECOMMENDATION"  # 产品推荐
    CREDIT_REPORT = "CREDIT_REPORT"  # 征信查询
    DATA_USE = "DATA_USE"  # 数据使用 (general)


class Consent(Entity):
    """授权: a customer (enterprise or individual) authorises one use of their data until
    ``expires_at``, unless revoked first. Live = not revoked and not expired."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="consents", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    tenant_id = fields.UUIDField(db_index=True)
    purpose = fields.CharEnumField(ConsentPurpose, max_length=14)
    granted_by = fields.UUIDField()  # the applicant themself, or the manager recording a signed form
    evidence = fields.CharField(max_length=200, default="")  # 授权书编号 / channel
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "consent"


class ApplicantLink(Entity):
    """客户关联: a self-registered applicant (an operations User, 企业 / 个人) recognised as this bank
    customer, matched by the customers subgraph itself when operations approved the applicant with
    their consent (resolvers/customers/applicant_events.py); the consent it rests on is a ``Consent``
    the applicant granted (DATA_USE). One link per customer and user."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="applicant_links", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    user_id = fields.UUIDField(db_index=True)  # operations User (the applicant)
    application_id = fields.UUIDField()  # operations ApplicantApplication
    tenant_id = fields.UUIDField(db_index=True)
    consent: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Consent", related_name="applicant_links", on_delete=fields.CASCADE
    )
    consent_id: UUID  # the key column, for the type checker

    class Meta:
        table = "applicant_link"
        unique_together = (("customer", "user_id"),)
