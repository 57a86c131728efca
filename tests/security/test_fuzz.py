"""Property-based fuzzing over the composed schema: every generated operation gets an answer
with a code, never HTTP 5xx, never ``INTERNAL_SERVER_ERROR``, never a traceback in the log.

Operations come from hypothesis-graphql (queries and mutations, arguments of every shape the
schema allows: strings with NUL bytes and lone surrogates, huge numbers, odd cursors and ids),
sent with a seeded user's real token through the real gateway, and signed straight to the
subgraphs (as the gateway would sign them). The stack is this module's own (its subgraphs'
log captured to a file, no rate limit), in production mode, on the run's storage: PostgreSQL
and its own Redis in the real pass, SQLite and the in-memory broker in the embedded pass.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphql
import httpx
import hypothesis_graphql
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes

from subgraphs.gateway import start_gateway, wait_until_up
from subgraphs.sdl import write_all
from tests.support import services
from tests.support.signing import body_bytes, signed_headers
from tests.support.stack import free_port

pytestmark = pytest.mark.e2e


class FuzzStack:
    """Subgraphs (log to a file) and the gateway, production mode, no rate limit."""

    def __init__(self, var_dir: Path, database_url: str | None) -> None:
        self.var_dir = var_dir
        self.port, self.gateway_port = free_port(), free_port()
        self.redis_port = free_port() if database_url else None
        self.hmac_secret = "fuzz-hmac-" + uuid.uuid4().hex
        self.log_path = var_dir / "subgraphs.log"
        self.env = {
            **os.environ,
            "DCMS_VAR_DIR": str(var_dir),
            "DCMS_KEYS_DIR": str(var_dir / "keys"),
            "DCMS_HOST": "127.0.0.1",
            "DCMS_RATE_LIMIT": "0",
            "DCMS_RATE_LIMIT_ANONYMOUS": "0",
        }
        for key in ("DATABASE_URL", "REDIS_URL", "DCMS_TOKEN_PRIVATE_KEY_FILE", "DCMS_TOKEN_PUBLIC_KEY_FILE"):
            self.env.pop(key, None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
            self.env["REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}/graphql"

    def subgraph(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}/graphql"

    def setup(self, *command: str) -> None:
        # Dev mode for setup only: it generates the run's token keys and PII keyring.
        env = {**self.env, "DCMS_DEV": "1"}
        subprocess.run([sys.executable, *command], env=env, check=True, capture_output=True)

    def start(self) -> None:
        if self.redis_port:
            redis = ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", ""]
            self.processes.append(subprocess.Popen(redis, stdout=subprocess.DEVNULL))
            deadline = time.monotonic() + 10
            while not services.reachable(self.env["REDIS_URL"]):
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        keys = "from security.keys import load_token_keys as k; from subgraphs.settings import Settings as s; k(s.from_env())"
        self.setup("-c", keys)
        self.setup("-m", "subgraphs.cli", "migrate")
        self.setup("-m", "subgraphs.cli", "seed", "--customers", "20")
        production = {**self.env, "DCMS_DEV": "0", "DCMS_GATEWAY_HMAC_SECRET": self.hmac_secret}
        with self.log_path.open("wb") as log:
            serve = [sys.executable, "-m", "subgraphs.cli", "serve", "--port", str(self.port)]
            subgraphs = subprocess.Popen(serve, env=production, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(subgraphs)
        wait_until_up(f"http://127.0.0.1:{self.port}/healthz", subgraphs)
        supergraph = write_all(self.var_dir / "sdl", url_base=f"http://127.0.0.1:{self.port}")
        gateway = start_gateway(self.gateway_port, supergraph, quiet=True, env=production)
        self.processes.append(gateway)
        wait_until_up(f"http://127.0.0.1:{self.gateway_port}/healthcheck", gateway)

    def stop(self) -> None:
        services.stop(*reversed(self.processes))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzStack]:
    services.require_node()
    with contextlib.ExitStack() as cleanup:
        database_url = None
        if services.STORAGE == "real":
            services.require_redis()  # the server binary is what this stack runs
            database_url = cleanup.enter_context(services.scratch_database("dcms_fuzz"))
        stack = FuzzStack(tmp_path_factory.mktemp("fuzz"), database_url)
        try:
            stack.start()
            yield stack
        finally:
            stack.stop()


TRACEBACK = re.compile(r"Traceback \(most recent call last\)")
SDL_DIR = Path(__file__).resolve().parents[2] / "schema" / "sdl"
GATEWAY_OPERATIONS = 2000
SUBGRAPH_OPERATIONS = 1000
# Fields that would end the fuzzing user's own session (its token then answers UNAUTHENTICATED,
# which is coded but tests nothing more).
SESSION_ENDING = frozenset({"logout", "switchRole", "changePassword"})
# Seeded users (subgraphs/seed.py) whose roles reach most fields between them.
USERS = ("manager", "admin", "grabber", "applicant", "ops", "regulator")
BAD_CODES = frozenset({"INTERNAL_SERVER_ERROR", "DOWNSTREAM_SERVICE_ERROR"})


def _decimals() -> st.SearchStrategy[Any]:
    """Decimal literals, the awkward ones included."""
    awkward = st.sampled_from(
        ["1e999999999", "-1e999999999", "1e-999999999", "NaN", "-Infinity", "Infinity", "0E-99999", "", "1,5"]
    )
    numbers = st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**20), max_value=10**20
    )
    return st.one_of(awkward.map(nodes.String), numbers.map(nodes.String), st.floats().map(nodes.Float))


def _representations() -> st.SearchStrategy[Any]:
    """`_entities` representations: a known or unknown type, an id or anything."""
    typename = st.sampled_from(["Customer", "FinancingNeed", "Opportunity", "User", "Org", "Device", "Nope"])
    key = st.one_of(st.uuids().map(str), st.text(max_size=40))

    def node(pair: tuple[str, str]) -> graphql.ObjectValueNode:
        fields = [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=nodes.String(value))
            for name, value in zip(("__typename", "id"), pair, strict=True)
        ]
        return nodes.Object(fields)

    return st.tuples(typename, key).map(node)


# a JSON value (a configuration item's config): objects, lists and anything inside
def _json() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.text(max_size=20).map(nodes.String),
        st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        st.booleans().map(nodes.Boolean),
        st.just(nodes.Null),
    )

    def objects(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.lists(values, max_size=4).map(
            lambda items: nodes.Object(
                [
                    graphql.ObjectFieldNode(name=graphql.NameNode(value=f"k{i}"), value=value)
                    for i, value in enumerate(items)
                ]
            )
        )

    return st.recursive(
        leaves, lambda inner: st.one_of(st.lists(inner, max_size=4).map(nodes.List), objects(inner))
    )


CUSTOM_SCALARS = {
    "JSON": _json(),
    "_Any": _representations(),
    "Decimal": _decimals(),
    "Date": st.one_of(st.dates().map(nodes.String), st.text(max_size=12).map(nodes.String)),
    "DateTime": st.one_of(st.datetimes().map(nodes.String), st.text(max_size=30).map(nodes.String)),
}


def _schema(sdl_file: str) -> graphql.GraphQLSchema:
    # The supergraph and subgraph SDL name federation directives they do not all define.
    return graphql.build_schema((SDL_DIR / sdl_file).read_text(), assume_valid_sdl=True)


def _operations(schema: graphql.GraphQLSchema) -> st.SearchStrategy[str]:
    mutation_fields = [name for name in (schema.mutation_type.fields if schema.mutation_type else {})]
    strategies = [
        hypothesis_graphql.queries(schema, custom_scalars=CUSTOM_SCALARS, codec=codec)
        for codec in ("utf-8", None)  # None: any code point, lone surrogates included
    ]
    fields = [name for name in mutation_fields if name not in SESSION_ENDING]
    if fields:
        strategies.append(hypothesis_graphql.mutations(schema, fields=fields, custom_scalars=CUSTOM_SCALARS))
    strategies.append(hypothesis_graphql.queries(schema, custom_scalars=CUSTOM_SCALARS, mode=Mode.NEGATIVE))
    return st.one_of(strategies)


def _post(
    client: httpx.Client, url: str, body: dict[str, Any], token: str, secret: str | None = None
) -> httpx.Response | str:
    """POST as a client (to the gateway), or with ``secret`` as the gateway signs (to a subgraph)."""
    content = body_bytes(body)
    headers = signed_headers(secret, content, f"Bearer {token}") if secret else {}
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}", **headers}
    try:
        return client.post(url, content=content, headers=headers)
    except httpx.TimeoutException:
        return "no answer within 30 s"


def _problems(response: httpx.Response | str, query: str) -> list[str]:
    """What is wrong with an answer: a 5xx, a non-JSON body, an uncoded or internal error."""
    where = f"{query[:300]!r}"
    if isinstance(response, str):
        return [f"{response} for {query!r}"]
    if response.status_code >= 500:
        return [f"HTTP {response.status_code} for {where}: {response.text[:300]}"]
    try:
        body = response.json()
    except ValueError:
        return [f"HTTP {response.status_code}, not JSON, for {where}: {response.text[:300]}"]
    found = []
    for result in body if isinstance(body, list) else [body]:
        for error in result.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            if code is None or code in BAD_CODES:
                found.append(f"{code} {error.get('message')!r} at {error.get('path')} for {where}")
    return found


def _tokens(stack: FuzzStack) -> list[str]:
    from subgraphs.seed import DEMO_PASSWORD

    login = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }"
    tokens = []
    for username in USERS:
        body = {"query": login, "variables": {"u": username, "p": DEMO_PASSWORD}}
        answer = httpx.post(stack.gateway_url, json=body, timeout=30).json()
        tokens.append(answer["data"]["login"]["accessToken"])
    return tokens


def _fuzz(examples: int, strategy: st.SearchStrategy[Any], send: Any) -> list[str]:
    """Send ``examples`` generated operations; every problem found, not only the first."""
    problems: list[str] = []
    sent = 0

    @settings(
        max_examples=examples,
        derandomize=True,  # the same operations every run
        deadline=None,
        database=None,
        phases=[Phase.generate],  # no shrinking: each problem is reported as generated, all of them
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(example: Any) -> None:
        nonlocal sent
        sent += 1
        problems.extend(send(example))

    run()
    assert sent >= examples * 0.9, f"only {sent} operations generated"
    return problems


def test_fuzz_through_the_gateway(fuzz_stack: FuzzStack) -> None:
    tokens = _tokens(fuzz_stack)
    schema = _schema("supergraph.graphql")
    strategy = st.tuples(st.sampled_from(range(len(tokens))), _operations(schema))
    with httpx.Client(timeout=30) as client:

        def send(example: tuple[int, str]) -> list[str]:
            user, query = example
            return _problems(_post(client, fuzz_stack.gateway_url, {"query": query}, tokens[user]), query)

        problems = _fuzz(GATEWAY_OPERATIONS, strategy, send)
    assert not problems, f"{len(problems)} problems, the first ones:\n" + "\n".join(problems[:15])
    assert not TRACEBACK.search(fuzz_stack.log()), fuzz_stack.log()[-5000:]


def test_fuzz_straight_to_the_subgraphs(fuzz_stack: FuzzStack) -> None:
    tokens = _tokens(fuzz_stack)
    names = ("customers", "finance", "operations", "marketing", "devices")
    per_subgraph = {name: _operations(_schema(f"{name}.graphql")) for name in names}
    strategy = st.tuples(
        st.sampled_from(range(len(tokens))),
        st.sampled_from(names).flatmap(lambda name: st.tuples(st.just(name), per_subgraph[name])),
    )
    with httpx.Client(timeout=30) as client:

        def send(example: tuple[int, tuple[str, str]]) -> list[str]:
            user, (name, query) = example
            url, secret = fuzz_stack.subgraph(name), fuzz_stack.hmac_secret
            return _problems(_post(client, url, {"query": query}, tokens[user], secret), query)

        problems = _fuzz(SUBGRAPH_OPERATIONS, strategy, send)
    assert not problems, f"{len(problems)} problems, the first ones:\n" + "\n".join(problems[:15])
    assert not TRACEBACK.search(fuzz_stack.log()), fuzz_stack.log()[-5000:]
