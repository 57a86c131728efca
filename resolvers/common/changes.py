"""The one way a mutation writes: ``change()`` (one transaction, closed by the audit record of
the running mutation; events published inside it go out once it commits), and ``transition()``
(a state change decided by one conditional UPDATE).

    async with change("finance", "Handling", handling_id) as audited:
        await transition(Handling, handling_id, HandlingStatus.ASSIGNED, conflict_message, status=...)
        await publish(GRAB_POOL, "handling.grabbed", handling)

A create names its target once the row exists (``audited.id = row.id``); ``audited.detail`` adds to
the record (e.g. that the request repeated an earlier one). A failure is recorded by the audit
extension (schema/common/audit.py) against the target named up front. Outside a GraphQL operation
(the seed, the jobs) the same functions run with no audit record.

Keep the transaction short: what a mutation only reads and works out (the caller's rows, the
thresholds, payload inputs) goes before ``change()``, on the pool, when reading it earlier cannot
change the outcome; inside, the statements that decide (a conditional UPDATE, a unique insert)
and the writes. A transaction holds its row locks and its connection from its first write to
commit, and every await inside it is a wait for the event loop: see ``grab_need`` in
resolvers/finance/orders.py. Name the target up front (``audit.target``) when the reads before
``change()`` can fail, so the record of the failure says what it was aimed at. The audit record
itself never waits for another mutation's (security/audit_chain.py: parallel chains).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from resolvers.common import audit
from resolvers.common.errors import conflict


@dataclass
class Audited:
    """The target of a running change (a create sets ``id`` once the row exists), and what
    the audit record adds (``detail``)."""

    id: Any
    detail: dict[str, Any] = field(default_factory=dict)


@asynccontextmanager
async def change(app: str, type_name: str, id: Any = None) -> AsyncIterator[Audited]:
    """One mutation's transaction on ``app``'s database, closed by its audit record."""
    audit.target(audit.Target(type_name, id))
    audited = Audited(id)
    async with in_transaction(app):
        yield audited
        await audit.record(target=audit.Target(type_name, audited.id), detail=audited.detail)


async def transition(
    model: type[Model],
    id: Any,
    leaving: Enum | tuple[Enum, ...],
    conflict_message: str | None,
    *,
    column: str = "status",
    **values: Any,
) -> bool:
    """Move row ``id`` out of the state ``leaving`` (one state or several), setting ``values``, in
    one conditional UPDATE: of two racing requests exactly one changes the row. The loser gets
    CONFLICT with ``conflict_message``, or False when that is None (the caller decides)."""
    states = leaving if isinstance(leaving, tuple) else (leaving,)
    won = await model.filter(id=id, **{f"{column}__in": list(states)}).update(**values)
    if not won and conflict_message is not None:
        raise conflict(conflict_message)
    return bool(won)
