"""业务报表 (business reports). Rules and engine: resolvers/customers/reports.py; the reports
themselves: resolvers/customers/report_definitions.py."""

from __future__ import annotations

import base64
from datetime import date
from typing import cast

import strawberry

from resolvers.customers import report_definitions as defs
from resolvers.customers import reports
from schema.common.connection import Connection
from schema.customers.context import Info
from schema.customers.enums import ReportDimension, ReportFamily, ReportPeriod


@strawberry.type(description="业务报表定义: a report as data (measures over month-end snapshots)")
class ReportDefinition:
    code: str
    title: str = strawberry.field(description="报表名称 (the bank's)")
    family: ReportFamily
    family_title: str = strawberry.field(description="报表类别名称")
    dimension: ReportDimension
    periods: list[ReportPeriod]
    headers: list[str] = strawberry.field(description="表头: the dimension's, then each measure's")

    @classmethod
    def of(cls, definition: defs.ReportDefinition) -> ReportDefinition:
        return cls(
            code=definition.code,
            title=definition.title,
            family=definition.family,
            family_title=reports.family_title(definition.family),
            dimension=definition.dimension,
            periods=list(definition.periods),
            headers=list(definition.headers),
        )


@strawberry.type(description="报表行: one org's or manager's figures")
class ReportRow:
    key_id: strawberry.ID = strawberry.field(description="the org (机构维度) or the manager (客户经理维度)")
    label: str = strawberry.field(description="机构 / 客户经理 name when the row was computed")
    values: list[str] = strawberry.field(description="the figures, in the order of headers[1:]")


@strawberry.type(description="an exported report file")
class ReportFile:
    file_name: str
    content_type: str
    content_base64: str


@strawberry.type(description="业务报表: one report for one period, as the reader may see it")
class BusinessReport:
    """Reads resolvers/customers/reports.py ``ReportView``."""

    period: ReportPeriod
    period_start: date = strawberry.field(description="the period's first day (月初 / 季初 / 半年初)")

    @strawberry.field
    @staticmethod
    def definition(parent: strawberry.Parent[reports.ReportView]) -> ReportDefinition:
        return ReportDefinition.of(parent.definition)

    @strawberry.field(description="the rows in the reader's scope, in report order")
    @staticmethod
    def rows(parent: strawberry.Parent[reports.ReportView]) -> Connection[ReportRow]:
        return cast(Connection[ReportRow], parent.rows)

    @strawberry.field(description="导出: every row in the reader's scope as XLSX with the bank's headers")
    @staticmethod
    async def export(parent: strawberry.Parent[reports.ReportView], info: Info) -> ReportFile:
        exported = await reports.export_report(
            info.context.require_principal(), parent.definition.code, parent.period, parent.period_start
        )
        content = base64.b64encode(exported.content).decode()
        return ReportFile(
            file_name=exported.file_name, content_type=exported.content_type, content_base64=content
        )
