"""参数管理: one parameter of the admin view (reads resolvers/operations/parameters.py ``Parameter``)."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.type(description="参数: one knob of the platform or of a tenant, wherever it is kept")
class Parameter:
    key: str = strawberry.field(description="stable key, e.g. reminder.largeTransactionThreshold")
    label: str = strawberry.field(description="中文名称")
    group: str = strawberry.field(description="分组: 提醒参数 商机参数 审核流程 服务级别 设备阈值 系统设置")
    value: str = strawberry.field(description="the current value as JSON text")
    unit: str | None = strawberry.field(description="单位: 元, 天, 分钟 …")
    source: str = strawberry.field(description="where it lives: subgraph.table, or a DCMS_… start-up setting")
    editable: bool = strawberry.field(description="whether setParameter changes it, for the caller")
    edit_via: str = strawberry.field(
        description="setParameter, the mutation that edits it, or 'change DCMS_… and restart'"
    )
    tenant_id: strawberry.ID | None = strawberry.field(description="a tenant's; null: the platform's")
    updated_by: strawberry.ID | None = strawberry.field(description="last changed by, where the row says so")
    updated_at: datetime | None = strawberry.field(description="last changed at, where the row says so")
