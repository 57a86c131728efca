"""Month-end business reports (业务报表) over 100,000 customers: ``python -m loadtest.bench_reports``
(``make bench-reports``).

    .venv/bin/python -m loadtest.bench_reports [--customers 100000] [--chunk 1000] [--managers 200]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--keep]

Storage: with ``--postgres ADMIN_URL`` (or ``DATABASE_URL``) a dedicated database
``dcms_bench_reports_<pid>`` is created on that server, migrated and dropped at the end (``--keep``
keeps it); otherwise a fresh embedded SQLite under ``var/bench-reports`` (its figures mean less).

Arranged fast with bulk inserts: one member bank with ten branches, ``--managers`` customer
managers spread over them and ``--customers`` customers (every fifth corporate), each with a demand
deposit, every third with a one-year term deposit, every fourth with a loan, every second with a
contact in the month; then ``ANALYZE`` (PostgreSQL). The month is in 2097, out of any job's reach.

Run (resolvers/customers/reports.py): the snapshots chunk by chunk (``snapshot_chunk``, ``--chunk``
customers a chunk), each timed and its SQL statements counted (testkit/sqlcount.py), then the rows of
every report definition for the month (``finish_month``). Printed: customers, chunks, seconds, ms per
chunk (mean / p50 / p99), ms per 1,000 customers, statements per chunk (the set seen: one value when
constant), and the rows step's seconds, statements and rows. Exit code 0 when every customer was
snapshotted once and every chunk took the same statements (the last, empty one that closes the
snapshots aside); 1 otherwise."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from loadtest.common import Figures, in_process_arguments, percentile, run_in_process

BATCH = 5000  # rows per INSERT while arranging
VAR_DIR = Path("var/bench-reports")
MONTH = date(2097, 1, 1)  # far ahead: out of the report job's reach, and of the tests' months


@dataclass
class ReportBench:
    customers: int
    seconds: float = 0.0
    chunk_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    snapshotted: int = 0
    rows_seconds: float = 0.0
    rows_statements: int = 0
    rows: int = 0

    @property
    def complete(self) -> bool:
        return self.snapshotted == self.customers and self.rows > 0


async def arrange(customers: int, managers: int) -> uuid.UUID:
    """A member bank with ``customers`` customers and their holdings and contacts: the bank's id."""
    from models.customers import (
        ContactChannel,
        ContactRecord,
        Customer,
        CustomerKind,
        Holding,
        HoldingCategory,
    )
    from models.operations import Org, OrgKind, User

    root_id, bank_id = uuid.uuid4(), uuid.uuid4()
    code = uuid.uuid4().hex[:8]
    orgs = [
        Org(id=root_id, code=f"P{code}", name="压测省联社", kind=OrgKind.PROVINCE_UNION, path=f"/{root_id}"),
        Org(
            id=bank_id,
            code=f"B{code}",
            name="压测农商银行",
            kind=OrgKind.MEMBER_BANK,
            parent_id=root_id,
            path=f"/{root_id}/{bank_id}",
            tenant_id=bank_id,
        ),
    ]
    branches = []
    for i in range(10):
        branch_id = uuid.uuid4()
        branches.append(
            Org(
                id=branch_id,
                code=f"S{code}{i}",
                name=f"压测第{i + 1}支行",
                kind=OrgKind.BRANCH,
                parent_id=bank_id,
                path=f"/{root_id}/{bank_id}/{branch_id}",
                tenant_id=bank_id,
            )
        )
    await Org.bulk_create(orgs + branches)
    staff = [
        User(
            id=uuid.uuid4(),
            username=f"r{code}{i}",
            display_name=f"压测经理{i}",
            org_id=branches[i % 10].id,
            roles=["CUSTOMER_MANAGER"],
            tenant_id=bank_id,
        )
        for i in range(managers)
    ]
    await User.bulk_create(staff)
    holding_kinds = (
        (1, HoldingCategory.DEPOSIT, "活期", 5000, None),
        (3, HoldingCategory.DEPOSIT, "定期一年", 50000, 365),
        (4, HoldingCategory.LOAN, "经营贷", 200000, 730),
    )
    opened = MONTH - timedelta(days=200)
    contacted_at = datetime(MONTH.year, MONTH.month, 10, 2, tzinfo=UTC)
    for start in range(0, customers, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, customers)):
            manager = staff[i % managers]
            branch = branches[i % managers % 10]
            rows.append(
                Customer(
                    id=uuid.uuid4(),
                    customer_no=f"R{code}{i:07d}",
                    name=f"客户{i}",
                    kind=CustomerKind.CORPORATE if i % 5 == 0 else CustomerKind.RETAIL,
                    tenant_id=bank_id,
                    org_id=branch.id,
                    org_path=branch.path,
                    primary_manager_id=manager.id,
                    aum=Decimal(1000 * (i % 3000)),
                )
            )
        await Customer.bulk_create(rows)
        holdings, contacts = [], []
        for n, c in enumerate(rows, start):
            # (every n-th customer, category, product, amount, term in days or None: 活期)
            for every, category, product, amount, days in holding_kinds:
                if n % every == 0:
                    matures_on = opened + timedelta(days=days) if days else None
                    holdings.append(
                        Holding(
                            customer_id=c.id,
                            category=category,
                            product_name=product,
                            amount=Decimal(amount),
                            opened_on=opened,
                            matures_on=matures_on,
                        )
                    )
            if n % 2 == 0:
                contacts.append(
                    ContactRecord(
                        customer_id=c.id,
                        manager_id=c.primary_manager_id,
                        channel=ContactChannel.PHONE,
                        summary="压测接触",
                        contacted_at=contacted_at,
                    )
                )
        await Holding.bulk_create(holdings)
        await ContactRecord.bulk_create(contacts)
    return bank_id


async def analyze() -> None:
    from tortoise import connections

    for name in ("customers", "operations"):
        connection = connections.get(name)
        if connection.capabilities.dialect == "postgres":
            await connection.execute_script("ANALYZE")


async def run(customers: int, chunk: int) -> ReportBench:
    """Snapshot every customer of the database for ``MONTH`` and compute its rows (the ORM must be open)."""
    from models.customers import ReportSnapshot
    from resolvers.customers import reports
    from testkit.sqlcount import count_statements

    bench = ReportBench(customers)
    await reports.start_month(MONTH, force=True)
    began = time.perf_counter()
    while True:
        started = time.perf_counter()
        with count_statements() as counter:
            done = await reports.snapshot_chunk(MONTH, chunk)
        if not done:
            break
        bench.chunk_ms.append((time.perf_counter() - started) * 1000)
        bench.statements.append(counter.count)
    bench.seconds = time.perf_counter() - began
    started = time.perf_counter()
    with count_statements() as counter:
        bench.rows = await reports.finish_month(MONTH) or 0
    bench.rows_seconds = time.perf_counter() - started
    bench.rows_statements = counter.count
    bench.snapshotted = await ReportSnapshot.filter(month=MONTH).count()
    return bench


async def bench(customers: int, chunk: int, managers: int = 200) -> ReportBench:
    """Arrange the bank, then generate the month's reports. ``customers`` counts every customer the
    database holds (a test database has others: they are snapshotted too)."""
    from models.customers import Customer

    await arrange(customers, managers)
    await analyze()
    total = await Customer.filter(created_at__lt=datetime(2097, 2, 1, tzinfo=UTC)).count()
    result = await run(total, chunk)
    return result


def rows(result: ReportBench) -> list[tuple[str, str]]:
    ordered = sorted(result.chunk_ms)
    mean = statistics.fmean(ordered) if ordered else 0.0
    return [
        ("customers", f"{result.customers:,}"),
        ("snapshot chunks", str(len(ordered))),
        ("snapshots: total", f"{result.seconds:.2f} s"),
        (
            "snapshots: ms per chunk (mean / p50 / p99)",
            f"{mean:.1f} / {percentile(ordered, 0.5):.1f} / {percentile(ordered, 0.99):.1f}"
            if ordered
            else "-",
        ),
        (
            "snapshots: ms per 1,000 customers",
            f"{result.seconds * 1000 / max(result.customers, 1) * 1000:.1f}",
        ),
        ("snapshots: statements per chunk", " ".join(str(s) for s in sorted(set(result.statements)))),
        ("report rows: total", f"{result.rows_seconds:.2f} s"),
        ("report rows: statements", str(result.rows_statements)),
        ("report rows: rows", f"{result.rows:,}"),
    ]


def passed(result: ReportBench) -> bool:
    return result.complete and len(set(result.statements)) == 1


async def figures(args: argparse.Namespace) -> Figures:
    result = await bench(args.customers, args.chunk, args.managers)
    return rows(result), passed(result)


def main(argv: Sequence[str] | None = None) -> int:
    parser = in_process_arguments(__doc__, chunk=1000)
    parser.add_argument("--managers", type=int, default=200)
    failure = "a customer missed or twice, or statements per chunk not constant"
    return run_in_process(parser, argv, "dcms_bench_reports", VAR_DIR, figures, failure)


if __name__ == "__main__":
    sys.exit(main())
