"""Production mode (DCMS_DEV=0) is safe by default (issue 11, item 7).

Every start command checks the production secrets first and stops in one line without them;
``dcms secrets init`` writes them (0600, never overwriting); demo data comes only with ``--demo``
and then every demo user must change the published password at first login; the banner names
no GraphiQL and no dev token. The CLI runs as a subprocess, on a database of its own."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clients.python.dcms_client import data, error_codes, gql
from subgraphs.cli import banner
from subgraphs.seed import DEMO_PASSWORD
from testkit.factories import offline_settings
from tests.support import services
from tests.support.place import Place
from tests.support.stack import free_port

SECRET_FILES = ("token-es256.pem", "token-es256.pub.pem", "gateway-hmac-secret", "pii-keyring.json")
LOGIN = """mutation($u: String!, $p: String!, $n: String) {
  login(username: $u, password: $p, newPassword: $n) { accessToken user { username } }
}"""


@pytest.mark.integration
@pytest.mark.parametrize("command", [["migrate"], ["seed", "--demo"], ["serve"], ["up"]])
def test_a_missing_secret_stops_every_start_in_one_line(place: Place, command: list[str]) -> None:
    started = time.monotonic()
    result = place.dcms(*command)
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    line = lines[0]
    for what in ("token signing key", "token public key", "gateway HMAC secret", "PII keyring"):
        assert what in line, line
    assert f"dcms secrets init --dir {place.keys_dir}" in line and "DCMS_KEYS_DIR" in line
    assert result.stdout == ""
    assert place.tables() == set()  # nothing migrated, nothing seeded
    assert not (place.var_dir / "log").exists()  # no gateway started
    assert time.monotonic() - started < 30


@pytest.mark.integration
def test_secrets_init_writes_0600_files_and_never_overwrites(place: Place) -> None:
    keys = place.var_dir / "secrets"
    first = place.dcms("secrets", "init", "--dir", str(keys))
    assert first.returncode == 0, first.stderr
    assert keys.stat().st_mode & 0o777 == 0o700
    for name in SECRET_FILES:
        assert (keys / name).stat().st_mode & 0o777 == 0o600, name
    assert f"export DCMS_KEYS_DIR={keys}" in first.stdout and "export DCMS_DEV=0" in first.stdout
    before = {name: (keys / name).read_bytes() for name in SECRET_FILES}

    again = place.dcms("secrets", "init", "--dir", str(keys))
    assert again.returncode != 0 and "already exist" in again.stderr and "Traceback" not in again.stderr
    assert {name: (keys / name).read_bytes() for name in SECRET_FILES} == before
    (keys / "token-es256.pem").unlink()  # one missing is no licence to replace the others
    assert place.dcms("secrets", "init", "--dir", str(keys)).returncode != 0
    assert (keys / "pii-keyring.json").read_bytes() == before["pii-keyring.json"]
    assert not (keys / "token-es256.pem").exists()

    # The variables it printed are all a production start needs.
    assert place.dcms("migrate", DCMS_KEYS_DIR=str(keys)).returncode == 2  # the signing key is gone
    fresh = place.var_dir / "fresh"
    assert place.dcms("secrets", "init", "--dir", str(fresh)).returncode == 0
    migrated = place.dcms("migrate", DCMS_KEYS_DIR=str(fresh))
    assert migrated.returncode == 0, migrated.stderr
    assert "app_user" in place.tables()


def test_secrets_init_in_dev_mode_and_into_a_directory_in_use(place: Place) -> None:
    """Reading dev settings makes a dev secret in the keys directory: `secrets init` must not, or it
    would refuse its own file. A directory other users can read that holds other files is refused."""
    keys = place.var_dir / "default-keys"
    made = place.dcms("secrets", "init", DCMS_DEV="1", DCMS_KEYS_DIR=str(keys))
    assert made.returncode == 0, made.stderr
    assert sorted(path.name for path in keys.iterdir()) == sorted(SECRET_FILES)
    shared = place.var_dir / "shared"
    shared.mkdir(mode=0o755, parents=True)
    shared.chmod(0o755)
    (shared / "something-else").write_text("x")
    refused = place.dcms("secrets", "init", "--dir", str(shared))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    assert shared.stat().st_mode & 0o777 == 0o755 and sorted(p.name for p in shared.iterdir()) == [
        "something-else"
    ]


@pytest.mark.unit
def test_the_production_banner_names_no_graphiql_dev_token_or_demo_password(tmp_path: Path) -> None:
    dev = banner(offline_settings(tmp_path, dev_mode=True))
    assert "GraphiQL" in dev and "dcms token" in dev and DEMO_PASSWORD in dev  # dev mode: all there
    for demo in (False, True):
        production = banner(offline_settings(tmp_path, dev_mode=False), demo=demo)
        assert "GraphiQL" not in production and "dcms token" not in production
        assert DEMO_PASSWORD not in production and "gateway.log" in production
        assert ("newPassword" in production) is demo


@pytest.mark.e2e
def test_production_up_seeds_demo_data_only_on_request_and_demo_passwords_must_change(place: Place) -> None:
    services.require_node()
    assert place.dcms("secrets", "init", "--dir", str(place.keys_dir / "prod")).returncode == 0
    keys = str(place.keys_dir / "prod")
    assert place.dcms("migrate", DCMS_KEYS_DIR=keys).returncode == 0
    refused = place.dcms("seed", "--customers", "20", DCMS_KEYS_DIR=keys)
    assert refused.returncode == 2 and "--demo" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert place.users() == 0  # no demo account with the published password

    port, gateway_port = free_port(), free_port()
    out = place.var_dir.parent / "up.out"
    env = place.env(DCMS_KEYS_DIR=keys, DCMS_PORT=str(port), DCMS_GATEWAY_PORT=str(gateway_port))
    command = [sys.executable, "-m", "subgraphs.cli", "up", "--demo", "--customers", "20"]
    with open(out, "wb") as sink:
        up = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        _wait_for_text(out, "DCMS Graph is up", up)
        assert place.users() > 0 and place.must_change() == {True}
        shown = out.read_text()
        assert "GraphiQL" not in shown and "dcms token" not in shown and DEMO_PASSWORD not in shown
        log = place.var_dir / "log" / "gateway.log"
        assert str(log) in shown and log.exists()

        url = f"http://127.0.0.1:{gateway_port}/graphql"
        first = asyncio.run(gql(url, LOGIN, {"u": "manager", "p": DEMO_PASSWORD}))
        assert error_codes(first) == ["PASSWORD_CHANGE_REQUIRED"] and first["data"] is None
        weak = asyncio.run(gql(url, LOGIN, {"u": "manager", "p": DEMO_PASSWORD, "n": "short"}))
        assert error_codes(weak) == ["BAD_USER_INPUT"]
        same = asyncio.run(gql(url, LOGIN, {"u": "manager", "p": DEMO_PASSWORD, "n": DEMO_PASSWORD}))
        assert error_codes(same) == ["BAD_USER_INPUT"]
        wrong = asyncio.run(gql(url, LOGIN, {"u": "manager", "p": "Wrong@pass123", "n": "Mine@2026pass"}))
        assert error_codes(wrong) == ["UNAUTHENTICATED"]  # a new password needs the current one
        changed = asyncio.run(gql(url, LOGIN, {"u": "manager", "p": DEMO_PASSWORD, "n": "Mine@2026pass"}))
        assert data(changed)["login"]["user"]["username"] == "manager"
        old = asyncio.run(gql(url, LOGIN, {"u": "manager", "p": DEMO_PASSWORD}))
        assert error_codes(old) == ["UNAUTHENTICATED"]  # the published password is gone
        assert data(asyncio.run(gql(url, LOGIN, {"u": "manager", "p": "Mine@2026pass"})))["login"][
            "accessToken"
        ]
        # Another demo user is still held until it changes its own.
        other = asyncio.run(gql(url, LOGIN, {"u": "admin", "p": DEMO_PASSWORD}))
        assert error_codes(other) == ["PASSWORD_CHANGE_REQUIRED"]
    finally:
        services.stop(up)


def _wait_for_text(path: Path, text: str, process: subprocess.Popen[bytes], seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while text not in (path.read_text(errors="replace") if path.exists() else ""):
        if process.poll() is not None:
            raise AssertionError(f"dcms up exited with {process.returncode}: {path.read_text()[-3000:]}")
        assert time.monotonic() < deadline, f"no {text!r} within {seconds} s: {path.read_text()[-3000:]}"
        time.sleep(0.2)
