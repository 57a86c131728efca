"""One canvas wave (营销画布) over 100,000 customers against a baseline wave over 1,000, in the same
run: ``python -m loadtest.bench_wave`` (``make bench-wave``).

    .venv/bin/python -m loadtest.bench_wave [--customers 100000] [--baseline 1000] [--chunk 500]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--keep]

Storage: with ``--postgres ADMIN_URL`` (or ``DATABASE_URL``) a dedicated database
``dcms_bench_wave_<pid>`` is created on that server, migrated and dropped at the end (``--keep``
keeps it); otherwise a fresh embedded SQLite under ``var/bench-wave`` (its figures mean less).

Arranged fast with bulk inserts (thousands of rows a statement): two member banks, one with
``--baseline`` customers and one with ``--customers``, every customer with a live marketing consent
(产品推荐授权) and the tag 存款即将到期; one campaign per bank with the same canvas (AUDIENCE by the
tag → SMS → BENEFIT 100 points → END), scheduled a century ahead and run as of then.

Then ``ANALYZE`` (PostgreSQL), as autovacuum would after such a load.

Run: each wave chunk by chunk (resolvers/marketing/waves.py ``run_wave_chunk``, ``--chunk``
customers a chunk), in this process, timing every chunk and counting its SQL statements
(testkit/sqlcount.py). Printed per wave: customers, chunks, total seconds, ms per chunk (mean, p50,
p99), ms per 1,000 customers, and the statements per chunk (the set of counts seen: one value when
constant); then the ratio of per-customer time (big / baseline). Exit code 0 when both waves reached
every customer once (contacts, messages and points entries equal the customers) and every chunk of
both took the same number of statements; 1 otherwise."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from loadtest.common import Figures, in_process_arguments, percentile, run_in_process

CANVAS = {
    "nodes": [
        {"id": "a", "kind": "AUDIENCE", "criteria": {"tags": ["存款即将到期"]}},
        {"id": "sms", "kind": "SEND", "channel": "SMS", "contentKey": "sms"},
        {"id": "gift", "kind": "BENEFIT", "points": 100},
        {"id": "end", "kind": "END"},
    ],
    "edges": [{"from": "a", "to": "sms"}, {"from": "sms", "to": "gift"}, {"from": "gift", "to": "end"}],
}
CONTENTS = [
    {
        "key": "sms",
        "kind": "SMS",
        "title": "",
        "body": "{{surname}}先生/女士, 定期存款即将到期【{{bank}}】",
        "imageUrl": "",
    }
]
BATCH = 5000  # rows per INSERT while arranging
VAR_DIR = Path("var/bench-wave")


@dataclass
class WaveRun:
    customers: int
    seconds: float = 0.0
    chunk_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    contacts: int = 0
    messages: int = 0
    points: int = 0

    @property
    def complete(self) -> bool:
        return self.contacts == self.messages == self.points == self.customers


async def arrange_bank(customers: int, name: str, starts: datetime) -> tuple[uuid.UUID, uuid.UUID]:
    """A member bank with ``customers`` consenting, tagged customers and a campaign scheduled at
    ``starts``: (bank id, wave id)."""
    from models.customers import Consent, ConsentPurpose, Customer, CustomerKind, CustomerTag, TagSource
    from models.marketing import Campaign, CampaignStatus, CampaignWave
    from models.operations import Org, OrgKind

    root_id, bank_id, branch_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    code = uuid.uuid4().hex[:8]
    await Org.bulk_create(
        [
            Org(
                id=root_id,
                code=f"P{code}",
                name="压测省联社",
                kind=OrgKind.PROVINCE_UNION,
                path=f"/{root_id}",
            ),
            Org(
                id=bank_id,
                code=f"B{code}",
                name=name,
                kind=OrgKind.MEMBER_BANK,
                parent_id=root_id,
                path=f"/{root_id}/{bank_id}",
                tenant_id=bank_id,
            ),
            Org(
                id=branch_id,
                code=f"S{code}",
                name="压测支行",
                kind=OrgKind.BRANCH,
                parent_id=bank_id,
                path=f"/{root_id}/{bank_id}/{branch_id}",
                tenant_id=bank_id,
            ),
        ]
    )
    path = f"/{root_id}/{bank_id}/{branch_id}"
    manager = uuid.uuid4()
    expires = datetime.now(UTC) + timedelta(days=365)
    for start in range(0, customers, BATCH):
        ids = [uuid.uuid4() for _ in range(min(BATCH, customers - start))]
        await Customer.bulk_create(
            [
                Customer(
                    id=id,
                    customer_no=f"W{code}{start + i:07d}",
                    name=f"王{start + i}",
                    kind=CustomerKind.RETAIL,
                    tenant_id=bank_id,
                    org_id=branch_id,
                    org_path=path,
                    primary_manager_id=manager,
                    phone="13800000000",
                )
                for i, id in enumerate(ids)
            ]
        )
        await CustomerTag.bulk_create(
            [CustomerTag(customer_id=id, name="存款即将到期", source=TagSource.SYSTEM) for id in ids]
        )
        await Consent.bulk_create(
            [
                Consent(
                    customer_id=id,
                    tenant_id=bank_id,
                    purpose=ConsentPurpose.RECOMMENDATION,
                    granted_by=manager,
                    expires_at=expires,
                )
                for id in ids
            ]
        )
    campaign = await Campaign.create(
        tenant_id=bank_id,
        org_path=f"/{root_id}/{bank_id}",
        name="压测到期续存",
        graph=CANVAS,
        contents=CONTENTS,
        status=CampaignStatus.SCHEDULED,
        starts_at=starts,
        created_by=manager,
    )
    wave = await CampaignWave.create(campaign_id=campaign.id, number=1, starts_at=starts)
    return bank_id, wave.id


async def analyze() -> None:
    """Fresh planner statistics after the bulk load, as autovacuum would give a live database (without
    them PostgreSQL plans the audience as a sort of every member per chunk: 140 ms instead of 7 ms at
    20,000 customers)."""
    from tortoise import connections

    for name in ("customers", "marketing"):
        connection = connections.get(name)
        if connection.capabilities.dialect == "postgres":
            await connection.execute_script("ANALYZE")


async def run_wave(wave_id: uuid.UUID, customers: int, chunk: int, now: datetime) -> WaveRun:
    from models.marketing import CampaignContact, OutboundMessage
    from resolvers.marketing.waves import run_wave_chunk
    from testkit.sqlcount import count_statements

    run = WaveRun(customers)
    began = time.perf_counter()
    while True:
        started = time.perf_counter()
        with count_statements() as counter:
            went = await run_wave_chunk(wave_id, chunk, now)
        if not went:
            break
        run.chunk_ms.append((time.perf_counter() - started) * 1000)
        run.statements.append(counter.count)
    run.seconds = time.perf_counter() - began
    run.contacts = await CampaignContact.filter(wave_id=wave_id).count()
    run.messages = await OutboundMessage.filter(wave_id=wave_id).count()
    return run


async def bench(customers: int, baseline: int, chunk: int) -> tuple[WaveRun, WaveRun]:
    """Arrange both banks, then run the baseline wave and the big one (the ORM must be open)."""
    from models.marketing import PointsEntry

    # Scheduled a century ahead and run "then": a marketing job running against the same database
    # (the test stack's, every 30 s) never finds these waves due and cannot take a chunk of them.
    then = datetime.now(UTC) + timedelta(days=36500)
    small_bank, small_wave = await arrange_bank(baseline, "基线农商银行", then)
    big_bank, big_wave = await arrange_bank(customers, "压测农商银行", then)
    await analyze()
    small = await run_wave(small_wave, baseline, chunk, then)
    big = await run_wave(big_wave, customers, chunk, then)
    small.points = await PointsEntry.filter(tenant_id=small_bank).count()
    big.points = await PointsEntry.filter(tenant_id=big_bank).count()
    return small, big


def rows(small: WaveRun, big: WaveRun) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for label, run in (("baseline", small), ("wave", big)):
        ordered = sorted(run.chunk_ms)
        mean = statistics.fmean(ordered) if ordered else 0.0
        lines += [
            (f"{label}: customers", f"{run.customers:,}"),
            (f"{label}: chunks", str(len(ordered))),
            (f"{label}: total", f"{run.seconds:.2f} s"),
            (
                f"{label}: ms per chunk (mean / p50 / p99)",
                f"{mean:.1f} / {percentile(ordered, 0.5):.1f} / {percentile(ordered, 0.99):.1f}"
                if ordered
                else "-",
            ),
            (f"{label}: ms per 1,000 customers", f"{run.seconds * 1000 / max(run.customers, 1) * 1000:.1f}"),
            (f"{label}: statements per chunk", " ".join(str(s) for s in sorted(set(run.statements)))),
            (
                f"{label}: contacts / messages / points entries",
                f"{run.contacts} / {run.messages} / {run.points}",
            ),
        ]
    ratio = (big.seconds / max(big.customers, 1)) / max(small.seconds / max(small.customers, 1), 1e-9)
    lines.append(("per-customer time, wave / baseline", f"{ratio:.2f}"))
    return lines


def passed(small: WaveRun, big: WaveRun) -> bool:
    counts = set(small.statements) | set(big.statements)
    return small.complete and big.complete and len(counts) == 1


async def figures(args: argparse.Namespace) -> Figures:
    small, big = await bench(args.customers, args.baseline, args.chunk)
    return rows(small, big), passed(small, big)


def main(argv: Sequence[str] | None = None) -> int:
    parser = in_process_arguments(__doc__, chunk=500)
    parser.add_argument("--baseline", type=int, default=1_000)
    failure = "a customer missed or twice, or statements per chunk not constant"
    return run_in_process(parser, argv, "dcms_bench_wave", VAR_DIR, figures, failure)


if __name__ == "__main__":
    sys.exit(main())
