"""业务报表 (business reports): per-customer month-end snapshots (月末快照), the report rows computed
from them per org or manager and period, and each month's generation run. The report definitions
themselves are data in resolvers/customers/report_definitions.py; these tables hold figures only."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from tortoise import fields

from models.common import Entity


class ReportPeriod(StrEnum):
    MONTH = "MONTH"  # 月报
    QUARTER = "QUARTER"  # 季报
    HALF_YEAR = "HALF_YEAR"  # 半年报


class RunStatus(StrEnum):
    SNAPSHOTTING = "SNAPSHOTTING"  # taking the month's snapshots, chunk by chunk (``cursor``)
    SNAPSHOTTED = "SNAPSHOTTED"  # every customer snapshotted; the rows are next
    DONE = "DONE"  # the month's (and quarter's, half-year's) rows are computed


def _money() -> fields.DecimalField:
    return fields.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))


class ReportSnapshot(Entity):
    """月末快照: one customer's figures at the end of ``month`` — who keeps them (org, manager), their
    tier and balances at month end, and what happened in the month (contacts, tier moves). The
    measures of every report are SQL aggregates over these columns (docs/customers.md)."""

    month = fields.DateField()  # first day of the month
    customer_id = fields.UUIDField()
    tenant_id = fields.UUIDField()
    org_id = fields.UUIDField()
    org_path = fields.CharField(max_length=400)
    manager_id = fields.UUIDField(null=True)  # 主办客户经理 at month end
    kind = fields.CharField(max_length=10)  # CustomerKind
    tier = fields.CharField(max_length=10)  # CustomerTier at month end
    aum = _money()  # 金融资产
    new_customer = fields.SmallIntField(default=0)  # 1: became a customer in the month
    deposit_balance = _money()  # 存款余额
    deposit_accounts = fields.IntField(default=0)
    deposit_demand = _money()  # 活期 (no maturity)
    deposit_term_1y = _money()  # 定期, term up to 1 year
    deposit_term_3y = _money()  # 定期, over 1 and up to 3 years
    deposit_term_long = _money()  # 定期, over 3 years
    loan_balance = _money()  # 贷款余额
    loan_accounts = fields.IntField(default=0)
    loan_short = _money()  # 短期贷款: term up to 1 year
    loan_long = _money()  # 中长期贷款: over 1 year
    contacts = fields.IntField(default=0)  # 接触次数 in the month
    contact_visits = fields.IntField(default=0)  # 面访
    contact_phones = fields.IntField(default=0)  # 电话
    contact_online = fields.IntField(default=0)  # 微信 + 短信
    tier_ups = fields.IntField(default=0)  # 等级提升 in the month
    tier_downs = fields.IntField(default=0)  # 等级下降 in the month

    class Meta:
        table = "report_snapshot"
        unique_together = (("month", "customer_id"),)


class ReportRow(Entity):
    """One row of a report for one period: an org's or a manager's figures, in the order of the
    definition's measures (``values``, decimal strings). ``org_path`` is the org's, or the manager's
    org's: the reader's scope filters on it."""

    tenant_id = fields.UUIDField()
    report_code = fields.CharField(max_length=64)
    period = fields.CharEnumField(ReportPeriod, max_length=10)
    period_start = fields.DateField()
    key_id = fields.UUIDField(db_index=True)  # the org or the manager (operations)
    label = fields.CharField(max_length=200)  # its name when the row was computed
    org_path = fields.CharField(max_length=400, db_index=True)
    position = fields.IntField()  # order within the report (by org path, then name)
    values: fields.JSONField[list[str]] = fields.JSONField(default=list)

    class Meta:
        table = "report_row"
        unique_together = (("report_code", "period", "period_start", "key_id"),)
        indexes = (("report_code", "period", "period_start", "position"),)


class ReportRun(Entity):
    """A month's generation: resumable (``cursor``: the last customer snapshotted), once."""

    month = fields.DateField(unique=True)
    status = fields.CharEnumField(RunStatus, max_length=12, default=RunStatus.SNAPSHOTTING)
    cursor = fields.UUIDField(null=True)
    snapshotted = fields.IntField(default=0)
    rows = fields.IntField(default=0)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "report_run"


__all__ = ["ReportPeriod", "ReportRow", "ReportRun", "ReportSnapshot", "RunStatus"]
