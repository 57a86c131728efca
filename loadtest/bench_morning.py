"""The H5 morning query (早间首页) through the gateway: ``python -m loadtest.bench_morning``.

    .venv/bin/python -m loadtest.bench_morning [--customers 300] [--duration 20] [--concurrency 20]
        [--smoke] [--gateway URL]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dcms_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m loadtest.bench_morning

What a customer manager's H5 home page asks every morning, in one request: my customers (a page
of ``first``) with tier, tags, latest contact and open opportunities (商机, from the marketing
subgraph), and my unread reminders. It is sent at page sizes 20 and 100.

Starts a stack of its own like loadtest/bench_grab.py (``dcms up``, ``var/bench-morning``,
gateway 4400 and subgraphs 4401 or free ports; rate limit off; ``--gateway URL`` uses a running
stack instead) and arranges, under a fresh member bank: one manager with ``--customers``
customers, each with 3 tags, 2 contacts and 2 opportunities (one OPEN, one CONVERTED), and 50
reminders for the manager (the morning query reads the unread ones).

For each page size: ``--concurrency`` workers (one HTTP connection each) send the query back to
back for ``--duration`` seconds. Printed per page size: requests, errors, requests/s, latency
p50 / p95 / p99 (send → answer). Then the SQL statements of one request per page size, counted in
this process (testkit/inprocess.py, testkit/sqlcount.py): the customers subgraph's part, and the
marketing subgraph's part (``_entities`` for the page's customers, as the gateway asks it). The
totals at 20 and 100 must be equal (no statement per customer).

Exit code 0 when every request answered without errors and the statement counts are equal; 1
otherwise; 2 when the stack did not come up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from loadtest.common import bulk_create, percentile, report_on_stack, start_stack
from models.customers import (
    ContactChannel,
    ContactRecord,
    Customer,
    CustomerKind,
    CustomerTag,
    CustomerTier,
    Reminder,
    ReminderKind,
    TagSource,
)
from models.marketing import Opportunity, OpportunityStatus
from models.operations import OrgKind
from subgraphs.settings import Settings
from testkit.factories import make_org, make_user, token_for
from testkit.sqlcount import counted, statements_of

VAR_DIR = Path(os.environ.get("DCMS_BENCH_MORNING_VAR_DIR", "var/bench-morning"))
PAGE_SIZES = (20, 100)
CHUNK = 500
# The customers part: what the customers subgraph answers.
MY_CUSTOMERS = """
  customers(first: $first) { nodes { id name tier
    tags { name source }
    latestContact { channel contactedAt summary } } }
  myReminders(first: 20, unreadOnly: true) { nodes { id kind title dueAt } }"""
OPEN = "opportunities(first: 5, status: [OPEN, CLAIMED]) { nodes { id title status } }"
MORNING = f"""query Morning($first: Int!) {{
  customers(first: $first) {{ nodes {{ id name tier
    tags {{ name source }}
    latestContact {{ channel contactedAt summary }}
    {OPEN} }} }}
  myReminders(first: 20, unreadOnly: true) {{ nodes {{ id kind title dueAt }} }}
}}"""
CUSTOMERS_PART = f"query($first: Int!) {{ {MY_CUSTOMERS} }}"
MARKETING_PART = f"""query($r: [_Any!]!) {{ _entities(representations: $r) {{
  ... on Customer {{ {OPEN} }} }} }}"""


@dataclass(frozen=True)
class MorningConfig:
    customers: int = 300
    duration: float = 20.0  # seconds per page size
    concurrency: int = 20
    requests: int | None = None  # at most this many per page size (None: as many as fit)
    progress: bool = True


# Seconds long, and under the test stack's rate limit (40 requests in 5 s per user).
SMOKE = MorningConfig(customers=120, duration=5.0, concurrency=2, requests=12)


@dataclass
class Round:
    first: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)


@dataclass
class Report:
    config: MorningConfig
    rounds: list[Round]
    sql: dict[int, tuple[int, int]]  # first → (customers statements, marketing statements)

    @property
    def passed(self) -> bool:
        totals = {sum(parts) for parts in self.sql.values()}
        return all(r.latencies and not r.errors for r in self.rounds) and len(totals) == 1


# -- arrange ---------------------------------------------------------------------------------------


async def _bulk(config: MorningConfig, rows: list[Any], desc: str) -> None:
    await bulk_create(rows, desc, CHUNK, config.progress)


async def arrange(config: MorningConfig, settings: Settings) -> str:
    """A member bank, a branch, a manager with a full book; returns the manager's token."""
    tag = uuid.uuid4().hex[:6]
    root = await make_org(f"压测省联社{tag}", OrgKind.PROVINCE_UNION)
    bank = await make_org(f"压测农商银行{tag}", OrgKind.MEMBER_BANK, root, own_tenant=True)
    branch = await make_org(f"压测支行{tag}", OrgKind.BRANCH, bank)
    manager = await make_user(branch, ("CUSTOMER_MANAGER",), "早间经理")
    tiers = list(CustomerTier)
    customers = [
        Customer(
            customer_no=f"M{tag}{n:06d}",
            name=f"早间客户{n + 1}",
            kind=CustomerKind.RETAIL,
            tenant_id=bank.id,
            org_id=branch.id,
            org_path=branch.path,
            primary_manager_id=manager.id,
            tier=tiers[n % len(tiers)],
            aum=Decimal(10_000 * (n % 97 + 1)),
        )
        for n in range(config.customers)
    ]
    await _bulk(config, customers, "customers")
    now = datetime.now(UTC)
    await _bulk(
        config,
        [
            CustomerTag(customer_id=c.id, name=name, source=source)
            for c in customers
            for name, source in (
                ("代发工资", TagSource.SYSTEM),
                ("理财偏好稳健", TagSource.SYSTEM),
                ("老乡", TagSource.CUSTOM),
            )
        ],
        "tags",
    )
    await _bulk(
        config,
        [
            ContactRecord(
                customer_id=c.id,
                manager_id=manager.id,
                channel=ContactChannel.PHONE,
                summary=f"第{k + 1}次回访, 了解理财到期安排",
                contacted_at=now - timedelta(days=3 * (k + 1)),
            )
            for c in customers
            for k in range(2)
        ],
        "contacts",
    )
    await _bulk(
        config,
        [
            Opportunity(tenant_id=bank.id, customer_id=c.id, title=title, status=status)
            for c in customers
            for title, status in (
                ("有意向办理黔农e贷", OpportunityStatus.OPEN),
                ("已办理定期存款", OpportunityStatus.CONVERTED),
            )
        ],
        "opportunities",
    )
    await _bulk(
        config,
        [
            Reminder(
                customer_id=customers[n % len(customers)].id,
                manager_id=manager.id,
                tenant_id=bank.id,
                kind=ReminderKind.DEPOSIT_MATURITY,
                title=f"存款到期提醒{n + 1}",
                read=n % 2 == 0,
            )
            for n in range(50)
        ],
        "reminders",
    )
    return token_for(manager, branch, settings)


# -- load ------------------------------------------------------------------------------------------


def _wrong(answer: dict[str, Any], first: int) -> str | None:
    """What is wrong with an answer: not a full page, or an opportunity that is not open."""
    nodes = answer["customers"]["nodes"]
    if len(nodes) != first:
        return f"a page of {len(nodes)}, not {first}"
    statuses = {o["status"] for node in nodes for o in node["opportunities"]["nodes"]}
    if not statuses or statuses - {"OPEN", "CLAIMED"}:
        return f"opportunities {statuses or 'none'}, wanted only the open ones"
    return None


async def load(config: MorningConfig, gateway_url: str, token: str, first: int) -> Round:
    result = Round(first)
    deadline = time.perf_counter() + config.duration

    async def worker() -> None:
        async with httpx.AsyncClient(timeout=60) as client:
            while time.perf_counter() < deadline and (
                config.requests is None or result.requests < config.requests
            ):
                started = time.perf_counter()
                headers = {"authorization": f"Bearer {token}", "x-request-id": uuid.uuid4().hex}
                try:
                    response = await client.post(
                        gateway_url, json={"query": MORNING, "variables": {"first": first}}, headers=headers
                    )
                    body = response.json()
                except (httpx.HTTPError, ValueError) as exc:
                    result.errors.append(type(exc).__name__)
                    continue
                if body.get("errors") or response.status_code != 200:
                    result.errors.append(str(body.get("errors") or response.status_code)[:300])
                elif problem := _wrong(body["data"], first):
                    result.errors.append(problem)
                else:
                    result.latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(config.concurrency)))
    result.wall_s = time.perf_counter() - started
    return result


async def statements(settings: Settings, token: str) -> dict[int, tuple[int, int]]:
    """Statements of one morning request per page size: the customers part, the marketing part."""
    counts: dict[int, tuple[int, int]] = {}
    for first in (max(PAGE_SIZES), *PAGE_SIZES):  # the first run warms up
        in_customers, answer = await counted("customers", CUSTOMERS_PART, {"first": first}, token, settings)
        representations = [
            {"__typename": "Customer", "id": node["id"]} for node in answer["customers"]["nodes"]
        ]
        in_marketing = await statements_of(
            "marketing", MARKETING_PART, {"r": representations}, token, settings
        )
        counts[first] = (in_customers, in_marketing)
    return counts


async def run(config: MorningConfig, settings: Settings, gateway_url: str) -> Report:
    """Arrange, load at each page size, count statements: on a stack that is up, with the ORM of
    its database open in this process."""
    token = await arrange(config, settings)
    rounds = [await load(config, gateway_url, token, first) for first in PAGE_SIZES]
    return Report(config, rounds, await statements(settings, token))


# -- report ----------------------------------------------------------------------------------------


def print_report(report: Report, header: list[str]) -> None:
    print()
    print(*header, sep="\n")
    config = report.config
    print(f"{config.customers} customers of one manager, {config.concurrency} in flight,", end=" ")
    print(f"{config.duration:g} s per page size")
    columns = ("requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms")
    print(f"{'page':>5}", *(f"{c:>8}" for c in columns), " SQL (customers + marketing)")
    baseline = None
    for r in report.rounds:
        ordered = sorted(r.latencies)
        rps = len(r.latencies) / r.wall_s if r.wall_s else 0.0
        baseline = baseline or rps
        p50, p95, p99 = (percentile(ordered, q) * 1000 for q in (0.5, 0.95, 0.99))
        customers_sql, marketing_sql = report.sql[r.first]
        print(
            f"{r.first:>5} {r.requests:>8} {len(r.errors):>8} {rps:>8.1f} {p50:>8.0f} {p95:>8.0f} {p99:>8.0f}"
            f"  {customers_sql} + {marketing_sql} = {customers_sql + marketing_sql}"
            f"   (RPS {rps / baseline:.2f} × page 20)"
        )
    totals = {first: sum(parts) for first, parts in report.sql.items()}
    equal = "yes" if len(set(totals.values())) == 1 else "no"
    print(f"SQL statements per request equal at {' and '.join(map(str, PAGE_SIZES))}: {equal}")
    for r in report.rounds:
        if r.errors:
            print(f"first error at page {r.first}: {r.errors[0]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m loadtest.bench_morning", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--customers", type=int, help=f"customers of the manager ({MorningConfig.customers})")
    parser.add_argument("--duration", type=float, help=f"seconds per page size ({MorningConfig.duration:g})")
    parser.add_argument("--concurrency", type=int, help=f"requests in flight ({MorningConfig.concurrency})")
    parser.add_argument("--smoke", action="store_true", help="seconds-long sizes")
    parser.add_argument("--gateway", help="run against this stack's gateway (http://…/graphql)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    base = SMOKE if args.smoke else MorningConfig()
    overrides = {
        k: getattr(args, k) for k in ("customers", "duration", "concurrency") if getattr(args, k) is not None
    }
    config = MorningConfig(**{**base.__dict__, **overrides, "progress": not args.no_progress})
    if config.customers < max(PAGE_SIZES):
        print(f"bench_morning: need at least {max(PAGE_SIZES)} customers", file=sys.stderr)
        return 2
    return report_on_stack(
        "DCMS Graph H5 morning query (早间首页)",
        args.gateway,
        lambda: start_stack(50, False, VAR_DIR, "MORNING", 4400),
        lambda settings, gateway_url: run(config, settings, gateway_url),
        print_report,
        "errors, or SQL statements that grow with the page size",
    )


if __name__ == "__main__":
    sys.exit(main())
