"""The test stack's shape and settings: free ports, the production-mode settings of a test run,
the environment of a process the tests start, and the `Stack` the session fixture hands out."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from security.keys import load_token_keys
from subgraphs.gateway import gateway_env
from subgraphs.settings import Limits, Settings, Streams

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
# One worker process per `dcms serve` the tests start (the default with PostgreSQL + Redis is one
# per core): tests read per-process figures (/healthz); tests/subgraphs/test_workers.py starts two.
os.environ.setdefault("DCMS_WORKERS", "1")

# Small enough for tests/security/test_rate_limit.py to reach quickly, large enough for one user's bursts elsewhere.
TEST_LIMITS = Limits(rate_limit=40, rate_limit_anonymous=30, rate_window=5)
# A cap tests/e2e/test_streams.py reaches quickly; feeds that read the outbox often.
TEST_STREAMS = Streams(max_subscriptions_per_user=5, feed_sync_seconds=1.0)


def stack_settings(var_dir: Path, database_url: str | None, redis_url: str | None) -> Settings:
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
        # small rate limit (per user; tests use a fresh user, see tests/security/test_rate_limit.py).
        dev_mode=False,
        hmac_secret="test-hmac-" + uuid.uuid4().hex,
        limits=TEST_LIMITS,
        streams=TEST_STREAMS,
        db_pool_max=DB_POOL_MAX,
    )
    load_token_keys(replace(settings, dev_mode=True))  # generates this run's ES256 token key pair
    return settings


CLOCK_JOBS = (
    "DCMS_INCIDENT_CHECK_SECONDS",
    "DCMS_ALERT_ESCALATION_SECONDS",
    "DCMS_BACKUP_CHECK_SECONDS",
    "DCMS_INSPECTION_JOB_SECONDS",
    "DCMS_DEVICE_CHECK_SECONDS",
)


def subprocess_env(settings: Settings) -> dict[str, str]:
    env = {
        **os.environ,
        "DCMS_VAR_DIR": str(settings.var_dir),
        "DCMS_KEYS_DIR": str(settings.keys_dir),
        "DCMS_LOCKOUT_SECONDS": str(settings.lockout_seconds),
        "DCMS_HOST": settings.host,
        **gateway_env(settings),  # DCMS_DEV, the HMAC secret, CORS origins, limits: same for both
        # The operations jobs that work on the wall clock run once, at start (on an empty database):
        # tests run them with a test clock, and a run of the stack's own at the same moment would
        # take the job's lock (one run across replicas) or act on a test's aged rows.
        **dict.fromkeys(CLOCK_JOBS, "86400"),
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
