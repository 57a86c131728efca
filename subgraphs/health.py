"""Liveness, readiness and graceful shutdown of one subgraph process (docs/running.md).

- ``GET /livez``: the process is up and its event loop answers. No I/O: a database or Redis
  outage never gets a process restarted by its liveness probe.
- ``GET /readyz``: whether this process should get traffic. Each check runs within
  ``DCMS_READY_TIMEOUT_SECONDS``: ``database`` (``SELECT 1`` on the connection of every served
  subgraph), ``redis`` (``PING``, when ``REDIS_URL`` is set) and ``relay`` (the age of the oldest
  committed event the outbox relay has not published yet, at most
  ``DCMS_READY_MAX_RELAY_LAG_SECONDS``). 200 when all pass, else 503; the body names each check's
  result either way. Once shutdown has begun it is 503 with ``"shutdown": true``.
  ``DCMS_READY_REQUIRE`` (default ``database,redis,relay``) names the checks that decide; the
  others are reported with ``"required": false``.
- **SIGTERM** (``drain_on_sigterm``): readiness turns 503 at once, the process keeps serving for
  ``DCMS_SHUTDOWN_DELAY_SECONDS`` (so a load balancer notices and stops sending), then uvicorn
  stops accepting, lets in-flight HTTP requests finish for up to ``DCMS_SHUTDOWN_GRACE_SECONDS``
  (``timeout_graceful_shutdown``, subgraphs/cli.py) and closes every WebSocket with **1012**
  (Service Restart): graphql-ws retries on it, and the gateway ends each subscription the socket
  carried with ``STREAM_INTERRUPTED`` (gateway/upstream.ts) so its client resubscribes with
  ``after`` and misses nothing.

Neither route is admission-counted (subgraphs/admission.py counts only ``/<name>/graphql``) nor
needs a token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import Tortoise

from models.outbox import OutboxEventBase
from realtime.events import recorded_at
from security.redis_pool import redis_client
from subgraphs.settings import Probes

log = logging.getLogger(__name__)

Handler = Callable[[int, FrameType | None], Any] | int | None


class Health:
    """One per process (``build_app``): the probes' routes and the shutdown flag."""

    def __init__(self, probes: Probes, connections: tuple[str, ...], redis_url: str | None) -> None:
        self.probes = probes
        self.connections = connections  # Tortoise connection names of the served subgraphs
        self.outboxes: list[type[OutboxEventBase]] = []  # set by the lifespan once Tortoise is up
        self.shutting_down = False
        timeout = probes.ready_timeout_seconds
        self._redis = redis_client(redis_url, max_connections=2, timeout=timeout) if redis_url else None

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    # -- routes ---------------------------------------------------------------------------------

    async def livez(self, request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(self, request: Request) -> JSONResponse:
        names = ["database", "relay"] + (["redis"] if self._redis is not None else [])
        results = await asyncio.gather(*(self._timed(getattr(self, f"_check_{name}")) for name in names))
        checks = dict(zip(names, results, strict=True))
        required = {name.strip() for name in self.probes.ready_require.split(",")}
        for name, check in checks.items():
            if name not in required:
                check["required"] = False
        failed = [name for name, check in checks.items() if not check["ok"] and name in required]
        ready = not failed and not self.shutting_down
        body: dict[str, Any] = {"status": "ready" if ready else "unavailable", "checks": checks}
        if self.shutting_down:
            body["shutdown"] = True
        return JSONResponse(body, status_code=200 if ready else 503)

    async def _timed(self, check: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
        timeout = self.probes.ready_timeout_seconds
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                result = await check()
        except TimeoutError:
            result = {"ok": False, "error": f"no answer within {timeout:g} s"}
        except Exception as error:  # the body says what failed; never a 500 from a probe
            result = {"ok": False, "error": type(error).__name__}
            log.debug(
                "readiness check failed: %s", type(error).__name__
            )  # the outage itself is logged once (security/outage.py)
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        return result

    # -- checks ---------------------------------------------------------------------------------

    async def _check_database(self) -> dict[str, Any]:
        for name in self.connections:
            await Tortoise.get_connection(name).execute_query("SELECT 1")
        return {"ok": True}

    async def _check_redis(self) -> dict[str, Any]:
        assert self._redis is not None
        await self._redis.ping()
        return {"ok": True}

    async def _check_relay(self) -> dict[str, Any]:
        """The outbox relay's lag: how long the oldest committed, unpublished event has waited."""
        oldest: float | None = None
        for model in self.outboxes:
            row = await model.filter(published_at=None).order_by("id").only("id").first()
            if row is not None:
                recorded = recorded_at(row.id)
                oldest = recorded if oldest is None else min(oldest, recorded)
        lag = max(0.0, time.time() - oldest) if oldest is not None else 0.0
        limit = self.probes.ready_max_relay_lag_seconds
        return {"ok": lag <= limit, "lagSeconds": round(lag, 3), "maxSeconds": limit}

    # -- shutdown -------------------------------------------------------------------------------

    def drain_on_sigterm(self) -> Callable[[], None]:
        """Put this process's SIGTERM handler (uvicorn's, installed before the lifespan starts)
        behind one that turns readiness 503 first and hands the signal on after
        ``shutdown_delay_seconds``. Returns the undo. Outside the main thread (an app run by a
        test client) there is no signal to take: nothing changes."""
        try:
            previous: Handler = signal.getsignal(signal.SIGTERM)
        except ValueError:  # pragma: no cover
            return lambda: None
        if not callable(previous):  # not served by uvicorn (a test's app): nothing to hand on
            return lambda: None
        loop = asyncio.get_running_loop()
        forward = previous

        def on_sigterm(signum: int, frame: FrameType | None) -> None:
            if self.shutting_down:  # a second SIGTERM: stop now
                forward(signum, frame)
                return
            self.shutting_down = True
            delay = self.probes.shutdown_delay_seconds
            log.warning("SIGTERM: readiness 503, stopping in %g s", delay)
            if delay > 0:
                loop.call_soon_threadsafe(loop.call_later, delay, forward, signum, None)
            else:
                forward(signum, frame)

        try:
            signal.signal(signal.SIGTERM, on_sigterm)
        except ValueError:  # not the main thread
            return lambda: None

        def undo() -> None:
            with contextlib.suppress(ValueError):
                if signal.getsignal(signal.SIGTERM) is on_sigterm:
                    signal.signal(signal.SIGTERM, previous)

        return undo
