"""Session fixtures: storage (PostgreSQL+Redis or the embedded default), the subgraph
process, and the real Hive Gateway in front of it, all on free ports."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from tortoise import Tortoise

from models.common import set_cipher
from security.crypto import load_cipher
from security.keys import load_token_keys
from subgraphs.cli import migrate
from subgraphs.database import tortoise_config
from subgraphs.gateway import gateway_env, start_gateway, wait_until_up
from subgraphs.sdl import write_all
from subgraphs.settings import Limits, Settings, Streams
from tests import services

# The login lockout window and lock time of the test stack: short, so a test sees the unlock.
LOCKOUT_SECONDS = 3.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# PostgreSQL connections per subgraph and process: a test run holds several stacks at once (the
# session's, and one a test starts of its own) within the server's default 100 connections.
# Set in the environment so every process a test starts inherits it.
DB_POOL_MAX = int(os.environ.setdefault("DCMS_DB_POOL_MAX", "4"))

# Small enough for tests/test_limits.py to reach quickly, large enough for one user's bursts elsewhere.
TEST_LIMITS = Limits(rate_limit=40, rate_limit_anonymous=30, rate_window=5)
# A cap tests/test_e2e_streams.py reaches quickly; feeds that read the outbox often.
TEST_STREAMS = Streams(max_subscriptions_per_user=5, feed_sync_seconds=1.0)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    var_dir = tmp_path_factory.mktemp("var")
    with contextlib.ExitStack() as cleanup:
        database_url = redis_url = None
        if services.STORAGE == "real":
            redis_url = services.require_redis()
            database_url = cleanup.enter_context(services.scratch_database("dcms_test"))
        yield _test_settings(Path(var_dir), database_url, redis_url)


def _test_settings(var_dir: Path, database_url: str | None, redis_url: str | None) -> Settings:
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        var_dir=var_dir,
        host="127.0.0.1",
        port=free_port(),
        gateway_port=free_port(),
        keys_dir=var_dir / "keys",
        lockout_seconds=LOCKOUT_SECONDS,
        # The stack runs in production mode: signatures required, introspection off, and a
        # small rate limit (per user; tests use a fresh user, see tests/test_limits.py).
        dev_mode=False,
        hmac_secret="test-hmac-" + uuid.uuid4().hex,
        limits=TEST_LIMITS,
        streams=TEST_STREAMS,
        db_pool_max=DB_POOL_MAX,
    )
    load_token_keys(replace(settings, dev_mode=True))  # generates this run's ES256 token key pair
    return settings


@pytest.fixture(scope="session")
async def database(settings: Settings) -> AsyncIterator[Settings]:
    """Migrated storage, and the ORM open in the test process for arranging data."""
    set_cipher(load_cipher(replace(settings, dev_mode=True)))  # PII keyring, generated under var/keys
    await migrate(settings, quiet=True)
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)
    yield settings
    await Tortoise.close_connections()


def subprocess_env(settings: Settings) -> dict[str, str]:
    env = {
        **os.environ,
        "DCMS_VAR_DIR": str(settings.var_dir),
        "DCMS_KEYS_DIR": str(settings.keys_dir),
        "DCMS_LOCKOUT_SECONDS": str(settings.lockout_seconds),
        "DCMS_HOST": settings.host,
        **gateway_env(settings),  # DCMS_DEV, the HMAC secret, CORS origins, limits: same for both
    }
    for key, value in (
        ("DATABASE_URL", settings.database_url),
        ("REDIS_URL", settings.redis_url),
        ("DCMS_TOKEN_PRIVATE_KEY_FILE", None),
        ("DCMS_TOKEN_PUBLIC_KEY_FILE", None),
    ):
        if value:
            env[key] = value
        else:
            env.pop(key, None)
    return env


@dataclass(frozen=True)
class Stack:
    settings: Settings
    subgraphs_url: str  # http://host:port — subgraphs at /<name>/graphql
    gateway_url: str  # http://host:port/graphql

    @property
    def gateway_ws(self) -> str:
        return self.gateway_url.replace("http://", "ws://")

    def subgraph(self, name: str) -> str:
        return f"{self.subgraphs_url}/{name}/graphql"


@pytest.fixture(scope="session")
def stack(database: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """All five subgraphs in one process (`dcms serve`) and the real gateway before them."""
    services.require_node()
    settings = database
    subgraphs_url = f"http://{settings.host}:{settings.port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "subgraphs.cli", "serve", "--port", str(settings.port)],
        env=subprocess_env(settings),
    )
    gateway = None
    try:
        wait_until_up(f"{subgraphs_url}/healthz", server)
        supergraph = write_all(tmp_path_factory.mktemp("sdl"), url_base=subgraphs_url)
        gateway = start_gateway(
            settings.gateway_port, supergraph, settings.host, quiet=True, settings=settings
        )
        wait_until_up(f"http://{settings.host}:{settings.gateway_port}/healthcheck", gateway)
        yield Stack(settings, subgraphs_url, f"http://{settings.host}:{settings.gateway_port}/graphql")
    finally:
        services.stop(gateway, server)


@pytest.fixture
def required_stack(request: pytest.FixtureRequest) -> Stack:
    """The session's stack; a missing service (PostgreSQL, Redis, Node) fails the test instead
    of skipping it, so CI cannot pass without a benchmark smoke test having run."""
    try:
        return request.getfixturevalue("stack")  # type: ignore[no-any-return]
    except pytest.skip.Exception as exc:
        pytest.fail(f"{request.node.name} needs the test stack: {exc}", pytrace=False)
