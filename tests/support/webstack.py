"""The browser tests' stack: `dcms up` in dev mode with the demo data (the pages log in as the
README's demo users), on PostgreSQL + Redis or the embedded default, on free ports, serving the
built pages (`clients/web/dist`) on an origin the gateway allows.

Also a command, to work on the pages and their tests against a stack of one's own:

    .venv/bin/python -m tests.support.webstack          # prints the URLs, Ctrl+C stops it
    DCMS_WEB_DIST=clients/web/dist-mine .venv/bin/python -m tests.support.webstack --no-build
    cd clients/web && DCMS_WEB_URL=… DCMS_GATEWAY_URL=… npx playwright test e2e/grab.spec.ts
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from subgraphs.gateway import wait_until_up
from subgraphs.settings import WEB_DIR
from tests.support import services
from tests.support.stack import free_port

# Customers of the demo data: enough for every demo manager's first page of 20.
DEMO_CUSTOMERS = 400


@dataclass(frozen=True)
class WebStack:
    web_url: str  # http://127.0.0.1:<port> — the pages at /h5.html, /grab.html, …
    gateway_url: str  # http://127.0.0.1:<port>/graphql

    def env(self) -> dict[str, str]:
        """The environment of `npx playwright test` against this stack."""
        return {**os.environ, "DCMS_WEB_URL": self.web_url, "DCMS_GATEWAY_URL": self.gateway_url}


def build_pages() -> str:
    """npm ci when needed, then codegen, type check, build and the bundle budget (`npm run
    build`): the budget's table of each page's initial JavaScript."""
    if not (WEB_DIR / "node_modules" / ".bin" / "vite").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEB_DIR, check=True)
    build = subprocess.run(["npm", "run", "build", "--silent"], cwd=WEB_DIR, capture_output=True, text=True)
    if build.returncode:
        raise RuntimeError(f"npm run build failed:\n{build.stdout[-10000:]}\n{build.stderr[-5000:]}")
    return build.stdout[build.stdout.find("initial JavaScript") :]


@contextlib.contextmanager
def web_stack(var_dir: Path, storage: str = services.STORAGE) -> Iterator[WebStack]:
    services.require_node()
    ports = {name: free_port() for name in ("DCMS_PORT", "DCMS_GATEWAY_PORT", "DCMS_WEB_PORT")}
    web_url = f"http://127.0.0.1:{ports['DCMS_WEB_PORT']}"
    with contextlib.ExitStack() as cleanup:
        env = {
            **os.environ,
            **{name: str(port) for name, port in ports.items()},
            "DCMS_DEV": "1",
            "DCMS_HOST": "127.0.0.1",
            "DCMS_VAR_DIR": str(var_dir),
            "DCMS_KEYS_DIR": str(var_dir / "keys"),
            "DCMS_CORS_ORIGINS": web_url,
            "DCMS_WORKERS": "1",
        }
        for name in ("DATABASE_URL", "REDIS_URL", "DCMS_GATEWAY_HMAC_SECRET"):
            env.pop(name, None)
        if storage == "real":
            env["REDIS_URL"] = services.separate_redis()  # never the session stack's database
            env["DATABASE_URL"] = cleanup.enter_context(services.scratch_database("dcms_web"))
        log = cleanup.enter_context(open(var_dir / "up.log", "wb"))
        up = subprocess.Popen(
            # the demo halls' devices over MQTT (Mosquitto): the wall shows them live
            [
                sys.executable,
                "-m",
                "subgraphs.cli",
                "up",
                "--customers",
                str(DEMO_CUSTOMERS),
                "--simulate",
                "0",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        cleanup.callback(services.stop, up)
        gateway = f"http://127.0.0.1:{ports['DCMS_GATEWAY_PORT']}"
        try:
            wait_until_up(f"{gateway}/healthcheck", up, timeout=300)
            wait_until_up(f"{web_url}/index.html", up)
        except (RuntimeError, TimeoutError):
            sys.stderr.write((var_dir / "up.log").read_text(errors="replace")[-5000:])
            raise
        yield WebStack(web_url, f"{gateway}/graphql")


def main() -> None:
    if "--no-build" not in sys.argv:
        build_pages()
    var_dir = Path(tempfile.mkdtemp(prefix="dcms-web-"))
    with web_stack(var_dir) as stack:
        print(f"DCMS_WEB_URL={stack.web_url} DCMS_GATEWAY_URL={stack.gateway_url}", flush=True)
        print(f"logs: {var_dir}/up.log, {var_dir}/log/gateway.log; Ctrl+C stops", flush=True)
        # SIGTERM too ends the `with` (stopping `dcms up` and its children), not just Ctrl+C.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
