"""Alert-storm benchmark (告警风暴) with open incidents: ``python -m loadtest.bench_alerts``.

    .venv/bin/python -m loadtest.bench_alerts [--incidents 100] [--rate 1000] [--minutes 5]
        [--keys 50] [--halls 10] [--gateway URL] [--smoke]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dcms_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m loadtest.bench_alerts

Starts a stack of its own like ``loadtest/bench_grab.py`` (``dcms up`` in ``var/bench-alerts``,
gateway on 4500 and subgraphs on 4501 or free ports; ``DCMS_BENCH_ALERTS_GATEWAY_PORT`` /
``_PORT``), or runs against ``--gateway``. Arranged straight in the database under a fresh grid
company: ``--halls`` halls with a hall manager each (the alert raisers), the service team (one
engineer per tier), and ``--incidents`` open incidents in every open state, reported over the last
two days so that the incident checks have breaches and escalations to find.

The load, paced (not as fast as it goes): ``--rate`` alerts a minute for ``--minutes`` minutes,
each a ``raiseAlert`` through the gateway by its hall's manager with a ``dedupKey`` drawn from
``--keys`` keys per hall (a monitoring tool repeating what it sees): most calls are repeats that
add to a count. Beside each alert, at the same pace, the baseline: ``{ me { id } }`` by the same
caller, so the alert's latency is read against what the stack answers for nothing in the same run.
Every minute of the run, in this process against the stack's database, one round of the incident
checks (``check_incidents``: SLA breaches and escalations, resolvers/operations/jobs.py), timed.

Printed: alerts sent and answered, errors by code, alert latency p50/p95/p99/max and the
baseline's, their ratio; alerts stored vs keys used (deduplication: one alert per key) and the sum
of their counts vs calls; each incident check's duration and what it found. Passes when every
call is answered without error and each key made exactly one alert whose count is its calls.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx

from loadtest.common import percentile, report_on_stack, start_stack
from models.operations import (
    Alert,
    Incident,
    IncidentLevel,
    IncidentSource,
    Org,
    OrgKind,
    ServicePolicy,
    SupportTier,
)
from resolvers.common.clock import now
from resolvers.operations.jobs import check_incidents
from resolvers.operations.sla import OPEN
from subgraphs.settings import Settings
from testkit.factories import make_org, make_user, token_for

VAR_DIR = Path("var/bench-alerts")
RAISE = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id count } }"
BASELINE = "{ me { id } }"


@dataclass(frozen=True)
class AlertConfig:
    incidents: int = 100
    rate: int = 1000  # alerts a minute
    minutes: float = 5.0
    keys: int = 50  # dedup keys per hall
    halls: int = 10
    check_every: float = 60.0  # seconds between incident checks
    seed: int = 15

    @property
    def calls(self) -> int:
        return int(self.rate * self.minutes)


# Six halls: each manager stays under the test stack's rate limit (the benchmark's own stack has none).
SMOKE = AlertConfig(incidents=10, rate=600, minutes=0.1, keys=3, halls=6, check_every=2.0)


@dataclass
class Arena:
    halls: list[tuple[Org, str]]  # each hall and its manager's token
    tag: str


@dataclass
class Call:
    hall: int
    key: str
    latency: float = 0.0
    baseline: float = 0.0
    code: str | None = None  # the error code, if any


@dataclass
class Check:
    seconds: float
    found: int


@dataclass
class Report:
    config: AlertConfig
    calls: list[Call]
    checks: list[Check]
    alerts_stored: int
    counted: int  # the sum of the stored alerts' counts
    keys_used: int
    wall: float
    open_incidents: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def codes(self) -> Counter[str]:
        return Counter(c.code for c in self.calls if c.code)

    @property
    def passed(self) -> bool:
        return not self.codes and not self.problems


async def arrange(config: AlertConfig, settings: Settings) -> Arena:
    """Halls with their managers, the service team, and open incidents reported over two days."""
    rng = random.Random(config.seed)
    tag = uuid.uuid4().hex[:6]
    company = await make_org(f"压测电网{tag}", OrgKind.GRID_COMPANY, own_tenant=True)
    halls = []
    for n in range(config.halls):
        hall = await make_org(f"压测营业厅{n + 1}-{tag}", OrgKind.HALL, company)
        manager = await make_user(hall, ("HALL_MANAGER",), "压测厅经理")
        halls.append((hall, token_for(manager, hall, settings)))
    for tier in SupportTier:
        engineer = await make_user(company, ("OPS_ENGINEER",), f"压测{tier}")
        engineer.support_tier = tier
        await engineer.save(update_fields=["support_tier"])
    policy = await ServicePolicy.get(is_default=True)
    moment = now()
    rows = []
    for n in range(config.incidents):
        hall = halls[n % len(halls)][0]
        reported = moment - timedelta(minutes=rng.randrange(5, 48 * 60))
        rows.append(
            Incident(
                code=f"B{tag}-{n:05d}",
                org=hall,
                org_path=hall.path,
                tenant_id=company.id,
                title="压测故障",
                level=rng.choice(list(IncidentLevel)),
                status=OPEN[n % len(OPEN)],
                source=IncidentSource.STAFF,
                policy=policy,
                calendar="OFF_HOURS",
                month=reported.date().replace(day=1),
                reported_at=reported,
                last_moved_at=reported,
                respond_due_at=reported + timedelta(minutes=15),
                on_site_due_at=reported + timedelta(hours=1),
                resolve_due_at=reported + timedelta(hours=rng.choice((1, 2, 4, 24))),
            )
        )
    await Incident.bulk_create(rows)
    return Arena(halls, tag)


async def storm(config: AlertConfig, arena: Arena, gateway_url: str) -> tuple[list[Call], list[Check], float]:
    """The paced alerts with their baseline, and the incident checks every ``check_every`` s."""
    rng = random.Random(config.seed + 1)
    halls = len(arena.halls)
    calls = [
        Call(n % halls, f"{arena.tag}-{n % halls}-{rng.randrange(config.keys)}") for n in range(config.calls)
    ]
    interval = config.minutes * 60 / max(1, config.calls)
    checks: list[Check] = []
    done = asyncio.Event()

    async def checker() -> None:
        while not done.is_set():
            started = time.perf_counter()
            found = await check_incidents()
            checks.append(Check(time.perf_counter() - started, found))
            try:
                await asyncio.wait_for(done.wait(), config.check_every)
            except TimeoutError:
                pass

    async def one(client: httpx.AsyncClient, call: Call) -> None:
        hall, token = arena.halls[call.hall]
        headers = {"authorization": f"Bearer {token}"}
        variables = {
            "i": {
                "orgId": str(hall.id),
                "level": "WARNING",
                "title": f"端口丢包 {call.key}",
                "dedupKey": call.key,
            }
        }
        started = time.perf_counter()
        response = await client.post(
            gateway_url, json={"query": RAISE, "variables": variables}, headers=headers
        )
        call.latency = time.perf_counter() - started
        call.code = _error(response)
        started = time.perf_counter()
        baseline = await client.post(gateway_url, json={"query": BASELINE}, headers=headers)
        call.baseline = time.perf_counter() - started
        call.code = call.code or _error(baseline)

    started = time.perf_counter()
    check_task = asyncio.create_task(checker())
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=64)) as client:
        tasks = []
        for n, call in enumerate(calls):
            delay = started + n * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(client, call)))
        await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    done.set()
    await check_task
    return calls, checks, wall


def _error(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    errors = response.json().get("errors")
    return str(errors[0].get("extensions", {}).get("code", "?")) if errors else None


async def run(config: AlertConfig, settings: Settings, gateway_url: str) -> Report:
    arena = await arrange(config, settings)
    calls, checks, wall = await storm(config, arena, gateway_url)
    keys = {c.key for c in calls}
    alerts = await Alert.filter(dedup_key__in=list(keys))
    report = Report(
        config,
        calls,
        checks,
        alerts_stored=len(alerts),
        counted=sum(a.count for a in alerts),
        keys_used=len(keys),
        wall=wall,
        open_incidents=await Incident.filter(code__startswith=f"B{arena.tag}", status__in=OPEN).count(),
    )
    if report.alerts_stored != report.keys_used:
        report.problems.append(f"{report.alerts_stored} alerts for {report.keys_used} keys")
    if report.counted != len(calls):
        report.problems.append(f"counts sum to {report.counted} for {len(calls)} calls")
    return report


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    return " / ".join(f"{percentile(ordered, q) * 1000:.1f}" for q in (0.5, 0.95, 0.99, 1.0))


def rows(report: Report) -> list[tuple[str, str]]:
    latencies = [c.latency for c in report.calls]
    baseline = [c.baseline for c in report.calls]
    p99, base99 = percentile(sorted(latencies), 0.99), percentile(sorted(baseline), 0.99)
    durations = [c.seconds for c in report.checks]
    return [
        ("alerts sent (raiseAlert with dedupKey)", f"{len(report.calls)} in {report.wall:.1f} s"),
        ("pace", f"{report.config.rate}/min over {report.config.halls} halls"),
        ("errors by code", ", ".join(f"{k} {v}" for k, v in report.codes.items()) or "none"),
        ("alert latency p50/p95/p99/max ms", _ms(latencies)),
        ("baseline { me { id } } p50/p95/p99/max ms", _ms(baseline)),
        ("alert p99 / baseline p99", f"{p99 / base99:.2f}×" if base99 else "-"),
        ("alerts stored / keys used", f"{report.alerts_stored} / {report.keys_used}"),
        ("sum of counts / calls", f"{report.counted} / {len(report.calls)}"),
        ("open incidents (of the run)", str(report.open_incidents)),
        ("incident checks run", str(len(durations))),
        (
            "incident check duration p50/max ms",
            f"{percentile(sorted(durations), 0.5) * 1000:.1f} / {max(durations, default=0) * 1000:.1f}",
        ),
        ("breaches + escalations found per check", ", ".join(str(c.found) for c in report.checks)),
    ]


def print_report(report: Report, header: list[str]) -> None:
    print("\n".join(header))
    width = max(len(name) for name, _ in rows(report))
    for name, value in rows(report):
        print(f"{name:<{width}}  {value}")
    for problem in report.problems:
        print(f"problem: {problem}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    defaults = AlertConfig()
    parser.add_argument("--incidents", type=int, default=defaults.incidents)
    parser.add_argument("--rate", type=int, default=defaults.rate, help="alerts a minute")
    parser.add_argument("--minutes", type=float, default=defaults.minutes)
    parser.add_argument("--keys", type=int, default=defaults.keys, help="dedup keys per hall")
    parser.add_argument("--halls", type=int, default=defaults.halls)
    parser.add_argument("--gateway", help="run against this gateway's stack instead of starting one")
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="a few seconds, to see that it runs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = (
        SMOKE if args.smoke else AlertConfig(args.incidents, args.rate, args.minutes, args.keys, args.halls)
    )
    return report_on_stack(
        "DCMS Graph alert storm (告警风暴) with open incidents",
        args.gateway,
        lambda: start_stack(0, args.keep_data, VAR_DIR, "ALERTS", 4500),
        lambda settings, gateway_url: run(config, settings, gateway_url),
        print_report,
        "an error, or an alert not deduplicated by its key",
    )


if __name__ == "__main__":
    sys.exit(main())
