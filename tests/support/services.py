"""Which storage and broker a test run uses, and whether they are reachable.

``make test`` runs the suite twice:
- ``DCMS_TEST_STORAGE=real``: PostgreSQL (``DCMS_TEST_POSTGRES``) and Redis (``DCMS_TEST_REDIS``);
- ``DCMS_TEST_STORAGE=embedded``: SQLite files and the in-memory broker, as ``make up`` runs.

With ``DCMS_REQUIRE_SERVICES=1`` (CI) a missing PostgreSQL, Redis, Mosquitto, Node or gateway
fails the run; otherwise the tests that need it are skipped with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

import pytest

STORAGE = os.environ.get("DCMS_TEST_STORAGE", "real")
POSTGRES_URL = os.environ.get("DCMS_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("DCMS_TEST_REDIS", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("DCMS_REQUIRE_SERVICES") == "1"
MQTT_URL = os.environ.get("DCMS_TEST_MQTT", "mqtt://127.0.0.1:1883")  # Mosquitto: the devices' MQTT broker


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), timeout=1):
            return True
    except OSError:
        return False


def missing(what: str) -> None:
    """A required service is not there: fail in CI, skip elsewhere."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (DCMS_REQUIRE_SERVICES=1) but not available", pytrace=False)
    pytest.skip(f"{what} not available")


def require_postgres() -> str:
    if not reachable(POSTGRES_URL):
        missing(f"PostgreSQL at {POSTGRES_URL}")
    return POSTGRES_URL


def require_redis() -> str:
    if not reachable(REDIS_URL):
        missing(f"Redis at {REDIS_URL}")
    return REDIS_URL


def separate_redis() -> str:
    """Another database of the test Redis, for a stack that runs beside the session's (the browser
    tests' `dcms up`): channels are named after the database (security/redis_pool.py), so the two
    neither hear each other's events (a foreign seq would move a feed's head) nor share keys."""
    url = urlparse(require_redis())
    database = int(url.path.strip("/") or 0)
    return urlunparse(url._replace(path=f"/{(database - 1) % 16}"))


def require_mqtt() -> str:
    """The MQTT broker (Mosquitto) the bridge and the simulator talk to."""
    if not reachable(MQTT_URL):
        missing(f"the MQTT broker at {MQTT_URL}")
    return MQTT_URL


def require_node() -> None:
    if shutil.which("node") is None:
        missing("Node.js")


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A PostgreSQL database of its own (for a stack a test starts), dropped when done: its URL."""
    admin_url = require_postgres()
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield urlunparse(urlparse(admin_url)._replace(path=f"/{name}"))
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def stop(*processes: subprocess.Popen[bytes] | None) -> None:
    """Terminate each process (the last started first is the caller's business), kill it after 10 s."""
    for process in processes:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()  # reaped: an unreaped one warns when collected, in another test


def redis_server(port: int) -> subprocess.Popen[bytes]:
    """A ``redis-server`` of a test's own on ``port`` (no persistence), to kill or to keep apart."""
    return subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
