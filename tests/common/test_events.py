"""Event payloads (resolvers/common/events.py): snapshots of rows and their typed restore."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from models.finance import FinancingNeed, NeedStatus
from resolvers.common.events import restore, snapshot

pytestmark = pytest.mark.unit


def test_snapshot_restores_typed_values() -> None:
    need = FinancingNeed(
        id=uuid.uuid4(),
        applicant_id=uuid.uuid4(),
        amount=Decimal("123.45"),
        term_months=12,
        purpose="周转",
        status=NeedStatus.HANDLING,
        created_at=datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
    )
    copy = restore(FinancingNeed, snapshot(need))
    assert (copy.id, copy.applicant_id, copy.amount, copy.status, copy.created_at, copy.expected_rate) == (
        need.id,
        need.applicant_id,
        Decimal("123.45"),
        NeedStatus.HANDLING,
        need.created_at,
        None,
    )


def test_snapshots_leave_encrypted_pii_out() -> None:
    need = FinancingNeed(
        id=uuid.uuid4(), applicant_id=uuid.uuid4(), amount=Decimal("1"), term_months=1, purpose="周转",
        contact_name="王建国", contact_phone="13912345678",
    )  # fmt: skip
    payload = snapshot(need)
    assert payload["contact_phone"] is None and payload["contact_name"] is None
    assert "13912345678" not in str(payload) and payload["purpose"] == "周转"
