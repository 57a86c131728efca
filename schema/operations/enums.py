"""Every enum of the operations schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

from models.operations import (
    AlertLevel,
    AlertStatus,
    InspectionFrequency,
    InspectionResult,
    InspectionTargetKind,
    InspectionTaskStatus,
    OrgKind,
)
from resolvers.operations.inspection_export import ExportFormat

strawberry.enum(OrgKind, name="OrgKind", description="机构类型")
strawberry.enum(AlertLevel, name="AlertLevel")
strawberry.enum(AlertStatus, name="AlertStatus")
# 巡检 (inspections)
strawberry.enum(InspectionFrequency, name="InspectionFrequency", description="巡检频次")
strawberry.enum(InspectionTargetKind, name="InspectionTargetKind", description="巡检对象类型")
strawberry.enum(InspectionTaskStatus, name="InspectionTaskStatus")
strawberry.enum(InspectionResult, name="InspectionResult", description="巡检结果")
strawberry.enum(ExportFormat, name="ExportFormat")

__all__ = [
    "AlertLevel",
    "AlertStatus",
    "ExportFormat",
    "InspectionFrequency",
    "InspectionResult",
    "InspectionTargetKind",
    "InspectionTaskStatus",
    "OrgKind",
]
