"""Session fixtures: storage (PostgreSQL+Redis or the embedded default), the subgraph
process, and the real Hive Gateway in front of it, all on free ports."""

from __future__ import annotations

import asyncio
import contextlib
import io
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from tortoise import Tortoise

from models.common import set_cipher
from security.crypto import load_cipher
from subgraphs.cli import migrate
from subgraphs.database import tortoise_config
from subgraphs.gateway import start_gateway, wait_until_up
from subgraphs.sdl import write_all
from subgraphs.settings import Settings
from tests.support import services
from tests.support.place import Place
from tests.support.stack import Stack, stack_settings, subprocess_env

LOOP: list[asyncio.AbstractEventLoop] = []  # the session's event loop, for the hook below


@pytest.fixture(scope="session", autouse=True)
async def _session_loop() -> None:
    LOOP.append(asyncio.get_running_loop())


def pytest_exception_interact(
    node: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
) -> None:
    """A test stopped by pytest-timeout gets every asyncio task's stack in its report: the main
    thread's stack, all pytest-timeout prints, is the event loop's select."""
    if call.excinfo is None or "pytest-timeout" not in str(call.excinfo.value) or not LOOP:
        return
    stacks = io.StringIO()
    for task in asyncio.all_tasks(LOOP[0]):
        task.print_stack(limit=12, file=stacks)
    report.sections.append(("asyncio tasks at the timeout", stacks.getvalue()))


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    var_dir = tmp_path_factory.mktemp("var")
    with contextlib.ExitStack() as cleanup:
        database_url = redis_url = None
        if services.STORAGE == "real":
            redis_url = services.require_redis()
            database_url = cleanup.enter_context(services.scratch_database("dcms_test"))
        yield stack_settings(Path(var_dir), database_url, redis_url)


@pytest.fixture(scope="session")
async def database(settings: Settings) -> AsyncIterator[Settings]:
    """Migrated storage, and the ORM open in the test process for arranging data."""
    set_cipher(load_cipher(replace(settings, dev_mode=True)))  # PII keyring, generated under var/keys
    await migrate(settings, quiet=True)
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)
    yield settings
    await Tortoise.close_connections()


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
def place(tmp_path: Path) -> Iterator[Place]:
    """An empty database and a production-mode CLI environment naming it (tests/support/place.py)."""
    keys = tmp_path / "keys"
    keys.mkdir()
    with contextlib.ExitStack() as cleanup:
        database_url = redis_url = None
        if services.STORAGE == "real":
            redis_url = services.require_redis()
            database_url = cleanup.enter_context(services.scratch_database("dcms_prod"))
        yield Place(tmp_path / "var", keys, database_url, redis_url)
