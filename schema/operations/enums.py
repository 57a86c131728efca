"""Every enum of the operations schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

# 营业厅 (halls)
from models.approvals import ApprovalFunction
from models.operations import (
    AlertActionKind,
    AlertLevel,
    AlertStatus,
    AnnouncementStatus,
    ApplicantKind,
    ApplicantStatus,
    BackupCheck,
    BackupFrequency,
    BackupRunStatus,
    ChangeKind,
    ChangeRisk,
    ChangeStatus,
    ClientKind,
    DutyStatus,
    HallType,
    IncidentAction,
    IncidentLevel,
    IncidentSource,
    IncidentStatus,
    InspectionFrequency,
    InspectionResult,
    InspectionTargetKind,
    InspectionTaskStatus,
    LoginOutcome,
    OrgKind,
    QualityCategory,
    ServiceCalendar,
    SupportTier,
    TicketStatus,
    ZoneKind,
)
from resolvers.operations.changes import ChangeAction
from resolvers.operations.inspection_export import ExportFormat
from resolvers.operations.sla import SlaKind
from security.roles import Scope

strawberry.enum(OrgKind, name="OrgKind", description="机构类型")
# 注册 / 入驻
strawberry.enum(ApplicantKind, name="ApplicantKind", description="申请人类型: 企业 / 个人")
strawberry.enum(ApplicantStatus, name="ApplicantStatus", description="注册申请状态: 待审核 / 已通过 / 已驳回")
strawberry.enum(
    ApprovalFunction,
    name="ApprovalFunction",
    description="可审批的业务: one approval switch each (审核流程管理)",
)
strawberry.enum(AlertLevel, name="AlertLevel")
strawberry.enum(AlertStatus, name="AlertStatus")
strawberry.enum(
    AlertActionKind, name="AlertActionKind", description="告警处理: a step of an alert's lifecycle"
)

strawberry.enum(IncidentLevel, name="IncidentLevel", description="故障事件等级: 一级 … 四级")
strawberry.enum(IncidentStatus, name="IncidentStatus", description="故障事件状态")
strawberry.enum(IncidentSource, name="IncidentSource", description="事件来源")
strawberry.enum(IncidentAction, name="IncidentAction", description="事件处理步骤")
strawberry.enum(SupportTier, name="SupportTier", description="服务人员级别: 技术服务人员 … 服务项目经理")
strawberry.enum(ServiceCalendar, name="ServiceCalendar", description="工作时间 / 非工作时间")
strawberry.enum(SlaKind, name="SlaKind", description="响应 / 到场 / 排除")
strawberry.enum(AnnouncementStatus, name="AnnouncementStatus", description="公告状态: 草稿 / 已发布 / 已撤回")
strawberry.enum(ChangeKind, name="ChangeKind", description="变更类型")
strawberry.enum(ChangeRisk, name="ChangeRisk", description="变更风险")
strawberry.enum(ChangeStatus, name="ChangeStatus", description="变更状态")
strawberry.enum(ChangeAction, name="ChangeAction", description="变更操作: the step to take")
strawberry.enum(BackupFrequency, name="BackupFrequency", description="备份周期 (CST)")
strawberry.enum(BackupRunStatus, name="BackupRunStatus")
strawberry.enum(BackupCheck, name="BackupCheck", description="校验结果")
strawberry.enum(InspectionFrequency, name="InspectionFrequency", description="巡检频次")
strawberry.enum(InspectionTargetKind, name="InspectionTargetKind", description="巡检对象类型")
strawberry.enum(InspectionTaskStatus, name="InspectionTaskStatus")
strawberry.enum(InspectionResult, name="InspectionResult", description="巡检结果")
strawberry.enum(ExportFormat, name="ExportFormat")
# 营业厅 (halls)
strawberry.enum(HallType, name="HallType", description="营业厅类型: 品牌厅 BRAND / 生态厅 ECOSYSTEM")
strawberry.enum(ZoneKind, name="ZoneKind", description="功能区: 业务办理区, 自助服务区, 等候区, 体验区")
strawberry.enum(
    TicketStatus, name="TicketStatus", description="排队号状态: 已取号 → 已叫号 → 办理中 → 已办结 / 过号"
)
strawberry.enum(DutyStatus, name="DutyStatus", description="在岗状态: 在岗 / 暂离 / 离岗")
strawberry.enum(
    QualityCategory, name="QualityCategory", description="服务质量事件类别: 服务规范 / 异常行为 / 风险预警"
)
# 日志管理 (login and operation logs)
strawberry.enum(LoginOutcome, name="LoginOutcome", description="登录结果")
strawberry.enum(ClientKind, name="ClientKind", description="终端: 电脑端 PC / 移动端 APP")
# 角色管理
strawberry.enum(
    Scope,
    name="DataScope",
    description="数据权限: 全部 / 本机构 / 辖内 / 管户 / 网格 / 本金融机构 / 本人 / 无",
)

__all__ = [
    "AlertActionKind",
    "AlertLevel",
    "AlertStatus",
    "AnnouncementStatus",
    "ApplicantKind",
    "ApplicantStatus",
    "ApprovalFunction",
    "BackupCheck",
    "BackupFrequency",
    "BackupRunStatus",
    "ChangeAction",
    "ChangeKind",
    "ChangeRisk",
    "ChangeStatus",
    "ClientKind",
    "DutyStatus",
    "ExportFormat",
    "HallType",
    "IncidentAction",
    "IncidentLevel",
    "IncidentSource",
    "IncidentStatus",
    "InspectionFrequency",
    "InspectionResult",
    "InspectionTargetKind",
    "InspectionTaskStatus",
    "LoginOutcome",
    "OrgKind",
    "QualityCategory",
    "Scope",
    "ServiceCalendar",
    "SlaKind",
    "SupportTier",
    "TicketStatus",
    "ZoneKind",
]
