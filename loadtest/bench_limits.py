"""What the query-limit extensions cost per operation, in process: ``python -m loadtest.bench_limits``.

Runs a typical customers-subgraph query (a page of 20 customers with grid, managers and a
nested page of reminders, variables as clients send them) many times against the same
schema built twice: with the extensions the skeleton had (before) and with today's list
(after: tokens, depth, aliases, rate limit on the in-process limiter, cost). SQLite in a
temporary directory; prints µs per operation and the ratio. A benchmark, never a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from typing import Any

QUERY = """query Page($first: Int!, $reminders: Int!) { customers(first: $first) { edges { node {
    id name tier grid { name } primaryManager { id } org { id }
    reminders(first: $reminders) { nodes { title kind } } } } } }"""


async def main(iterations: int, rounds: int) -> None:
    os.environ.setdefault("DCMS_VAR_DIR", tempfile.mkdtemp(prefix="dcms-bench-"))
    import strawberry
    from graphql import ExecutionResult
    from starlette.requests import Request
    from strawberry.extensions import MaskErrors, ParserCache, SchemaExtension, ValidationCache
    from tortoise import Tortoise

    from models.common import set_cipher
    from realtime.broker import Broker
    from realtime.hub import Realtime
    from schema.common.authentication import authentication_refusal
    from schema.common.context import Context
    from schema.common.errors import graphql_error, should_mask_error
    from schema.customers.federation import Org, User
    from schema.customers.mutations import Mutation
    from schema.customers.queries import Query
    from schema.customers.subscriptions import Subscription
    from schema.customers.types.grids import Grid
    from security.crypto import load_cipher
    from security.keys import load_token_keys
    from security.rate_limit import MemoryRateLimiter
    from subgraphs.cli import migrate
    from subgraphs.database import tortoise_config
    from subgraphs.registry import spec_of
    from subgraphs.settings import Limits, Settings
    from testkit.factories import make_tenant, token_keys
    from testkit.inprocess import sessions

    settings = Settings.from_env()
    await migrate(settings, quiet=True)
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)
    set_cipher(load_cipher(settings))
    load_token_keys(settings)  # dev mode: generated in the temporary directory
    tenant = await make_tenant(settings, customers=20, grabbers=0, needs=0)
    realtime = Realtime(Broker(), sessions(settings))

    class RequireAuthentication(SchemaExtension):  # the skeleton's gate: the token, nothing else
        async def on_execute(self) -> AsyncIterator[None]:
            if refusal := await authentication_refusal(self.execution_context):
                self.execution_context.result = ExecutionResult(data=None, errors=[graphql_error(refusal)])
            yield

    before = strawberry.federation.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Org, User, Grid],
        federation_version="2.9",
        extensions=[
            RequireAuthentication,
            ParserCache,
            ValidationCache,
            lambda: MaskErrors(should_mask_error=should_mask_error),
        ],
    )
    customers = spec_of("customers")
    after = customers.schema

    class App:  # what the rate-limit extension reads from the ASGI scope
        class state:
            rate_limit = (MemoryRateLimiter(), Limits(rate_limit=10**9))

    def context() -> Context:
        headers = [(b"authorization", f"Bearer {tenant.manager_token}".encode())]
        scope: dict[str, Any] = {"type": "http", "method": "POST", "headers": headers, "app": App}
        return Context(
            request=Request(scope),
            realtime=realtime,
            token_keys=token_keys(settings),
            sessions=sessions(settings),
            loaders_class=customers.loaders,
        )

    variables = {"first": 20, "reminders": 5}

    async def per_operation(schema: Any) -> float:
        result = await schema.execute(QUERY, variable_values=variables, context_value=context())
        assert result.errors is None, result.errors
        started = time.perf_counter()
        for _ in range(iterations):
            await schema.execute(QUERY, variable_values=variables, context_value=context())
        return (time.perf_counter() - started) / iterations * 1e6

    timings: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(rounds):  # interleaved, so drift hits both alike
        timings["before"].append(await per_operation(before))
        timings["after"].append(await per_operation(after))
    await Tortoise.close_connections()

    b, a = statistics.median(timings["before"]), statistics.median(timings["after"])
    print(f"typical query (20 customers, nested reminders), {iterations} × {rounds} rounds, median:")
    print(f"  before (skeleton extensions): {b:8.0f} µs/operation")
    print(f"  after  (+ query limits):      {a:8.0f} µs/operation")
    print(f"  ratio after/before:           {a / b:8.3f}  ({a - b:+.0f} µs)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.iterations, args.rounds))
