"""Shared executions: an event is executed once per selection set and visibility class.

Every subscription still runs its own source stream (realtime/feed.py → resolvers/common/events.py
→ the subscription's filter): its cursor (``after``), its bounded queue and SLOW_CONSUMER cut-off,
the per-user cap and the end at token expiry or revocation (realtime/guard.py) stay per
subscriber, and so does the decision whether an event reaches it at all (the scope ``test`` of
the stream). What is shared is the costly part after that: executing the subscription's selection
set on the event (graphql-core + Strawberry field code, loaders, masking). The first subscriber of
a class to reach an event executes it with its own context; the others of the class await that
result and send it as theirs (schema/common/events.py ``SharedEventExecutor``).

The key (``SharedExecutions.run``) is: the event id, the operation (document text + operation
name), its variable values but an ``after`` cursor used nowhere else, the payload type and the
subscriber's ``visibility_class``. The class is everything that decides what a subscriber may see
of an event and how it is masked; when in doubt it holds more (sharing less is safe, sharing
wrongly leaks data):

* tenant, org, org path, every role held and the active one, the active permissions, grids,
  institution — the scope rules (resolvers/*/scopes.py, security/scopes.py) read nothing else
  of the principal but the user id;
* the user id when the role's scope is per user (OWN 管户, SELF, NONE), and when the selection
  set reads a sensitive field (schema/common/pii.py) while the principal holds PII_FULL: there
  ownership (a user-id comparison) decides full versus masked.

Unmasked reads are audited per subscriber: the reads the shared execution recorded are recorded
again in each member's own audit scope, so each member's event appends its own PII_READ record
(schema/common/audit.py ``on_stream_result``). With PII_FULL and a sensitive field in the
selection the class is per user anyway.

Results are kept for the last 64 events (at most 4096 classes each): every subscriber of an event
reaches it within the same fan-out, so only the last few events' results are needed (a
subscription's memory stays constant, tests/realtime/test_subscription_memory.py); a subscriber
replaying older events (``after``) or lagging further behind executes them itself. A subscription
is never handed a result whose execution began before the subscription did: that result was
decided with the data of then (a customer since handed over), and a replay must see it with
today's rights (tests/security/test_subgraph_websockets.py).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from security.functions import Function, active_permissions
from security.principal import Principal
from security.roles import Scope
from security.scopes import role_scope

T = TypeVar("T")

PER_USER_SCOPES = frozenset({Scope.OWN, Scope.SELF, Scope.NONE})


def visibility_class(principal: Principal | None, reads_sensitive: bool) -> Hashable:
    """What decides what ``principal`` may see of an event and how it is masked (see above)."""
    if principal is None:
        return ("anonymous",)
    permissions = active_permissions(principal)
    per_user = role_scope(principal) in PER_USER_SCOPES or (
        reads_sensitive and Function.PII_FULL in permissions
    )
    return (
        str(principal.tenant_id),
        str(principal.org_id),
        principal.org_path,
        principal.active_role,
        tuple(sorted(principal.roles)),
        tuple(sorted(permissions)),
        tuple(sorted(str(grid) for grid in principal.grid_ids)),
        str(principal.institution_id),
        str(principal.user_id) if per_user else None,
    )


class _Abandoned(Exception):
    """The subscriber executing a shared event went away before finishing: a waiter executes it."""


class SharedExecutions:
    """This process's shared event executions: the results of the last ``events`` events, by
    key within each; counters for tests and the benchmark."""

    def __init__(self, events: int = 64, per_event: int = 4096) -> None:
        self._events = events
        self._per_event = per_event  # classes kept per event at most; beyond, each runs its own
        # per event, per key: the result (a future while it runs) and when its execution began
        self._results: OrderedDict[str, dict[Hashable, tuple[asyncio.Future[Any], float]]] = OrderedDict()
        self.executed = 0  # executions run
        self.shared = 0  # results handed to a subscriber that did not execute them

    def __len__(self) -> int:
        return sum(len(results) for results in self._results.values())

    async def run(
        self, event_id: str, key: Hashable, execute: Callable[[], Awaitable[T]], since: float = 0.0
    ) -> tuple[T, bool]:
        """``execute()``'s result for ``key`` of event ``event_id``: run here if no subscriber ran
        it yet, else theirs. The flag says whether it was run here.

        ``since`` (``time.monotonic()``): when the asking subscription began. A result whose
        execution began before that is not shared with it: it was decided with the data of then
        (a customer since handed over, a consent since revoked), and a subscription replaying an
        old event must see it with today's rights. The subscribers of a live event all began
        before it was published, so they share."""
        while True:
            results = self._results.get(event_id)
            if results is None:
                results = self._results[event_id] = {}
                if len(self._results) > self._events:
                    self._results.popitem(last=False)  # its subscribers are long past it
            found = results.get(key)
            if found is None or found[1] < since:
                break
            try:
                result = await asyncio.shield(found[0])
            except _Abandoned:
                continue  # its runner went away: run it (or wait for whoever took over)
            self.shared += 1
            return result, False
        future = asyncio.get_running_loop().create_future()
        if len(results) < self._per_event:
            results[key] = (future, time.monotonic())
        try:
            result = await execute()
        except BaseException as error:
            if key in results and results[key][0] is future:
                del results[key]
            future.set_exception(_Abandoned() if isinstance(error, asyncio.CancelledError) else error)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        self.executed += 1
        future.set_result(result)
        return result, True

    def clear(self) -> None:
        self._results.clear()


shared_executions = SharedExecutions()  # one per process
