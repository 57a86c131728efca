"""What the benchmarks share: a ``dcms up`` stack of their own, running on uvloop, the ORM of
the stack's database in this process, bulk inserts, CPU figures and percentiles."""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlparse, urlunparse

import psutil
from tqdm import tqdm

from subgraphs.gateway import wait_until_up
from subgraphs.settings import Settings

R = TypeVar("R")


# -- the stack -------------------------------------------------------------------------------------


@dataclass
class Stack:
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    gateway_url: str  # http://127.0.0.1:<port>/graphql
    log_path: Path

    def subgraph_pid(self) -> int:
        return self.process.pid

    def gateway_pids(self) -> list[int]:
        """The hive-gateway node process under ``dcms up`` and its own children, if any."""
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if any("hive-gateway" in part for part in child.cmdline()):
                    return [child.pid, *(p.pid for p in child.children(recursive=True))]
            except psutil.Error:
                continue
        return []


def dcms(*args: str) -> list[str]:
    return [sys.executable, "-m", "subgraphs.cli", *args]


def stack_env(var_dir: Path, port: int, gateway_port: int, **extra: str) -> dict[str, str]:
    """The environment of a benchmark's stack: its own data and ports, dev mode, rate limit off."""
    return {
        **os.environ,
        "DCMS_VAR_DIR": str(var_dir),
        "DCMS_PORT": str(port),
        "DCMS_GATEWAY_PORT": str(gateway_port),
        "DCMS_DEV": "1",
        "DCMS_RATE_LIMIT": "0",
        **extra,
    }


def launch(env: dict[str, str], customers: int) -> Stack:
    """``dcms up --customers N`` with ``env``, its output in ``$DCMS_VAR_DIR/stack.log``."""
    var_dir = Path(env["DCMS_VAR_DIR"])
    var_dir.mkdir(parents=True, exist_ok=True)
    log_path = var_dir / "stack.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(dcms("up", "--customers", str(customers)), env=env, stdout=log, stderr=log)
    return Stack(process, env, f"http://127.0.0.1:{env['DCMS_GATEWAY_PORT']}/graphql", log_path)


def free_port(variable: str, default: int) -> int:
    """``$variable`` if set; else ``default`` when it is free, or any free port."""
    return _port(variable, default)


def _port(variable: str, default: int) -> int:
    """``$variable`` if set; else ``default`` when it is free, or any free port."""
    if os.environ.get(variable):
        return int(os.environ[variable])
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", default))
            return default
        except OSError:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])


def start_stack(customers: int, keep_data: bool, var_dir: Path, name: str, base_port: int) -> Stack:
    """``dcms up`` in ``var_dir`` (its SQLite files removed first unless ``keep_data``), on
    ``base_port`` and the next one unless ``$DCMS_BENCH_<name>_GATEWAY_PORT`` / ``_PORT`` say
    otherwise; rate limit off."""
    gateway_port = _port(f"DCMS_BENCH_{name}_GATEWAY_PORT", base_port)
    port = _port(f"DCMS_BENCH_{name}_PORT", base_port + 1)
    var_dir.mkdir(parents=True, exist_ok=True)
    if not keep_data:
        for path in var_dir.glob("*.sqlite3*"):
            path.unlink()
    return launch(stack_env(var_dir, port, gateway_port), customers)


def stop_stack(stack: Stack) -> None:
    stack.process.terminate()
    try:
        stack.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        stack.process.kill()
        stack.process.wait()


def backend_description(database_url: str | None, redis_url: str | None, broker_first: bool = False) -> str:
    parts = [
        f"storage {'postgres' if database_url else 'sqlite'}",
        f"broker {'redis' if redis_url else 'memory'}",
    ]
    return ", ".join(reversed(parts) if broker_first else parts)


# -- running ---------------------------------------------------------------------------------------


def run_async(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run on uvloop when installed (it ships with uvicorn): the client must not be the bottleneck."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


async def on_database(settings: Settings, work: Coroutine[Any, Any, R]) -> R:
    """``work`` with the ORM of the stack's database opened (and closed) in this process."""
    from security.crypto import install_cipher
    from subgraphs.database import close_database, open_database

    install_cipher(settings)
    await open_database(settings)
    try:
        return await work
    finally:
        await close_database()


def on_stack(
    title: str,
    gateway: str | None,
    start: Callable[[], Stack],
    work: Callable[[Settings, str], Coroutine[Any, Any, R]],
) -> tuple[R, list[str]] | None:
    """Run ``work(settings, gateway_url)`` against ``gateway`` or a stack ``start``ed for it (and
    stopped after); returns its result and the report's header, or None when the stack did not
    come up (said on stderr)."""
    stack = None if gateway else start()
    gateway_url = stack.gateway_url if stack is not None else str(gateway)
    try:
        if stack is not None:
            try:
                wait_until_up(gateway_url.rsplit("/", 1)[0] + "/healthcheck", stack.process, timeout=300)
                # The gateway answers before the subgraphs do (a loaded machine starts their workers
                # late): load sent then meets ECONNREFUSED, and the figures measure a stack not up.
                subgraphs = f"http://127.0.0.1:{stack.env['DCMS_PORT']}/readyz"
                wait_until_up(subgraphs, stack.process, timeout=300)
            except (RuntimeError, TimeoutError) as exc:
                print(f"{title}: the stack did not come up ({exc}); see {stack.log_path}", file=sys.stderr)
                return None
            os.environ.update(stack.env)  # this process now reads the stack's database and keys
        settings = Settings.from_env()
        backend = backend_description(settings.database_url, settings.redis_url)
        header = [f"{title} — {gateway_url}", f"machine: {os.cpu_count()} cores; backend: {backend}"]
        print(header[1], file=sys.stderr)
        return run_async(on_database(settings, work(settings, gateway_url))), header
    finally:
        if stack is not None:
            stop_stack(stack)


class Passing(Protocol):
    @property
    def passed(self) -> bool: ...


P = TypeVar("P", bound=Passing)


def report_on_stack(
    title: str,
    gateway: str | None,
    start: Callable[[], Stack],
    work: Callable[[Settings, str], Coroutine[Any, Any, P]],
    print_report: Callable[[P, list[str]], None],
    failure: str,
) -> int:
    """``on_stack``, then the report: the exit status (0 passed, 1 ``failure`` said, 2 no stack)."""
    outcome = on_stack(title, gateway, start, work)
    if outcome is None:
        return 2
    report, header = outcome
    print_report(report, header)
    if not report.passed:
        print(f"\nFAIL: {failure}")
        return 1
    return 0


def stack_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options every benchmark on a stack of its own takes: --gateway, --keep-data, --smoke."""
    parser.add_argument("--gateway", help="run against this gateway's stack instead of starting one")
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="a few seconds, to see that it runs")
    return parser


def print_rows(header: list[str], rows: list[tuple[str, str]], problems: Sequence[str] = ()) -> None:
    """A benchmark's report: its header lines, then one aligned ``name  value`` line per row."""
    print("\n".join(header))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    for problem in problems:
        print(f"problem: {problem}")


# -- arranging -------------------------------------------------------------------------------------


async def bulk_create(rows: Sequence[Any], desc: str, chunk: int, progress: bool) -> None:
    """Insert ``rows`` (of one model) ``chunk`` at a time, with a progress bar on stderr."""
    with tqdm(
        total=len(rows), desc=desc, unit="row", file=sys.stderr, disable=not progress, leave=False
    ) as bar:
        for start in range(0, len(rows), chunk):
            part = list(rows[start : start + chunk])
            await type(part[0]).bulk_create(part)
            bar.update(len(part))


# -- measuring -------------------------------------------------------------------------------------


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of ``pids`` so far."""
    total = 0.0
    for pid in pids:
        try:
            total += sum(psutil.Process(pid).cpu_times()[:2])
        except psutil.Error:
            continue
    return total


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent not idle (all cores), so far."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@asynccontextmanager
async def dedicated_database(
    name: str, var_dir: Path, postgres: str | None, keep: bool
) -> AsyncIterator[str | None]:
    """A migrated database of the benchmark's own with the ORM open in this process (an in-process
    benchmark: bench_wave, bench_reports): with ``postgres`` (an admin URL, or ``DATABASE_URL``) a
    database ``name`` on that server, dropped at the end unless ``keep``; otherwise the SQLite
    files under ``var_dir``. Yields the database URL (None: SQLite)."""
    from dataclasses import replace

    from security.crypto import install_cipher
    from subgraphs.cli import migrate
    from subgraphs.database import close_database, open_database

    admin = postgres or os.environ.get("DATABASE_URL")
    database_url = None
    if admin:
        await _admin(admin, f'CREATE DATABASE "{name}"')
        database_url = urlunparse(urlparse(admin)._replace(path=f"/{name}"))
    settings = replace(Settings.from_env(), database_url=database_url, redis_url=None, var_dir=var_dir)
    try:
        install_cipher(replace(settings, dev_mode=True))
        await migrate(settings, quiet=True)
        await open_database(settings)
        try:
            yield database_url
        finally:
            await close_database()
    finally:
        if admin and not keep:
            await _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def in_process_arguments(doc: str | None, chunk: int) -> argparse.ArgumentParser:
    """The options every in-process benchmark (bench_wave, bench_reports) takes; add its own."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=chunk)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (default: DATABASE_URL)")
    parser.add_argument("--keep", action="store_true", help="keep the dedicated database")
    return parser


Figures = tuple[Sequence[tuple[str, str]], bool]  # the lines to print and whether it passed


def run_in_process(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    name: str,
    var_dir: Path,
    bench: Callable[[argparse.Namespace], Coroutine[Any, Any, Figures]],
    failure: str,
) -> int:
    """An in-process benchmark's ``main``: a fresh database of its own (``dedicated_database``,
    ``<name>_<pid>``), ``bench`` run on it and timed, then its figures and PASS or FAIL (the exit code)."""
    args = parser.parse_args(argv)
    shutil.rmtree(var_dir, ignore_errors=True)  # a fresh embedded database each run
    var_dir.mkdir(parents=True)

    async def run() -> int:
        async with dedicated_database(f"{name}_{os.getpid()}", var_dir, args.postgres, args.keep) as url:
            started = time.perf_counter()
            lines, ok = await bench(args)
            print(
                f"storage {'postgres' if url else 'sqlite'}; chunk {args.chunk}; "
                f"arranged and run in {time.perf_counter() - started:.1f} s"
            )
        return verdict(lines, ok, failure)

    return asyncio.run(run())


def verdict(lines: Sequence[tuple[str, str]], ok: bool, failure: str) -> int:
    """Print an in-process benchmark's figures, aligned, and PASS or ``FAIL: failure``: its exit code."""
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"{label.ljust(width)}  {value}")
    print("PASS" if ok else f"FAIL: {failure}")
    return 0 if ok else 1


def percentile(ordered: Sequence[float], q: float) -> float:
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]
