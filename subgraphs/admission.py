"""A bounded queue per worker process, and no work for a client that has gone away.

``AdmissionControl`` is pure ASGI middleware, the outermost of ``build_app`` (subgraphs/app.py):

- **Bound.** Each process runs at most ``DCMS_MAX_IN_FLIGHT`` GraphQL HTTP operations at once
  (requests to ``/<subgraph>/graphql``). One more is answered at once, before its body is read,
  with HTTP 503, a ``Retry-After`` header and a coded GraphQL error::

      {"data": null, "errors": [{"message": "服务繁忙，请稍后重试 (…)",
        "extensions": {"code": "OVERLOADED", "retryAfter": 1}}]}

  Hive Gateway reads a subgraph's 503 like any other answer (it retries nothing unless told to,
  and parses a JSON body whatever the status), so the client gets this error with its code, not an
  INTERNAL_SERVER_ERROR (tests/e2e/test_admission.py). Not counted: ``/healthz`` and WebSockets
  (a subscription lives for hours; its work is capped per user by realtime/guard.py). Every HTTP
  request to a GraphQL path counts, whatever its ``Accept`` (the gateway's always names
  ``multipart/mixed``); a subscription over HTTP, which the gateway never sends (it subscribes
  over WebSockets), would hold its place for as long as it is open. The bound is a
  queue length, not a rate: with all of a process's operations sharing one event loop, each
  admitted one waits for the CPU time of the others, so the bound keeps a process's latency near
  ``bound × CPU per operation`` instead of letting a burst queue seconds of work.
- **Cancel on disconnect.** When the client (the gateway, which aborts its upstream fetch when
  its own client leaves: ``upstreamCancellation``) closes the connection before the answer, the
  operation's task is cancelled: a running statement is cancelled in PostgreSQL (asyncpg), a
  mutation's transaction rolls back (``in_transaction`` leaves on the cancellation), and nothing
  is logged as a failure (uvicorn stays silent for a client that left). The request body is not
  consumed behind the app's back: ``receive`` is wrapped, and only once the app has read the whole
  body does a watcher wait for the ``http.disconnect`` that follows.

The same figures are metrics (observability/metrics.py: ``dcms_operations_in_flight``, ``dcms_rejected_total``
with code OVERLOADED, ``dcms_operations_cancelled_total``); ``/metrics`` is not admitted load either.
``/healthz`` answers carry this process's figures in headers: ``x-dcms-pid``,
``x-dcms-in-flight``, ``x-dcms-refused`` and ``x-dcms-cancelled`` (since start).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from observability.metrics import CANCELLED, IN_FLIGHT, REJECTED, subgraph_of_path
from resolvers.common.errors import ErrorCode
from subgraphs.settings import Admission

OVERLOADED = ErrorCode.OVERLOADED.value

log = logging.getLogger(__name__)


def overloaded_body(in_flight: int, retry_after: int) -> bytes:
    error = {
        "message": f"服务繁忙，请稍后重试 (overloaded: {in_flight} operations in flight, "
        f"retry after {retry_after} s)",
        "extensions": {"code": OVERLOADED, "retryAfter": retry_after},
    }
    return json.dumps({"data": None, "errors": [error]}, ensure_ascii=False).encode()


class AdmissionControl:
    def __init__(self, app: ASGIApp, limits: Admission) -> None:
        self.app = app
        self.limits = limits
        self.in_flight = 0
        self.refused = 0
        self.cancelled = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if not path.endswith("/graphql"):
            await self.app(scope, receive, self._with_figures(send) if path == "/healthz" else send)
            return
        bound = self.limits.max_in_flight
        if bound and self.in_flight >= bound:
            self.refused += 1
            REJECTED.labels(subgraph_of_path(path), OVERLOADED).inc()
            await self._refuse(send)
            return
        self.in_flight += 1
        IN_FLIGHT.inc()
        try:
            if await run_until_disconnect(self.app, scope, receive, send):
                self.cancelled += 1
                CANCELLED.inc()
                log.debug("operation cancelled: the client left (%s)", path)
        finally:
            self.in_flight -= 1
            IN_FLIGHT.dec()

    async def _refuse(self, send: Send) -> None:
        retry_after = self.limits.retry_after_seconds
        body = overloaded_body(self.in_flight, retry_after)
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after).encode()),
        ]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _with_figures(self, send: Send) -> Send:
        async def send_with_figures(message: Message) -> None:
            if message["type"] == "http.response.start":
                figures = {
                    b"x-dcms-pid": os.getpid(),
                    b"x-dcms-in-flight": self.in_flight,
                    b"x-dcms-refused": self.refused,
                    b"x-dcms-cancelled": self.cancelled,
                }
                headers = [*message.get("headers", []), *((k, str(v).encode()) for k, v in figures.items())]
                message = {**message, "headers": headers}
            await send(message)

        return send_with_figures


async def run_until_disconnect(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> bool:
    """Run ``app`` in a task of its own, cancelled if the client disconnects before the answer is
    complete. True when it was (nothing is sent then: the client is gone)."""
    body_read = False
    answered = False
    left = asyncio.Event()
    watcher: asyncio.Task[None] | None = None

    async def watch() -> None:
        # After the whole body, uvicorn's receive() returns only http.disconnect: when the client
        # closes the connection, or once the answer is complete.
        await receive()
        left.set()
        if not answered:
            task.cancel()

    async def app_receive() -> Message:
        nonlocal body_read, watcher
        if body_read:  # the app waits for the disconnect (Starlette's is_disconnected, BodyGuard)
            await left.wait()
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] == "http.disconnect":
            left.set()
        elif not message.get("more_body", False):
            body_read = True
            watcher = asyncio.create_task(watch())
        return message

    async def app_send(message: Message) -> None:
        nonlocal answered
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            answered = True
        await send(message)

    async def run_app() -> None:
        await app(scope, app_receive, app_send)

    task: asyncio.Task[None] = asyncio.create_task(run_app())
    try:
        await asyncio.wait({task})
    except asyncio.CancelledError:  # this request's own task (server shutdown): end the app's too
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise
    finally:
        if watcher is not None:
            watcher.cancel()
    if task.cancelled():
        if left.is_set() and not answered:
            return True
        raise asyncio.CancelledError  # cancelled from inside the app: not ours to hide
    task.result()  # the app's exception, for uvicorn to report as before
    return False
