"""Every enum of the customers schema, registered once under its GraphQL name. The Python enums are
the models' (and ``AssetBand``, a figure of resolvers/customers/groups.py): import them from here,
so that the registration has run wherever one is used in a type."""

from __future__ import annotations

import strawberry

from models.approvals import ApprovalAction
from models.customers import (
    ConsentPurpose,
    ContactChannel,
    CustomerKind,
    CustomerTier,
    Direction,
    ExternalSource,
    GroupSource,
    HoldingCategory,
    KeyEventKind,
    OwnershipChangeKind,
    PersonRole,
    ProspectStatus,
    RelationKind,
    ReminderKind,
    ReportPeriod,
    RequestStatus,
    SchemeStatus,
    TagSource,
)
from resolvers.customers.groups import AssetBand
from resolvers.customers.report_definitions import Dimension as ReportDimension
from resolvers.customers.report_definitions import Family as ReportFamily

__all__ = [
    "ApprovalAction",
    "AssetBand",
    "ConsentPurpose",
    "ContactChannel",
    "CustomerKind",
    "CustomerTier",
    "Direction",
    "ExternalSource",
    "GroupSource",
    "HoldingCategory",
    "KeyEventKind",
    "OwnershipChangeKind",
    "PersonRole",
    "ProspectStatus",
    "RelationKind",
    "ReminderKind",
    "ReportDimension",
    "ReportFamily",
    "ReportPeriod",
    "RequestStatus",
    "SchemeStatus",
    "TagSource",
]

strawberry.enum(CustomerKind, name="CustomerKind", description="客户类型")
strawberry.enum(CustomerTier, name="CustomerTier", description="客户分层")
strawberry.enum(ReminderKind, name="ReminderKind", description="提醒类型")
strawberry.enum(Direction, name="MovementDirection", description="动账方向")
strawberry.enum(TagSource, name="TagSource", description="标签来源: 系统 / 自定义")
strawberry.enum(HoldingCategory, name="HoldingCategory", description="产品类别")
strawberry.enum(KeyEventKind, name="KeyEventKind", description="关键事件类型")
strawberry.enum(ContactChannel, name="ContactChannel", description="接触方式")
strawberry.enum(RelationKind, name="RelationKind", description="关系类型")
strawberry.enum(PersonRole, name="PersonRole", description="对公客户关键人角色")
strawberry.enum(ExternalSource, name="ExternalSource", description="外部数据来源")
strawberry.enum(OwnershipChangeKind, name="OwnershipChangeKind", description="管户变更类型")
strawberry.enum(SchemeStatus, name="TierSchemeStatus", description="分层方案状态")
strawberry.enum(RequestStatus, name="TierChangeStatus", description="调级申请状态")
strawberry.enum(ApprovalAction, name="ApprovalAction", description="审批动作")
strawberry.enum(GroupSource, name="GroupSource", description="客群来源: 系统 (by rule) / 自定义")
strawberry.enum(AssetBand, name="AssetBand", description="资产段: by AUM, 万 = 10,000 CNY")
strawberry.enum(ConsentPurpose, name="ConsentPurpose", description="授权用途")
strawberry.enum(ProspectStatus, name="ProspectStatus", description="潜客状态")
strawberry.enum(ReportPeriod, name="ReportPeriod", description="报表期间: 月报 / 季报 / 半年报")
strawberry.enum(ReportFamily, name="ReportFamily", description="报表类别 (业务报表)")
strawberry.enum(ReportDimension, name="ReportDimension", description="报表维度: 机构 / 客户经理")
