"""Secrets hygiene (issue 18, item 8): every secret comes from the environment or a file
(``<NAME>_FILE``), and none reaches a log. A production stack of its own (``dcms serve`` and the real
gateway) started with known secret values — the gateway HMAC secret and the database password
from ``*_FILE`` files, the token signing key and the PII keyring from ``dcms secrets init`` — takes
some requests (a wrong password, a forged token, no token, malformed bodies, an unsigned call to a
subgraph), and then no secret, password or token is in anything either process wrote.
``repr(settings)`` masks them too."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from subgraphs.gateway import start_gateway, wait_until_up
from subgraphs.sdl import write_all
from subgraphs.settings import Settings, mask_url
from tests.support import services
from tests.support.place import Place
from tests.support.stack import free_port

HMAC_SECRET = "hmac-known-" + uuid.uuid4().hex
DB_PASSWORD = "dbpw-known-" + uuid.uuid4().hex  # PostgreSQL trusts the test client: any password passes


@dataclass(frozen=True)
class SecretStack:
    gateway_url: str
    subgraphs_url: str
    logs: tuple[Path, ...]  # what `dcms migrate` printed, the subgraphs' stdout + stderr, the gateway's
    secrets: dict[str, str]  # what must never be written: name → value
    processes: tuple[subprocess.Popen[bytes], ...]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.fixture
def secret_stack(place: Place, tmp_path: Path) -> Iterator[SecretStack]:
    services.require_node()
    keys = place.keys_dir / "prod"
    assert place.dcms("secrets", "init", "--dir", str(keys)).returncode == 0
    # The HMAC secret from a file of its own (the keys dir's copy goes: the file must be what is read).
    (keys / "gateway-hmac-secret").unlink()
    hmac_file = tmp_path / "hmac-secret"
    hmac_file.write_text(HMAC_SECRET + "\n")
    secrets = {"HMAC secret": HMAC_SECRET}
    # The token signing key (each base64 line of its PEM) and every PII key in the keyring.
    for n, line in enumerate((keys / "token-es256.pem").read_text().splitlines()):
        if line and not line.startswith("-----"):
            secrets[f"token key line {n}"] = line
    keyring = json.loads((keys / "pii-keyring.json").read_text())
    for n, text in enumerate(_strings(keyring)):
        if len(text) >= 16:  # key material, not a key id or a label
            secrets[f"PII keyring value {n}"] = text
    env = place.env(DCMS_KEYS_DIR=str(keys), DCMS_WORKERS="1", DCMS_GATEWAY_HMAC_SECRET_FILE=str(hmac_file))
    if place.database_url:  # the real pass: the database URL, with a password, from a file
        url = place.database_url.replace("://postgres@", f"://postgres:{DB_PASSWORD}@")
        assert DB_PASSWORD in url
        url_file = tmp_path / "database-url"
        url_file.write_text(url + "\n")
        env.pop("DATABASE_URL")
        env["DATABASE_URL_FILE"] = str(url_file)
        secrets["database password"] = DB_PASSWORD
    migrated = subprocess.run(
        [sys.executable, "-m", "subgraphs.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrated.returncode == 0, migrated.stderr
    migrate_log = tmp_path / "migrate.log"
    migrate_log.write_text(migrated.stdout + migrated.stderr)

    port, gateway_port = free_port(), free_port()
    env["DCMS_PORT"] = str(port)
    subgraphs_log, gateway_log = tmp_path / "subgraphs.log", tmp_path / "gateway.log"
    with open(subgraphs_log, "wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "subgraphs.cli", "serve"], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    gateway = None
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        supergraph = write_all(tmp_path / "sdl", url_base=f"http://127.0.0.1:{port}")
        # No settings: the gateway reads the HMAC secret from DCMS_GATEWAY_HMAC_SECRET_FILE itself.
        gateway = start_gateway(
            gateway_port,
            supergraph,
            env={**env, "DCMS_TOKEN_PUBLIC_KEY_FILE": str(keys / "token-es256.pub.pem")},
            log_file=gateway_log,
        )
        wait_until_up(f"http://127.0.0.1:{gateway_port}/healthcheck", gateway)
        yield SecretStack(
            f"http://127.0.0.1:{gateway_port}/graphql",
            f"http://127.0.0.1:{port}",
            (migrate_log, subgraphs_log, gateway_log),
            secrets,
            (gateway, server),
        )
    finally:
        services.stop(gateway, server)


@pytest.mark.e2e
def test_no_secret_reaches_a_log(secret_stack: SecretStack) -> None:
    password = "Pw-known-" + uuid.uuid4().hex
    forged = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJrbm93biJ9." + uuid.uuid4().hex
    url = secret_stack.gateway_url
    with httpx.Client(timeout=30) as client:
        # A wrong password: refused by the operations subgraph, so the gateway's signature (made
        # with the secret it read from its *_FILE) was accepted by the subgraphs (theirs, from the same file).
        wrong = client.post(
            url,
            json={
                "query": f'mutation Wrong {{ login(username: "admin", password: "{password}") {{ accessToken }} }}'
            },
        )
        assert wrong.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", wrong.text
        # The same with the password in a variable.
        wrong = client.post(
            url,
            json={
                "query": 'mutation W($p: String!) { login(username: "admin", password: $p) { accessToken } }',
                "variables": {"p": password},
            },
        )
        assert wrong.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", wrong.text
        # A forged token, no token, a malformed body: each refused with a code, none a 500.
        forged_answer = client.post(
            url, json={"query": "{ me { id } }"}, headers={"authorization": f"Bearer {forged}"}
        )
        assert forged_answer.status_code < 500 and "errors" in forged_answer.json()
        anonymous = client.post(url, json={"query": "query Me { me { id } }"})
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert (
            client.post(url, content=b"{not json", headers={"content-type": "application/json"}).status_code
            < 500
        )
        # Straight to a subgraph, unsigned, with the token and the password: refused there.
        direct = client.post(
            f"{secret_stack.subgraphs_url}/operations/graphql",
            json={
                "query": f'mutation {{ login(username: "admin", password: "{password}") {{ accessToken }} }}'
            },
            headers={"authorization": f"Bearer {forged}"},
        )
        assert 400 <= direct.status_code < 500 or "errors" in direct.json()
    services.stop(*secret_stack.processes)  # everything written and flushed
    written = "".join(log.read_text(errors="replace") for log in secret_stack.logs)
    assert "operation failed" in written  # the logs did record the failures
    for name, value in {**secret_stack.secrets, "user's password": password, "bearer token": forged}.items():
        assert value not in written, f"the {name} is in a log"


@pytest.mark.unit
def test_settings_repr_masks_every_secret() -> None:
    settings = Settings(
        database_url=f"postgres://dcms:{DB_PASSWORD}@db.internal:5432/dcms",
        redis_url="redis://:redis-known-pw@redis.internal:6379/0",
        var_dir=Path("var"),
        host="127.0.0.1",
        port=4001,
        gateway_port=4000,
        hmac_secret=HMAC_SECRET,
    )
    for shown in (repr(settings), str(settings), f"{settings}"):
        assert DB_PASSWORD not in shown and HMAC_SECRET not in shown and "redis-known-pw" not in shown
        assert "postgres://dcms:***@db.internal:5432/dcms" in shown and "hmac_secret='***'" in shown
    assert mask_url("redis://secretonly@h:6379/0") == "redis://***@h:6379/0"
    assert mask_url("postgres://dcms@h/db") == "postgres://dcms@h/db"  # no password: as it is
    assert mask_url("mqtt://127.0.0.1:1883") == "mqtt://127.0.0.1:1883"


@pytest.mark.unit
def test_secrets_come_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "hmac").write_text(HMAC_SECRET + "\n")
    (tmp_path / "db").write_text(f"postgres://dcms:{DB_PASSWORD}@h/db\n")
    (tmp_path / "redis").write_text("redis://:pw@h:6379/0\n")
    (tmp_path / "mqtt").write_text("mqtt://bridge:mqttpw@h:1883\n")
    for name in ("DCMS_GATEWAY_HMAC_SECRET", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DCMS_GATEWAY_HMAC_SECRET_FILE", str(tmp_path / "hmac"))
    monkeypatch.setenv("DATABASE_URL_FILE", str(tmp_path / "db"))
    monkeypatch.setenv("REDIS_URL_FILE", str(tmp_path / "redis"))
    monkeypatch.delenv("DCMS_MQTT_URL", raising=False)
    monkeypatch.setenv("DCMS_MQTT_URL_FILE", str(tmp_path / "mqtt"))
    monkeypatch.setenv("DCMS_DEV", "0")
    monkeypatch.setenv("DCMS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DCMS_KEYS_DIR", str(tmp_path / "keys"))
    settings = Settings.from_env()
    assert settings.hmac_secret == HMAC_SECRET
    assert settings.database_url == f"postgres://dcms:{DB_PASSWORD}@h/db"
    assert settings.redis_url == "redis://:pw@h:6379/0"
    assert settings.mqtt_url == "mqtt://bridge:mqttpw@h:1883"
    assert "mqttpw" not in repr(settings) and "pw@" not in repr(settings)
    # The variable itself wins over its file.
    monkeypatch.setenv("DCMS_GATEWAY_HMAC_SECRET", "from-the-environment")
    assert Settings.from_env().hmac_secret == "from-the-environment"


@pytest.mark.unit
def test_an_unreadable_secret_file_stops_the_start_naming_the_file(place: Place, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-secret"
    env = place.env(DATABASE_URL_FILE=str(missing))
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "subgraphs.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"DATABASE_URL_FILE={missing}" in result.stderr and "Traceback" not in result.stderr, result.stderr
