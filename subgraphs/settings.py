"""Settings from the environment, read once at start-up.

Every knob lives here so a newcomer finds them in one place:

- ``DATABASE_URL``: unset → SQLite files under ``var/`` (one per subgraph);
  ``postgres://…`` → one PostgreSQL schema per subgraph in that database.
- ``REDIS_URL``: unset → in-memory broker (one process only); set → Redis fan-out.
- ``DCMS_VAR_DIR``: where SQLite files and generated dev keys live (default ``./var``).
- ``DCMS_TOKEN_SECRET``: secret for development tokens; generated under ``var/`` when unset.
- ``DCMS_HOST`` / ``DCMS_PORT``: where the subgraphs listen (all-in-one: one port, one path each).
- ``DCMS_GATEWAY_PORT``: where the gateway listens.
- ``DCMS_DEV``: ``1`` (the default, as ``make up`` runs) allows introspection, GraphiQL and
  generated keys; set ``0`` in production.
- ``DCMS_KEYS_DIR``: where generated development keys live (default ``var/keys``).
- ``DCMS_PII_KEYRING_FILE``: the PII encryption keyring (JSON, see security/crypto.py); default
  ``<keys dir>/pii-keyring.json``, generated there only in dev mode.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

SUBGRAPHS: tuple[str, ...] = ("operations", "customers", "marketing", "finance", "devices")


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    redis_url: str | None
    var_dir: Path
    token_secret: str
    host: str
    port: int
    gateway_port: int
    dev_mode: bool = True
    keys_dir: Path = Path("var/keys")
    pii_keyring_file: Path | None = None  # None → keys_dir / "pii-keyring.json"

    @classmethod
    def from_env(cls) -> Settings:
        var_dir = Path(os.environ.get("DCMS_VAR_DIR", "var")).resolve()
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            redis_url=os.environ.get("REDIS_URL") or None,
            var_dir=var_dir,
            token_secret=os.environ.get("DCMS_TOKEN_SECRET") or _dev_secret(var_dir),
            host=os.environ.get("DCMS_HOST", "127.0.0.1"),
            port=int(os.environ.get("DCMS_PORT", "4001")),
            gateway_port=int(os.environ.get("DCMS_GATEWAY_PORT", "4000")),
            dev_mode=os.environ.get("DCMS_DEV", "1") == "1",
            keys_dir=Path(os.environ.get("DCMS_KEYS_DIR") or var_dir / "keys").resolve(),
            pii_keyring_file=_optional_path(os.environ.get("DCMS_PII_KEYRING_FILE")),
        )

    def subgraph_url(self, name: str) -> str:
        return f"http://{self.host}:{self.port}/{name}/graphql"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}/graphql"

    @property
    def pii_keyring_path(self) -> Path:
        return self.pii_keyring_file or self.keys_dir / "pii-keyring.json"


def _optional_path(value: str | None) -> Path | None:
    return Path(value).resolve() if value else None


def _dev_secret(var_dir: Path) -> str:
    """A per-checkout secret for development tokens, created on first use."""
    path = var_dir / "dev-token-secret"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
