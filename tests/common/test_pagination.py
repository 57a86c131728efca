"""Paging (resolvers/common/pagination.py): cursors, and newest-first pages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from models.operations import Alert, AlertLevel
from resolvers.common.errors import CodedError, ErrorCode
from resolvers.common.pagination import decode_cursor, encode_cursor, paginate
from subgraphs.settings import Settings
from testkit.factories import make_tenant

pytestmark = pytest.mark.unit


def test_cursor_round_trip_and_garbage() -> None:
    key = str(uuid.uuid4())
    assert decode_cursor(encode_cursor(key)) == key
    with pytest.raises(CodedError):
        decode_cursor("%%%not base64")


@pytest.mark.integration
async def test_newest_first_pages_every_row_once_newest_first_ties_by_id(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    times = [base + timedelta(minutes=m) for m in (3, 1, 2, 2, 2, 0)]  # three share one time
    alerts = [
        await Alert.create(
            org=tenant.hall, org_path=tenant.hall.path, level=AlertLevel.INFO, title=f"第{i}条"
        )
        for i in range(len(times))
    ]
    for alert, at in zip(alerts, times, strict=True):
        await Alert.filter(id=alert.id).update(created_at=at)
    expected = [a.id for a in sorted(alerts, key=lambda a: (times[alerts.index(a)], a.id), reverse=True)]
    queryset = Alert.filter(id__in=[a.id for a in alerts])
    seen: list[uuid.UUID] = []
    after = None
    while True:
        page = await paginate(queryset, 2, after, newest_first=True)
        seen += [edge.node.id for edge in page.edges]
        if not page.page_info.has_next_page:
            break
        after = page.page_info.end_cursor
    assert seen == expected
    for garbage in (encode_cursor("yesterday|" + str(uuid.uuid4())), encode_cursor(str(uuid.uuid4()))):
        with pytest.raises(CodedError) as refused:
            await paginate(queryset, 2, garbage, newest_first=True)
        assert refused.value.code == ErrorCode.BAD_USER_INPUT
