"""The ``dcms`` command: migrate, seed, serve, up, replicas, token, schema, audit, keys, secrets,
backup, restore, mqtt-bridge, simulate.

Outside dev mode (``DCMS_DEV=0``) every start command (migrate, seed, serve, up) first checks
that the production secrets are there (subgraphs/provision.py): a missing one stops it with
exit status 2 and one line saying what is missing and how to create it, before anything runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from subgraphs.settings import SUBGRAPHS, Settings, keys_dir_from_env
from subgraphs.web import banner_lines

if TYPE_CHECKING:
    from starlette.applications import Starlette

DEMO_HELP = (
    "outside dev mode: load the demo data anyway; every demo user must then change the published "
    "password at first login (dev mode always seeds it)"
)
WORKERS_HELP = (
    "worker processes behind the one port (default DCMS_WORKERS, else the usable cores with "
    "PostgreSQL and Redis, else 1: the embedded SQLite + in-memory default is one process only)"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="dcms", description="DCMS Graph command line")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="apply database migrations of every subgraph")

    seed_parser = commands.add_parser("seed", help="load Chinese demo data (idempotent)")
    seed_parser.add_argument("--customers", type=int, default=2000, help="how many customers (default 2000)")
    seed_parser.add_argument("--demo", action="store_true", help=DEMO_HELP)

    serve = commands.add_parser("serve", help="serve subgraphs (all by default) in this process")
    serve.add_argument("names", nargs="*", metavar="name", help=f"subgraphs to serve: {', '.join(SUBGRAPHS)}")
    serve.add_argument("--port", type=int, help="default DCMS_PORT or 4001")
    serve.add_argument("--workers", type=int, metavar="N", help=WORKERS_HELP)

    up = commands.add_parser("up", help="migrate, seed when empty, serve all subgraphs and the gateway")
    up.add_argument("--customers", type=int, default=2000, help="customers to seed on first start")
    up.add_argument("--demo", action="store_true", help=DEMO_HELP)
    up.add_argument("--workers", type=int, metavar="N", help=WORKERS_HELP)
    up.add_argument(
        "--simulate",
        type=int,
        default=None,
        metavar="N",
        help="over MQTT: the demo halls' own devices and N more in the first hall (make up: 20)",
    )

    replicas = commands.add_parser(
        "replicas", help="several replicas on one machine behind HAProxy (docs/deploy.md)"
    ).add_subparsers(dest="action", required=True)
    replicas_up = replicas.add_parser(
        "up", help="migrate, then N `dcms serve` replicas, M gateways and HAProxy in front; Ctrl-C stops all"
    )
    replicas_up.add_argument("--gateways", type=int, default=2, help="gateway processes (default 2)")
    replicas_up.add_argument("--replicas", type=int, default=2, help="`dcms serve` processes (default 2)")
    replicas_up.add_argument("--port", type=int, default=8080, help="HAProxy → gateways (default 8080)")
    replicas_up.add_argument("--subgraph-port", type=int, help="HAProxy → replicas (default --port + 1)")
    replicas_up.add_argument("--stats-port", type=int, default=8404, help="HAProxy status (default 8404)")
    replicas_up.add_argument("--replica-base", type=int, default=4101, help="first replica port (4101)")
    replicas_up.add_argument("--gateway-base", type=int, default=4201, help="first gateway port (4201)")
    replicas_up.add_argument("--bind", default="127.0.0.1", help="where HAProxy listens (default 127.0.0.1)")
    replicas_up.add_argument("--workers", type=int, default=1, help="workers per replica (default 1)")
    replicas_up.add_argument("--customers", type=int, default=0, help="seed demo data with N customers first")
    replicas_up.add_argument("--demo", action="store_true", help=DEMO_HELP)

    token = commands.add_parser("token", help="dev mode: print an access token for a seeded user")
    token.add_argument("--username", default="manager")
    token.add_argument("--hours", type=float, default=8.0)

    schema = commands.add_parser("schema", help="export or check schema/sdl")
    schema.add_argument("action", choices=["export", "check"])

    audit = commands.add_parser("audit", help="check the audit trail's hash chains")
    audit.add_argument("action", choices=["verify"])
    keys = commands.add_parser("keys", help="PII encryption keys").add_subparsers(
        dest="action", required=True
    )
    rotate = keys.add_parser("rotate", help="new current key, re-encrypt every PII value (resumable)")
    rotate.add_argument("--resume", action="store_true", help="finish an interrupted rotation, no new key")
    rotate.add_argument("--retire", action="store_true", help="finish, then drop old keys no value uses")
    rotate.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")
    secrets = commands.add_parser("secrets", help="production secrets").add_subparsers(
        dest="action", required=True
    )
    init = secrets.add_parser(
        "init", help="write the token key pair, gateway HMAC secret and PII keyring (0600), never overwriting"
    )
    init.add_argument("--dir", type=Path, help="where (default DCMS_KEYS_DIR, else var/keys)")

    backup = commands.add_parser(
        "backup", help="encrypted archive of every subgraph's data and the key files (DCMS_BACKUP_KEY_FILE)"
    )
    backup.add_argument("--out", type=Path, help="the archive (default var/backups/dcms-<UTC time>.dcmsbak)")
    restore = commands.add_parser(
        "restore", help="restore an archive of `dcms backup` into an empty database, then verify it"
    )
    restore.add_argument("file", type=Path, help="the archive")
    restore.add_argument(
        "--force", action="store_true", help="replace a non-empty database and differing key files"
    )

    bridge = commands.add_parser(
        "mqtt-bridge", help="devices over MQTT: ingest and send commands (DCMS_MQTT_URL)"
    )
    bridge.add_argument(
        "--replica", help="this replica's name: its MQTT client id and session (default: the host)"
    )
    simulators = commands.add_parser("simulate", help="simulators").add_subparsers(dest="what", required=True)
    simulated = simulators.add_parser("devices", help="N virtual devices over MQTT, in a hall")
    simulated.add_argument("--count", type=int, default=20, help="new devices SIM-0001… (default 20)")
    simulated.add_argument(
        "--halls",
        action="store_true",
        help="dev mode: also the halls' interaction units and the devices behind them (re-keys the units)",
    )
    simulated.add_argument("--hall", help="the hall's org code (default: the first hall)")
    simulated.add_argument("--prefix", default="SIM", help="device codes <prefix>-0001… (default SIM)")
    simulated.add_argument("--heartbeat", type=float, default=10.0, help="seconds between heartbeats")
    simulated.add_argument("--telemetry", type=float, default=1.0, help="seconds between telemetry messages")
    simulated.add_argument("--fault-rate", type=float, default=0.0005, help="faults per device per second")
    simulated.add_argument("--fail-share", type=float, default=0.1, help="commands answered FAILED")
    simulated.add_argument("--silent-share", type=float, default=0.1, help="commands never answered")
    simulated.add_argument("--duration", type=float, help="seconds (default: until interrupted)")

    args = parser.parse_args(argv)
    if args.command == "secrets":  # before Settings.from_env, which makes dev secrets in dev mode
        sys.exit(secrets_init(args.dir or keys_dir_from_env()))
    if args.command == "restore":  # the same: the archive's HMAC secret goes back, not a new one
        sys.exit(asyncio.run(restore_command(settings_as_found(), args.file, args.force)))
    settings = Settings.from_env()
    if args.command in ("serve", "up"):
        if problem := workers_problem(settings, args.workers):
            print(f"dcms {args.command}: {problem}", file=sys.stderr)
            sys.exit(2)
        if args.workers is not None:  # as DCMS_WORKERS: the worker processes read it too
            os.environ["DCMS_WORKERS"] = str(args.workers)
            settings = Settings.from_env()  # the default pool per worker follows the count
    if args.command == "token" and not settings.dev_mode:
        raise SystemExit("dcms token works in dev mode only (DCMS_DEV=1); log in with the login mutation")
    if args.command in ("migrate", "seed", "serve", "up", "replicas"):
        from subgraphs.provision import missing_secrets

        # Only the operations subgraph signs tokens; every start needs the rest.
        signing = args.command != "serve" or not args.names or "operations" in args.names
        if problem := missing_secrets(settings, signing=signing):
            print(f"dcms {args.command}: {problem}", file=sys.stderr)
            sys.exit(2)
    if args.command == "seed" and not settings.dev_mode and not args.demo:
        print(
            "dcms seed: production mode (DCMS_DEV=0) loads demo data only with --demo "
            "(its users must then change the published password at first login); nothing seeded",
            file=sys.stderr,
        )
        sys.exit(2)
    if args.command in ("migrate", "seed", "token", "up", "keys", "replicas"):
        from security.crypto import KeyringError, install_cipher

        try:  # encrypted PII columns need the keyring; outside dev mode it must exist
            install_cipher(settings)
        except KeyringError as error:
            raise SystemExit(f"dcms: {error}") from error
    if args.command == "migrate":
        asyncio.run(migrate(settings))
    elif args.command == "seed":
        asyncio.run(seed(settings, args.customers))
    elif args.command == "serve":
        if unknown := set(args.names) - set(SUBGRAPHS):
            parser.error(f"unknown subgraph(s): {', '.join(sorted(unknown))}")
        serve_subgraphs(settings, tuple(args.names) or SUBGRAPHS, args.port or settings.port)
    elif args.command == "up":
        up_all(settings, args.customers, demo=settings.dev_mode or args.demo, simulate=args.simulate)
    elif args.command == "replicas":
        replicas_up_command(settings, args)
    elif args.command == "token":
        print(asyncio.run(dev_token(settings, args.username, args.hours)))
    elif args.command == "schema":
        sys.exit(schema_command(args.action))
    elif args.command == "audit":
        sys.exit(asyncio.run(audit_verify(settings)))
    elif args.command == "keys":
        asyncio.run(rotate_keys(settings, args.resume, args.retire, args.batch_size))
    elif args.command == "backup":
        sys.exit(asyncio.run(backup_command(settings, args.out)))
    elif args.command == "mqtt-bridge":
        from subgraphs.mqtt_bridge import main as bridge_main
        from subgraphs.oplog import configure_logging

        configure_logging()
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(bridge_main(settings, args.replica))
    elif args.command == "simulate":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(simulate_devices(settings, args))


async def migrate(settings: Settings, quiet: bool = False) -> None:
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate as tortoise_migrate

    from subgraphs.database import create_schemas, tortoise_config

    await create_schemas(settings)
    with tqdm(total=len(SUBGRAPHS), desc="migrate", unit="subgraph", disable=quiet) as bar:
        for name in SUBGRAPHS:
            bar.set_postfix_str(name)
            await tortoise_migrate(config=tortoise_config(settings, (name,)))
            await Tortoise.close_connections()
            bar.update()
    from subgraphs.audit_storage import migrate_triggers

    await migrate_triggers(settings)  # raw SQL the Tortoise migrations cannot express
    from resolvers.operations.policies import install_defaults

    await Tortoise.init(config=tortoise_config(settings, ("operations",)))
    try:
        await install_defaults()  # the seeds' service policies, when absent (data an admin edits)
    finally:
        await Tortoise.close_connections()


async def audit_verify(settings: Settings) -> int:
    """Walk every subgraph's audit chain; exit code 1 on any break."""
    from tortoise import Tortoise

    from subgraphs.audit_storage import verify_open
    from subgraphs.database import tortoise_config

    await Tortoise.init(config=tortoise_config(settings))
    try:
        problems, chains = await verify_open(progress=True)
    finally:
        await Tortoise.close_connections()
    for trail in chains:
        print(f"{trail.subgraph:<11} {trail.records:>9} records in {len(trail.heads)} chain(s)")
        for head in trail.heads:
            print(f"  chain {head.chain:<3} {head.records:>9} records  head #{head.seq} {head.hash}")
    for problem in problems:
        print(f"BROKEN {problem}", file=sys.stderr)
    print(f"audit trail: {len(problems)} problem(s)" if problems else "audit trail: every chain intact")
    return 1 if problems else 0


async def backup_command(settings: Settings, out: Path | None) -> int:
    """`dcms backup`: 0 when the archive is written, 2 when it could not be (the reason on stderr)."""
    from subgraphs.backup import BackupError, backup_secret, create_backup, default_out

    try:
        result = await create_backup(settings, out or default_out(settings), backup_secret())
    except BackupError as error:
        print(f"dcms backup: {error}", file=sys.stderr)
        return 2
    subgraphs = result.manifest["subgraphs"].values()
    rows = sum(sum(s["tables"].values()) for s in subgraphs)
    keys = [part for part in result.manifest["parts"] if part.startswith("keys/")]
    if "keys/pii-keyring.json" not in keys:
        print(
            f"dcms backup: warning: no PII keyring at {settings.pii_keyring_path} in the archive: "
            "keep a copy of it elsewhere, the encrypted columns cannot be read without it",
            file=sys.stderr,
        )
    print(
        f"backup {result.path}: {result.size:,} bytes, {len(SUBGRAPHS)} subgraphs, {rows:,} rows, "
        f"{len(keys)} key file(s), {result.manifest['storage']}, encrypted (AES-256-GCM)"
    )
    return 0


def settings_as_found() -> Settings:
    """``Settings.from_env()`` without generating the dev-mode gateway secret when it is missing."""
    from dataclasses import replace

    from subgraphs.settings import dev_mode_from_env

    dev_mode, before = dev_mode_from_env(), os.environ.get("DCMS_DEV")
    os.environ["DCMS_DEV"] = "0"
    try:
        settings = Settings.from_env()
    finally:
        if before is None:
            del os.environ["DCMS_DEV"]
        else:
            os.environ["DCMS_DEV"] = before
    return replace(settings, dev_mode=dev_mode)


async def restore_command(settings: Settings, archive: Path, force: bool) -> int:
    """`dcms restore`: 0 restored and verified; 1 restored but the check failed; 2 refused."""
    from subgraphs.backup import BackupError, Refused, VerifyFailed, backup_secret, restore_backup

    try:
        result = await restore_backup(settings, archive, backup_secret(), force=force)
    except VerifyFailed as error:
        print(f"dcms restore: {error}", file=sys.stderr)
        return 1
    except (Refused, BackupError) as error:
        print(f"dcms restore: refused: {error}", file=sys.stderr)
        return 2
    print(
        f"restored {archive} (made {result.manifest['created_at']}): {result.tables} tables, "
        f"{result.rows:,} rows, {result.audit_records:,} audit records; every count equals the backup's "
        "and every audit chain verifies"
    )
    for key in result.keys:
        print(f"  key file put back: {key}")
    return 0


async def seed(settings: Settings, customers: int) -> dict[str, int]:
    from subgraphs.database import close_database, open_database
    from subgraphs.seed import seed as seed_data

    await open_database(settings)
    try:
        counts = await seed_data(settings, customers=customers)
    finally:
        await close_database()
    if counts:
        print("seeded: " + ", ".join(f"{kind} {count}" for kind, count in counts.items()))
    else:
        print("demo data already present, nothing seeded")
    return counts


async def dev_token(settings: Settings, username: str, hours: float) -> str:
    """Dev mode only: an access token for a seeded user without the password (the real way in is
    the ``login`` mutation). Refused outside dev mode."""
    from models.operations import User
    from resolvers.operations.identity import principal_for
    from security.keys import load_token_keys
    from security.tokens import issue_token
    from subgraphs.database import close_database, open_database

    if not settings.dev_mode:  # main() refuses first; kept for callers of this function
        raise SystemExit("dcms token works in dev mode only (DCMS_DEV=1); log in with the login mutation")
    keys = load_token_keys(settings)
    await open_database(settings)
    try:
        user = await User.get_or_none(username=username).prefetch_related("org")
        if user is None:
            raise SystemExit(f"no user {username!r}: run `dcms seed` first")
        if user.institution_id is None:  # users seeded before the column existed
            from models.finance import Institution

            institution = await Institution.get_or_none(org_id=user.org.id)
            user.institution_id = institution.id if institution else None
        principal = principal_for(user, user.org)
    finally:
        await close_database()
    return issue_token(principal, keys, ttl_seconds=int(hours * 3600))


async def rotate_keys(settings: Settings, resume: bool, retire: bool, batch_size: int) -> dict[str, int]:
    from subgraphs.database import close_database, open_database
    from subgraphs.keys import rotate_keys as rotate

    await open_database(settings)
    try:
        counts = await rotate(settings, resume=resume, retire=retire, batch_size=batch_size)
    finally:
        await close_database()
    print("keys rotate: " + ", ".join(f"{kind} {count}" for kind, count in counts.items()))
    return counts


async def simulate_devices(settings: Settings, args: argparse.Namespace) -> None:
    """``dcms simulate devices``: provision ``--count`` devices under the hall, then run them."""
    from realtime.tasks import cancel
    from subgraphs.simulator import Simulator, SimulatorOptions

    if not settings.mqtt_url:
        raise SystemExit("dcms simulate: no broker: set DCMS_MQTT_URL (e.g. mqtt://127.0.0.1:1883)")
    if args.halls and not settings.dev_mode:
        raise SystemExit("dcms simulate --halls re-keys the halls' units: dev mode only")
    devices = await provision_simulated(settings, args.hall, args.count, args.prefix) if args.count else []
    if args.halls:
        devices += await simulated_units(settings)
    if not devices:
        raise SystemExit("dcms simulate: nothing to simulate (--count 0 and no --halls)")
    options = SimulatorOptions(
        heartbeat=args.heartbeat,
        telemetry=args.telemetry,
        fault_rate=args.fault_rate,
        fail_share=args.fail_share,
        silent_share=args.silent_share,
    )
    simulator = Simulator(settings.mqtt_url, devices, options)
    print(f"simulating {len(devices)} devices ({devices[0].code}…) on {settings.mqtt_url}", flush=True)
    running = asyncio.create_task(simulator.run(args.duration))
    # Ends with what started it (`dcms up`, a shell): a parent killed outright cannot stop it.
    watcher = asyncio.create_task(_parent_exits(os.getppid()))
    try:
        await asyncio.wait({running, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        await cancel(running, watcher)
        print(f"simulator: sent {dict(simulator.sent)}, acks {dict(simulator.acks)}", flush=True)


async def _parent_exits(parent: int) -> None:
    """Returns once this process's parent is gone (it is reparented): no event tells it, so it looks."""
    while os.getppid() == parent:  # noqa: ASYNC110 (nothing to wait on but the parent's pid)
        await asyncio.sleep(1)


async def provision_simulated(settings: Settings, hall: str | None, count: int, prefix: str) -> list[Any]:
    """``count`` devices with fresh credentials under the hall of code ``hall`` (default the first)."""
    from models.operations import Org, OrgKind
    from resolvers.devices.envelope import load_private
    from resolvers.devices.registry import provision_devices
    from subgraphs.database import close_database, open_database
    from subgraphs.simulator import SimulatedDevice

    await open_database(settings, ("operations", "devices"))
    try:
        halls = Org.filter(kind=OrgKind.HALL)
        org = await (halls.filter(code=hall) if hall else halls.order_by("code")).first()
        if org is None:
            raise SystemExit(f"dcms simulate: no hall {hall or ''} (run `dcms seed` first)")
        rows = await provision_devices(org.id, count, prefix)
    finally:
        await close_database()
    return [
        SimulatedDevice(str(i.device.tenant_id), i.device.code, load_private(i.private_key)) for i in rows
    ]


async def simulated_units(settings: Settings) -> list[Any]:
    """Every hall's interaction unit (智能互动单元) with the devices behind it, re-keyed: the demo's
    own devices come alive (an offline one stays silent, a faulty one keeps reporting FAULT)."""
    from models.devices import DeviceStatus
    from resolvers.devices.envelope import load_private
    from resolvers.devices.registry import rekey_units
    from subgraphs.database import close_database, open_database
    from subgraphs.simulator import SimulatedChild, SimulatedDevice

    await open_database(settings, ("operations", "devices"))
    try:
        units = await rekey_units()
    finally:
        await close_database()
    return [
        SimulatedDevice(
            str(issued.device.tenant_id),
            issued.device.code,
            load_private(issued.private_key),
            children=[
                SimulatedChild(
                    child.code,
                    child.kind.value,
                    silent=child.status is DeviceStatus.OFFLINE,
                    faulty=child.status is DeviceStatus.FAULT,
                )
                for child in children
            ],
        )
        for issued, children in units
    ]


def replicas_up_command(settings: Settings, args: argparse.Namespace) -> None:
    """``dcms replicas up``: migrate (and seed when asked), then the recipe of subgraphs/replicas.py."""
    from security.keys import load_token_keys
    from subgraphs import replicas

    if not settings.shared_state:
        print(
            "dcms replicas up: replicas share state: set DATABASE_URL (PostgreSQL) and REDIS_URL",
            file=sys.stderr,
        )
        sys.exit(2)
    load_token_keys(settings)  # dev mode: the key pair exists before any replica or gateway reads it
    asyncio.run(migrate(settings))
    if args.customers and (settings.dev_mode or args.demo):
        asyncio.run(seed(settings, args.customers))
    options: dict[str, str | int] = {"stats_port": args.stats_port, "bind": args.bind}
    if args.subgraph_port:
        options["subgraph_port"] = args.subgraph_port
    layout = replicas.Layout.numbered(
        args.gateways, args.replicas, args.port, args.replica_base, args.gateway_base, **options
    )
    replicas.up(replicas.environment(), layout, settings.var_dir / "replicas", workers=args.workers)


def workers_problem(settings: Settings, workers: int | None) -> str | None:
    """Why ``workers`` (``--workers``, else ``DCMS_WORKERS``) cannot run here, or None.

    Several processes share sessions, revocations, events, rate limits and the jobs' locks only
    through PostgreSQL and Redis: the embedded default (SQLite, in-memory broker and session store)
    is one process's. An explicit count above 1 there is refused, not quietly lowered: whoever
    asked for it would otherwise believe both cores were in use."""
    count = workers if workers is not None else settings.worker_count
    if count < 1:
        return f"--workers must be at least 1 (got {count})"
    if count > 1 and not settings.shared_state:
        return (
            f"{count} worker processes need shared state: set DATABASE_URL (PostgreSQL) and "
            "REDIS_URL; the embedded default (SQLite, in-memory broker and sessions) runs one process "
            "(--workers 1 or DCMS_WORKERS unset)"
        )
    return None


def worker_app() -> Starlette:
    """The app of one ``dcms serve`` worker process: uvicorn imports it by name in each process
    it starts (``subgraphs.cli:worker_app``), which reads the settings from the environment it
    inherited (``DCMS_SERVE_SUBGRAPHS`` names the subgraphs)."""
    from subgraphs.app import build_app
    from subgraphs.oplog import configure_logging

    configure_logging()
    settings = Settings.from_env()
    return build_app(settings, settings.serve_subgraphs)


def serve_subgraphs(settings: Settings, names: tuple[str, ...], port: int) -> None:
    """Serve ``names`` on ``port`` in ``settings.worker_count`` processes.

    One worker: the app runs in this process. More: uvicorn's supervisor binds the port once and
    starts the workers, each accepting on the same socket (the kernel spreads the connections),
    restarts one that dies and stops them all on SIGINT/SIGTERM. Each worker builds its own app
    (``worker_app``): its own database pool (``DCMS_DB_POOL_MAX`` per subgraph and process), broker
    connection, admission bound (subgraphs/admission.py) and background jobs, which run in every
    worker as in every replica and coordinate through PostgreSQL advisory locks and idempotent
    writes (resolvers/common/jobs.py)."""
    import uvicorn

    from subgraphs.app import build_app
    from subgraphs.metrics import prepare_multiprocess_dir
    from subgraphs.oplog import configure_logging

    workers = settings.worker_count
    if problem := workers_problem(settings, workers):  # main() refuses first; kept for callers
        raise SystemExit(f"dcms serve: {problem}")
    configure_logging()  # one line per failed operation on stderr (subgraphs/oplog.py)
    processes = f"{workers} worker process{'es' if workers > 1 else ''}"
    paths = ", ".join(f"/{name}/graphql" for name in names)
    print(f"subgraphs on http://{settings.host}:{port} ({processes}): {paths}", flush=True)
    app: Any = "subgraphs.cli:worker_app"  # imported by each worker process
    if workers > 1:
        os.environ["DCMS_SERVE_SUBGRAPHS"] = ",".join(names)  # inherited by the workers
        # /metrics of any worker sums all of them: prometheus_client's files (subgraphs/metrics.py)
        metrics_dir = os.environ.setdefault(
            "PROMETHEUS_MULTIPROC_DIR", str(settings.var_dir / "metrics" / str(port))
        )
        prepare_multiprocess_dir(metrics_dir)
    else:
        app = build_app(settings, names)
    ping = settings.streams.ws_ping_seconds or None
    # After a graceful stop on SIGTERM uvicorn restores the handler it found and raises the signal
    # again: with the default one the process would die of it (status -15) after a clean drain.
    # Here it ends with status 0; a SIGTERM before uvicorn takes over stops the start the same way.
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(
        app,
        factory=workers > 1,
        workers=workers,
        host=settings.host,
        port=port,
        log_level="warning",
        # Keep idle connections longer than the gateway (Node) does, so it never reuses a socket
        # uvicorn is closing (a reset under load, seen as INTERNAL_SERVER_ERROR at the gateway).
        timeout_keep_alive=75,
        # Strawberry only answers a client's graphql-transport-ws pings; the line is kept alive
        # here, with WebSocket ping frames on idle connections (NAT timeouts), and a peer that
        # stops answering them is dropped (wsproto would send none).
        ws="websockets-sansio",
        ws_ping_interval=ping,
        ws_ping_timeout=ping,
        # The caller's address comes only from the gateway's signed x-dcms-client-ip: no
        # X-Forwarded-* rewriting of the peer (and no per-request work for it).
        proxy_headers=False,
        # SIGTERM (subgraphs/health.py): /readyz 503 for DCMS_SHUTDOWN_DELAY_SECONDS, then stop
        # accepting, let in-flight requests finish for up to this long (then cancel them) and close
        # WebSockets with 1012 (Service Restart), which clients and the gateway resume from.
        timeout_graceful_shutdown=math.ceil(settings.probes.shutdown_grace_seconds),
    )


def _stopped(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def up_all(settings: Settings, customers: int, demo: bool = True, simulate: int | None = None) -> None:
    """The embedded default: one process for the subgraphs, the gateway as a child.

    ``demo``: seed the demo data when the database is empty (always in dev mode; outside it only
    with ``--demo``). ``simulate``: that many simulated devices in the first hall, as a child
    process, once everything answers and when the MQTT broker is reachable."""
    import threading

    from security.keys import load_token_keys
    from subgraphs.gateway import start_gateway, wait_until_up
    from subgraphs.sdl import write_all
    from subgraphs.web import start_web

    load_token_keys(settings)  # dev mode: generates the token key pair before the gateway reads it
    asyncio.run(migrate(settings))
    if demo:
        asyncio.run(seed(settings, customers))
    # Composed for the URL the subgraphs really listen on (the checked-in one names port 4001).
    supergraph = write_all(settings.var_dir / "sdl", url_base=f"http://{settings.host}:{settings.port}")
    log_file = settings.log_dir / "gateway.log"
    gateway = start_gateway(
        settings.gateway_port, supergraph, settings.host, settings=settings, log_file=log_file
    )
    web = start_web(settings)
    simulator: list[subprocess.Popen[bytes]] = []

    def announce() -> None:
        wait_until_up(f"http://{settings.host}:{settings.port}/healthz")
        wait_until_up(f"{settings.gateway_origin}/healthcheck", gateway)
        print(banner(settings, demo=demo), flush=True)
        if simulate is not None and settings.mqtt_url and broker_reachable(settings.mqtt_url):
            command = [sys.executable, "-m", "subgraphs.cli", "simulate", "devices", "--count", str(simulate)]
            if demo and settings.dev_mode:
                command.append("--halls")  # the demo halls' own devices report too
            simulator.append(subprocess.Popen(command))
            print(
                f"  设备模拟器: the halls' devices and {simulate} more over {settings.mqtt_url}", flush=True
            )

    try:
        threading.Thread(target=announce, daemon=True).start()
        serve_subgraphs(settings, SUBGRAPHS, settings.port)
    finally:
        for child in (*simulator, web, gateway):
            if child is not None:
                child.terminate()
                child.wait(timeout=10)


def broker_reachable(url: str) -> bool:
    """Whether the MQTT broker at ``url`` accepts a TCP connection (no broker: no simulator)."""
    import socket

    from realtime.mqtt import BrokerAddress

    address = BrokerAddress.parse(url)
    try:
        with socket.create_connection((address.host, address.port), timeout=1):
            return True
    except OSError:
        return False


def banner(settings: Settings, demo: bool = True) -> str:
    """What ``dcms up`` prints once everything answers. Outside dev mode it names no GraphiQL,
    no dev token and no demo password: none of them work there."""
    storage = "PostgreSQL" if settings.database_url else f"SQLite under {settings.var_dir}"
    broker = "Redis" if settings.redis_url else "in-memory broker"
    lines = [
        "",
        "DCMS Graph is up" + ("" if settings.dev_mode else " (production mode, DCMS_DEV=0)"),
        f"  GraphQL API (gateway):  {settings.gateway_url}",
    ]
    if settings.dev_mode:
        lines.append(f"  GraphiQL:               {settings.gateway_url}  (open in a browser)")
    lines += [
        f"  WebSocket / SSE:        {settings.gateway_url.replace('http', 'ws', 1)}",
        f"  Subgraphs:              http://{settings.host}:{settings.port}/<name>/graphql"
        f"  ({settings.worker_count} worker process{'es' if settings.worker_count > 1 else ''})",
        f"  Storage:                {storage}; {broker}",
        f"  Logs:                   gateway {settings.log_dir / 'gateway.log'}; subgraphs on this terminal",
        *banner_lines(settings),
    ]
    if settings.dev_mode:
        lines += [
            '  Log in:                 mutation { login(username: "manager", password: "Dcms@2026demo")'
            " { accessToken } }",
            "  Dev token, no password: .venv/bin/dcms token --username manager"
            "   (or admin, grabber, regulator)",
            "  Then send the header:   Authorization: Bearer <token>",
        ]
    elif demo:
        lines.append(
            "  Demo users:             must change the demo password at first login:"
            " login(username, password, newPassword)"
        )
    lines += ["  Stop with Ctrl+C", ""]
    return "\n".join(lines)


def secrets_init(directory: Path) -> int:
    from subgraphs.provision import SecretsExist, environment, init_secrets

    try:
        written = init_secrets(directory)
    except (SecretsExist, OSError) as error:
        print(f"dcms secrets init: {error}; nothing written", file=sys.stderr)
        return 1
    print(f"wrote production secrets to {directory.resolve()} (directory 0700, files 0600):")
    for path in written:
        print(f"  {path.name}")
    print("set in the environment of every dcms process (the gateway gets them from dcms):")
    for variable in environment(directory):
        print(f"  export {variable}")
    print("back up pii-keyring.json: without it the encrypted PII cannot be read")
    return 0


def schema_command(action: str) -> int:
    from subgraphs.sdl import SDL_DIR, stale_files, write_all

    if action == "export":
        print(f"wrote {write_all(SDL_DIR)}")
        return 0
    stale = stale_files()
    if stale:
        print(
            f"schema/sdl is stale ({', '.join(stale)}): run `dcms schema export` and commit", file=sys.stderr
        )
        return 1
    print("schema/sdl is up to date")
    return 0


if __name__ == "__main__":
    main()
