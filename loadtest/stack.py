"""Run a load test against a stack of its own: ``python -m loadtest.stack [run.py options]``.

Starts ``dcms up`` (migrate, seed, all subgraphs, the gateway) on spare ports with its own
``var/loadtest`` data, waits for the gateway, gets a token for the seeded ``manager``,
runs ``loadtest.run`` against it, and stops the stack. ``DATABASE_URL`` / ``REDIS_URL``
from the environment are honoured, so the same command measures the PostgreSQL setup.
"""

from __future__ import annotations

import os
import subprocess
import sys

from loadtest import run
from subgraphs.gateway import wait_until_up

SUBGRAPH_PORT = os.environ.get("DCMS_LOADTEST_PORT", "4101")
GATEWAY_PORT = os.environ.get("DCMS_LOADTEST_GATEWAY_PORT", "4100")


def main(argv: list[str]) -> int:
    env = {
        **os.environ,
        "DCMS_VAR_DIR": os.environ.get("DCMS_LOADTEST_VAR_DIR", "var/loadtest"),
        "DCMS_PORT": SUBGRAPH_PORT,
        "DCMS_GATEWAY_PORT": GATEWAY_PORT,
        # One token drives every locust user: the per-user rate limit would measure itself.
        "DCMS_RATE_LIMIT": os.environ.get("DCMS_RATE_LIMIT", "0"),
    }
    dcms = [sys.executable, "-m", "subgraphs.cli"]
    stack = subprocess.Popen([*dcms, "up", "--customers", "2000"], env=env)
    try:
        gateway = f"http://127.0.0.1:{GATEWAY_PORT}"
        wait_until_up(f"{gateway}/healthcheck", stack, timeout=180)
        token = subprocess.run(
            [*dcms, "token", "--username", "manager"], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()
        return run.main(["--host", gateway, "--token", token, *argv])
    finally:
        stack.terminate()
        stack.wait(timeout=20)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
