"""Start Hive Gateway as a child process and wait until it answers."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from subgraphs.sdl import GATEWAY_DIR
from subgraphs.settings import Settings, numbers_as_env

HIVE_GATEWAY = GATEWAY_DIR / "node_modules" / ".bin" / "hive-gateway"


def ensure_installed() -> None:
    if not HIVE_GATEWAY.exists():
        if shutil.which("npm") is None:
            raise SystemExit("npm not found: install Node 20+ to run the gateway")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=GATEWAY_DIR, check=True)


def start_gateway(
    port: int,
    supergraph: Path,
    host: str = "127.0.0.1",
    quiet: bool = False,
    settings: Settings | None = None,
    env: dict[str, str] | None = None,
    log_file: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Run the real binary (not ``npx``, which orphans it) with gateway.config.ts.

    With ``settings``, the gateway gets the same security settings as the subgraphs: the HMAC
    secret it signs upstream requests with, dev mode, CORS origins and the query limits.
    ``env`` replaces this process's environment as the base. ``log_file``: its stdout and
    stderr are appended there (``quiet`` discards them, neither shows them here)."""
    ensure_installed()
    env = {
        **(os.environ if env is None else env),
        **(gateway_env(settings) if settings is not None else {}),
        "DCMS_SUPERGRAPH": str(supergraph),
        "DCMS_GATEWAY_PORT": str(port),
        "DCMS_GATEWAY_HOST": host,
    }
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        output: Any = open(log_file, "ab")  # the child keeps its own copy; ours is closed below
    else:
        output = subprocess.DEVNULL if quiet else None
    try:
        return subprocess.Popen(
            [str(HIVE_GATEWAY), "supergraph"],
            cwd=GATEWAY_DIR,
            env=env,
            stdout=output,
            stderr=output,
            preexec_fn=die_with_parent,
        )
    finally:
        if log_file is not None:
            output.close()


def gateway_env(settings: Settings) -> dict[str, str]:
    tls = {
        "DCMS_GATEWAY_TLS_CERT_FILE": str(settings.gateway_tls_cert_file),
        "DCMS_GATEWAY_TLS_KEY_FILE": str(settings.gateway_tls_key_file),
    }
    return {
        **(tls if settings.gateway_tls_cert_file and settings.gateway_tls_key_file else {}),
        "DCMS_GATEWAY_HMAC_SECRET": settings.hmac_secret,
        "DCMS_DEV": "1" if settings.dev_mode else "0",
        "DCMS_CORS_ORIGINS": ",".join(settings.cors_origins),
        "DCMS_TOKEN_PUBLIC_KEY_FILE": str(settings.token_public_key_path),
        **numbers_as_env(settings.limits),
        **numbers_as_env(settings.streams),
    }


def die_with_parent() -> None:
    """In the child: get SIGTERM when the parent dies, however it dies (uvicorn re-raises
    SIGTERM after its shutdown, so a ``finally`` in the parent is not enough)."""
    if sys.platform == "linux":
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def wait_until_up(url: str, process: subprocess.Popen[bytes] | None = None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    # An https health check of our own child (the gateway with DCMS_GATEWAY_TLS_*): is it up, not
    # is its certificate valid for this address (a CA-signed one names the public host, not 127.0.0.1).
    # Nothing is sent but the GET.
    verify: ssl.SSLContext | bool = True
    if url.startswith("https://"):
        verify = ssl.create_default_context()
        verify.check_hostname = False
        verify.verify_mode = ssl.CERT_NONE
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2.0, verify=verify).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not come up within {timeout:.0f}s")
