"""Run the DCMS Graph load test headless and summarise it.

    python -m loadtest.run --host http://127.0.0.1:4000 --users 20 --spawn-rate 10 --duration 20 \\
        --token "$TOKEN" --org-id "$ORG_ID"

Locust runs as a subprocess (it monkey-patches the process with gevent) with ``--csv``; the
summary table is read from the ``_stats.csv`` it writes. The exit code is 1 when the failure ratio
over all requests exceeds ``--max-failure-ratio`` (default 1 %) or no request succeeded, 2 when
locust produced no statistics at all.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
MY_ORG = "query MyOrg { me { org { id } } }"
TOTAL = "Aggregated"


@dataclass(frozen=True)
class Row:
    type: str
    name: str
    requests: int
    failures: int
    rps: float
    p50: str
    p95: str
    p99: str

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtest.run", description=__doc__.split("\n\n")[0])
    env = os.environ.get
    parser.add_argument("--host", required=True, help="gateway base URL, e.g. http://127.0.0.1:4000")
    parser.add_argument("--users", "-u", type=int, default=20, help="peak concurrent users (20)")
    parser.add_argument("--spawn-rate", "-r", type=float, default=10, help="users started per second (10)")
    parser.add_argument("--duration", "-t", type=int, default=20, help="run time in seconds (20)")
    parser.add_argument("--token", default=env("DCMS_TOKEN", ""), help="bearer token ($DCMS_TOKEN)")
    parser.add_argument(
        "--org-id",
        default=env("DCMS_ORG_ID", ""),
        help="org for raiseAlert ($DCMS_ORG_ID; default: the token user's own org, from me { org { id } })",
    )
    parser.add_argument(
        "--page-size", type=int, default=int(env("DCMS_PAGE_SIZE", "20")), help="customers(first:) (20)"
    )
    parser.add_argument("--alert-interval", type=float, help="seconds between raised alerts (1)")
    parser.add_argument(
        "--max-failure-ratio", type=float, default=0.01, help="max share of failed requests (0.01)"
    )
    parser.add_argument("--csv-dir", type=Path, help="keep locust's CSV files here (default: a temp dir)")
    parser.add_argument(
        "user_classes",
        nargs="*",
        metavar="USER_CLASS",
        help="run only these user classes, e.g. CrossSubgraphUser (default: all)",
    )
    return parser.parse_args(argv)


def my_org_id(host: str, token: str) -> str:
    """The token user's org id, asked of the gateway; "" when that fails."""
    body = json.dumps({"query": MY_ORG, "operationName": "MyOrg"}).encode()
    request = urllib.request.Request(
        host.rstrip("/") + os.environ.get("DCMS_GRAPHQL_PATH", "/graphql"),
        data=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "x-request-id": uuid.uuid4().hex,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            payload = json.load(response)
        return str(payload["data"]["me"]["org"]["id"])
    except Exception as exc:
        print(f"loadtest: warning: could not read me {{ org {{ id }} }}: {exc!r}", file=sys.stderr)
        return ""


def run_locust(args: argparse.Namespace, csv_prefix: Path) -> int:
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(args.users),
        "-r",
        str(args.spawn_rate),
        "-t",
        f"{args.duration}s",
        "--host",
        args.host,
        "--csv",
        str(csv_prefix),
        "--only-summary",
        *args.user_classes,
    ]
    env = dict(os.environ)
    env.update({"DCMS_TOKEN": args.token, "DCMS_ORG_ID": args.org_id, "DCMS_PAGE_SIZE": str(args.page_size)})
    if args.alert_interval is not None:
        env["DCMS_ALERT_INTERVAL"] = str(args.alert_interval)
    process = subprocess.Popen(command, env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:  # locust got the same SIGINT: let it stop and write its CSV
        return process.wait()


def csv_file(prefix: Path, kind: str) -> Path | None:
    """``PREFIX_final_<kind>.csv`` (final numbers, written by the locustfile when locust quits) or else
    locust's own ``PREFIX_<kind>.csv`` (rewritten once a second, so up to a second behind)."""
    for suffix in (f"_final_{kind}.csv", f"_{kind}.csv"):
        path = prefix.with_name(prefix.name + suffix)
        if path.exists():
            return path
    return None


def read_stats(path: Path) -> list[Row]:
    rows = []
    with path.open(newline="", encoding="utf-8") as file:
        for record in csv.DictReader(file):
            rows.append(
                Row(
                    type=record["Type"],
                    name=record["Name"],
                    requests=int(record["Request Count"]),
                    failures=int(record["Failure Count"]),
                    rps=float(record["Requests/s"]),
                    p50=record["50%"],
                    p95=record["95%"],
                    p99=record["99%"],
                )
            )
    return rows


def read_failures(path: Path) -> list[tuple[str, str, int]]:
    with path.open(newline="", encoding="utf-8") as file:
        records = [(r["Name"], r["Error"], int(r["Occurrences"])) for r in csv.DictReader(file)]
    return sorted(records, key=lambda r: -r[2])


def print_table(rows: list[Row]) -> None:
    headers = ("type", "name", "requests", "failures", "fail %", "RPS", "p50 ms", "p95 ms", "p99 ms")

    def cells(row: Row) -> tuple[str, ...]:
        return (
            row.type,
            row.name,
            str(row.requests),
            str(row.failures),
            f"{row.failure_ratio * 100:.2f}",
            f"{row.rps:.2f}",
            row.p50,
            row.p95,
            row.p99,
        )

    body = [cells(row) for row in rows if row.name != TOTAL]
    total = [cells(row) for row in rows if row.name == TOTAL]
    widths = [max(len(line[i]) for line in [headers, *body, *total]) for i in range(len(headers))]

    def fmt(line: tuple[str, ...]) -> str:
        pairs = enumerate(zip(line, widths, strict=True))
        return "  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in pairs)

    rule = "-" * len(fmt(headers))
    print(fmt(headers), rule, *map(fmt, body), rule, *map(fmt, total), sep="\n")


def summarise(args: argparse.Namespace, csv_prefix: Path, locust_code: int) -> int:
    stats_path = csv_file(csv_prefix, "stats")
    if stats_path is None:
        print(f"\nloadtest: locust wrote no statistics (exit code {locust_code})", file=sys.stderr)
        return 2
    rows = read_stats(stats_path)
    total = next((row for row in rows if row.name == TOTAL), None)
    print(f"\nDCMS Graph load test — {args.host}, {args.users} users, {args.duration} s\n")
    print_table(rows)

    failures_path = csv_file(csv_prefix, "failures")
    failures = read_failures(failures_path) if failures_path else []
    if failures:
        print("\nfailures (most frequent first):")
        for name, error, count in failures[:10]:
            print(f"  {count:>6}  {name}: {error[:200]}")

    names = {row.name for row in rows}
    if "connection_init" in names and "alerts event" not in names:
        print("\nwarning: SubscriptionUser ran but no alerts event was received", file=sys.stderr)

    if total is None or total.requests == 0:
        print("\nFAIL: no requests were made", file=sys.stderr)
        return 1
    if total.failures >= total.requests:
        print("\nFAIL: no request succeeded", file=sys.stderr)
        return 1
    if total.failure_ratio > args.max_failure_ratio:
        print(
            f"\nFAIL: failure ratio {total.failure_ratio:.2%} > {args.max_failure_ratio:.2%}",
            file=sys.stderr,
        )
        return 1
    print(f"\nOK: {total.requests} requests, failure ratio {total.failure_ratio:.2%}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.token:
        print("loadtest: warning: no --token / DCMS_TOKEN; requests will be unauthenticated", file=sys.stderr)
    if not args.org_id and args.token:
        args.org_id = my_org_id(args.host, args.token)
        if args.org_id:
            print(f"loadtest: raising alerts in org {args.org_id} (the token user's org)")
    if args.csv_dir is not None:
        args.csv_dir.mkdir(parents=True, exist_ok=True)
        prefix = args.csv_dir / "stats"
        return summarise(args, prefix, run_locust(args, prefix))
    with tempfile.TemporaryDirectory(prefix="dcms-loadtest-") as tmp:
        prefix = Path(tmp) / "stats"
        return summarise(args, prefix, run_locust(args, prefix))


if __name__ == "__main__":
    sys.exit(main())
