"""Logs a person can read (issue 11, item 11): one line per failed operation with its code,
operation name, request id, user and duration; no traceback for a client's mistake; the same
request id in the gateway's log and the subgraphs' log. A small production stack of its own
(``dcms serve`` and the real gateway, each writing its output to a file)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from subgraphs.gateway import gateway_env, start_gateway, wait_until_up
from subgraphs.oplog import failure_line
from subgraphs.sdl import write_all
from subgraphs.settings import Settings, numbers_as_env
from tests.support import services
from tests.support.place import Place
from tests.support.stack import TEST_LIMITS, free_port

WRONG_LOGIN = (
    'mutation WrongLogin { login(username: "nobody-logs", password: "Wrong@pass123") { accessToken } }'
)
LINE = re.compile(
    r"operation failed code=(?P<code>\S+) op=(?P<op>\S+) (?:subgraph=(?P<subgraph>\S+) )?"
    r"request_id=(?P<id>\S+) user=(?P<user>\S+) duration_ms=(?P<ms>\d+\.\d)$"
)


@dataclass(frozen=True)
class LoggedStack:
    gateway_url: str
    subgraphs_log: Path
    gateway_log: Path


@pytest.fixture
def logged_stack(place: Place, tmp_path: Path) -> Iterator[LoggedStack]:
    services.require_node()
    keys = place.keys_dir / "prod"
    assert place.dcms("secrets", "init", "--dir", str(keys)).returncode == 0
    assert place.dcms("migrate", DCMS_KEYS_DIR=str(keys)).returncode == 0
    port, gateway_port = free_port(), free_port()
    settings = Settings(
        database_url=place.database_url,
        redis_url=place.redis_url,
        var_dir=place.var_dir,
        host="127.0.0.1",
        port=port,
        gateway_port=gateway_port,
        dev_mode=False,
        keys_dir=keys,
        hmac_secret=(keys / "gateway-hmac-secret").read_text().strip(),
        limits=TEST_LIMITS,
    )
    subgraphs_log, gateway_log = tmp_path / "subgraphs.log", tmp_path / "gateway.log"
    env = place.env(DCMS_KEYS_DIR=str(keys), DCMS_PORT=str(port), **numbers_as_env(TEST_LIMITS))
    with open(subgraphs_log, "wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "subgraphs.cli", "serve"], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    gateway = None
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        supergraph = write_all(tmp_path / "sdl", url_base=f"http://127.0.0.1:{port}")
        gateway = start_gateway(
            gateway_port,
            supergraph,
            env={**env, **gateway_env(settings)},
            settings=settings,
            log_file=gateway_log,
        )
        wait_until_up(f"http://127.0.0.1:{gateway_port}/healthcheck", gateway)
        yield LoggedStack(f"http://127.0.0.1:{gateway_port}/graphql", subgraphs_log, gateway_log)
    finally:
        services.stop(gateway, server)


def _lines_with(path: Path, request_id: str, seconds: float = 15) -> list[str]:
    """The log lines naming ``request_id``, once at least one is there (logs are written async)."""
    deadline = time.monotonic() + seconds
    while True:
        lines = [line for line in path.read_text(errors="replace").splitlines() if request_id in line]
        if lines:
            time.sleep(0.2)  # a second line of the same operation would be written with the first
            return [line for line in path.read_text(errors="replace").splitlines() if request_id in line]
        assert time.monotonic() < deadline, (
            f"no line with {request_id} in {path}:\n{path.read_text()[-3000:]}"
        )
        time.sleep(0.1)


@pytest.mark.e2e
def test_a_failed_operation_is_one_line_in_each_log_with_the_same_request_id(
    logged_stack: LoggedStack,
) -> None:
    # The client names its request id: both logs carry it.
    request_id = f"logtest-{uuid.uuid4().hex}"
    response = httpx.post(
        logged_stack.gateway_url,
        json={"query": WRONG_LOGIN},
        headers={"x-request-id": request_id},
        timeout=30,
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["x-request-id"] == request_id

    (subgraph_line,) = _lines_with(logged_stack.subgraphs_log, request_id)
    found = LINE.search(subgraph_line)
    assert found, subgraph_line
    assert (
        found["code"] == "UNAUTHENTICATED"
        and "WrongLogin" in found["op"]
        and found["subgraph"] == "operations"
    )
    assert found["id"] == request_id and found["user"] == "-" and float(found["ms"]) >= 0
    (gateway_line,) = _lines_with(logged_stack.gateway_log, request_id)
    found = LINE.search(gateway_line)
    assert found and (found["code"], found["op"], found["id"]) == (
        "UNAUTHENTICATED",
        "WrongLogin",
        request_id,
    )
    # A client's mistake is no fault: no traceback anywhere.
    assert "Traceback" not in logged_stack.subgraphs_log.read_text()

    # Without one, the gateway makes it, returns it and sends it on: the same id in both logs.
    response = httpx.post(logged_stack.gateway_url, json={"query": WRONG_LOGIN}, timeout=30)
    made = response.headers["x-request-id"]
    assert made and made != request_id
    (subgraph_line,) = _lines_with(logged_stack.subgraphs_log, made)
    (gateway_line,) = _lines_with(logged_stack.gateway_log, made)
    assert f"request_id={made} " in subgraph_line and f"request_id={made} " in gateway_line


@pytest.mark.unit
def test_a_failure_line_stays_one_line_whatever_the_client_sends() -> None:
    line = failure_line(
        ["NOT_FOUND", "NOT_FOUND", "FORBIDDEN"], None, "customers", "a b\nforged=1", None, 12.34
    )
    assert line == (
        "operation failed code=NOT_FOUND,FORBIDDEN op=- subgraph=customers request_id=a_b_forged_1 "
        "user=- duration_ms=12.3"
    )
