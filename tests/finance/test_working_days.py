"""The working-day calendar (resolvers/finance/working_days.py): weekends, holidays and make-up days, counted in China Standard Time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from resolvers.common.clock import CST
from resolvers.finance.working_days import add_working_days


def test_working_days_skip_weekends_and_holidays_and_count_make_up_days() -> None:
    friday = datetime(2026, 9, 25, 15, 0, tzinfo=CST)
    assert add_working_days(friday, 3, {}) == datetime(2026, 9, 30, 23, 59, 59, tzinfo=CST)  # Wed
    # 国庆节: 1–7 October off; Sunday 27 September and Saturday 10 October are make-up working days.
    national_day = {date(2026, 10, d): False for d in range(1, 8)} | {
        date(2026, 9, 27): True,
        date(2026, 10, 10): True,
    }
    assert add_working_days(friday, 3, national_day) == datetime(2026, 9, 29, 23, 59, 59, tzinfo=CST)
    assert add_working_days(friday, 7, national_day).date() == date(2026, 10, 10)
    # Counted in China Standard Time: 17:00 UTC on a Friday is already Saturday in Guiyang.
    late = datetime(2026, 9, 25, 17, 0, tzinfo=UTC)
    assert add_working_days(late, 1, {}).date() == date(2026, 9, 28)
