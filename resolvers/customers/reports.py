"""业务报表 engine: month-end snapshots, report rows per org and manager, reading and XLSX export.

A report is data (report_definitions.py ``DEFINITIONS``, looked up in ``REPORTS``). After a month
ends the job (jobs.py ``generate_reports``) runs ``generate_month`` for it:

1. ``snapshot_chunk``: ``chunk`` customers at a time, in customer id order, one transaction each
   under the month's lock (once across replicas), a fixed number of statements per chunk whatever
   its size: the customers, their live deposits and loans, their contacts and tier moves in the
   month (one query each), then delete-and-insert their snapshot rows and move the run's cursor.
   The cursor lives in the month's ``ReportRun``, so a stopped run resumes where it stopped and a
   rerun of a chunk replaces its rows (unique per month and customer): never twice.
2. ``finish_month``: every definition's rows for the month — and for the quarter and half-year
   ending with it — one aggregate statement per definition and period (the SQL is the
   definition's: report_definitions.py), names of orgs and managers in two statements, the
   period's previous rows replaced in one delete and one insert.

Reading (``business_report``) and export (``export_report``) filter the rows by the reader's
scope (scopes.py ``report_row_scope``): one statement a page, one for a whole export.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from openpyxl import Workbook
from tortoise import connections
from tortoise.expressions import Q

from models.customers import (
    ContactChannel,
    ContactRecord,
    Customer,
    CustomerTier,
    Holding,
    HoldingCategory,
    ReportPeriod,
    ReportRow,
    ReportRun,
    ReportSnapshot,
    RunStatus,
    TierChange,
)
from resolvers.common.clock import CST
from resolvers.common.errors import bad_input
from resolvers.common.jobs import exclusive
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, check_page_size, decode_cursor, page_of
from resolvers.customers import directory
from resolvers.customers.report_definitions import (
    DEFINITIONS,
    FAMILY_TITLES,
    Dimension,
    Family,
    ReportDefinition,
    Window,
)
from resolvers.customers.scopes import report_row_scope
from security.principal import Principal

# pg advisory lock keys of report generation: this plus the month's ordinal (one run per month at a
# time across replicas; other months and jobs are not held up). Far above every other job's key.
REPORT_LOCK = 0x5D_C0_7E_00_00_00
CHUNK = 1000  # customers a snapshot chunk
EXPORT_LIMIT = 20_000  # rows in one exported file (a bank has far fewer orgs and managers)
TIERS = list(CustomerTier)  # in ascending order: 普通 < 潜力 < 成长 < 财富 < 私行
ONLINE = {ContactChannel.WECHAT.value, ContactChannel.SMS.value}

REPORTS: dict[str, ReportDefinition] = {d.code: d for d in DEFINITIONS}
assert len(REPORTS) == len(DEFINITIONS), "report codes must be unique"


# -- periods --------------------------------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def period_start(period: ReportPeriod, month: date) -> date:
    """The first month of the ``period`` holding ``month``."""
    span = {ReportPeriod.MONTH: 1, ReportPeriod.QUARTER: 3, ReportPeriod.HALF_YEAR: 6}[period]
    return date(month.year, (month.month - 1) // span * span + 1, 1)


def last_month_of(period: ReportPeriod, start: date) -> date:
    span = {ReportPeriod.MONTH: 1, ReportPeriod.QUARTER: 3, ReportPeriod.HALF_YEAR: 6}[period]
    return date(start.year, start.month + span - 1, 1)


def periods_ending(month: date) -> list[tuple[ReportPeriod, date]]:
    """The periods whose last month is ``month``: always the month, at quarter and half-year ends those."""
    return [
        (period, period_start(period, month))
        for period in ReportPeriod
        if last_month_of(period, period_start(period, month)) == month
    ]


def _at(month: date) -> datetime:
    return datetime.combine(month, time(), tzinfo=CST)


# -- snapshots ------------------------------------------------------------------------------------


def _lock(month: date) -> int:
    return REPORT_LOCK + month.toordinal()


def _term_days(opened_on: date, matures_on: date | None) -> int | None:
    return None if matures_on is None else (matures_on - opened_on).days


def _snapshot(customer: dict[str, Any], month: date) -> ReportSnapshot:
    created = customer["created_at"]
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return ReportSnapshot(
        month=month,
        customer_id=customer["id"],
        tenant_id=customer["tenant_id"],
        org_id=customer["org_id"],
        org_path=customer["org_path"],
        manager_id=customer["primary_manager_id"],
        kind=str(customer["kind"]),
        tier=str(customer["tier"]),
        aum=customer["aum"],
        new_customer=1 if created >= _at(month) else 0,
    )


def _add_holding(snap: ReportSnapshot, holding: dict[str, Any]) -> None:
    amount = Decimal(holding["amount"])
    term = _term_days(holding["opened_on"], holding["matures_on"])
    if holding["category"] == HoldingCategory.DEPOSIT:
        snap.deposit_balance += amount
        snap.deposit_accounts += 1
        if term is None:
            snap.deposit_demand += amount  # 活期
        elif term <= 366:
            snap.deposit_term_1y += amount
        elif term <= 3 * 366:
            snap.deposit_term_3y += amount
        else:
            snap.deposit_term_long += amount
    else:
        snap.loan_balance += amount
        snap.loan_accounts += 1
        if term is not None and term <= 366:
            snap.loan_short += amount  # 短期贷款
        else:
            snap.loan_long += amount  # 中长期贷款


def _add_contact(snap: ReportSnapshot, channel: str) -> None:
    snap.contacts += 1
    if channel == ContactChannel.VISIT:
        snap.contact_visits += 1
    elif channel == ContactChannel.PHONE:
        snap.contact_phones += 1
    elif channel in ONLINE:
        snap.contact_online += 1


def _add_tier_move(snap: ReportSnapshot, from_tier: str, to_tier: str) -> None:
    rank = {tier.value: i for i, tier in enumerate(TIERS)}
    if rank.get(to_tier, 0) > rank.get(from_tier, 0):
        snap.tier_ups += 1
    elif rank.get(to_tier, 0) < rank.get(from_tier, 0):
        snap.tier_downs += 1


async def start_month(month: date, force: bool = False) -> ReportRun:
    """The month's run, made when missing; ``force`` starts it over (a rerun: every snapshot and
    row of the month replaced, none twice)."""
    async with exclusive("customers", _lock(month)) as mine:
        if not mine:  # another replica holds the month, and made its run
            return await ReportRun.get(month=month)
        run, created = await ReportRun.get_or_create(month=month)
        if force and not created:
            await ReportSnapshot.filter(month=month).delete()
            run.status, run.cursor, run.snapshotted, run.rows, run.finished_at = (
                RunStatus.SNAPSHOTTING,
                None,
                0,
                0,
                None,
            )
            await run.save()
    return run


async def snapshot_chunk(month: date, size: int = CHUNK) -> int | None:
    """Snapshot the next ``size`` customers of ``month``'s run: how many (0 when none is left, and
    the run moves on to its rows); None when another replica holds the month (it does the work)."""
    start, end = _at(month), _at(next_month(month))
    last_day = next_month(month).toordinal() - 1
    month_end = date.fromordinal(last_day)
    async with exclusive("customers", _lock(month)) as mine:
        if not mine:
            return None
        run = await ReportRun.get(month=month)
        if run.status is not RunStatus.SNAPSHOTTING:
            return 0
        customers_q = Customer.filter(created_at__lt=end)
        if run.cursor is not None:
            customers_q = customers_q.filter(id__gt=run.cursor)
        customers = (
            await customers_q.order_by("id")
            .limit(size)
            .values(
                "id",
                "tenant_id",
                "org_id",
                "org_path",
                "primary_manager_id",
                "kind",
                "tier",
                "aum",
                "created_at",
            )
        )
        if not customers:
            run.status = RunStatus.SNAPSHOTTED
            await run.save(update_fields=["status", "updated_at"])
            return 0
        first, last = customers[0]["id"], customers[-1]["id"]
        snaps = {c["id"]: _snapshot(c, month) for c in customers}
        live = Q(closed_on=None) | Q(closed_on__gt=month_end)
        holdings = await (
            Holding.filter(live, customer_id__gte=first, customer_id__lte=last, opened_on__lte=month_end)
            .filter(category__in=[HoldingCategory.DEPOSIT, HoldingCategory.LOAN])
            .values("customer_id", "category", "amount", "opened_on", "matures_on")
        )
        contacts = await ContactRecord.filter(
            customer_id__gte=first, customer_id__lte=last, contacted_at__gte=start, contacted_at__lt=end
        ).values_list("customer_id", "channel")
        moves = await TierChange.filter(
            customer_id__gte=first, customer_id__lte=last, created_at__gte=start, created_at__lt=end
        ).values_list("customer_id", "from_tier", "to_tier")
        for holding in holdings:
            if (snap := snaps.get(holding["customer_id"])) is not None:
                _add_holding(snap, holding)
        for customer_id, channel in contacts:
            if (snap := snaps.get(customer_id)) is not None:
                _add_contact(snap, str(channel))
        for customer_id, from_tier, to_tier in moves:
            if (snap := snaps.get(customer_id)) is not None:
                _add_tier_move(snap, from_tier, to_tier)
        await ReportSnapshot.filter(month=month, customer_id__gte=first, customer_id__lte=last).delete()
        await ReportSnapshot.bulk_create(list(snaps.values()))
        run.cursor, run.snapshotted = last, run.snapshotted + len(customers)
        await run.save(update_fields=["cursor", "snapshotted", "updated_at"])
        return len(customers)


# -- report rows ----------------------------------------------------------------------------------


def report_sql(definition: ReportDefinition, start: date, last: date) -> str:
    """The aggregate of one report over the snapshots of the months ``start``..``last`` (both first
    days of months; built from dates and the definition only, so nothing a caller typed)."""
    if definition.window is Window.YEAR_TO_DATE:
        start = date(last.year, 1, 1)
    key = "s.org_id" if definition.dimension is Dimension.ORG else "s.manager_id"
    measures = ",\n       ".join(f"{m.sql} AS m{i}" for i, m in enumerate(definition.measures))
    return f"""SELECT s.tenant_id AS tenant_id, {key} AS key_id, MAX(s.org_path) AS org_path,
       {measures}
FROM (SELECT r.*, CASE WHEN r.month = '{last.isoformat()}' THEN 1 ELSE 0 END AS closing
      FROM report_snapshot r
      WHERE r.month >= '{start.isoformat()}' AND r.month <= '{last.isoformat()}') s
WHERE {key} IS NOT NULL AND ({definition.where})
GROUP BY s.tenant_id, {key}"""


def _figure(value: Any, scale: int) -> str:
    number = Decimal(str(value if value is not None else 0))
    return str(number.quantize(Decimal(1).scaleb(-scale)))


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


@dataclass(frozen=True)
class _Computed:
    definition: ReportDefinition
    period: ReportPeriod
    start: date
    row: dict[str, Any]


async def compute_rows(month: date, definitions: Iterable[ReportDefinition]) -> list[ReportRow]:
    """The rows of every definition for every period ending with ``month``, replacing the periods'
    earlier rows: one statement per definition and period, then four whatever their number."""
    db = connections.get("customers")
    periods = periods_ending(month)
    computed: list[_Computed] = []
    for definition in definitions:
        for period, start in periods:
            if period in definition.periods:
                _, found = await db.execute_query(report_sql(definition, start, month))
                computed += [_Computed(definition, period, start, dict(row)) for row in found]
    orgs = await directory.orgs_by_id(
        _uuid(c.row["key_id"]) for c in computed if c.definition.dimension is Dimension.ORG
    )
    staff = await directory.staff_by_id(
        _uuid(c.row["key_id"]) for c in computed if c.definition.dimension is Dimension.MANAGER
    )
    by_report: dict[tuple[str, ReportPeriod], list[ReportRow]] = defaultdict(list)
    for c in computed:
        key = _uuid(c.row["key_id"])
        label, path = str(key), str(c.row["org_path"])
        if c.definition.dimension is Dimension.ORG and key in orgs:
            label, path = orgs[key].name, orgs[key].path
        elif c.definition.dimension is Dimension.MANAGER and key in staff:
            label, path = staff[key].name, staff[key].org.path
        values = [_figure(c.row[f"m{i}"], m.scale) for i, m in enumerate(c.definition.measures)]
        by_report[(c.definition.code, c.period)].append(
            ReportRow(
                tenant_id=_uuid(c.row["tenant_id"]),
                report_code=c.definition.code,
                period=c.period,
                period_start=c.start,
                key_id=key,
                label=label,
                org_path=path,
                position=0,
                values=values,
            )
        )
    rows: list[ReportRow] = []
    for report_rows in by_report.values():
        report_rows.sort(key=lambda r: (r.org_path, r.label))
        for position, row in enumerate(report_rows):
            row.position = position
        rows += report_rows
    replaced = Q(*(Q(period=period, period_start=start) for period, start in periods), join_type="OR")
    await ReportRow.filter(replaced).delete()
    await ReportRow.bulk_create(rows)
    return rows


async def finish_month(month: date, definitions: Iterable[ReportDefinition] | None = None) -> int | None:
    """Compute the month's rows once its snapshots are complete: how many; None when another
    replica holds the month or the snapshots are not complete."""
    async with exclusive("customers", _lock(month)) as mine:
        if not mine:
            return None
        run = await ReportRun.get(month=month)
        if run.status is not RunStatus.SNAPSHOTTED:
            return None if run.status is RunStatus.SNAPSHOTTING else 0
        rows = await compute_rows(month, REPORTS.values() if definitions is None else definitions)
        run.status, run.rows, run.finished_at = RunStatus.DONE, len(rows), datetime.now(UTC)
        await run.save(update_fields=["status", "rows", "finished_at", "updated_at"])
        return len(rows)


async def generate_month(month: date, chunk: int = CHUNK, force: bool = False) -> int:
    """Snapshot every customer for ``month`` and compute its reports: the rows made (0 when the
    month was done already, or another replica is at it)."""
    month = month_of(month)
    run = await start_month(month, force)
    if run.status is RunStatus.DONE:
        return 0
    while True:
        done = await snapshot_chunk(month, chunk)
        if done is None:
            return 0  # another replica holds the month: it finishes it
        if done == 0:
            break
    return await finish_month(month) or 0


async def generate_due(now: datetime | None = None, chunk: int = CHUNK) -> int:
    """The job's run: last month's reports, once it has ended (CST), unless done already."""
    today = (now or datetime.now(UTC)).astimezone(CST).date()
    month = previous_month(month_of(today))
    run = await ReportRun.get_or_none(month=month)
    if run is not None and run.status is RunStatus.DONE:
        return 0
    return await generate_month(month, chunk)


# -- reading --------------------------------------------------------------------------------------


def definitions(principal: Principal, family: Family | None = None) -> list[ReportDefinition]:
    """The reports (of ``family``) the caller may read: every one for a report reader, else none."""
    if report_row_scope(principal).is_nothing:
        return []
    return [d for d in REPORTS.values() if family is None or d.family is family]


def family_title(family: Family) -> str:
    return FAMILY_TITLES[family]


def _definition(code: str, period: ReportPeriod, start: date) -> ReportDefinition:
    definition = REPORTS.get(code)
    if definition is None:
        raise bad_input(f"没有该报表 (unknown report code {code[:64]!r})")
    if period not in definition.periods:
        raise bad_input(f"该报表没有{period.value}期 (the report has no {period.value} period)")
    if start != period_start(period, start) or start.day != 1:
        raise bad_input("periodStart must be the first day of the period (月初 / 季初 / 半年初)")
    return definition


@dataclass(frozen=True)
class ReportView:
    """A report for one period as the reader may see it: its rows' page."""

    definition: ReportDefinition
    period: ReportPeriod
    period_start: date
    rows: Page[ReportRow]


def _rows(principal: Principal, definition: ReportDefinition, period: ReportPeriod, start: date) -> Any:
    return scoped(principal, ReportRow, report_row_scope).filter(
        report_code=definition.code, period=period, period_start=start
    )


async def business_report(
    principal: Principal, code: str, period: ReportPeriod, start: date, first: int, after: str | None
) -> ReportView:
    """One report for one period, the rows in the reader's scope in report order: one statement."""
    definition = _definition(code, period, start)
    check_page_size(first)
    queryset = _rows(principal, definition, period, start)
    if after is not None:
        position, _, _ = decode_cursor(after).partition("|")
        if not position.isdigit():
            raise bad_input("invalid cursor")
        queryset = queryset.filter(position__gt=int(position))
    found = await queryset.order_by("position").limit(first + 1)
    page = page_of(found, first, key=lambda row: f"{row.position}|{row.id}")
    return ReportView(definition, period, start, page)


# -- export ---------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD_NAMES = {ReportPeriod.MONTH: "月报", ReportPeriod.QUARTER: "季报", ReportPeriod.HALF_YEAR: "半年报"}


@dataclass(frozen=True)
class ReportFile:
    file_name: str
    content_type: str
    content: bytes


def period_label(period: ReportPeriod, start: date) -> str:
    if period is ReportPeriod.MONTH:
        return f"{start:%Y年%m月}"
    if period is ReportPeriod.QUARTER:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年{'上' if start.month == 1 else '下'}半年"


def workbook(
    definition: ReportDefinition, period: ReportPeriod, start: date, rows: Sequence[ReportRow]
) -> bytes:
    """The report as the bank prints it: title, period, the bank's header row, a row per org or manager."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its sheet
    sheet.title = definition.code[:31]
    sheet.append([f"{definition.title}——{PERIOD_NAMES[period]}"])
    sheet.append([f"统计期间: {period_label(period, start)}"])
    sheet.append(list(definition.headers))
    for row in rows:
        measures = zip(row.values, definition.measures, strict=True)
        figures = [float(v) if m.scale else int(Decimal(v)) for v, m in measures]
        sheet.append([row.label, *figures])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def export_report(principal: Principal, code: str, period: ReportPeriod, start: date) -> ReportFile:
    """The report's rows in the reader's scope as XLSX (one statement)."""
    definition = _definition(code, period, start)
    rows = await _rows(principal, definition, period, start).order_by("position").limit(EXPORT_LIMIT)
    name = f"{definition.title}-{period_label(period, start)}.xlsx"
    return ReportFile(name, XLSX, workbook(definition, period, start, rows))
