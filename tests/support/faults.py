"""A stack of its own for the fault tests (tests/faults/): a Redis server of its own, the
subgraphs process and the real gateway on spare ports, each piece killable and restartable."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from subgraphs.gateway import start_gateway, wait_until_up
from subgraphs.sdl import write_all
from tests.support import services
from tests.support.stack import free_port


class FaultStack:
    def __init__(self, var_dir: Path, database_url: str) -> None:
        self.var_dir = var_dir
        self.redis_port, self.port, self.gateway_port = free_port(), free_port(), free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "DCMS_VAR_DIR": str(var_dir),
            "DCMS_KEYS_DIR": str(var_dir / "keys"),
            "DCMS_DEV": "1",
            "DCMS_RATE_LIMIT": "0",
            "DCMS_MAX_SUBSCRIPTIONS_PER_USER": "0",
            "DCMS_FEED_SYNC_SECONDS": "1",
            "DCMS_WS_PING_SECONDS": "1",
        }
        self.redis: subprocess.Popen[bytes] | None = None
        self.subgraphs: subprocess.Popen[bytes] | None = None
        self.gateway: subprocess.Popen[bytes] | None = None
        self.supergraph: Path | None = None

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}/graphql"

    @property
    def gateway_ws(self) -> str:
        return f"ws://127.0.0.1:{self.gateway_port}/graphql"

    def dcms(self, *args: str) -> str:
        command = [sys.executable, "-m", "subgraphs.cli", *args]
        return subprocess.run(command, env=self.env, check=True, capture_output=True, text=True).stdout

    def start_redis(self) -> None:
        self.redis = services.redis_server(self.redis_port)
        for _ in range(100):
            if services.reachable(self.env["REDIS_URL"]):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def start_subgraphs(self) -> None:
        self.subgraphs = subprocess.Popen(
            [sys.executable, "-m", "subgraphs.cli", "serve", "--port", str(self.port)], env=self.env
        )
        wait_until_up(f"http://127.0.0.1:{self.port}/healthz", self.subgraphs)

    def start_gateway(self) -> None:
        if self.supergraph is None:
            self.supergraph = write_all(self.var_dir / "sdl", url_base=f"http://127.0.0.1:{self.port}")
        self.gateway = start_gateway(self.gateway_port, self.supergraph, quiet=True, env=self.env)
        wait_until_up(f"http://127.0.0.1:{self.gateway_port}/healthcheck", self.gateway)

    @staticmethod
    def kill(process: subprocess.Popen[bytes] | None) -> None:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(10)

    def stop(self) -> None:
        for process in (self.gateway, self.subgraphs, self.redis):
            self.kill(process)

    def start(self, customers: int) -> None:
        """The one start sequence: Redis, the schema, seeded data, the subgraphs, the gateway."""
        self.start_redis()
        self.dcms("migrate")
        self.dcms("seed", "--customers", str(customers))
        self.start_subgraphs()
        self.start_gateway()

    def token(self, username: str = "ops") -> str:
        """An access token of a seeded user (`dcms token`)."""
        return self.dcms("token", "--username", username).strip()


S = TypeVar("S", bound=FaultStack)


@contextlib.contextmanager
def running(make: Callable[[str], S], database: str, customers: int) -> Iterator[S]:
    """A fault stack on a scratch PostgreSQL database of its own, started and, at the end, killed.

    ``make`` builds the stack from the database URL (``FaultStack`` or a subclass of it)."""
    services.require_redis()  # the server binary is what this stack runs
    services.require_node()
    with services.scratch_database(database) as database_url:
        stack = make(database_url)
        try:
            stack.start(customers)
            yield stack
        finally:
            stack.stop()
