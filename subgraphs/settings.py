"""Settings from the environment, read once at start-up.

Every knob lives here so a newcomer finds them in one place:

- ``DATABASE_URL``: unset → SQLite files under ``var/`` (one per subgraph);
  ``postgres://…`` → one PostgreSQL schema per subgraph in that database.
- ``REDIS_URL``: unset → in-memory broker (one process only); set → Redis fan-out.
- ``DCMS_VAR_DIR``: where SQLite files and generated dev keys live (default ``./var``).
- ``DCMS_TOKEN_PRIVATE_KEY_FILE`` / ``DCMS_TOKEN_PUBLIC_KEY_FILE``: the ES256 token key pair (PEM);
  default ``<keys_dir>/token-es256.pem`` and ``<keys_dir>/token-es256.pub.pem`` (security/keys.py).
- ``DCMS_LOCKOUT_SECONDS``: login lockout window and lock duration (default 900 = 15 minutes).
- ``DCMS_HOST`` / ``DCMS_PORT``: where the subgraphs listen (all-in-one: one port, one path each).
- ``DCMS_GATEWAY_PORT``: where the gateway listens.
- ``DCMS_DEV``: ``1`` (the default, as ``make up`` runs) allows introspection, GraphiQL and
  generated keys; set ``0`` in production.
- ``DCMS_KEYS_DIR``: where generated development keys live (default ``var/keys``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SUBGRAPHS: tuple[str, ...] = ("operations", "customers", "marketing", "finance", "devices")


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    redis_url: str | None
    var_dir: Path
    host: str
    port: int
    gateway_port: int
    dev_mode: bool = True
    keys_dir: Path = Path("var/keys")
    token_private_key_file: Path | None = None  # None → keys_dir / token-es256.pem
    token_public_key_file: Path | None = None  # None → keys_dir / token-es256.pub.pem
    lockout_seconds: float = 900.0  # 5 failures within this window lock the account for as long

    @classmethod
    def from_env(cls) -> Settings:
        var_dir = Path(os.environ.get("DCMS_VAR_DIR", "var")).resolve()
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            redis_url=os.environ.get("REDIS_URL") or None,
            var_dir=var_dir,
            host=os.environ.get("DCMS_HOST", "127.0.0.1"),
            port=int(os.environ.get("DCMS_PORT", "4001")),
            gateway_port=int(os.environ.get("DCMS_GATEWAY_PORT", "4000")),
            dev_mode=os.environ.get("DCMS_DEV", "1") == "1",
            keys_dir=Path(os.environ.get("DCMS_KEYS_DIR") or var_dir / "keys").resolve(),
            token_private_key_file=_path(os.environ.get("DCMS_TOKEN_PRIVATE_KEY_FILE")),
            token_public_key_file=_path(os.environ.get("DCMS_TOKEN_PUBLIC_KEY_FILE")),
            lockout_seconds=float(os.environ.get("DCMS_LOCKOUT_SECONDS", "900")),
        )

    @property
    def token_private_key_path(self) -> Path:
        return self.token_private_key_file or self.keys_dir / "token-es256.pem"

    @property
    def token_public_key_path(self) -> Path:
        return self.token_public_key_file or self.keys_dir / "token-es256.pub.pem"

    def subgraph_url(self, name: str) -> str:
        return f"http://{self.host}:{self.port}/{name}/graphql"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}/graphql"


def _path(value: str | None) -> Path | None:
    return Path(value).resolve() if value else None
