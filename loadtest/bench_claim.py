"""Claim race (商机认领) through the gateway: ``python -m loadtest.bench_claim`` (``make bench-claim``).

    .venv/bin/python -m loadtest.bench_claim [--managers 200] [--rounds 5] [--baseline 20] [--smoke]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dcms_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m loadtest.bench_claim

Starts a stack of its own (``dcms up`` in ``var/bench-claim``, gateway on 4310 and subgraphs on 4311,
or free ports; ``DCMS_BENCH_CLAIM_GATEWAY_PORT`` / ``DCMS_BENCH_CLAIM_PORT``), rate limit off and
admission bounds above the managers, or runs against ``--gateway URL``. Arranged straight in the
database under a fresh province union: one member bank, one branch, ``--managers`` customer managers
each with a token of their own.

* baseline — ``--baseline`` claims one after another, each of an opportunity of its own (no
  contention): the latency of a claim that wins alone, measured in the same run;
* race — ``--rounds`` times, one fresh OPEN opportunity and every manager claiming it at once (one
  HTTP connection each, all sent together): winners (must be 1), CONFLICT answers (must be the
  rest), any other outcome, and the latency p50 / p99 / max of all the race's answers and of the
  winner's, against the baseline;
* consistent — after each round the database holds the opportunity CLAIMED by the winner.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from loadtest.common import percentile, print_rows, report_on_stack, stack_arguments, start_stack
from models.marketing import Opportunity, OpportunityStatus
from models.operations import OrgKind
from subgraphs.settings import Settings
from testkit.factories import make_org, make_user, token_for

VAR_DIR = Path(os.environ.get("DCMS_BENCH_CLAIM_VAR_DIR", "var/bench-claim"))
CLAIM = "mutation Claim($id: ID!) { claimOpportunity(id: $id) { id status } }"


@dataclass
class Report:
    managers: int
    rounds: int
    baseline_ms: list[float] = field(default_factory=list)
    race_ms: list[float] = field(default_factory=list)
    winner_ms: list[float] = field(default_factory=list)
    winners: list[int] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    consistent: bool = True

    @property
    def passed(self) -> bool:
        others = set(self.outcomes) - {"WON", "CONFLICT"}
        return all(w == 1 for w in self.winners) and not others and self.consistent


async def _claim(
    client: httpx.AsyncClient, url: str, token: str, opportunity_id: uuid.UUID
) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        response = await client.post(
            url,
            json={"query": CLAIM, "variables": {"id": str(opportunity_id)}},
            headers={"authorization": f"Bearer {token}", "x-request-id": uuid.uuid4().hex},
        )
        body = response.json()
        outcome = (
            body["errors"][0]["extensions"]["code"]
            if body.get("errors")
            else "WON"
            if body.get("data", {}).get("claimOpportunity")
            else f"HTTP {response.status_code}"
        )
    except (httpx.HTTPError, ValueError) as exc:
        outcome = type(exc).__name__
    return outcome, (time.perf_counter() - started) * 1000


async def run(managers: int, rounds: int, baseline: int, settings: Settings, gateway_url: str) -> Report:
    province = await make_org("压测省联社", OrgKind.PROVINCE_UNION)
    bank = await make_org("压测农商银行", OrgKind.MEMBER_BANK, province, own_tenant=True)
    branch = await make_org("压测支行", OrgKind.BRANCH, bank)
    users = [await make_user(branch, ("CUSTOMER_MANAGER",), "客户经理") for _ in range(managers)]
    tokens = [token_for(user, branch, settings) for user in users]
    report = Report(managers, rounds)

    async def opportunity() -> Opportunity:
        return await Opportunity.create(
            tenant_id=bank.id, title="存款到期续存：整存整取三年", org_path=branch.path
        )

    limits = httpx.Limits(max_connections=managers + 10, max_keepalive_connections=managers + 10)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await _marketing_ready(client, gateway_url, tokens[0])
        for _ in range(2):  # warm up: connections, prepared statements
            await _claim(client, gateway_url, tokens[0], (await opportunity()).id)
        for i in range(baseline):
            outcome, ms = await _claim(client, gateway_url, tokens[i % managers], (await opportunity()).id)
            report.outcomes[f"baseline {outcome}"] += 0 if outcome == "WON" else 1
            report.baseline_ms.append(ms)
        for _ in range(rounds):
            target = await opportunity()
            answers = await asyncio.gather(*(_claim(client, gateway_url, t, target.id) for t in tokens))
            report.winners.append(sum(1 for outcome, _ in answers if outcome == "WON"))
            report.outcomes.update(outcome for outcome, _ in answers)
            report.race_ms += [ms for _, ms in answers]
            report.winner_ms += [ms for outcome, ms in answers if outcome == "WON"]
            row = await Opportunity.get(id=target.id)
            winner_ids = {users[i].id for i, (outcome, _) in enumerate(answers) if outcome == "WON"}
            report.consistent &= row.status is OpportunityStatus.CLAIMED and row.claimed_by_id in winner_ids
    report.outcomes = Counter({k: v for k, v in report.outcomes.items() if v})
    return report


async def _marketing_ready(client: httpx.AsyncClient, url: str, token: str, seconds: float = 120) -> None:
    """Until the marketing subgraph answers through the gateway (with PostgreSQL + Redis the
    gateway is up before every subgraph worker listens)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            response = await client.post(
                url,
                json={"query": "{ opportunityPool(first: 1) { nodes { id } } }"},
                headers={"authorization": f"Bearer {token}"},
            )
            if not response.json().get("errors"):
                return
        except (httpx.HTTPError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the marketing subgraph did not answer through the gateway")
        await asyncio.sleep(1)


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    if not ordered:
        return "-"
    p50, p99 = percentile(ordered, 0.5), percentile(ordered, 0.99)
    return f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {ordered[-1]:.1f} ms"


def print_report(report: Report, header: list[str]) -> None:
    rows = [
        ("managers per race", str(report.managers)),
        ("races", str(report.rounds)),
        ("winners per race", ", ".join(map(str, report.winners)) + " (must be 1 each)"),
        ("answers", ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items()))),
        ("baseline (uncontended claim)", _ms(report.baseline_ms)),
        ("race, all answers", _ms(report.race_ms)),
        ("race, the winner", _ms(report.winner_ms)),
        ("database consistent", "yes" if report.consistent else "NO"),
    ]
    print_rows(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = stack_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--managers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", type=int, default=20)
    parser.add_argument("--customers", type=int, default=200, help="the stack's demo seed size")
    args = parser.parse_args(argv)
    managers, rounds, baseline = (20, 1, 5) if args.smoke else (args.managers, args.rounds, args.baseline)
    if not args.gateway:
        for variable in ("DCMS_MAX_IN_FLIGHT", "DCMS_GATEWAY_MAX_IN_FLIGHT"):
            os.environ.setdefault(variable, str(max(256, 2 * managers)))
    return report_on_stack(
        "DCMS Graph claim race (商机认领)",
        args.gateway,
        lambda: start_stack(args.customers, args.keep_data, VAR_DIR, "CLAIM", 4310),
        lambda settings, gateway_url: run(managers, rounds, baseline, settings, gateway_url),
        print_report,
        "a race with other than one winner, an answer other than CONFLICT, or inconsistent data",
    )


if __name__ == "__main__":
    sys.exit(main())
