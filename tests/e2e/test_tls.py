"""TLS between client and gateway (issue 18, item 8): with ``DCMS_GATEWAY_TLS_CERT_FILE`` and
``DCMS_GATEWAY_TLS_KEY_FILE`` the real Hive Gateway serves HTTPS and WSS on its port, a client that
trusts the certificate gets its answers, one that does not is refused at the handshake, and plain
HTTP on that port gets no GraphQL. A gateway of its own, before the session's subgraphs process,
with a self-signed certificate made here (``cryptography``)."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from subgraphs.gateway import start_gateway, wait_until_up
from subgraphs.sdl import write_all
from tests.support import services
from tests.support.stack import Stack, free_port
from tests.support.ws import PROTOCOL

HAPROXY_CFG = Path(__file__).resolve().parents[2] / "deploy" / "tls" / "haproxy.cfg"

WRONG_LOGIN = 'mutation { login(username: "nobody-tls", password: "Wrong@pass123") { accessToken } }'


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A P-256 certificate for 127.0.0.1 and localhost, its own CA (so a client can trust it
    alone), with the extensions a strict verifier wants; the key file 0600."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dcms-gateway-test")])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "gateway.crt", directory / "gateway.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return cert_file, key_file


@dataclass(frozen=True)
class TlsGateway:
    port: int
    cert_file: Path
    http_port: int = 0  # HAProxy's redirecting plain port

    @property
    def trusting(self) -> ssl.SSLContext:
        """A client context that trusts this gateway's certificate and nothing else."""
        return ssl.create_default_context(cafile=str(self.cert_file))


@pytest.fixture
def tls_gateway(stack: Stack, tmp_path: Path) -> Iterator[TlsGateway]:
    services.require_node()
    cert_file, key_file = self_signed(tmp_path)
    port = free_port()
    supergraph = write_all(tmp_path / "sdl", url_base=stack.subgraphs_url)
    # As `dcms up` starts it: the TLS files in the settings reach the gateway through gateway_env.
    settings = replace(
        stack.settings, gateway_port=port, gateway_tls_cert_file=cert_file, gateway_tls_key_file=key_file
    )
    assert settings.gateway_url == f"https://127.0.0.1:{port}/graphql"
    gateway = start_gateway(port, supergraph, quiet=True, settings=settings)
    try:
        _wait_for_https(f"https://127.0.0.1:{port}/healthcheck", cert_file, gateway)
        wait_until_up(f"{settings.gateway_origin}/healthcheck", gateway)  # what `dcms up` waits with
        yield TlsGateway(port, cert_file)
    finally:
        services.stop(gateway)


def _wait_for_https(url: str, cert_file: Path, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    context = ssl.create_default_context(cafile=str(cert_file))
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, f"the TLS gateway exited with {process.returncode}"
        try:
            if httpx.get(url, verify=context, timeout=2.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"{url} did not come up within {timeout:.0f}s"
        time.sleep(0.2)


@pytest.mark.e2e
def test_the_gateway_serves_graphql_over_https_with_its_certificate(tls_gateway: TlsGateway) -> None:
    url = f"https://127.0.0.1:{tls_gateway.port}/graphql"
    # Verified against the certificate (its SAN 127.0.0.1), through to the operations subgraph and back.
    response = httpx.post(url, json={"query": WRONG_LOGIN}, verify=tls_gateway.trusting, timeout=30)
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.extensions["http_version"] == b"HTTP/1.1"

    # TLS 1.2 or 1.3 with a forward-secret AEAD suite; a client offering only TLS 1.2 and a
    # non-forward-secret suite (RSA key exchange) finds none in common.
    with socket.create_connection(("127.0.0.1", tls_gateway.port), timeout=10) as raw:
        with tls_gateway.trusting.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            version, cipher = tls.version(), tls.cipher()
    assert version in ("TLSv1.2", "TLSv1.3") and cipher is not None
    assert cipher[0].startswith(("TLS_", "ECDHE-")) and ("GCM" in cipher[0] or "CHACHA20" in cipher[0]), (
        cipher
    )
    weak = ssl.create_default_context(cafile=str(tls_gateway.cert_file))
    weak.maximum_version = ssl.TLSVersion.TLSv1_2
    weak.set_ciphers("AES128-GCM-SHA256")
    with socket.create_connection(("127.0.0.1", tls_gateway.port), timeout=10) as raw:
        with pytest.raises(ssl.SSLError):
            weak.wrap_socket(raw, server_hostname="127.0.0.1")

    # A client that does not trust the certificate stops at the handshake.
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.post(url, json={"query": WRONG_LOGIN}, timeout=10)

    # Plain HTTP on the TLS port: no GraphQL answer (the TLS server drops the connection).
    try:
        plain = httpx.post(
            f"http://127.0.0.1:{tls_gateway.port}/graphql", json={"query": WRONG_LOGIN}, timeout=10
        )
    except httpx.HTTPError:
        pass
    else:
        assert plain.status_code >= 400 and "data" not in plain.text, plain.text


@pytest.fixture
def haproxy(stack: Stack, tmp_path: Path) -> Iterator[TlsGateway]:
    """deploy/tls/haproxy.cfg as it is, terminating TLS before the session's (plain HTTP) gateway."""
    binary = shutil.which("haproxy")
    if binary is None:
        services.missing("HAProxy (apt-get install haproxy)")
    assert binary is not None
    cert_file, key_file = self_signed(tmp_path)
    pem = tmp_path / "dcms.pem"
    pem.write_bytes(cert_file.read_bytes() + key_file.read_bytes())
    port, http_port = free_port(), free_port()
    gateway = stack.gateway_url.removeprefix("http://").removesuffix("/graphql")
    env = {
        **os.environ,
        "DCMS_TLS_PEM": str(pem),
        "DCMS_TLS_BIND": f"127.0.0.1:{port}",
        "DCMS_HTTP_BIND": f"127.0.0.1:{http_port}",
        "DCMS_GATEWAY_1": gateway,
        "DCMS_GATEWAY_2": gateway,
    }
    check = subprocess.run([binary, "-c", "-f", str(HAPROXY_CFG)], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [binary, "-db", "-f", str(HAPROXY_CFG)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for_https(f"https://127.0.0.1:{port}/healthcheck", cert_file, process)
        yield TlsGateway(port, cert_file, http_port)
    finally:
        services.stop(process)


@pytest.mark.e2e
async def test_haproxy_example_terminates_tls_before_the_gateways(haproxy: TlsGateway) -> None:
    url = f"https://127.0.0.1:{haproxy.port}/graphql"
    async with httpx.AsyncClient(verify=haproxy.trusting, timeout=30) as client:
        response = await client.post(url, json={"query": WRONG_LOGIN})
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["strict-transport-security"].startswith("max-age=")
    # Port 80 only redirects.
    async with httpx.AsyncClient(timeout=10) as client:
        plain = await client.post(
            f"http://127.0.0.1:{haproxy.http_port}/graphql", json={"query": WRONG_LOGIN}
        )
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")
    # WebSockets pass through the upgrade.
    message = await _over_wss(haproxy)
    assert message["type"] in ("next", "error"), message


async def _over_wss(gateway: TlsGateway) -> dict[str, object]:
    """A mutation over graphql-transport-ws on wss:// (gateway/streams.ts allows them): its first answer."""
    async with websockets.connect(
        f"wss://127.0.0.1:{gateway.port}/graphql", subprotocols=[PROTOCOL], ssl=gateway.trusting
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": WRONG_LOGIN}}))
        message: dict[str, object] = json.loads(await asyncio.wait_for(ws.recv(), 10))
        while message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        return message


@pytest.mark.e2e
async def test_websockets_over_tls(tls_gateway: TlsGateway) -> None:
    message = await _over_wss(tls_gateway)
    # A mutation over the socket (gateway/streams.ts allows them), answered over wss.
    assert message["type"] in ("next", "error"), message
    payload = message["payload"]
    errors = payload["errors"] if isinstance(payload, dict) else payload
    assert isinstance(errors, list) and errors[0]["extensions"]["code"] == "UNAUTHENTICATED", message


@pytest.mark.e2e
def test_a_certificate_without_its_key_stops_the_gateway(stack: Stack, tmp_path: Path) -> None:
    services.require_node()
    cert_file, _ = self_signed(tmp_path)
    supergraph = write_all(tmp_path / "sdl", url_base=stack.subgraphs_url)
    env = {**os.environ, "DCMS_GATEWAY_TLS_CERT_FILE": str(cert_file)}
    env.pop("DCMS_GATEWAY_TLS_KEY_FILE", None)
    gateway = start_gateway(free_port(), supergraph, quiet=True, settings=stack.settings, env=env)
    try:
        assert gateway.wait(timeout=60) != 0
    finally:
        services.stop(gateway)
