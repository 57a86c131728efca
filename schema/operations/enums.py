"""Every enum of the operations schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

from models.operations import AlertLevel, AlertStatus, OrgKind

strawberry.enum(OrgKind, name="OrgKind", description="机构类型")
strawberry.enum(AlertLevel, name="AlertLevel")
strawberry.enum(AlertStatus, name="AlertStatus")

__all__ = ["AlertLevel", "AlertStatus", "OrgKind"]

# -- issue 15: changes and backups (变更 / 备份) -------------------------------------------------------
from models.operations import (  # noqa: E402
    BackupCheck,
    BackupFrequency,
    BackupRunStatus,
    ChangeKind,
    ChangeRisk,
    ChangeStatus,
)
from resolvers.operations.changes import ChangeAction  # noqa: E402

strawberry.enum(ChangeKind, name="ChangeKind", description="变更类型")
strawberry.enum(ChangeRisk, name="ChangeRisk", description="变更风险")
strawberry.enum(ChangeStatus, name="ChangeStatus", description="变更状态")
strawberry.enum(ChangeAction, name="ChangeAction", description="变更操作: the step to take")
strawberry.enum(BackupFrequency, name="BackupFrequency", description="备份周期 (CST)")
strawberry.enum(BackupRunStatus, name="BackupRunStatus")
strawberry.enum(BackupCheck, name="BackupCheck", description="校验结果")

__all__ += [
    "BackupCheck",
    "BackupFrequency",
    "BackupRunStatus",
    "ChangeAction",
    "ChangeKind",
    "ChangeRisk",
    "ChangeStatus",
]
