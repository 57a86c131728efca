"""The executor every subgraph schema runs operations with.

graphql-core 3.3.2 (the newest 3.3 release; Strawberry 0.341 needs >=3.3,<3.4) executes each
subscription event with ``build_per_event_executor``, a shallow copy of the subscription's
executor. The copy shares ``_relevant_sub_fields``, the sub-field cache keyed by the identity
of a field list and keeping that list alive; every event collects its root fields afresh, so
every event adds an entry that lives as long as the subscription: about 2 KiB per event, for
weeks (tests/realtime/test_subscription_memory.py). 3.2 had no shared cache. Giving each event its own
cache keeps what the cache is for (one collection per field list within an event, e.g. a list
of objects) and lets an event's entries go with it.
"""

from __future__ import annotations

from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class SubgraphExecutor(StrawberryGraphQLCoreExecutionContext):
    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor
