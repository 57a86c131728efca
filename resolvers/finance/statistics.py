"""监管统计 (regulator statistics), computed in SQL: one statement per field, whatever the number
of handlings, periods or groups; the institution and product of each row come through the
request's loaders (one batched statement each).

Every figure counts 受理单 (``handling`` rows: one per institution handling one order; a need
grabbed by three institutions counts once for each). A handling belongs to the period in which
the order reached the institution (its ``week``: Monday, CST; its ``month``: the first day), and
all its later steps (pre-review, credit, disbursement) count in that same period — a cohort view:
"of the orders received in week W, how many were processed, how much was credited".

Definitions (the marketplace names the figures; the formulas are ours):

- orders: handlings received in the period.
- processed: handlings the institution has acted on — phone pre-review done
  (``pre_review_passed`` is not null), or in a state only reached through the institution's own
  decision (PRE_REVIEWED, OFFERED, SELECTED, CREDITED, DISBURSED, REJECTED). Handlings still
  ASSIGNED / GRABBED, and those withdrawn, transferred away (转单) or not selected before any
  pre-review, are not processed.
- processing rate = processed / orders.
- pre-review pass rate = passed / (passed + failed) among the pre-reviewed; null when none was.
- applied amount = sum of ``amount``; credited = sum of ``credit_amount``; disbursed = sum of
  ``disbursed_amount`` (a missing figure counts 0). Sums are taken in whole fen (分) as integers,
  so they are exact on SQLite too (which stores decimals as text) and returned as Decimals.
- period-on-period change (环比) = (this − previous) / previous, where "previous" is the
  immediately preceding calendar period (the week 7 days before, the month before) of the same
  group — a join on that period, not LAG over the rows present, so a gap is not skipped over.
  Null when the group had nothing in the previous period (absent or 0). Rates are rounded to
  4 decimal places.
- groups: by institution, or by product — a need has no product, so by-product rows also carry
  one row per institution for its financing needs, with ``product`` null. Only groups with at
  least one order in a period get a row for it.
- range: ``start`` and ``end`` are dates; every period that contains a day of [start, end] is
  reported (``start`` falls back to its week's Monday / the first of its month). At most 2 years.

Who sees what: the regulator, operators and the province (role scope ALL) see everything; an
institution's administrator (FI_ADMIN) only its own institution; everyone else is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from models.finance import Handling, HandlingStatus
from resolvers.common.clock import CST, now
from resolvers.common.errors import bad_input, forbidden
from security.principal import Principal
from security.roles import Role, Scope
from security.scopes import role_scope

MAX_RANGE_DAYS = 2 * 366  # "at most 2 years"


class StatisticsPeriod(Enum):
    WEEK = "WEEK"  # Monday to Sunday, CST
    MONTH = "MONTH"  # the calendar month


class StatisticsGroup(Enum):
    INSTITUTION = "INSTITUTION"
    PRODUCT = "PRODUCT"  # a need has no product: one row per institution with product None


def period_starts(day: date) -> tuple[date, date]:
    """The statistics week (its Monday) and month (its first day) holding ``day``."""
    return day - timedelta(days=day.weekday()), day.replace(day=1)


def periods(moment: datetime) -> tuple[date, date]:
    """The statistics week and month of ``moment``, in CST: a handling's ``week`` and ``month``."""
    return period_starts(moment.astimezone(CST).date())


@dataclass(frozen=True)
class MarketplaceStatistic:
    """One period of one institution (or product): one row of ``marketplace_statistics``."""

    period: date
    institution_id: UUID
    product_id: UUID | None
    orders: int
    processed: int
    processing_rate: float
    pre_review_pass_rate: float | None
    applied_amount: Decimal
    credited_amount: Decimal
    disbursed_amount: Decimal
    orders_change: float | None
    applied_amount_change: float | None
    credited_amount_change: float | None
    disbursed_amount_change: float | None


@dataclass(frozen=True)
class DistrictTrend:
    """One period of one district."""

    period: date
    district: str
    orders: int
    applied_amount: Decimal
    disbursed_amount: Decimal
    orders_change: float | None


# Acting on a handling: these states are reached only through the institution's own decision.
_PROCESSED_STATES = (
    HandlingStatus.PRE_REVIEWED,
    HandlingStatus.OFFERED,
    HandlingStatus.SELECTED,
    HandlingStatus.CREDITED,
    HandlingStatus.DISBURSED,
    HandlingStatus.REJECTED,
)
_PROCESSED = "pre_review_passed IS NOT NULL OR status IN ({})".format(
    ", ".join(f"'{state.value}'" for state in _PROCESSED_STATES)
)


def _fen(column: str) -> str:
    """Sum of a decimal column in fen (integer), exact on both databases; 0 when all null."""
    return f"COALESCE(SUM(CAST(ROUND(CAST({column} AS NUMERIC) * 100) AS BIGINT)), 0)"


def _change(current: str, previous: str) -> str:
    return (
        f"CASE WHEN {previous} IS NULL OR {previous} = 0 THEN NULL "
        f"ELSE ROUND(1.0 * ({current} - {previous}) / {previous}, 4) END"
    )


class _Sql:
    """Dialect bits of one raw statement: placeholders in order of use, and the previous period."""

    def __init__(self) -> None:
        self.db = Handling._meta.db
        self.postgres = self.db.capabilities.dialect == "postgres"
        self.params: list[Any] = []

    def param(self, value: date | UUID) -> str:
        stored = value.isoformat() if isinstance(value, date) else str(value)  # SQLite stores text
        self.params.append(value if self.postgres else stored)
        return f"${len(self.params)}" if self.postgres else "?"

    def previous(self, column: str, period: StatisticsPeriod) -> str:
        """The start of the calendar period before the one starting at ``column``."""
        step = "7 days" if period is StatisticsPeriod.WEEK else "1 month"
        if self.postgres:
            return f"CAST({column} - INTERVAL '{step}' AS DATE)"
        return f"date({column}, '-{step}')"

    async def rows(self, sql: str) -> list[dict[str, Any]]:
        return await self.db.execute_query_dict(sql, self.params)


def _period_start(day: date, period: StatisticsPeriod) -> date:
    week, month = period_starts(day)
    return week if period is StatisticsPeriod.WEEK else month


def _previous_start(start: date, period: StatisticsPeriod) -> date:
    if period is StatisticsPeriod.WEEK:
        return start - timedelta(days=7)
    return (start - timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class _Range:
    first: date  # start of the first reported period
    before: date  # start of the period before it: read too, for the first period's change
    last: date  # start of the last reported period


def _range(start: date, end: date, period: StatisticsPeriod) -> _Range:
    if start > end:
        raise bad_input("start must not be after end")
    if (end - start).days > MAX_RANGE_DAYS:
        raise bad_input("the range may span at most 2 years")
    first = _period_start(start, period)
    return _Range(first, _previous_start(first, period), _period_start(end, period))


def _institution_filter(principal: Principal, wanted: UUID | None) -> UUID | None:
    """The institution the caller may see (None: all), or FORBIDDEN."""
    if role_scope(principal) is Scope.ALL:
        return wanted
    if principal.has_role(Role.FI_ADMIN) and principal.institution_id is not None:
        if wanted is not None and wanted != principal.institution_id:
            raise forbidden("只能查看本机构的统计 (only your own institution's statistics)")
        return principal.institution_id
    raise forbidden("无权查看监管统计 (regulators, operators and institution administrators only)")


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _id(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _uuid(value: Any) -> UUID | None:
    return None if value is None else value if isinstance(value, UUID) else UUID(str(value))


def _yuan(fen: Any) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def _rate(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def _where(sql: _Sql, span: _Range, column: str, institution: UUID | None) -> str:
    where = f"{column} >= {sql.param(span.before)} AND {column} <= {sql.param(span.last)}"
    if institution is not None:
        where += f" AND institution_id = {sql.param(institution)}"
    return where


def marketplace_sql(
    sql: _Sql, period: StatisticsPeriod, group: StatisticsGroup, span: _Range, institution: UUID | None
) -> str:
    column = "week" if period is StatisticsPeriod.WEEK else "month"
    by_product = group is StatisticsGroup.PRODUCT
    keys = "institution_id, product_id" if by_product else "institution_id"
    same_product = (
        " AND (prev.product_id = cur.product_id OR (prev.product_id IS NULL AND cur.product_id IS NULL))"
        if by_product
        else ""
    )
    where = _where(sql, span, column, institution)
    first = sql.param(span.first)
    return f"""
WITH grouped AS (
    SELECT {column} AS period, {keys},
           COUNT(*) AS orders,
           SUM(CASE WHEN {_PROCESSED} THEN 1 ELSE 0 END) AS processed,
           SUM(CASE WHEN pre_review_passed IS NULL THEN 0 ELSE 1 END) AS reviewed,
           SUM(CASE WHEN pre_review_passed THEN 1 ELSE 0 END) AS passed,
           {_fen("amount")} AS applied,
           {_fen("credit_amount")} AS credited,
           {_fen("disbursed_amount")} AS disbursed
    FROM handling
    WHERE {where}
    GROUP BY {column}, {keys}
)
SELECT cur.period, cur.institution_id, {"cur.product_id" if by_product else "NULL"} AS product_id,
       cur.orders, cur.processed, cur.applied, cur.credited, cur.disbursed,
       ROUND(1.0 * cur.processed / cur.orders, 4) AS processing_rate,
       CASE WHEN cur.reviewed = 0 THEN NULL ELSE ROUND(1.0 * cur.passed / cur.reviewed, 4) END
           AS pre_review_pass_rate,
       {_change("cur.orders", "prev.orders")} AS orders_change,
       {_change("cur.applied", "prev.applied")} AS applied_change,
       {_change("cur.credited", "prev.credited")} AS credited_change,
       {_change("cur.disbursed", "prev.disbursed")} AS disbursed_change
FROM grouped AS cur
LEFT JOIN grouped AS prev
    ON prev.institution_id = cur.institution_id{same_product}
   AND prev.period = {sql.previous("cur.period", period)}
WHERE cur.period >= {first}
ORDER BY cur.period, cur.orders DESC, cur.institution_id{", cur.product_id" if by_product else ""}
"""


def district_sql(sql: _Sql, period: StatisticsPeriod, span: _Range, institution: UUID | None) -> str:
    column = "week" if period is StatisticsPeriod.WEEK else "month"
    where = _where(sql, span, column, institution)
    first = sql.param(span.first)
    return f"""
WITH grouped AS (
    SELECT {column} AS period, district,
           COUNT(*) AS orders,
           {_fen("amount")} AS applied,
           {_fen("disbursed_amount")} AS disbursed
    FROM handling
    WHERE {where}
    GROUP BY {column}, district
)
SELECT cur.period, cur.district, cur.orders, cur.applied, cur.disbursed,
       {_change("cur.orders", "prev.orders")} AS orders_change
FROM grouped AS cur
LEFT JOIN grouped AS prev
    ON prev.district = cur.district AND prev.period = {sql.previous("cur.period", period)}
WHERE cur.period >= {first}
ORDER BY cur.period, cur.district
"""


def _statistic(row: dict[str, Any]) -> MarketplaceStatistic:
    return MarketplaceStatistic(
        period=_date(row["period"]),
        institution_id=_id(row["institution_id"]),  # never null: every handling has one
        product_id=_uuid(row["product_id"]),
        orders=int(row["orders"]),
        processed=int(row["processed"]),
        processing_rate=_rate(row["processing_rate"]) or 0.0,
        pre_review_pass_rate=_rate(row["pre_review_pass_rate"]),
        applied_amount=_yuan(row["applied"]),
        credited_amount=_yuan(row["credited"]),
        disbursed_amount=_yuan(row["disbursed"]),
        orders_change=_rate(row["orders_change"]),
        applied_amount_change=_rate(row["applied_change"]),
        credited_amount_change=_rate(row["credited_change"]),
        disbursed_amount_change=_rate(row["disbursed_change"]),
    )


def _trend(row: dict[str, Any]) -> DistrictTrend:
    return DistrictTrend(
        period=_date(row["period"]),
        district=str(row["district"]),
        orders=int(row["orders"]),
        applied_amount=_yuan(row["applied"]),
        disbursed_amount=_yuan(row["disbursed"]),
        orders_change=_rate(row["orders_change"]),
    )


async def marketplace_statistics(
    principal: Principal,
    period: StatisticsPeriod,
    group_by: StatisticsGroup,
    start: date,
    end: date,
    institution_id: UUID | None = None,
) -> list[MarketplaceStatistic]:
    """监管统计: per institution or product, per week or month (definitions above)."""
    institution = _institution_filter(principal, institution_id)
    span = _range(start, end, period)
    sql = _Sql()
    rows: Sequence[dict[str, Any]] = await sql.rows(marketplace_sql(sql, period, group_by, span, institution))
    return [_statistic(row) for row in rows]


async def district_trends(
    principal: Principal, period: StatisticsPeriod, start: date, end: date
) -> list[DistrictTrend]:
    """区县趋势: per district, per week or month."""
    institution = _institution_filter(principal, None)
    span = _range(start, end, period)
    sql = _Sql()
    return [_trend(row) for row in await sql.rows(district_sql(sql, period, span, institution))]


# 监控大屏 (the monitoring wall): today's marketplace figures
@dataclass(frozen=True)
class MarketplaceToday:
    """今日融资对接: what happened today (CST, midnight to now) in the caller's view. A DAY period of
    ``marketplace_statistics`` would not fit: that is a cohort view by the week or month an order
    arrived, while the wall wants the day's events — orders received today, credit granted today,
    money disbursed today, whenever each order arrived."""

    day: date
    orders: int  # handlings that reached an institution today (受理单)
    applied_amount: Decimal
    credits: int  # handlings credited (授信) today
    credited_amount: Decimal
    disbursements: int  # handlings disbursed (放款) today
    disbursed_amount: Decimal


def _sum(value: Any) -> Decimal:
    """A SUM of a decimal column: a Decimal on PostgreSQL, a float or text on SQLite (exact to the
    fen at the wall's magnitudes), None over no rows."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


async def marketplace_today(principal: Principal) -> MarketplaceToday:
    """Today's figures, scoped like ``marketplace_statistics`` (everything for role scope ALL, its
    own institution for an FI_ADMIN, FORBIDDEN otherwise), in one SQL statement."""
    institution = _institution_filter(principal, None)
    day = now().astimezone(CST).date()
    midnight = datetime.combine(day, time(), CST).astimezone(UTC)  # as stored: SQLite compares text
    received, credited, disbursed = (
        Q(created_at__gte=midnight),
        Q(credited_at__gte=midnight),
        Q(disbursed_at__gte=midnight),
    )
    queryset = Handling.filter(received | credited | disbursed)
    if institution is not None:
        queryset = queryset.filter(institution_id=institution)
    rows = await queryset.annotate(
        orders=Count("id", _filter=received),
        applied=Sum("amount", _filter=received),
        credits=Count("id", _filter=credited),
        credited=Sum("credit_amount", _filter=credited),
        disbursements=Count("id", _filter=disbursed),
        disbursed=Sum("disbursed_amount", _filter=disbursed),
    ).values("orders", "applied", "credits", "credited", "disbursements", "disbursed")
    row = rows[0] if rows else {}
    return MarketplaceToday(
        day=day,
        orders=int(row.get("orders") or 0),
        applied_amount=_sum(row.get("applied")),
        credits=int(row.get("credits") or 0),
        credited_amount=_sum(row.get("credited")),
        disbursements=int(row.get("disbursements") or 0),
        disbursed_amount=_sum(row.get("disbursed")),
    )
