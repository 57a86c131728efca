"""What a subgraph is, to the app that serves it: one ``SubgraphSpec`` per subgraph, written in
``subgraphs/<name>.py`` and found by name with ``subgraphs.registry.spec_of``.

    spec = SubgraphSpec(
        name="finance",
        schema=build_schema("finance", query=Query, mutation=Mutation, subscription=Subscription),
        loaders=FinanceLoaders,
        jobs=(watch_deadlines,),
        consumes=("customers",),
    )
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from starlette.routing import BaseRoute

from realtime.hub import Realtime
from resolvers.common.loading import LoaderRegistry
from resolvers.common.rules import Rules
from subgraphs.schema import SubgraphSchema
from subgraphs.settings import Settings

# A background job: started with the app, one task per process, given the platform parameters.
Job = Callable[[Realtime, Rules], Coroutine[Any, Any, None]]
# A service: like a job, but given the settings (e.g. the MQTT bridge needs the broker's URL).
Service = Callable[[Realtime, Settings], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class SubgraphSpec:
    name: str
    schema: SubgraphSchema
    loaders: type[LoaderRegistry]  # resolvers/<name>/dataloaders.py: a fresh registry per request
    jobs: tuple[Job, ...] = ()  # resolvers/<name>/jobs.py
    # Other subgraphs' Tortoise apps this one reads, read-only, through one module each (their tables
    # are registered in the same process for that): e.g. finance reads customers' for applicantId.
    consumes: tuple[str, ...] = ()
    routes: tuple[BaseRoute, ...] = ()  # plain HTTP routes beside /<name>/graphql (POST /devices/ingest)
    services: tuple[Service, ...] = ()  # started with the app like jobs, given the settings
