"""Every audited mutation of every subgraph with variables that succeed, and executing one in process
with a request id: shared by the audit trail's tests (tests/security/test_audit.py) and the audit
search's (tests/operations/test_audit.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from security.audit_chain import genesis, record_hash
from subgraphs.settings import Settings
from testkit.factories import Tenant
from testkit.inprocess import execute


async def run(
    subgraph: str,
    query: str,
    variables: dict[str, Any] | None,
    token: str | None,
    secret: Settings,
    request_id: str | None = None,
) -> Any:
    return await execute(subgraph, query, variables, token, settings=secret, request_id=request_id)


def mutations(tenant: Tenant) -> dict[str, tuple[str, str, dict[str, Any], str, str]]:
    """name → (subgraph, document, variables, token, target type)."""
    customer = str(tenant.customers[0].id)
    grabber_token = tenant.grabbers[0][1]
    return {
        "raiseAlert": (
            "operations",
            "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id } }",
            {"i": {"orgId": str(tenant.hall.id), "level": "WARNING", "title": "1号终端离线"}},
            tenant.hall_token,
            "Alert",
        ),
        "addReminder": (
            "customers",
            "mutation($i: AddReminderInput!) { addReminder(input: $i) { id } }",
            {"i": {"customerId": customer, "kind": "SCHEDULE", "title": "回访"}},
            tenant.manager_token,
            "Reminder",
        ),
        "createOpportunity": (
            "marketing",
            "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { id } }",
            {"i": {"customerId": customer, "title": "有意向办理黔农e贷"}},
            tenant.manager_token,
            "Opportunity",
        ),
        "publishNeed": (
            "finance",
            "mutation($i: PublishNeedInput!) { publishNeed(input: $i) { id } }",
            {"i": {"applicantId": customer, "amount": "300000", "termMonths": 12, "purpose": "扩大经营"}},
            tenant.manager_token,
            "FinancingNeed",
        ),
        "grabNeed": (
            "finance",
            # Returns the handling (受理单); the record names the need grabbed.
            "mutation($id: ID!) { grabNeed(id: $id) { need { id } } }",
            {"id": str(tenant.needs[0].id)},
            grabber_token,
            "FinancingNeed",
        ),
        "reportHeartbeat": (
            "devices",
            "mutation($i: HeartbeatInput!) { reportHeartbeat(input: $i) { id } }",
            {"i": {"deviceId": str(tenant.device.id), "cpu": 12.5, "memory": 40}},
            tenant.hall_token,
            "Device",
        ),
    }


def fake_chain(subgraph: str, n: int, chain: int = 0) -> list[SimpleNamespace]:
    """``n`` well-linked records of ``subgraph``'s chain ``chain``, as rows with their hashes."""
    rows: list[SimpleNamespace] = []
    prev = genesis(subgraph, chain)
    for seq in range(1, n + 1):
        row = SimpleNamespace(
            chain=chain,
            seq=seq,
            occurred_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=seq),
            actor_id=None,
            actor_username="u",
            actor_role="CUSTOMER_MANAGER",
            action="addReminder",
            target_type="Reminder",
            target_id=str(seq),
            result="ok",
            request_id=f"r{seq}",
            detail={},
            prev_hash=prev,
        )
        row.hash = prev = record_hash(row)
        rows.append(row)
    return rows
