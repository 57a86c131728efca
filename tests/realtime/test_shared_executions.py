"""An event is executed once per selection set and visibility class (realtime/sharing.py), and a
subscriber of another class never gets a result executed for a class it is not in.

Each stream (alerts, reminders, device status, grab pool, my orders) is subscribed in-process
through its subgraph's real schema, feed and broker (in memory, as in test_subscription_memory.py),
by subscribers of one class and of others; one event is published and the tests count the
executions and read every subscriber's payload.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from dataclasses import replace
from types import ModuleType
from typing import Any
from uuid import UUID, uuid4

import pytest
from tortoise.models import Model

from models.customers import AuditRecord as CustomersAudit
from models.customers import Reminder
from models.operations import Alert, AlertLevel
from realtime.broker import ALERTS, DEVICE_STATUS, GRAB_POOL, MY_ORDERS, REMINDERS, Broker
from realtime.events import Event
from realtime.hub import Realtime
from realtime.sharing import SharedExecutions, shared_executions, visibility_class
from resolvers.common.audit import PII_READ
from resolvers.common.events import snapshot
from security.principal import Principal
from subgraphs import customers, devices, finance, operations
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_tenant, make_user, token_for
from testkit.inprocess import context_for, sessions

pytestmark = pytest.mark.integration


async def _fan_out(
    settings: Settings,
    subgraph: ModuleType,
    channel: str,
    subscriptions: Sequence[tuple[str, str]],  # (token, query)
    event: Event,
) -> tuple[list[dict[str, Any] | None], int, int]:
    """Subscribe each (token, query), publish ``event`` once, and return each subscriber's
    payload (None: it got nothing within 1 s), the executions run and the results shared."""
    realtime = Realtime(Broker(), sessions(settings), feed_sync_seconds=3600)
    await realtime.broker.connect()
    streams: list[AsyncGenerator[Any, None]] = []
    try:
        pending = []
        for token, query in subscriptions:
            stream = await subgraph.spec.schema.subscribe(
                query, context_value=context_for(subgraph.spec.name, token, settings, realtime)
            )
            assert hasattr(stream, "__anext__"), stream
            streams.append(stream)
            pending.append(asyncio.ensure_future(anext(stream)))
        feed = await realtime.feeds._feed(channel)
        await asyncio.sleep(0.05)  # every subscriber joins the feed
        executed, shared = shared_executions.executed, shared_executions.shared
        await realtime.broker.publish(channel, replace(event, seq=feed.head + 1))
        done, _ = await asyncio.wait(pending, timeout=1.0)
        payloads: list[dict[str, Any] | None] = []
        for future in pending:
            if future in done:
                result = future.result()
                payloads.append({"data": result.data, "errors": [e.message for e in result.errors or []]})
            else:
                future.cancel()
                payloads.append(None)
        await asyncio.gather(*pending, return_exceptions=True)  # the cancelled ones are done
        return payloads, shared_executions.executed - executed, shared_executions.shared - shared
    finally:
        for stream in streams:
            await stream.aclose()
        await realtime.feeds.stop()
        await realtime.broker.disconnect()


def _event(type_: str, row: Model, tenant_id: Any = None, **scope: Any) -> Event:
    return Event(
        type=type_,
        payload=snapshot(row),
        tenant_id=str(tenant_id) if tenant_id else None,
        scope={key: str(value) if isinstance(value, UUID) else value for key, value in scope.items()},
    )


async def _colleague(tenant: Tenant, settings: Settings, role: str) -> str:
    user = await make_user(tenant.hall, (role,), "同事")
    return token_for(user, tenant.hall, settings)


ALERT_QUERY = "subscription { alerts { eventId alert { id title level } } }"


async def test_alerts_are_executed_once_per_class(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    alert = await Alert.create(
        org=tenant.hall, org_path=tenant.hall.path, level=AlertLevel.WARNING, title="共享"
    )
    same_class = await _colleague(tenant, database, "HALL_MANAGER")  # another user, same org and role
    other_role = await _colleague(tenant, database, "OPS_ENGINEER")
    subscribers = [(tenant.hall_token, ALERT_QUERY), (same_class, ALERT_QUERY), (other_role, ALERT_QUERY)]
    event = _event("alert.raised", alert, org_path=alert.org_path)
    payloads, executed, shared = await _fan_out(database, operations, ALERTS, subscribers, event)
    assert all(p is not None and p["data"]["alerts"]["alert"]["title"] == "共享" for p in payloads), payloads
    assert (executed, shared) == (2, 1)  # the two hall managers share; the engineer has their own


async def test_another_selection_set_or_variables_are_executed_apart(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    alert = await Alert.create(
        org=tenant.hall, org_path=tenant.hall.path, level=AlertLevel.INFO, title="选择集"
    )
    narrow = "subscription { alerts { alert { title } } }"
    by_org = "subscription($p: String) { alerts(orgPath: $p) { alert { title } } }"
    subscribers = [(tenant.hall_token, ALERT_QUERY), (tenant.hall_token, narrow), (tenant.hall_token, by_org)]
    event = _event("alert.raised", alert, org_path=alert.org_path)
    payloads, executed, shared = await _fan_out(database, operations, ALERTS, subscribers, event)
    assert payloads[1] == {"data": {"alerts": {"alert": {"title": "选择集"}}}, "errors": []}
    assert (executed, shared) == (3, 0)


async def test_device_status_is_shared_within_a_class_only(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    query = "subscription { deviceStatus { device { id status } } }"
    other_role = await _colleague(tenant, database, "OPS_ENGINEER")
    other = await make_tenant(database, customers=0, grabbers=0, needs=0)  # another hall
    subscribers = [
        (tenant.hall_token, query),
        (tenant.hall_token, query),
        (other_role, query),
        (other.hall_token, query),
    ]
    event = _event("device.status", tenant.device, hall_id=tenant.hall.id)
    payloads, executed, shared = await _fan_out(database, devices, DEVICE_STATUS, subscribers, event)
    assert [p is not None for p in payloads] == [True, True, True, False]  # not the other hall's
    assert (executed, shared) == (2, 1)


async def test_reminders_with_pii_are_shared_only_by_their_user_and_audited_per_subscription(
    database: Settings,
) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    customer = tenant.customers[0]
    reminder = await Reminder.get(customer=customer)  # the factory's, the manager's own
    query = "subscription { reminders { reminder { title customer { phone } } } }"
    again = token_for(tenant.manager, tenant.branch, database)  # a second token (tab) of the same user
    colleague = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "同支行客户经理")
    subscribers = [
        (tenant.manager_token, query),
        (again, query),
        (token_for(colleague, tenant.branch, database), query),
    ]
    reads = await CustomersAudit.filter(action=PII_READ, target_id=str(customer.id)).count()
    event = _event("reminder.created", reminder, tenant.bank.id)
    payloads, executed, shared = await _fan_out(database, customers, REMINDERS, subscribers, event)
    full = {
        "data": {"reminders": {"reminder": {"title": reminder.title, "customer": {"phone": "13800000000"}}}},
        "errors": [],
    }
    assert payloads == [full, full, None]  # one's own reminders only
    assert (executed, shared) == (1, 1)
    # each subscription's unmasked read is audited, the one that reused the result too
    assert await CustomersAudit.filter(action=PII_READ, target_id=str(customer.id)).count() == reads + 2


async def test_grab_pool_is_shared_by_an_institution_unless_it_reads_pii(database: Settings) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=2, needs=1)
    other = await make_tenant(database, customers=0, grabbers=1, needs=0)
    need = tenant.needs[0]
    (_, first), (_, second) = tenant.grabbers
    (_, stranger) = other.grabbers[0]
    plain = "subscription { grabPool { kind removeFromPool need { purpose } } }"
    event = _event("need.published", need, tenant.bank.id, institutions=[str(tenant.institution.id)])
    subscribers = [(first, plain), (second, plain), (stranger, plain)]
    payloads, executed, shared = await _fan_out(database, finance, GRAB_POOL, subscribers, event)
    assert payloads[0] == payloads[1] and payloads[0] is not None and payloads[2] is None, payloads
    assert (executed, shared) == (1, 1)  # two account managers of one institution: one class

    contact = "subscription { grabPool { need { purpose contactPhone } } }"  # sensitive: per user
    payloads, executed, shared = await _fan_out(
        database, finance, GRAB_POOL, [(first, contact), (second, contact)], event
    )
    assert all(p is not None for p in payloads), payloads
    assert (executed, shared) == (2, 0)


async def test_my_orders_are_per_user(database: Settings) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=1)
    need = tenant.needs[0]
    applicant = await make_user(tenant.branch, ("ENTERPRISE_USER",), "申请人")
    need.applicant_user_id = applicant.id
    query = "subscription { myOrders { kind need { purpose } } }"
    token = token_for(applicant, tenant.branch, database)
    event = _event(
        "need.published", need, tenant.bank.id, applicant_user_id=str(applicant.id), step="SUBMITTED"
    )
    payloads, executed, shared = await _fan_out(
        database, finance, MY_ORDERS, [(token, query), (token, query)], event
    )
    assert payloads[0] == payloads[1] and payloads[0] is not None and not payloads[0]["errors"], payloads
    assert (executed, shared) == (1, 1)  # the same user's two subscriptions


def _principal(**changes: Any) -> Principal:
    base = Principal(
        user_id=uuid4(),
        username="a",
        roles=("HALL_MANAGER",),
        org_id=uuid4(),
        org_path="/r/h",
        tenant_id=uuid4(),
    )
    return replace(base, **changes)


def test_the_visibility_class_holds_everything_a_scope_rule_or_masking_reads() -> None:
    p = _principal()
    assert visibility_class(p, False) == visibility_class(replace(p, user_id=uuid4(), token_id="t2"), False)
    for change in (
        {"tenant_id": uuid4()},
        {"org_id": uuid4()},
        {"org_path": "/r/x"},
        {"role": "OPS_ENGINEER", "roles": ("HALL_MANAGER", "OPS_ENGINEER")},
        {"roles": ("HALL_MANAGER", "OPS_ENGINEER")},
        {"permissions": frozenset({"AUDIT_READ"})},
        {"grid_ids": (uuid4(),)},
        {"institution_id": uuid4()},
    ):
        assert visibility_class(replace(p, **change), False) != visibility_class(p, False), change
    # per user: scopes of one's own records, and PII_FULL where the selection reads a sensitive field
    manager = _principal(roles=("CUSTOMER_MANAGER",))
    assert visibility_class(manager, False) != visibility_class(replace(manager, user_id=uuid4()), False)
    fi = _principal(roles=("FI_ACCOUNT_MANAGER",), institution_id=uuid4())
    assert visibility_class(fi, False) == visibility_class(replace(fi, user_id=uuid4()), False)
    assert visibility_class(fi, True) != visibility_class(replace(fi, user_id=uuid4()), True)


async def test_a_waiter_executes_itself_when_the_executing_subscriber_goes_away() -> None:
    executions = SharedExecutions(events=2)
    started = asyncio.Event()

    async def slow() -> str:
        started.set()
        await asyncio.sleep(10)
        return "never"

    async def fast() -> str:
        return "mine"

    runner = asyncio.ensure_future(executions.run("e", "k", slow))
    await started.wait()
    waiter = asyncio.ensure_future(executions.run("e", "k", fast))
    await asyncio.sleep(0)
    runner.cancel()
    assert await waiter == ("mine", True)
    for event in ("a", "b", "c"):  # the last two events' results are kept
        await executions.run(event, "k", fast)
    assert len(executions) == 2
