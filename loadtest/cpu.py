"""CPU time per process group, read from ``/proc``: how the benchmarks say where a request's CPU
went (gateway, subgraphs, baseline, PostgreSQL, Redis).

A group is found again at every sample, so worker processes that come and go (``dcms serve
--workers N``, uvicorn's reloads) are counted:

- by a listening port: every process holding a listening socket on the port, and the whole
  process tree under each (uvicorn's workers share the parent's socket; the supervisor and its
  workers are one group);
- by a process tree: a pid and its descendants (the node gateway under ``dcms up``);
- by command name: every process named so; for PostgreSQL the backends of the benchmark's
  database (by their process title) and the cluster's own workers.

A process's CPU is ``utime + stime`` of ``/proc/<pid>/stat`` (all its threads). Between two
samples a group's CPU is the sum over the processes of the second sample of what each spent since
the first (a process new since then counts whole; one gone since is lost, which a benchmark
round of seconds makes rare). The numbers are the machine's: another program's load on the same
PostgreSQL or Redis is counted too, so measure on a quiet machine.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import psutil

_TICKS = os.sysconf("SC_CLK_TCK")

PidKey = tuple[int, int]  # (pid, start time in ticks): a reused pid is another process


def stat_of(pid: int) -> tuple[int, float] | None:
    """(start time in ticks, CPU seconds user + system) of ``pid``, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after its end.
    fields = text[text.rindex(b")") + 2 :].split()
    utime, stime, start = int(fields[11]), int(fields[12]), int(fields[19])
    return start, (utime + stime) / _TICKS


def descendants(pids: Iterable[int]) -> set[int]:
    """``pids`` and every process under them."""
    found: set[int] = set()
    for pid in pids:
        try:
            process = psutil.Process(pid)
            found.add(pid)
            found.update(child.pid for child in process.children(recursive=True))
        except psutil.Error:
            continue
    return found


def listening_on(port: int) -> set[int]:
    """Every process holding a listening TCP socket on ``port`` (any address). All of them: uvicorn's
    supervisor and each worker share one socket, which psutil's connection table gives to one pid
    only; here the socket's inode is looked for among every process's descriptors."""
    cached = _listeners.get(port)
    if cached is not None and time.monotonic() - cached[0] < LISTENERS_TTL:
        return cached[1]
    inodes = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    pids: set[int] = set()
    for entry in os.listdir("/proc") if inodes else ():
        if not entry.isdigit():
            continue
        try:
            descriptors = os.listdir(f"/proc/{entry}/fd")
            if any(os.readlink(f"/proc/{entry}/fd/{fd}") in inodes for fd in descriptors):
                pids.add(int(entry))
        except OSError:
            continue  # gone, or not ours to read
    _listeners[port] = (time.monotonic(), pids)
    return pids


LISTENERS_TTL = 1.0  # seconds a port's processes are taken as known (a sample asks several times)
_listeners: dict[int, tuple[float, set[int]]] = {}


def _listening_inodes(port: int) -> set[str]:
    """The inodes of the listening sockets on ``port`` (/proc/net/tcp and tcp6: state 0A)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                rows = handle.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def named(*names: str) -> set[int]:
    """Every process whose command name is one of ``names`` (``postgres``, ``redis-server``)."""
    wanted = set(names)
    pids: set[int] = set()
    for process in psutil.process_iter(["name"]):
        if process.info["name"] in wanted:
            pids.add(process.pid)
    return pids


Finder = Callable[[], set[int]]


def by_port(port: int) -> Finder:
    return lambda: descendants(listening_on(port))


def by_tree(*pids: int) -> Finder:
    return lambda: descendants(pids)


def by_name(*names: str) -> Finder:
    return lambda: named(*names)


def postgres_of(database: str | None) -> Finder:
    """PostgreSQL's processes: with ``database``, the backends connected to it (their title reads
    ``postgres: [cluster: ]user database host(port) state``) and the cluster's own workers (wal
    writer, checkpointer …), but not other databases' backends (another test run on the same
    cluster); without it, every one."""

    def find() -> set[int]:
        found: set[int] = set()
        for process in psutil.process_iter(["name", "cmdline"]):
            if process.info["name"] not in ("postgres", "postmaster"):
                continue
            title = " ".join(process.info["cmdline"] or ())
            if database is None or f" {database} " in title or not _is_backend(title):
                found.add(process.pid)
        return found

    return find


_CLIENT = re.compile(r"\(\d+\)|\[local\]")  # a backend's client: host(port), or [local] (a socket)


def _is_backend(title: str) -> bool:
    return _CLIENT.search(title) is not None


def database_and_broker(database: str | None = None, redis_port: int | None = None) -> dict[str, Finder]:
    """PostgreSQL's processes (those of ``database`` and the cluster's workers) and Redis (the
    server listening on ``redis_port``; without it, every ``redis-server``)."""
    redis = by_port(redis_port) if redis_port else by_name("redis-server")
    return {"postgres": postgres_of(database), "redis": redis}


@dataclass(frozen=True)
class Sample:
    groups: dict[str, dict[PidKey, float]]  # group → process → CPU seconds so far


@dataclass
class CpuMeter:
    """Groups of processes to sample, each found again at every sample (a few /proc reads per
    process, one socket table read per port group)."""

    finders: dict[str, Finder]

    def sample(self) -> Sample:
        groups: dict[str, dict[PidKey, float]] = {}
        for name, find in self.finders.items():
            found: dict[PidKey, float] = {}
            for pid in find():
                stat = stat_of(pid)
                if stat is not None:
                    found[(pid, stat[0])] = stat[1]
            groups[name] = found
        return Sample(groups)

    @staticmethod
    def spent(before: Sample, after: Sample) -> dict[str, float]:
        """CPU seconds each group spent between two samples."""
        spent: dict[str, float] = {}
        for name, now in after.groups.items():
            then = before.groups.get(name, {})
            spent[name] = sum(max(0.0, cpu - then.get(key, 0.0)) for key, cpu in now.items())
        return spent


OUTSIDE_TOTAL = ("client",)  # the benchmark's own process: shown, not counted in the total


def with_total(spent: Mapping[str, float]) -> dict[str, float]:
    return {**spent, "total": sum(v for k, v in spent.items() if k not in OUTSIDE_TOTAL)}


def ms_per_request(spent: Mapping[str, float], requests: int) -> dict[str, float]:
    """CPU milliseconds per request of each group, and their total."""
    return {
        name: seconds * 1000 / requests if requests else float("nan")
        for name, seconds in with_total(spent).items()
    }


def format_ms(per_request: Mapping[str, float], order: Iterable[str] | None = None) -> str:
    """``gateway 3.1  subgraphs 12.0  … total 20.4`` (ms of CPU per request)."""
    names = list(order) if order is not None else list(per_request)
    return "  ".join(f"{name} {per_request[name]:.2f}" for name in names if name in per_request)
