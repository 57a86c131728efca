"""Execute one subgraph's schema in the test process, as its HTTP endpoint would."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any
from uuid import UUID

from starlette.requests import Request
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from models.operations import Org
from realtime.broker import ORG_CHANGES, Broker
from realtime.events import Event
from realtime.hub import Realtime
from schema.common.context import Context
from security.sessions import SessionStore, session_store
from subgraphs.app import lockout_policy
from subgraphs.registry import spec_of
from subgraphs.settings import Settings
from testkit.factories import make_user, token_for, token_keys


async def execute(
    subgraph: str,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    *,
    settings: Settings,
    request_id: str | None = None,
) -> Any:
    spec = spec_of(subgraph)
    realtime = Realtime(Broker(), sessions(settings))  # in memory: events published here reach no one
    await realtime.broker.connect()
    context = context_for(subgraph, token, settings, realtime, request_id)
    try:
        return await spec.schema.execute(query, variable_values=variables, context_value=context)
    finally:
        await realtime.broker.disconnect()


def context_for(
    subgraph: str, token: str | None, settings: Settings, realtime: Realtime, request_id: str | None = None
) -> Context[Any]:
    """The context ``subgraph``'s endpoint would give an HTTP request carrying ``token``."""
    headers = [(b"authorization", f"Bearer {token}".encode())] if token else []
    if request_id:
        headers.append((b"x-request-id", request_id.encode()))
    return Context(
        request=Request({"type": "http", "method": "POST", "headers": headers}),
        realtime=realtime,
        token_keys=token_keys(settings),
        sessions=sessions(settings),
        loaders_class=spec_of(subgraph).loaders,
    )


def codes(result: Any) -> list[str]:
    """The error codes of an executed request, in order ([] when it had none)."""
    return [error.extensions["code"] for error in result.errors or []]


async def records_of(subgraph: str, request_id: str) -> list[Any]:
    """The audit records one request left in ``subgraph``, in order."""
    return await Tortoise.apps[subgraph]["AuditRecord"].filter(request_id=request_id).order_by("seq")


@cache
def sessions(settings: Settings) -> SessionStore:
    """The run's session store: Redis in the real run, in-process in the embedded one."""
    return session_store(settings.redis_url, lockout_policy(settings))


async def consume_latest_org_event(
    app: str, consumer: str, handle: Callable[[Event], Awaitable[bool]], event_type: str, org_id: UUID
) -> None:
    """Hand the latest ``event_type`` event about ``org_id`` in operations' outbox to ``app``'s
    consumer of the org changes, as its job does (realtime/consumer.py ``consume``): the handler
    and the cursor row in one ``app`` transaction."""
    outbox = Tortoise.apps["operations"]["OutboxEvent"]
    rows = await outbox.filter(channel=ORG_CHANGES, type=event_type).order_by("-id").limit(50)
    row = next(r for r in rows if r.payload["id"] == str(org_id))
    event = Event(id=row.id, type=row.type, payload=row.payload, tenant_id=row.tenant_id, scope=row.scope)
    async with in_transaction(app):
        await handle(event)
        await Tortoise.apps[app]["ConsumerCursor"].update_or_create({"event_id": event.id}, name=consumer)


async def move_org(settings: Settings, org: Org, parent: Org) -> str:
    """调整上级机构 as the tenant's business admin would (operations ``moveOrg``); the new path."""
    tenant = await Org.get(id=org.tenant_id)
    admin = await make_user(tenant, ("HQ_ADMIN",), "机构管理员")
    query = "mutation($id: ID!, $p: ID!) { moveOrg(id: $id, parentId: $p) { path } }"
    variables = {"id": str(org.id), "p": str(parent.id)}
    result = await execute(
        "operations", query, variables, token_for(admin, tenant, settings), settings=settings
    )
    assert result.errors is None, result.errors
    return str(result.data["moveOrg"]["path"])
