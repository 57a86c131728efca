"""日志保存 (resolvers/operations/logs.py ``purge_logs``, the ``log_retention`` job): login events and
page views past their retention are deleted, in batches of at most ``log_retention_batch`` rows and
at most ``log_retention_batches`` of them a run (the next run goes on), never younger than 180 days
(网络安全法: 不少于六个月) whatever the setting. In process, on both storages."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from models.operations import ClientKind, LoginEvent, LoginOutcome, PageView
from resolvers.common.clock import now
from resolvers.common.rules import Rules
from resolvers.operations.logs import purge_logs
from subgraphs.settings import Settings

pytestmark = pytest.mark.integration


async def _login(at: datetime) -> LoginEvent:
    row = await LoginEvent.create(
        username=f"r{uuid.uuid4().hex[:8]}", outcome=LoginOutcome.SUCCESS, address="127.0.0.1"
    )
    await LoginEvent.filter(id=row.id).update(created_at=at)
    return row


async def _view(at: datetime) -> PageView:
    row = await PageView.create(
        view_id=uuid.uuid4().hex,
        user_id=uuid.uuid4(),
        username="保存测试",
        org_path="/retention",
        menu_code="customers.search",
        client=ClientKind.PC,
        entered_at=at,
        seconds=5,
    )
    await PageView.filter(id=row.id).update(created_at=at)
    return row


async def _left(rows: list[LoginEvent] | list[PageView]) -> list[int]:
    """Which of ``rows`` are still there, by index."""
    model = type(rows[0])
    kept = set(await model.filter(id__in=[r.id for r in rows]).values_list("id", flat=True))
    return [n for n, r in enumerate(rows) if r.id in kept]


async def test_logs_past_their_retention_are_deleted_in_bounded_batches(database: Settings) -> None:
    moment = now()
    days = [10, 179, 200, 364, 366, 400, 500]  # ago
    logins = [await _login(moment - timedelta(days=d)) for d in days]
    views = [await _view(moment - timedelta(days=d)) for d in days]
    # Two deletes of two rows a run: of the five page views past 180 days, four go, then the fifth.
    rules = Rules(log_retention_batch=2, log_retention_batches=2)
    await purge_logs(rules, moment)
    assert len(await _left(views)) == 3  # 10 and 179 days, and one of the five past 180
    assert await _left(logins) == [0, 1, 2, 3]  # 365 days: the three past it, in one run
    await purge_logs(rules, moment)
    assert await _left(views) == [0, 1]
    assert await purge_logs(rules, moment) == 0  # nothing left to do


async def test_the_retention_is_never_less_than_six_months(database: Settings) -> None:
    moment = now()
    logins = [await _login(moment - timedelta(days=d)) for d in (30, 179, 181)]
    views = [await _view(moment - timedelta(days=d)) for d in (30, 179, 181)]
    await purge_logs(Rules(login_log_retention_days=7, page_view_retention_days=0), moment)
    assert await _left(logins) == [0, 1]
    assert await _left(views) == [0, 1]
