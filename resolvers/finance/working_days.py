"""工作日历: working days are Monday to Friday, except the days the calendar table says otherwise
(a holiday on a weekday, a make-up working day 调休 on a weekend). Deadlines are counted in
China Standard Time, where the bureau works."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from models.finance import CalendarDay
from resolvers.common.clock import CST

END_OF_DAY = time(23, 59, 59)


def is_working_day(day: date, overrides: Mapping[date, bool]) -> bool:
    return overrides.get(day, day.weekday() < 5)


def add_working_days(start: datetime, days: int, overrides: Mapping[date, bool]) -> datetime:
    """The end (23:59:59 CST) of the ``days``-th working day after ``start``'s day: an order grabbed
    on a Friday with 3 working days is due at the end of Wednesday; the day of the grab does not count."""
    day = start.astimezone(CST).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, overrides):
            counted += 1
    return datetime.combine(day, END_OF_DAY, tzinfo=CST)


async def calendar_overrides(start: datetime, days: int) -> dict[date, bool]:
    """The calendar rows that can matter for a deadline ``days`` working days after ``start``
    (one statement). Long holidays such as 春节 last a week, so look three times as far ahead."""
    first = start.astimezone(CST).date()
    rows = await CalendarDay.filter(day__gt=first, day__lte=first + timedelta(days=days * 3 + 14))
    return {row.day: row.workday for row in rows}
