"""《月度巡检报告》 as files: XLSX (openpyxl) and PDF (reportlab, with its built-in CID font
``STSong-Light``, which renders Chinese without font files), for the user unit to sign."""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from models.operations import InspectionTaskStatus
from resolvers.common.clock import CST
from resolvers.operations.inspections import InspectionReport

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

STATUS = {"PENDING": "待巡检", "DONE": "已完成", "MISSED": "逾期未巡检"}
RESULT = {"OK": "正常", "ISSUE": "发现问题"}


class ExportFormat(StrEnum):
    XLSX = "XLSX"
    PDF = "PDF"


@dataclass(frozen=True)
class ExportedFile:
    file_name: str
    content_type: str
    content: bytes


def export_report(report: InspectionReport, fmt: ExportFormat) -> ExportedFile:
    base = f"月度巡检报告-{report.org.code}-{report.month:%Y-%m}"
    if fmt is ExportFormat.XLSX:
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return ExportedFile(f"{base}.xlsx", content_type, _xlsx(report))
    return ExportedFile(f"{base}.pdf", "application/pdf", _pdf(report))


def _summary(report: InspectionReport) -> list[list[str]]:
    signoff = report.signoff
    signed = (
        f"已签署 {signoff.created_at.astimezone(CST):%Y-%m-%d %H:%M} {signoff.note}" if signoff else "未签署"
    )
    return [
        ["用户单位", report.org.name],
        ["月份", f"{report.month:%Y年%m月}"],
        ["应巡检", str(len(report.tasks))],
        ["已完成", str(report.count(InspectionTaskStatus.DONE))],
        ["逾期未巡检", str(report.count(InspectionTaskStatus.MISSED))],
        ["待巡检", str(report.count(InspectionTaskStatus.PENDING))],
        ["发现问题", str(report.issues)],
        ["用户单位签署", signed],
    ]


RECORD_HEADER = [
    "任务周期",
    "任务状态",
    "对象类型",
    "对象",
    "结果",
    "单位",
    "故障现象",
    "预计解决时间",
    "备注",
]


def _records(report: InspectionReport) -> list[list[str]]:
    tasks = {task.id: task for task in report.tasks}
    rows = []
    for record in report.records:
        task = tasks[record.task_id]
        resolution = record.expected_resolution_at
        rows.append(
            [
                f"{task.period_start:%Y-%m-%d} ~ {task.period_end:%Y-%m-%d}",
                STATUS[report.statuses[task.id].value],
                record.target_kind.value,
                str(record.target_id),
                RESULT[record.result.value],
                record.unit_name,
                record.symptom,
                f"{resolution.astimezone(CST):%Y-%m-%d %H:%M}" if resolution else "",
                record.note,
            ]
        )
    return rows


def _xlsx(report: InspectionReport) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its sheet
    sheet.title = "月度巡检报告"
    sheet.append(["月度巡检报告"])
    for row in _summary(report):
        sheet.append(row)
    sheet.append([])
    sheet.append(RECORD_HEADER)
    for row in _records(report):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf(report: InspectionReport) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), title="月度巡检报告", leftMargin=12 * mm)
    title = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10)
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("GRID", (0, 0), (-1, -1), 0.5, colors.grey)])
    records = [[Paragraph(text, cell) for text in row] for row in [RECORD_HEADER, *_records(report)]]
    story = [
        Paragraph(f"《月度巡检报告》 {report.org.name} {report.month:%Y年%m月}", title),
        Spacer(1, 6 * mm),
        Table(_summary(report), style=style, hAlign="LEFT"),
        Spacer(1, 6 * mm),
        Table(records, style=style, repeatRows=1, hAlign="LEFT"),
    ]
    doc.build(story)
    return out.getvalue()
