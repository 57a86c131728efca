"""The ES256 (ECDSA P-256) key pair that signs access and refresh tokens.

Why ES256 and not EdDSA: the gateway verifies the very same tokens with Hive Gateway's JWT
plugin (@graphql-mesh/plugin-jwt-auth 2.0 → @graphql-yoga/plugin-jwt 3.18 → jsonwebtoken 9),
and jsonwebtoken 9 verifies RS*, PS*, ES* and HS* but not EdDSA. Of those, ES256 has the
smallest keys and signatures, and PyJWT signs and verifies it through ``cryptography``.

Files (PEM) named by settings: ``DCMS_TOKEN_PRIVATE_KEY_FILE`` (only the operations subgraph,
which issues tokens, needs it) and ``DCMS_TOKEN_PUBLIC_KEY_FILE`` (everyone who verifies).
The public file may hold several keys, the current one first: during a key rotation it carries
the new and the old key, and a token's ``kid`` header (RFC 7638 thumbprint) picks the key.
In dev mode (``DCMS_DEV=1``) a missing pair is generated under ``keys_dir``; otherwise a
missing key is a start-up error (``dcms secrets init`` writes a production pair, 0600).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

_PEM_BLOCK = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)


class KeySettings(Protocol):
    """What of subgraphs.settings.Settings this module reads (security does not import subgraphs)."""

    @property
    def dev_mode(self) -> bool: ...
    @property
    def token_private_key_path(self) -> Path: ...
    @property
    def token_public_key_path(self) -> Path: ...


class KeyConfigError(RuntimeError):
    """The token keys are missing or unusable: a start-up error with what to do about it."""


@dataclass(frozen=True)
class TokenKeys:
    """Verification keys by key id (the current one first) and, where tokens are issued,
    the private signing key."""

    public_keys: dict[str, ec.EllipticCurvePublicKey]
    private_key: ec.EllipticCurvePrivateKey | None = None

    @property
    def signing_key_id(self) -> str:
        if self.private_key is None:
            raise KeyConfigError("no token signing key loaded here (verification only)")
        return key_id(self.private_key.public_key())

    @classmethod
    def from_private_key(cls, private_key: ec.EllipticCurvePrivateKey) -> TokenKeys:
        """Keys held in memory only (tests, tools)."""
        public = private_key.public_key()
        return cls(public_keys={key_id(public): public}, private_key=private_key)

    @classmethod
    def generate(cls) -> TokenKeys:
        return cls.from_private_key(ec.generate_private_key(ec.SECP256R1()))


def key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): the gateway config computes the same."""
    numbers = public_key.public_numbers()
    jwk = {"crv": "P-256", "kty": "EC", "x": _b64(numbers.x), "y": _b64(numbers.y)}
    digest = hashlib.sha256(json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _b64(coordinate: int) -> str:
    return base64.urlsafe_b64encode(coordinate.to_bytes(32, "big")).rstrip(b"=").decode()


def load_token_keys(settings: KeySettings, *, signing: bool = True) -> TokenKeys:
    """The keys from the files settings name; in dev mode generated there when missing.

    ``signing=False`` loads only the public key(s): enough for every subgraph but operations."""
    private_path, public_path = settings.token_private_key_path, settings.token_public_key_path
    if settings.dev_mode and not public_path.exists() and not private_path.exists():
        generate_key_pair(private_path, public_path)
    if settings.dev_mode and not public_path.exists() and private_path.exists():
        _write(public_path, _public_pem(_read_private(private_path).public_key()), 0o644)
    if not public_path.exists():
        raise KeyConfigError(
            f"token public key not found at {public_path}: set DCMS_TOKEN_PUBLIC_KEY_FILE "
            "(or DCMS_KEYS_DIR), or run with DCMS_DEV=1 to generate development keys"
        )
    public_keys = read_public_keys(public_path)
    private_key = None
    if signing:
        if not private_path.exists():
            raise KeyConfigError(
                f"token signing key not found at {private_path}: set DCMS_TOKEN_PRIVATE_KEY_FILE "
                "(or DCMS_KEYS_DIR), or run with DCMS_DEV=1 to generate development keys"
            )
        private_key = _read_private(private_path)
        if key_id(private_key.public_key()) not in public_keys:
            raise KeyConfigError(
                f"the token signing key {private_path} does not match any key in {public_path}: "
                "add its public key there (see docs/security.md, rotating the token key)"
            )
    return TokenKeys(public_keys=public_keys, private_key=private_key)


def read_public_keys(path: Path) -> dict[str, ec.EllipticCurvePublicKey]:
    keys: dict[str, ec.EllipticCurvePublicKey] = {}
    for block in _PEM_BLOCK.findall(path.read_bytes()):
        key = serialization.load_pem_public_key(block)
        if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
            raise KeyConfigError(f"{path}: token keys must be EC P-256 (ES256)")
        keys[key_id(key)] = key
    if not keys:
        raise KeyConfigError(f"{path}: no PEM public key in it")
    return keys


def generate_key_pair(private_path: Path, public_path: Path) -> None:
    """A new P-256 pair; under a file lock so concurrent first starts make one pair, not two."""
    with _lock(private_path.parent / ".token-keys.lock"):
        if private_path.exists():
            return
        private_pem, public_pem = new_key_pair_pem()
        _write(private_path, private_pem, 0o600)
        _write(public_path, public_pem, 0o644)


def new_key_pair_pem() -> tuple[bytes, bytes]:
    """A new P-256 pair as PEM: (private PKCS#8, public SubjectPublicKeyInfo)."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem, _public_pem(private_key.public_key())


def _read_private(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise KeyConfigError(f"{path}: the token signing key must be EC P-256 (ES256)")
    return key


def _public_pem(public_key: ec.EllipticCurvePublicKey) -> bytes:
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return public_key.public_bytes(serialization.Encoding.PEM, spki)


def _write(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
