"""Several replicas on one machine without containers (``dcms replicas up``, docs/deploy.md).

N ``dcms serve`` processes (each serving all five subgraphs on a port of its own), M Hive
Gateways, and HAProxy in front of both: clients reach the gateways round robin on ``port``; the
gateways reach the replicas round robin on ``subgraph_port`` (the supergraph names HAProxy, so
any gateway reaches any replica). Events fan out through Redis and jobs run once through
PostgreSQL advisory locks, so the replicas need ``DATABASE_URL`` and ``REDIS_URL``.

``ReplicaSet`` is the launcher the command and the e2e test (tests/e2e/test_replicas.py) share:
it starts, kills and stops each piece; the command adds migrate / seed before and restarts a
replica or gateway that dies.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from subgraphs.gateway import die_with_parent, start_gateway, wait_until_up
from subgraphs.sdl import ROOT, compose, subgraph_sdl
from subgraphs.settings import SUBGRAPHS

HAPROXY_TEMPLATE = ROOT / "deploy" / "replicas" / "haproxy.cfg"


@dataclass(frozen=True)
class Layout:
    """Where each piece listens. ``Layout.numbered`` gives the ports of the docs' recipe."""

    replica_ports: tuple[int, ...]
    gateway_ports: tuple[int, ...]
    port: int = 8080  # HAProxy: clients → gateways
    subgraph_port: int = 8081  # HAProxy: gateways → replicas
    stats_port: int = 8404  # HAProxy's status page
    host: str = "127.0.0.1"  # where the replicas and gateways listen (and HAProxy reaches them)
    bind: str = "127.0.0.1"  # where HAProxy listens (0.0.0.0: every interface)

    @classmethod
    def numbered(
        cls,
        gateways: int,
        replicas: int,
        port: int = 8080,
        replica_base: int = 4101,
        gateway_base: int = 4201,
        **options: str | int,
    ) -> Layout:
        """Replicas on ``replica_base``, +1, …; gateways on ``gateway_base``, +1, …; HAProxy's
        subgraph frontend on ``port + 1`` unless named."""
        if gateways < 1 or replicas < 1:
            raise ValueError("at least one gateway and one replica")
        return cls(
            replica_ports=tuple(range(replica_base, replica_base + replicas)),
            gateway_ports=tuple(range(gateway_base, gateway_base + gateways)),
            port=port,
            subgraph_port=int(options.pop("subgraph_port", port + 1)),
            **options,  # type: ignore[arg-type]
        )

    @property
    def subgraphs_url(self) -> str:
        """What every supergraph names: the subgraphs behind HAProxy."""
        return f"http://{self.host}:{self.subgraph_port}"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.port}/graphql"

    def replica_url(self, index: int) -> str:
        return f"http://{self.host}:{self.replica_ports[index]}"

    def gateway_direct_url(self, index: int) -> str:
        return f"http://{self.host}:{self.gateway_ports[index]}/graphql"


def render_haproxy(
    layout: Layout,
    template: Path = HAPROXY_TEMPLATE,
    gateways: Sequence[str] | None = None,
    replicas: Sequence[str] | None = None,
) -> str:
    """deploy/replicas/haproxy.cfg with ``layout``'s ports and one server line per process: at
    ``layout.host`` on its port, or at the ``host:port`` addresses given (deploy/compose/)."""

    def servers(prefix: str, addresses: Sequence[str]) -> str:
        return "\n".join(
            f"    server {prefix}{index + 1} {address} check" for index, address in enumerate(addresses)
        )

    return Template(template.read_text()).substitute(
        bind=layout.bind,
        port=layout.port,
        subgraph_port=layout.subgraph_port,
        stats_port=layout.stats_port,
        gateway_servers=servers("gateway", gateways or [f"{layout.host}:{p}" for p in layout.gateway_ports]),
        subgraph_servers=servers("replica", replicas or [f"{layout.host}:{p}" for p in layout.replica_ports]),
    )


def compose_haproxy() -> str:
    """deploy/compose/haproxy.cfg: the template for deploy/compose.yaml's service names."""
    layout = Layout(replica_ports=(4001, 4001), gateway_ports=(4000, 4000), bind="0.0.0.0")
    rendered = render_haproxy(
        layout,
        gateways=["gateway-1:4000", "gateway-2:4000"],
        replicas=["subgraphs-1:4001", "subgraphs-2:4001"],
    )
    # Containers come and go with new addresses: names are resolved through Docker's DNS at run
    # time, and a name not resolvable yet leaves its server down instead of failing the start.
    docker_dns = "resolvers docker\n    nameserver dns 127.0.0.11:53\n    hold valid 5s\n\ndefaults\n"
    rendered = rendered.replace("defaults\n", docker_dns, 1)
    return rendered.replace(
        "on-marked-down shutdown-sessions",
        "on-marked-down shutdown-sessions resolvers docker init-addr last,libc,none",
        1,
    )


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if Path(p).exists()), None
    )
    if found is None:
        raise SystemExit("haproxy not found: apt-get install haproxy (Debian's 2.6 or later)")
    return found


def compose_supergraph(workdir: Path, url_base: str, name: str = "supergraph") -> Path:
    """The supergraph with every subgraph at ``url_base`` (HAProxy, or one replica)."""
    sdl_dir = workdir / "sdl"
    sdl_dir.mkdir(parents=True, exist_ok=True)
    for subgraph in SUBGRAPHS:
        path = sdl_dir / f"{subgraph}.graphql"
        if not path.exists():
            path.write_text(subgraph_sdl(subgraph))
    out = workdir / f"{name}.graphql"
    compose(sdl_dir, url_base, out)
    return out


@dataclass
class ReplicaSet:
    """The processes of one recipe. ``env`` is every child's base environment (it must name
    ``DATABASE_URL`` and ``REDIS_URL``); ``workdir`` receives the supergraph, the rendered
    HAProxy configuration and each process's log (``log/replica-1.log``, …)."""

    layout: Layout
    env: Mapping[str, str]
    workdir: Path
    workers: int = 1  # worker processes per replica (DCMS_WORKERS)
    replicas: list[subprocess.Popen[bytes] | None] = field(default_factory=list)
    gateways: list[subprocess.Popen[bytes] | None] = field(default_factory=list)
    haproxy: subprocess.Popen[bytes] | None = None
    supergraph: Path | None = None

    def __post_init__(self) -> None:
        missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not self.env.get(name)]
        if missing:
            raise SystemExit(
                f"replicas share state through PostgreSQL and Redis: set {' and '.join(missing)}"
            )
        self.replicas = [None] * len(self.layout.replica_ports)
        self.gateways = [None] * len(self.layout.gateway_ports)

    @property
    def log_dir(self) -> Path:
        return self.workdir / "log"

    def _log(self, name: str) -> Path:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return self.log_dir / f"{name}.log"

    def replica_env(self, index: int) -> dict[str, str]:
        env = {
            **self.env,
            "DCMS_WORKERS": str(self.workers),
            "DCMS_HOST": self.layout.host,  # behind HAProxy only: clients come through it
            "DCMS_PORT": str(self.layout.replica_ports[index]),
        }
        # Each replica's MQTT bridge keeps a persistent session of its own: on one host the
        # default client id (<group>-<host name>) would be the same for all of them.
        if not self.env.get("DCMS_MQTT_CLIENT_ID"):
            env["DCMS_MQTT_CLIENT_ID"] = f"dcms-replica-{index + 1}-{self.layout.replica_ports[index]}"
        return env

    def start_replica(self, index: int, wait: bool = True) -> subprocess.Popen[bytes]:
        port = self.layout.replica_ports[index]
        with open(self._log(f"replica-{index + 1}"), "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "subgraphs.cli", "serve", "--port", str(port)],
                env=self.replica_env(index),
                stdout=log,
                stderr=log,
                preexec_fn=die_with_parent,
            )
        self.replicas[index] = process
        if wait:
            wait_until_up(f"{self.layout.replica_url(index)}/healthz", process, timeout=90)
        return process

    def start_gateway(
        self, index: int, supergraph: Path | None = None, wait: bool = True
    ) -> subprocess.Popen[bytes]:
        supergraph = supergraph or self.supergraph
        assert supergraph is not None, "compose the supergraph first (start)"
        port = self.layout.gateway_ports[index]
        # HAProxy reaches the gateways from layout.host: the caller's address (lockout, anonymous
        # rate limit) is then the one HAProxy puts last in X-Forwarded-For (gateway/client_address.ts).
        env = {**self.env, "DCMS_TRUSTED_PROXIES": self.env.get("DCMS_TRUSTED_PROXIES") or self.layout.host}
        process = start_gateway(
            port, supergraph, self.layout.host, env=env, log_file=self._log(f"gateway-{index + 1}")
        )
        self.gateways[index] = process
        if wait:
            wait_until_up(f"http://{self.layout.host}:{port}/healthcheck", process, timeout=90)
        return process

    def start_haproxy(self) -> subprocess.Popen[bytes]:
        config = self.workdir / "haproxy.cfg"
        config.write_text(render_haproxy(self.layout))
        binary = haproxy_binary()
        subprocess.run([binary, "-c", "-q", "-f", str(config)], check=True)  # refuse a bad one early
        with open(self._log("haproxy"), "ab") as log:
            self.haproxy = subprocess.Popen(
                [binary, "-db", "-f", str(config)], stdout=log, stderr=log, preexec_fn=die_with_parent
            )
        return self.haproxy

    def start(self) -> None:
        """Replicas, the supergraph naming HAProxy, gateways, HAProxy: until HAProxy answers
        through a gateway. Pieces of one kind start together, then are waited for."""
        self.start_replicas()
        self.start_gateways()
        self.start_front()

    def start_replicas(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for index in range(len(self.replicas)):
            self.start_replica(index, wait=False)
        self.supergraph = compose_supergraph(self.workdir, self.layout.subgraphs_url)
        for index, process in enumerate(self.replicas):
            wait_until_up(f"{self.layout.replica_url(index)}/healthz", process, timeout=90)

    def start_gateways(self) -> None:
        for index in range(len(self.gateways)):
            self.start_gateway(index, wait=False)
        for index, process in enumerate(self.gateways):
            port = self.layout.gateway_ports[index]
            wait_until_up(f"http://{self.layout.host}:{port}/healthcheck", process, timeout=90)

    def start_front(self) -> None:
        """HAProxy, until it answers through a gateway."""
        self.start_haproxy()
        wait_until_up(f"http://{self.layout.host}:{self.layout.port}/healthcheck", self.haproxy, timeout=30)

    def kill_replica(self, index: int) -> None:
        """``kill -9``: no shutdown, in-flight requests cut (the fault the e2e test makes)."""
        process = self.replicas[index]
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(10)

    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [p for p in (self.haproxy, *self.gateways, *self.replicas) if p is not None]

    def stop(self) -> None:
        """HAProxy first (no new traffic), then the gateways, then the replicas: SIGTERM, then
        SIGKILL after 10 s."""
        for process in self.processes():
            if process.poll() is None:
                process.terminate()
        for process in self.processes():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def supervise(self, interval: float = 1.0) -> None:
        """Until interrupted: restart a replica or gateway that exited (HAProxy sends it traffic
        again once its health check passes); HAProxy exiting ends the run."""
        while True:
            time.sleep(interval)
            if self.haproxy is not None and self.haproxy.poll() is not None:
                raise SystemExit(f"haproxy exited with {self.haproxy.returncode}: see {self._log('haproxy')}")
            for index, process in enumerate(self.replicas):
                if process is not None and process.poll() is not None:
                    print(f"replica {index + 1} exited with {process.returncode}; restarting", flush=True)
                    self.start_replica(index, wait=False)
            for index, process in enumerate(self.gateways):
                if process is not None and process.poll() is not None:
                    print(f"gateway {index + 1} exited with {process.returncode}; restarting", flush=True)
                    self.start_gateway(index, wait=False)


def banner(layout: Layout, workdir: Path) -> str:
    lines = [
        f"DCMS Graph: {len(layout.gateway_ports)} gateways, "
        f"{len(layout.replica_ports)} replicas behind HAProxy",
        f"  GraphQL API (HAProxy → gateways):  {layout.gateway_url}",
        f"  WebSocket / SSE:                   ws://{layout.host}:{layout.port}/graphql",
        f"  Subgraphs (HAProxy → replicas):    {layout.subgraphs_url}/<name>/graphql",
        f"  HAProxy status:                    http://{layout.host}:{layout.stats_port}/",
        "  Replicas:  " + ", ".join(layout.replica_url(i) for i in range(len(layout.replica_ports))),
        "  Gateways:  " + ", ".join(layout.gateway_direct_url(i) for i in range(len(layout.gateway_ports))),
        f"  Logs:      {workdir / 'log'}/",
        "Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


def up(env: Mapping[str, str], layout: Layout, workdir: Path, workers: int = 1) -> None:
    """``dcms replicas up`` once migrated: start, print the addresses, supervise, stop on Ctrl-C
    or SIGTERM."""
    replica_set = ReplicaSet(layout, env, workdir, workers=workers)
    for signum in (signal.SIGTERM, signal.SIGINT):  # SIGINT too: a shell's `&` may have ignored it
        signal.signal(signum, _interrupt)
    try:
        replica_set.start()
        print(banner(layout, workdir), flush=True)
        replica_set.supervise()
    except KeyboardInterrupt:
        pass
    finally:
        replica_set.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment plus the secrets every gateway needs (from the settings), for
    the children."""
    from subgraphs.gateway import gateway_env
    from subgraphs.settings import Settings

    env = dict(os.environ if base is None else base)
    env.update(gateway_env(Settings.from_env()))
    return env
