"""The executor every subgraph schema runs operations with.

A Tortoise row is awaitable (``Model.__await__`` yields the row itself), so graphql-core took
every row a field returned for a pending value: a coroutine and an asyncio task per customer, per
tag, per contact — 140 tasks on the H5 morning page, for nothing. ``is_awaitable`` here answers
no for a row (awaiting it would only give it back) and keeps Strawberry's check for the rest,
once per type: it runs for every value of every field (1,700 on the morning page).

graphql-core 3.3.2 (the newest 3.3 release; Strawberry 0.341 needs >=3.3,<3.4) executes each
subscription event with ``build_per_event_executor``, a shallow copy of the subscription's
executor. The copy shares ``_relevant_sub_fields``, the sub-field cache keyed by the identity
of a field list and keeping that list alive; every event collects its root fields afresh, so
every event adds an entry that lives as long as the subscription: about 2 KiB per event, for
weeks (tests/realtime/test_subscription_memory.py). 3.2 had no shared cache. Giving each event its own
cache keeps what the cache is for (one collection per field list within an event, e.g. a list
of objects) and lets an event's entries go with it. The copy also shares the subscription's
context, and with it its DataLoaders: each event gets a context with empty ones, so a later event
does not show what an earlier one loaded (tests/realtime/test_event_context.py).
"""

from __future__ import annotations

from collections.abc import Awaitable
from types import GeneratorType
from typing import Any, TypeGuard

from strawberry.execution import optimized_is_awaitable
from tortoise.models import Model

from schema.common.events import SharedEventExecutor

_AWAITABLE: dict[type, bool] = {}  # by type: ``await`` looks ``__await__`` up on the type


def is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    kind = type(value)
    known = _AWAITABLE.get(kind)
    if known is None:
        if kind is GeneratorType:  # a generator-based coroutine or not: per object
            return optimized_is_awaitable(value)
        known = _AWAITABLE[kind] = not issubclass(kind, Model) and optimized_is_awaitable(value)
    return known


class SubgraphExecutor(SharedEventExecutor):  # an event once per selection set and visibility class
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_awaitable = is_awaitable  # a row is a value (module docstring)

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        # The copy shares the subscription's context, and with it one set of DataLoaders for the
        # subscription's life: each event gets its own (Context.for_event).
        for_event = getattr(self.context_value, "for_event", None)
        if for_event is not None:
            executor.context_value = for_event()
        return executor
