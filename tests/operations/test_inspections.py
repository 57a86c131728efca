"""巡检 (resolvers/operations/inspections.py): the job makes each period's task once (concurrent runs,
repeated runs, CST period boundaries of each frequency on a test clock); records with photos (limits
refused, nothing written) complete a task; the monthly report, its sign-off (repeat safe, only the
user unit) and its XLSX / PDF export through the gateway; callers out of scope get NOT_FOUND; the
statistics take a constant number of SQL statements whatever the number of plans."""

from __future__ import annotations

import asyncio
import base64
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from clients.python.dcms_client import data, error_codes, gql
from models.operations import (
    InspectionFrequency,
    InspectionPhoto,
    InspectionPhotoContent,
    InspectionPlan,
    InspectionRecord,
    InspectionResult,
    InspectionTargetKind,
    InspectionTask,
    InspectionTaskStatus,
    Org,
    OrgKind,
)
from resolvers.common.clock import CST, now
from resolvers.operations.inspections import create_due_tasks, next_month, period_of
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_org, make_tenant, make_user, token_for
from testkit.sqlcount import counted
from tests.support.stack import Stack

F = InspectionFrequency
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x02" * 24
GIF = b"GIF89a" + b"\x00" * 32


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def make_plan(
    unit: Org, frequency: InspectionFrequency, start: date, targets: list[dict[str, str]] | None = None
) -> InspectionPlan:
    return await InspectionPlan.create(
        org=unit,
        org_path=unit.path,
        name=f"{frequency}巡检",
        frequency=frequency,
        targets=targets or [{"kind": "HALL", "id": str(unit.id)}],
        checklist=["温湿度", "UPS"],
        start_date=start,
    )


async def periods_of(plan: InspectionPlan) -> list[date]:
    starts = await InspectionTask.filter(plan_id=plan.id).values_list("period_start", flat=True)
    return sorted(date.fromisoformat(str(start)) for start in starts)


# -- the job on a test clock ------------------------------------------------------------------------


def test_periods_of_each_frequency() -> None:
    start = date(2025, 1, 6)
    assert period_of(F.DAILY, start, date(2025, 3, 1)) == (date(2025, 3, 1), date(2025, 3, 2))
    assert period_of(F.BIWEEKLY, start, date(2025, 1, 19)) == (date(2025, 1, 6), date(2025, 1, 20))
    assert period_of(F.BIWEEKLY, start, date(2025, 1, 20)) == (date(2025, 1, 20), date(2025, 2, 3))
    assert period_of(F.MONTHLY, start, date(2025, 12, 31)) == (date(2025, 12, 1), date(2026, 1, 1))
    assert period_of(F.QUARTERLY, start, date(2025, 11, 5)) == (date(2025, 10, 1), date(2026, 1, 1))
    assert period_of(F.YEARLY, start, date(2025, 6, 1)) == (date(2025, 1, 1), date(2026, 1, 1))


@pytest.mark.integration
async def test_the_job_makes_each_periods_task_once_at_cst_boundaries(database: Settings) -> None:
    root = await make_org("巡检测试省", OrgKind.PROVINCE_UNION)
    hall = await make_org("巡检测试营业厅", OrgKind.HALL, root, tenant_id=root.id)
    start = date(2025, 1, 6)
    plans = {f: await make_plan(hall, f, start) for f in F}
    # 2025-01-19 23:59 CST (15:59 UTC), then 2025-01-20 00:00 CST: a two-week period turns.
    before, after = utc(2025, 1, 19, 15, 59), utc(2025, 1, 19, 16, 0)
    runs = await asyncio.gather(create_due_tasks(before), create_due_tasks(before))
    assert await periods_of(plans[F.BIWEEKLY]) == [date(2025, 1, 6)]
    assert await periods_of(plans[F.DAILY]) == [date(2025, 1, 19)]
    assert sum(runs) >= len(F)  # one run made them (the other waited its turn or found them made)
    await create_due_tasks(before)  # again: nothing twice
    assert await periods_of(plans[F.BIWEEKLY]) == [date(2025, 1, 6)]
    await create_due_tasks(after)
    assert await periods_of(plans[F.BIWEEKLY]) == [date(2025, 1, 6), date(2025, 1, 20)]
    assert await periods_of(plans[F.DAILY]) == [date(2025, 1, 19), date(2025, 1, 20)]
    # The 01-19 daily task is past due at 01-20 00:00 CST and was not done: MISSED.
    first_daily = await InspectionTask.get(plan_id=plans[F.DAILY].id, period_start=date(2025, 1, 19))
    assert first_daily.status == InspectionTaskStatus.MISSED
    assert first_daily.due_at == datetime(2025, 1, 20, tzinfo=CST)
    # A quarter turns at 04-01 00:00 CST (03-31 16:00 UTC), a year at 01-01 00:00 CST.
    await create_due_tasks(utc(2025, 3, 31, 15, 59))
    await create_due_tasks(utc(2025, 3, 31, 16, 0))
    assert await periods_of(plans[F.QUARTERLY]) == [date(2025, 1, 1), date(2025, 4, 1)]
    assert await periods_of(plans[F.MONTHLY]) == [date(2025, 1, 1), date(2025, 3, 1), date(2025, 4, 1)]
    await create_due_tasks(utc(2025, 12, 31, 15, 59))
    await create_due_tasks(utc(2025, 12, 31, 16, 0))
    await create_due_tasks(utc(2025, 12, 31, 16, 0))  # again: nothing twice
    assert await periods_of(plans[F.YEARLY]) == [date(2025, 1, 1), date(2026, 1, 1)]
    for plan in plans.values():
        starts = await periods_of(plan)
        assert len(starts) == len(set(starts)), plan.frequency
    # A deactivated plan gets no more tasks.
    await InspectionPlan.filter(id=plans[F.DAILY].id).update(active=False)
    made = len(await periods_of(plans[F.DAILY]))
    await create_due_tasks(utc(2026, 1, 1, 16, 0))
    assert len(await periods_of(plans[F.DAILY])) == made


# -- through the gateway ----------------------------------------------------------------------------

CREATE = """mutation($i: CreateInspectionPlanInput!) {
  createInspectionPlan(input: $i) { id name frequency targets { kind id } checklist active org { id } }
}"""
RECORD = """mutation($i: RecordInspectionInput!) {
  recordInspection(input: $i) { id result symptom unitName photos { id contentType size } task { id status } }
}"""
ADD_PHOTOS = """mutation($r: ID!, $p: [PhotoUploadInput!]!) {
  addInspectionPhotos(recordId: $r, photos: $p) { id photos { id } }
}"""
TASK = """query($id: ID!) {
  inspectionTask(id: $id) { id status completedAt plan { id name }
    records { id targetKind result recordedBy { id } photos { id fileName contentType } } }
}"""
REPORT = """query($o: ID!, $m: Date!) {
  inspectionReport(orgId: $o, month: $m) { month due done missed pending issues org { name }
    tasks { id status } records { id symptom } signoff { id note signedBy { id } } }
}"""
EXPORT = """query($o: ID!, $m: Date!, $f: ExportFormat!) {
  inspectionReport(orgId: $o, month: $m) { export(format: $f) { fileName contentType contentBase64 } }
}"""
SIGN = """mutation($o: ID!, $m: Date!, $n: String!) {
  signInspectionReport(orgId: $o, month: $m, note: $n) { id note month signedBy { id } }
}"""


async def call(stack: Stack, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    return await gql(stack.gateway_url, query, variables, token)


async def ops_engineer(stack: Stack, tenant: Tenant) -> str:
    engineer = await make_user(tenant.hall, ("OPS_ENGINEER",), "运维工程师")
    return token_for(engineer, tenant.hall, stack.settings)


def record_input(task_id: str, kind: str, target: str, **more: Any) -> dict[str, Any]:
    return {"i": {"taskId": task_id, "target": {"kind": kind, "id": target}, "result": "OK", **more}}


@pytest.mark.e2e
async def test_records_with_photos_complete_a_task(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    engineer = await ops_engineer(stack, tenant)
    hall, device = str(tenant.hall.id), str(tenant.device.id)
    plan_input = {
        "orgId": hall,
        "name": "月度安全检查",
        "frequency": "MONTHLY",
        "targets": [{"kind": "HALL", "id": hall}, {"kind": "DEVICE", "id": device}],
        "checklist": ["门禁", "消防", "UPS"],
        "startDate": (now().astimezone(CST).date()).isoformat(),
    }
    plan = data(await call(stack, CREATE, {"i": plan_input}, engineer))["createInspectionPlan"]
    assert plan["checklist"] == ["门禁", "消防", "UPS"] and plan["active"] is True
    await create_due_tasks()
    task = await InspectionTask.get(plan_id=plan["id"])
    task_id = str(task.id)

    # Refused photos write nothing: too many, too big, not an image, not base64.
    refused = [
        [{"fileName": f"{i}.png", "contentBase64": b64(PNG)} for i in range(7)],
        [{"fileName": "big.jpg", "contentBase64": b64(JPEG + b"\x00" * (2 * 1024 * 1024))}],
        [{"fileName": "x.gif", "contentBase64": b64(GIF)}],
        [{"fileName": "x.png", "contentBase64": "不是base64!"}],
        # Only contentBase64 may be longer than the 10 000 characters of other strings.
        [{"fileName": "x" * 10_001, "contentBase64": b64(PNG)}],
    ]
    for photos in refused:
        result = await call(stack, RECORD, record_input(task_id, "HALL", hall, photos=photos), engineer)
        assert error_codes(result) == ["BAD_USER_INPUT"]
    assert not await InspectionRecord.filter(task_id=task.id).exists()
    assert not await InspectionPhoto.filter(org_path=tenant.hall.path).exists()

    photos = [
        {"fileName": "机房.png", "contentBase64": b64(PNG)},
        {"fileName": "门禁.webp", "contentBase64": b64(WEBP)},
    ]
    first = data(await call(stack, RECORD, record_input(task_id, "HALL", hall, photos=photos), engineer))
    record = first["recordInspection"]
    assert [p["contentType"] for p in record["photos"]] == ["image/png", "image/webp"]
    assert record["task"]["status"] == "PENDING"
    # A retry of the same target returns the first record and writes nothing.
    again = data(await call(stack, RECORD, record_input(task_id, "HALL", hall), engineer))["recordInspection"]
    assert again["id"] == record["id"]
    assert await InspectionRecord.filter(task_id=task.id).count() == 1
    # More photos, up to six on the record.
    full = JPEG + b"\x03" * (2 * 1024 * 1024 - len(JPEG))  # a photo of the largest size taken
    more = [{"fileName": f"{i}.jpg", "contentBase64": b64(full if i == 0 else JPEG)} for i in range(4)]
    added = data(await call(stack, ADD_PHOTOS, {"r": record["id"], "p": more}, engineer))
    assert len(added["addInspectionPhotos"]["photos"]) == 6
    one = [{"fileName": "7.jpg", "contentBase64": b64(JPEG)}]
    assert error_codes(await call(stack, ADD_PHOTOS, {"r": record["id"], "p": one}, engineer)) == [
        "BAD_USER_INPUT"
    ]
    assert await InspectionPhoto.filter(record_id=record["id"]).count() == 6
    assert await InspectionPhoto.filter(record_id=record["id"], size=2 * 1024 * 1024).count() == 1
    # Not a target of the task.
    other = record_input(task_id, "DEVICE", str(uuid.uuid4()))
    assert error_codes(await call(stack, RECORD, other, engineer)) == ["BAD_USER_INPUT"]

    issue = record_input(
        task_id,
        "DEVICE",
        device,
        result="ISSUE",
        unitName="测试供电营业厅",
        symptom="打印机卡纸",
        expectedResolutionAt=(now() + timedelta(days=1)).isoformat(),
    )
    last = data(await call(stack, RECORD, issue, engineer))["recordInspection"]
    assert (last["result"], last["symptom"], last["task"]["status"]) == ("ISSUE", "打印机卡纸", "DONE")
    seen = data(await call(stack, TASK, {"id": task_id}, tenant.hall_token))["inspectionTask"]
    assert seen["status"] == "DONE" and seen["completedAt"] and seen["plan"]["name"] == "月度安全检查"
    photo = next(p for r in seen["records"] for p in r["photos"] if p["fileName"] == "机房.png")
    content = "query($id: ID!) { inspectionPhoto(id: $id) { contentBase64 } }"
    read = data(await call(stack, content, {"id": photo["id"]}, tenant.hall_token))["inspectionPhoto"]
    assert base64.b64decode(read["contentBase64"]) == PNG
    # One photo's content a request: a list of them is refused.
    every = "query($id: ID!) { inspectionTask(id: $id) { records { photos { contentBase64 } } } }"
    assert "BAD_USER_INPUT" in error_codes(await call(stack, every, {"id": task_id}, tenant.hall_token))
    # A done task takes no new record; a retry of a recorded target still gets its record.
    assert data(await call(stack, RECORD, issue, engineer))["recordInspection"]["id"] == last["id"]
    # Someone who does not plan or record inspections (a customer manager) may not.
    assert error_codes(await call(stack, CREATE, {"i": plan_input}, tenant.manager_token)) == ["NOT_FOUND"]


@pytest.mark.e2e
async def test_the_monthly_report_its_sign_off_and_export(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    other = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    engineer = await ops_engineer(stack, tenant)
    this_month = now().astimezone(CST).date().replace(day=1)
    month = (this_month - timedelta(days=1)).replace(day=1)  # last month: over, so it may be signed
    monthly = await make_plan(tenant.hall, F.MONTHLY, month)
    daily = await make_plan(tenant.hall, F.DAILY, month)
    await create_due_tasks(datetime(month.year, month.month, 10, 12, tzinfo=CST))
    done = await InspectionTask.get(plan_id=daily.id)
    await InspectionRecord.create(
        task_id=done.id,
        org_path=done.org_path,
        target_kind=InspectionTargetKind.HALL,
        target_id=tenant.hall.id,
        result=InspectionResult.ISSUE,
        unit_name="测试供电营业厅",
        symptom="UPS电池老化",
        recorded_by=tenant.hall_manager.id,
    )
    await InspectionTask.filter(id=done.id).update(status=InspectionTaskStatus.DONE, completed_at=now())
    variables = {"o": str(tenant.hall.id), "m": month.isoformat()}
    report = data(await call(stack, REPORT, variables, tenant.hall_token))["inspectionReport"]
    assert (report["due"], report["done"], report["missed"], report["pending"], report["issues"]) == (
        2,
        1,
        1,
        0,
        1,
    )
    assert {t["id"] for t in report["tasks"]} == {
        str(done.id),
        str((await InspectionTask.get(plan_id=monthly.id)).id),
    }
    assert report["records"][0]["symptom"] == "UPS电池老化" and report["signoff"] is None

    far = {"o": str(tenant.hall.id), "m": "9999-12-01"}  # date arithmetic there would overflow
    assert error_codes(await call(stack, REPORT, far, tenant.hall_token)) == ["BAD_USER_INPUT"]
    # The inspector does not sign; another tenant's hall does not even see the unit.
    assert error_codes(await call(stack, SIGN, variables | {"n": "x"}, engineer)) == ["FORBIDDEN"]
    assert error_codes(await call(stack, SIGN, variables | {"n": "x"}, other.hall_token)) == ["NOT_FOUND"]
    this = {"o": str(tenant.hall.id), "m": this_month.isoformat(), "n": "x"}
    assert error_codes(await call(stack, SIGN, this, tenant.hall_token)) == ["CONFLICT"]  # not over yet
    signed = data(await call(stack, SIGN, variables | {"n": "同意"}, tenant.hall_token))[
        "signInspectionReport"
    ]
    twins = await asyncio.gather(
        *(call(stack, SIGN, variables | {"n": "再签"}, tenant.hall_token) for _ in range(3))
    )
    assert {data(t)["signInspectionReport"]["id"] for t in twins} == {signed["id"]}
    report = data(await call(stack, REPORT, variables, tenant.hall_token))["inspectionReport"]
    assert report["signoff"] == {
        "id": signed["id"],
        "note": "同意",
        "signedBy": {"id": str(tenant.hall_manager.id)},
    }

    xlsx = data(await call(stack, EXPORT, variables | {"f": "XLSX"}, tenant.hall_token))["inspectionReport"][
        "export"
    ]
    assert xlsx["fileName"].endswith(".xlsx") and "spreadsheetml" in xlsx["contentType"]
    sheet = load_workbook(io.BytesIO(base64.b64decode(xlsx["contentBase64"]))).active
    assert sheet is not None
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert {"月度巡检报告", "测试供电营业厅", "UPS电池老化", "发现问题"} <= cells
    pdf = data(await call(stack, EXPORT, variables | {"f": "PDF"}, tenant.hall_token))["inspectionReport"][
        "export"
    ]
    content = base64.b64decode(pdf["contentBase64"])
    assert pdf["contentType"] == "application/pdf" and content.startswith(b"%PDF")
    assert b"/Type /Page" in content and b"STSong-Light" in content


@pytest.mark.e2e
async def test_callers_out_of_scope_get_not_found(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    other = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    plan = await make_plan(tenant.hall, F.MONTHLY, date(2025, 1, 1))
    await create_due_tasks(utc(2025, 1, 10))
    task = await InspectionTask.get(plan_id=plan.id)
    record = await InspectionRecord.create(
        task_id=task.id,
        org_path=task.org_path,
        target_kind=InspectionTargetKind.HALL,
        target_id=tenant.hall.id,
        result=InspectionResult.OK,
        recorded_by=tenant.hall_manager.id,
    )
    photo = await InspectionPhoto.create(
        record=record, org_path=record.org_path, content_type="image/png", size=len(PNG), sha256="0" * 64
    )
    await InspectionPhotoContent.create(id=photo.id, content=PNG)
    engineer = await make_user(other.hall, ("OPS_ENGINEER",), "他厅运维")
    outsiders = [other.hall_token, token_for(engineer, other.hall, stack.settings), tenant.manager_token]
    reads = [
        ("query($id: ID!) { inspectionPlan(id: $id) { id } }", {"id": str(plan.id)}),
        ("query($id: ID!) { inspectionTask(id: $id) { id } }", {"id": str(task.id)}),
        ("query($id: ID!) { inspectionRecord(id: $id) { id } }", {"id": str(record.id)}),
        ("query($id: ID!) { inspectionPhoto(id: $id) { contentBase64 } }", {"id": str(photo.id)}),
        (REPORT, {"o": str(tenant.hall.id), "m": "2025-01-01"}),
    ]
    for token in outsiders:
        for query, variables in reads:
            assert error_codes(await call(stack, query, variables, token)) == ["NOT_FOUND"], (query, token)
        lists = (
            "{ inspectionPlans(first: 100) { nodes { id } } inspectionTasks(first: 100) { nodes { id } } }"
        )
        seen = data(await call(stack, lists, {}, token))
        assert {"id": str(plan.id)} not in seen["inspectionPlans"]["nodes"]
        assert {"id": str(task.id)} not in seen["inspectionTasks"]["nodes"]
    for query, variables in reads:  # ... while the hall's own manager reads them
        assert "errors" not in await call(stack, query, variables, tenant.hall_token)


# -- statistics --------------------------------------------------------------------------------------

STATISTICS = "query($m: Date!) { inspectionStatistics(month: $m) { org { id } due done missed pending } }"


@pytest.mark.integration
async def test_statistics_take_constant_statements_whatever_the_plans(database: Settings) -> None:
    month = date(2024, 5, 1)
    counts = {}
    for units in (2, 6):
        root = await make_org("统计测试省", OrgKind.PROVINCE_UNION)
        admin = await make_user(root, ("PROVINCE_ADMIN",), "省联社管理")
        bureau = await make_org("统计测试局", OrgKind.BRANCH, root, tenant_id=root.id)
        head = await make_user(bureau, ("BRANCH_HEAD",), "局长")
        admin_token = token_for(admin, root, database)
        halls = [
            await make_org(f"统计营业厅{i}", OrgKind.HALL, bureau, tenant_id=root.id) for i in range(units)
        ]
        for hall in halls:
            for frequency in (F.DAILY, F.MONTHLY):
                plan = await make_plan(hall, frequency, month)
                for day, status in ((1, InspectionTaskStatus.DONE), (2, InspectionTaskStatus.PENDING)):
                    if frequency is F.MONTHLY and day == 2:
                        continue
                    start, end = period_of(frequency, month, month.replace(day=day))
                    await InspectionTask.create(
                        plan=plan,
                        org_id=hall.id,
                        org_path=hall.path,
                        period_start=start,
                        period_end=end,
                        due_at=datetime.combine(end, datetime.min.time(), tzinfo=CST),
                        status=status,
                    )
        # A task due the next month (a monthly period ending on 1 June is due in May; June's is not).
        await InspectionTask.create(
            plan=plan,
            org_id=halls[0].id,
            org_path=halls[0].path,
            period_start=next_month(month),
            period_end=next_month(next_month(month)),
            due_at=datetime.combine(next_month(next_month(month)), datetime.min.time(), tzinfo=CST),
        )
        # The bureau's head (辖内) sees its halls, and only those.
        token = token_for(head, bureau, database)
        statements, seen = await counted("operations", STATISTICS, {"m": "2024-05-17"}, token, database)
        rows = {row["org"]["id"]: row for row in seen["inspectionStatistics"]}
        assert set(rows) == {str(hall.id) for hall in halls}
        for row in rows.values():
            assert (row["due"], row["done"], row["missed"], row["pending"]) == (3, 2, 1, 0)
        counts[units] = statements
        # The province sees them among every unit's.
        _, everyone = await counted("operations", STATISTICS, {"m": "2024-05-01"}, admin_token, database)
        assert set(rows) <= {row["org"]["id"] for row in everyone["inspectionStatistics"]}
    assert counts[2] == counts[6] == 2, counts  # the figures, and the units (one loader batch)


NESTED = """{ inspectionPlans(first: 6) { nodes { name assignee { id } org { name }
  tasks(first: 2) { status records { result recordedBy { id } task { id } } } } } }"""
PHOTOS = """{ inspectionTasks(first: 20) { nodes { plan { name } records { photos { id size } } } } }"""


@pytest.mark.integration
async def test_nested_relations_take_constant_statements(database: Settings) -> None:
    """plan → tasks → records → photos (and their users and orgs), through the loaders: the same
    statements for 2 plans as for 6."""
    counts = {}
    for plans in (2, 6):
        root = await make_org("关联测试省", OrgKind.PROVINCE_UNION)
        bureau = await make_org("关联测试局", OrgKind.BRANCH, root, tenant_id=root.id)
        head = await make_user(bureau, ("BRANCH_HEAD",), "局长")
        for i in range(plans):
            hall = await make_org(f"关联营业厅{i}", OrgKind.HALL, bureau, tenant_id=root.id)
            plan = await make_plan(hall, F.MONTHLY, date(2024, 1, 1))
            await InspectionPlan.filter(id=plan.id).update(assignee_id=head.id)
            for month in (date(2024, 1, 1), date(2024, 2, 1)):
                task = await InspectionTask.create(
                    plan=plan,
                    org_id=hall.id,
                    org_path=hall.path,
                    period_start=month,
                    period_end=next_month(month),
                    due_at=datetime.combine(next_month(month), datetime.min.time(), tzinfo=CST),
                )
                record = await InspectionRecord.create(
                    task=task,
                    org_path=hall.path,
                    target_kind=InspectionTargetKind.HALL,
                    target_id=hall.id,
                    result=InspectionResult.OK,
                    recorded_by=head.id,
                )
                await InspectionPhoto.create(
                    record=record, org_path=hall.path, content_type="image/png", size=1, sha256="0" * 64
                )
        token = token_for(head, bureau, database)
        statements, seen = await counted("operations", NESTED, {}, token, database)
        nodes = seen["inspectionPlans"]["nodes"]
        assert len(nodes) == plans and all(len(node["tasks"]) == 2 for node in nodes)
        assert all(len(task["records"]) == 1 for node in nodes for task in node["tasks"])
        more, seen = await counted("operations", PHOTOS, {}, token, database)
        tasks = seen["inspectionTasks"]["nodes"]
        assert len(tasks) == 2 * plans and all(len(task["records"][0]["photos"]) == 1 for task in tasks)
        counts[plans] = (statements, more)
    assert counts[2] == counts[6], counts
