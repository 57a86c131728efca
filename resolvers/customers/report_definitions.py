"""业务报表 as data: every report the engine (reports.py) generates, reads and exports is one
``ReportDefinition`` in ``DEFINITIONS`` — a code, the seed's Chinese title, its family, its
dimension (机构 or 客户经理), its periods, and its measures: each the bank's column header and an SQL
aggregate over the month-end snapshot rows ``s`` (models/customers/reports.py ``ReportSnapshot``).
A new report is one more definition here; no other code changes (docs/customers.md "Business
reports", tests/customers/test_reports.py).

How a measure reads the snapshots. The rows of a period are those of its months (for a
``YEAR_TO_DATE`` report, of every month of the year so far); ``s.closing`` is 1 on the rows of the
period's last month and 0 on the others. So a balance or a head count at the period's end is
``SUM(s.<column> * s.closing)`` (``at_end`` below), a flow over the period — contacts, tier moves —
is ``SUM(s.<column>)`` (``over``). The SQL must run on PostgreSQL and SQLite alike: plain
``SUM`` / ``COUNT`` / ``CASE``, arithmetic, no dialect functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.customers.reports import ReportPeriod


class Family(StrEnum):
    CUSTOMER_OVERVIEW = "CUSTOMER_OVERVIEW"  # 客户综合信息
    LOAN_SCALE = "LOAN_SCALE"  # 贷款规模
    DEPOSIT_SCALE = "DEPOSIT_SCALE"  # 存款规模
    CONTACT = "CONTACT"  # 客户接触
    TIER_CHANGE = "TIER_CHANGE"  # 客户等级变动


FAMILY_TITLES = {
    Family.CUSTOMER_OVERVIEW: "客户综合信息报表",
    Family.LOAN_SCALE: "贷款规模报表",
    Family.DEPOSIT_SCALE: "存款规模报表",
    Family.CONTACT: "客户接触情况报表",
    Family.TIER_CHANGE: "客户等级变动报表",
}


class Dimension(StrEnum):
    ORG = "ORG"  # 机构维度: one row per org
    MANAGER = "MANAGER"  # 客户经理维度: one row per primary manager


DIMENSION_HEADERS = {Dimension.ORG: "机构", Dimension.MANAGER: "客户经理"}
DIMENSION_TITLES = {Dimension.ORG: "（机构维度）", Dimension.MANAGER: "（客户经理维度）"}


class Window(StrEnum):
    PERIOD = "PERIOD"  # the period's own months
    YEAR_TO_DATE = "YEAR_TO_DATE"  # 本年: January to the period's end


@dataclass(frozen=True)
class Measure:
    header: str  # the bank's column header (表头), as exported
    sql: str  # an aggregate over the snapshot rows ``s``
    scale: int = 0  # decimals shown: 0 for counts, 2 for 万元 and percentages


@dataclass(frozen=True)
class ReportDefinition:
    code: str
    title: str  # the seed's name (000 业务报表)
    family: Family
    dimension: Dimension
    measures: tuple[Measure, ...]
    periods: tuple[ReportPeriod, ...] = (ReportPeriod.MONTH,)
    where: str = "1 = 1"  # which snapshot rows count (e.g. corporate customers only)
    window: Window = Window.PERIOD

    @property
    def headers(self) -> tuple[str, ...]:
        """The exported header row: the dimension's, then each measure's."""
        return (DIMENSION_HEADERS[self.dimension], *(m.header for m in self.measures))


# -- measure helpers: each returns SQL text -------------------------------------------------------

CORPORATE = "s.kind = 'CORPORATE'"  # 公司客户 (对公)
RETAIL = "s.kind = 'RETAIL'"  # 零售客户


def num(column: str) -> str:
    """A decimal column as a number to compare: SQLite keeps decimals as text (a text column
    compared with a number compares as text), ``+ 0`` makes a number on both storages."""
    return f"(s.{column} + 0)"


def at_end(column: str) -> str:
    """A balance at the period's end, in 万元."""
    return f"SUM(s.{column} * s.closing) / 10000.0"


def count_at_end(condition: str = "1 = 1") -> str:
    """Customers at the period's end meeting ``condition``."""
    return f"SUM(CASE WHEN {condition} THEN s.closing ELSE 0 END)"


def over(column: str) -> str:
    """A flow summed over the period."""
    return f"SUM(s.{column})"


def ratio(numerator: str, denominator: str) -> str:
    """``numerator / denominator`` in per cent, 0 when the denominator is 0."""
    return f"CASE WHEN ({denominator}) = 0 THEN 0 ELSE 100.0 * ({numerator}) / ({denominator}) END"


def per_head(amount: str, heads: str) -> str:
    return f"CASE WHEN ({heads}) = 0 THEN 0 ELSE ({amount}) / ({heads}) END"


def both(
    code: str,
    title: str,
    family: Family,
    measures: tuple[Measure, ...],
    periods: tuple[ReportPeriod, ...] = (ReportPeriod.MONTH,),
    where: str = "1 = 1",
    window: Window = Window.PERIOD,
) -> tuple[ReportDefinition, ...]:
    """The report by org (``<code>_ORG``) and by manager (``<code>_MANAGER``), as the seed lists each."""
    return tuple(
        ReportDefinition(
            code=f"{code}_{dimension.value}",
            title=f"{title}{DIMENSION_TITLES[dimension]}",
            family=family,
            dimension=dimension,
            measures=measures,
            periods=periods,
            where=where,
            window=window,
        )
        for dimension in Dimension
    )


# -- the measures several reports share -----------------------------------------------------------

ASSET_BANDS = (  # 资产分布 by AUM at the period's end
    Measure("客户数(户)", count_at_end()),
    Measure("金融资产(万元)", at_end("aum"), 2),
    Measure("10万以下(户)", count_at_end(f"{num('aum')} < 100000")),
    Measure("10万-100万(户)", count_at_end(f"{num('aum')} >= 100000 AND {num('aum')} < 1000000")),
    Measure("100万-1000万(户)", count_at_end(f"{num('aum')} >= 1000000 AND {num('aum')} < 10000000")),
    Measure("1000万及以上(户)", count_at_end(f"{num('aum')} >= 10000000")),
    Measure("本期新增客户(户)", over("new_customer")),
)
TIERS = (  # 等级统计: customers per tier at the period's end
    Measure("客户数(户)", count_at_end()),
    Measure("普通(户)", count_at_end("s.tier = 'ORDINARY'")),
    Measure("潜力(户)", count_at_end("s.tier = 'POTENTIAL'")),
    Measure("成长(户)", count_at_end("s.tier = 'GROWTH'")),
    Measure("财富(户)", count_at_end("s.tier = 'WEALTH'")),
    Measure("私行(户)", count_at_end("s.tier = 'PRIVATE'")),
)
DEPOSITS_AND_LOANS = (  # 存贷统计
    Measure("客户数(户)", count_at_end()),
    Measure("存款余额(万元)", at_end("deposit_balance"), 2),
    Measure("贷款余额(万元)", at_end("loan_balance"), 2),
    Measure("存贷比(%)", ratio(at_end("loan_balance"), at_end("deposit_balance")), 2),
    Measure("有存款客户(户)", count_at_end("s.deposit_accounts > 0")),
    Measure("有贷款客户(户)", count_at_end("s.loan_accounts > 0")),
)
LOAN_SUMMARY = (  # 贷款产品汇总
    Measure("贷款客户数(户)", count_at_end("s.loan_accounts > 0")),
    Measure("贷款笔数(笔)", "SUM(s.loan_accounts * s.closing)"),
    Measure("贷款余额(万元)", at_end("loan_balance"), 2),
    Measure("户均贷款(万元)", per_head(at_end("loan_balance"), count_at_end("s.loan_accounts > 0")), 2),
)
LOAN_TYPES = (  # 贷款产品类型: by term (短期 / 中长期)
    Measure("短期贷款余额(万元)", at_end("loan_short"), 2),
    Measure("中长期贷款余额(万元)", at_end("loan_long"), 2),
    Measure("贷款余额合计(万元)", at_end("loan_balance"), 2),
    Measure("短期贷款占比(%)", ratio(at_end("loan_short"), at_end("loan_balance")), 2),
)
DEPOSIT_SUMMARY = (  # 存款产品汇总
    Measure("存款客户数(户)", count_at_end("s.deposit_accounts > 0")),
    Measure("存款账户数(户)", "SUM(s.deposit_accounts * s.closing)"),
    Measure("存款余额(万元)", at_end("deposit_balance"), 2),
    Measure("户均存款(万元)", per_head(at_end("deposit_balance"), count_at_end("s.deposit_accounts > 0")), 2),
)
DEPOSIT_TERMS = (  # 存款期限结构
    Measure("活期(万元)", at_end("deposit_demand"), 2),
    Measure("定期1年及以内(万元)", at_end("deposit_term_1y"), 2),
    Measure("定期1至3年(万元)", at_end("deposit_term_3y"), 2),
    Measure("定期3年以上(万元)", at_end("deposit_term_long"), 2),
    Measure("存款余额合计(万元)", at_end("deposit_balance"), 2),
    Measure("活期占比(%)", ratio(at_end("deposit_demand"), at_end("deposit_balance")), 2),
)
CONTACTS = (  # 客户接触
    Measure("管户客户数(户)", count_at_end()),
    Measure("接触客户数(户)", "COUNT(DISTINCT CASE WHEN s.contacts > 0 THEN s.customer_id END)"),
    Measure("接触次数(次)", over("contacts")),
    Measure("面访(次)", over("contact_visits")),
    Measure("电话(次)", over("contact_phones")),
    Measure("微信短信(次)", over("contact_online")),
    Measure(
        "接触覆盖率(%)",
        ratio("COUNT(DISTINCT CASE WHEN s.contacts > 0 THEN s.customer_id END)", count_at_end()),
        2,
    ),
)
TIER_MOVES = (  # 等级变动
    Measure("客户数(户)", count_at_end()),
    Measure("等级提升(户次)", over("tier_ups")),
    Measure("等级下降(户次)", over("tier_downs")),
    Measure("净提升(户次)", f"{over('tier_ups')} - {over('tier_downs')}"),
    Measure(
        "变动客户数(户)", "COUNT(DISTINCT CASE WHEN s.tier_ups + s.tier_downs > 0 THEN s.customer_id END)"
    ),
)

ALL_PERIODS = (ReportPeriod.MONTH, ReportPeriod.QUARTER, ReportPeriod.HALF_YEAR)  # 月报, 季报, 半年报
OVERVIEW, LOANS, DEPOSITS = Family.CUSTOMER_OVERVIEW, Family.LOAN_SCALE, Family.DEPOSIT_SCALE
CONTACTED, TIERS_MOVED = Family.CONTACT, Family.TIER_CHANGE

# -- the reports (seed 000 业务报表: 公司客户样表清单 (1)–(5), 零售 (8)–(13)) ------------------------

DEFINITIONS: tuple[ReportDefinition, ...] = (
    # (1) 客户综合信息报表 — 公司
    *both("CORP_ASSETS", "公司客户资产分布情况", OVERVIEW, ASSET_BANDS, where=CORPORATE),
    *both("CORP_TIERS", "小微企业和公司客户等级统计表", OVERVIEW, TIERS, where=CORPORATE),
    *both("CORP_DEPOSIT_LOAN", "公司客户存贷统计表", OVERVIEW, DEPOSITS_AND_LOANS, where=CORPORATE),
    # (2) 贷款规模报表 — 公司
    *both("CORP_LOAN_SUMMARY", "公司贷款产品汇总情况统计表", LOANS, LOAN_SUMMARY, ALL_PERIODS, CORPORATE),
    *both("CORP_LOAN_TYPES", "公司贷款产品类型统计表", LOANS, LOAN_TYPES, where=CORPORATE),
    # (3) 存款规模报表 — 单位
    *both(
        "CORP_DEPOSIT_SUMMARY",
        "单位存款产品汇总情况统计表",
        DEPOSITS,
        DEPOSIT_SUMMARY,
        ALL_PERIODS,
        CORPORATE,
    ),
    *both("CORP_DEPOSIT_TERMS", "单位存款产品期限结构统计表", DEPOSITS, DEPOSIT_TERMS, where=CORPORATE),
    # (4) 客户接触情况报表 — 公司
    *both("CORP_CONTACTS", "公司客户接触情况统计表", CONTACTED, CONTACTS, ALL_PERIODS, CORPORATE),
    # (5) 客户等级变动报表 — 公司: 本月 and 本年
    *both(
        "CORP_TIER_MONTH",
        "本月小微企业和公司客户等级变动情况统计表",
        TIERS_MOVED,
        TIER_MOVES,
        where=CORPORATE,
    ),
    *both(
        "CORP_TIER_YEAR",
        "本年小微企业和公司客户等级变动情况统计表",
        Family.TIER_CHANGE,
        TIER_MOVES,
        where=CORPORATE,
        window=Window.YEAR_TO_DATE,
    ),
    # (8) 客户综合信息报表 — 零售
    *both("RETAIL_ASSETS", "零售客户资产分布情况", OVERVIEW, ASSET_BANDS, where=RETAIL),
    *both("RETAIL_TIERS", "零售客户等级统计表", OVERVIEW, TIERS, where=RETAIL),
    *both("RETAIL_DEPOSIT_LOAN", "零售客户存贷统计表", OVERVIEW, DEPOSITS_AND_LOANS, where=RETAIL),
    # (9) 贷款规模报表, (10) 存款规模报表 — 零售
    *both("RETAIL_LOAN_SUMMARY", "零售贷款产品汇总情况统计表", LOANS, LOAN_SUMMARY, ALL_PERIODS, RETAIL),
    *both(
        "RETAIL_DEPOSIT_SUMMARY", "个人存款产品汇总情况统计表", DEPOSITS, DEPOSIT_SUMMARY, ALL_PERIODS, RETAIL
    ),
    *both("RETAIL_DEPOSIT_TERMS", "个人存款期限结构统计表", DEPOSITS, DEPOSIT_TERMS, where=RETAIL),
    # (12) 客户接触情况报表, (13) 客户等级变动报表 — 零售
    *both("RETAIL_CONTACTS", "零售客户接触情况统计表", CONTACTED, CONTACTS, ALL_PERIODS, RETAIL),
    *both("RETAIL_TIER_MONTH", "本月零售客户等级变动情况统计表", TIERS_MOVED, TIER_MOVES, where=RETAIL),
    *both(
        "RETAIL_TIER_YEAR",
        "本年零售客户等级变动情况统计表",
        Family.TIER_CHANGE,
        TIER_MOVES,
        where=RETAIL,
        window=Window.YEAR_TO_DATE,
    ),
)
