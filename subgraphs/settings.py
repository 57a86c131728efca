"""Settings from the environment, read once at start-up.

Every knob lives here so a newcomer finds them in one place:

- ``DATABASE_URL``: unset → SQLite files under ``var/`` (one per subgraph);
  ``postgres://…`` → one PostgreSQL schema per subgraph in that database.
- ``REDIS_URL``: unset → in-memory broker (one process only); set → Redis fan-out.
- Secrets from files: ``DATABASE_URL``, ``REDIS_URL``, ``DCMS_MQTT_URL`` and
  ``DCMS_GATEWAY_HMAC_SECRET`` may each be given as ``<NAME>_FILE`` instead (a file holding the
  value: a mounted secret), see ``secret_from_env``; the key files are files already.
  ``repr(settings)`` masks every secret.
- ``DCMS_VAR_DIR``: where SQLite files and generated dev keys live (default ``./var``).
- ``DCMS_TOKEN_PRIVATE_KEY_FILE`` / ``DCMS_TOKEN_PUBLIC_KEY_FILE``: the ES256 token key pair (PEM);
  default ``<keys_dir>/token-es256.pem`` and ``<keys_dir>/token-es256.pub.pem`` (security/keys.py).
- ``DCMS_LOCKOUT_SECONDS``: login lockout window and lock duration (default 900 = 15 minutes).
- ``DCMS_HOST`` / ``DCMS_PORT``: where the subgraphs listen (all-in-one: one port, one path each).
- ``DCMS_GATEWAY_PORT``: where the gateway listens.
- ``DCMS_GATEWAY_TLS_CERT_FILE`` / ``DCMS_GATEWAY_TLS_KEY_FILE``: the gateway serves HTTPS and WSS
  with them (gateway/gateway.config.ts; docs/security.md "TLS").
- ``DCMS_DEV``: ``1`` (the default, as ``make up`` runs) allows introspection, GraphiQL and
  generated keys; set ``0`` in production.
- ``DCMS_KEYS_DIR``: where generated development keys live (default ``var/keys``).
- ``DCMS_GATEWAY_HMAC_SECRET``: secret the gateway signs upstream requests with (HMAC-SHA256);
  when unset, read from ``<keys dir>/gateway-hmac-secret`` (generated there in dev mode only).
  ``dcms secrets init --dir D`` writes every production secret (subgraphs/provision.py).
- ``DCMS_CORS_ORIGINS``: comma-separated origins the gateway allows (default: the dev pages on 5173).
- Query limits (see ``Limits``): ``DCMS_MAX_DEPTH``, ``DCMS_MAX_ALIASES``, ``DCMS_MAX_TOKENS``,
  ``DCMS_MAX_COST``, ``DCMS_MAX_BATCH``, ``DCMS_RATE_LIMIT`` (operations per window, 0 = off),
  ``DCMS_RATE_WINDOW`` (seconds), ``DCMS_RATE_LIMIT_ANONYMOUS`` (per client IP).
- Live streams (see ``Streams``): ``DCMS_REPLAY_HOURS``, ``DCMS_SUBSCRIBER_QUEUE``,
  ``DCMS_FEED_SYNC_SECONDS``, ``DCMS_MAX_SUBSCRIPTIONS_PER_USER``, ``DCMS_WS_PING_SECONDS``.
- ``DCMS_DB_POOL_MAX``: PostgreSQL connections per subgraph and process, at most (default 10
  divided among the worker processes, at least 2 each, so N workers hold no more than one did;
  a process serving all five subgraphs may hold five times as many).
- ``DCMS_WORKERS``: worker processes of ``dcms serve`` / ``dcms up`` behind the one port; unset →
  the usable cores with PostgreSQL and Redis, else 1 (the embedded default is one process).
- Admission (see ``Admission``): ``DCMS_MAX_IN_FLIGHT`` (operations per worker process),
  ``DCMS_RETRY_AFTER_SECONDS``; the gateway reads ``DCMS_GATEWAY_MAX_IN_FLIGHT`` itself
  (gateway/admission.ts).
- Probes and shutdown (see ``Probes``, subgraphs/health.py): ``DCMS_READY_TIMEOUT_SECONDS``,
  ``DCMS_READY_MAX_RELAY_LAG_SECONDS``, ``DCMS_SHUTDOWN_DELAY_SECONDS``, ``DCMS_SHUTDOWN_GRACE_SECONDS``.
- ``DCMS_SERVE_SUBGRAPHS``: set by ``dcms serve`` for its worker processes (which subgraphs).
- Platform parameters (see ``resolvers/common/rules.py``): ``DCMS_MAX_INSTITUTIONS_PER_NEED``,
  ``DCMS_MATURITY_NOTICE_DAYS``, ``DCMS_DEADLINE_CHECK_SECONDS``, ``DCMS_REMINDER_JOB_SECONDS``,
  ``DCMS_REPORT_JOB_SECONDS``,
  ``DCMS_INCIDENT_CHECK_SECONDS``, ``DCMS_ALERT_INCIDENT_MINUTES``, ``DCMS_ALERT_ESCALATION_SECONDS``,
  ``DCMS_BACKUP_CHECK_SECONDS``,
  ``DCMS_INSPECTION_JOB_SECONDS``, ``DCMS_INSPECTION_PHOTO_MAX_BYTES``, ``DCMS_INSPECTION_PHOTOS_PER_RECORD``.
- ``DCMS_MQTT_URL`` (issue 16): the MQTT broker devices report to (``mqtt://host:port``); in dev mode
  unset means ``mqtt://127.0.0.1:1883``, outside dev mode unset means no bridge; ``off`` (or empty)
  means no bridge anywhere. ``DCMS_MQTT_GROUP``: the shared-subscription group of the bridge's
  replicas (default ``dcms-bridge-<hash of DATABASE_URL or the var dir>``, so two stacks on one broker
  never split each other's messages). ``DCMS_MQTT_CLIENT_ID``: this replica's fixed client id (its
  persistent session), default ``<group>-<host name>``.
- ``DCMS_PII_KEYRING_FILE``: the PII encryption keyring (JSON, see security/crypto.py); default
  ``<keys dir>/pii-keyring.json``, generated there only in dev mode.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from resolvers.common.rules import Rules

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

SUBGRAPHS: tuple[str, ...] = ("operations", "customers", "marketing", "finance", "devices")
HMAC_SECRET_FILE = "gateway-hmac-secret"  # in the keys dir, when DCMS_GATEWAY_HMAC_SECRET is unset
DEV_CORS_ORIGINS = ("http://localhost:5173", "http://127.0.0.1:5173")
DEV_MQTT_URL = "mqtt://127.0.0.1:1883"  # issue 16: Mosquitto runs on every machine here
DB_POOL_MAX = 10  # PostgreSQL connections per subgraph, unless DCMS_DB_POOL_MAX: divided among workers


N = TypeVar("N", bound="DataclassInstance")


def numbers_from_env(defaults: N) -> N:
    """``defaults`` (a dataclass of numbers) with each replaced by ``DCMS_<FIELD NAME>`` when that is
    set, read as its default's type."""
    changes = {
        f.name: type(value)(os.environ[key])
        for f in fields(defaults)
        if (key := f"DCMS_{f.name.upper()}") in os.environ
        and (value := getattr(defaults, f.name)) is not None
    }
    return replace(defaults, **changes)


def numbers_as_env(numbers: DataclassInstance) -> dict[str, str]:
    """For child processes (the gateway, test stacks), so every end has the same numbers."""
    return {f"DCMS_{f.name.upper()}": str(getattr(numbers, f.name)) for f in fields(numbers)}


@dataclass(frozen=True)
class Limits:
    """Query limits, the same numbers at the gateway and at every subgraph.

    Depth counts field levels (``{ a { b } }`` is 2). Cost counts every selected field once
    per object it is resolved on: a connection multiplies its selection by its ``first``, any
    other list by ``default_list_size``, ``_entities`` by its number of representations.
    The rate limit counts operations per principal (per client IP when anonymous) in a
    fixed window, once per client operation (``_entities`` / ``_service`` calls are free).
    """

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 50_000
    max_batch: int = 10
    default_list_size: int = 20
    rate_limit: int = 600  # operations per window per user; 0 switches the limiter off
    rate_limit_anonymous: int = 60  # per client IP, for operations without a principal
    rate_window: int = 60  # seconds


@dataclass(frozen=True)
class Streams:
    """Live streams (realtime/). Each number is read from ``DCMS_<NAME>``."""

    replay_hours: float = 24.0  # how long published events stay replayable with `after`
    subscriber_queue: int = 1000  # events a subscriber may fall behind before it is cut off
    feed_sync_seconds: float = 5.0  # how often a feed reads the outbox for anything the broker lost
    max_subscriptions_per_user: int = 20  # open at once, per process; 0 = no cap
    ws_ping_seconds: float = 15.0  # WebSocket ping frames on idle lines (NAT timeouts); 0 = off


@dataclass(frozen=True)
class Admission:
    """Bounded queues (subgraphs/admission.py, gateway/admission.ts). Read from ``DCMS_<NAME>``.

    Each worker process runs at most ``max_in_flight`` GraphQL HTTP operations at once and answers
    the rest at once with ``OVERLOADED`` and ``Retry-After: retry_after_seconds``. The gateway
    admits ``gateway_max_in_flight`` client operations (the same env name, read there)."""

    max_in_flight: int = 64  # per worker process; 0 = no bound
    retry_after_seconds: int = 1
    gateway_max_in_flight: int = 64  # per gateway process; 0 = no bound


@dataclass(frozen=True)
class Probes:
    """Health, readiness and shutdown (subgraphs/health.py, docs/running.md). Read from ``DCMS_<NAME>``."""

    ready_timeout_seconds: float = 2.0  # each readiness check (SELECT 1, Redis PING, outbox read) at most
    ready_max_relay_lag_seconds: float = 30.0  # oldest unpublished outbox event older: not ready
    # The checks whose failure makes /readyz 503 (all are reported): each replica shares Redis and
    # the relay's lag, so their failure takes every replica out at once (docs/running.md).
    ready_require: str = "database,redis,relay"
    shutdown_delay_seconds: float = 0.0  # after SIGTERM: /readyz 503 this long, still serving, then stop
    shutdown_grace_seconds: float = 20.0  # then in-flight requests get this long before they are cancelled


WEB_DIR = Path(__file__).resolve().parent.parent / "clients" / "web"  # the client pages' project


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    redis_url: str | None
    var_dir: Path
    host: str
    port: int
    gateway_port: int
    web_port: int = 5173  # DCMS_WEB_PORT: where `dcms up` serves the built client pages
    # DCMS_WEB_DIST: the build of the pages it serves (another one per person working on them side by side)
    web_dist: Path = WEB_DIR / "dist"
    dev_mode: bool = True
    keys_dir: Path = Path("var/keys")
    token_private_key_file: Path | None = None  # None → keys_dir / token-es256.pem
    token_public_key_file: Path | None = None  # None → keys_dir / token-es256.pub.pem
    lockout_seconds: float = 900.0  # 5 failures within this window lock the account for as long
    hmac_secret: str = ""
    cors_origins: tuple[str, ...] = DEV_CORS_ORIGINS
    limits: Limits = field(default_factory=Limits)
    streams: Streams = field(default_factory=Streams)
    pii_keyring_file: Path | None = None  # None → keys_dir / "pii-keyring.json"
    db_pool_max: int = DB_POOL_MAX  # PostgreSQL connections per subgraph and process, at most
    rules: Rules = field(default_factory=Rules)  # platform parameters the domain reads
    workers: int | None = None  # DCMS_WORKERS; None → the core count with PostgreSQL + Redis, else 1
    admission: Admission = field(default_factory=Admission)
    probes: Probes = field(default_factory=Probes)  # /readyz thresholds, SIGTERM drain (subgraphs/health.py)
    serve_subgraphs: tuple[str, ...] = SUBGRAPHS  # DCMS_SERVE_SUBGRAPHS, for `dcms serve`'s workers
    mqtt_url: str | None = None  # DCMS_MQTT_URL; None → no bridge (the dev default is the local broker)
    mqtt_group: str | None = None  # DCMS_MQTT_GROUP; None → derived from the deployment (mqtt_share_group)
    mqtt_client_id: str | None = None  # DCMS_MQTT_CLIENT_ID; None → <group>-<host name>
    # DCMS_GATEWAY_TLS_CERT_FILE / DCMS_GATEWAY_TLS_KEY_FILE: the gateway serves HTTPS and WSS itself
    # (gateway/gateway.config.ts reads them; here for the URLs `dcms up` waits on and prints)
    gateway_tls_cert_file: Path | None = None
    gateway_tls_key_file: Path | None = None

    @classmethod
    def from_env(cls) -> Settings:
        var_dir = _var_dir()
        dev_mode = dev_mode_from_env()
        keys_dir = keys_dir_from_env()
        hmac_secret = secret_from_env("DCMS_GATEWAY_HMAC_SECRET") or (
            _dev_secret(keys_dir, HMAC_SECRET_FILE) if dev_mode else _read_secret(keys_dir / HMAC_SECRET_FILE)
        )
        origins = os.environ.get("DCMS_CORS_ORIGINS")
        settings = cls(
            database_url=secret_from_env("DATABASE_URL") or None,
            redis_url=secret_from_env("REDIS_URL") or None,
            var_dir=var_dir,
            host=os.environ.get("DCMS_HOST", "127.0.0.1"),
            port=int(os.environ.get("DCMS_PORT", "4001")),
            gateway_port=int(os.environ.get("DCMS_GATEWAY_PORT", "4000")),
            web_port=int(os.environ.get("DCMS_WEB_PORT", "5173")),
            **({"web_dist": Path(os.environ["DCMS_WEB_DIST"])} if os.environ.get("DCMS_WEB_DIST") else {}),
            dev_mode=dev_mode,
            keys_dir=keys_dir,
            hmac_secret=hmac_secret,
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip())
            if origins is not None
            else DEV_CORS_ORIGINS,
            limits=numbers_from_env(Limits()),
            streams=numbers_from_env(Streams()),
            token_private_key_file=_path(os.environ.get("DCMS_TOKEN_PRIVATE_KEY_FILE")),
            token_public_key_file=_path(os.environ.get("DCMS_TOKEN_PUBLIC_KEY_FILE")),
            lockout_seconds=float(os.environ.get("DCMS_LOCKOUT_SECONDS", "900")),
            pii_keyring_file=_path(os.environ.get("DCMS_PII_KEYRING_FILE")),
            db_pool_max=int(os.environ.get("DCMS_DB_POOL_MAX") or DB_POOL_MAX),
            rules=numbers_from_env(Rules()),
            workers=int(os.environ["DCMS_WORKERS"]) if os.environ.get("DCMS_WORKERS") else None,
            admission=numbers_from_env(Admission()),
            probes=numbers_from_env(Probes()),
            serve_subgraphs=tuple(
                name.strip() for name in os.environ.get("DCMS_SERVE_SUBGRAPHS", "").split(",") if name.strip()
            )
            or SUBGRAPHS,
            mqtt_url=_mqtt_url(dev_mode),
            mqtt_group=os.environ.get("DCMS_MQTT_GROUP") or None,
            mqtt_client_id=os.environ.get("DCMS_MQTT_CLIENT_ID") or None,
            gateway_tls_cert_file=_path(os.environ.get("DCMS_GATEWAY_TLS_CERT_FILE")),
            gateway_tls_key_file=_path(os.environ.get("DCMS_GATEWAY_TLS_KEY_FILE")),
        )
        if not os.environ.get("DCMS_DB_POOL_MAX"):  # one box's default budget, shared by its workers
            settings = replace(settings, db_pool_max=max(2, DB_POOL_MAX // settings.worker_count))
        return settings

    def __repr__(self) -> str:
        """Every field, with the secrets masked: the HMAC secret entirely, a URL's password (and
        a Redis URL's password-only user part); a settings object may end up in a log or a traceback."""
        shown = []
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in SECRET_FIELDS:
                value = "***" if value else value
            elif item.name in URL_FIELDS and isinstance(value, str):
                value = mask_url(value)
            shown.append(f"{item.name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    __str__ = __repr__

    @property
    def token_private_key_path(self) -> Path:
        return self.token_private_key_file or self.keys_dir / "token-es256.pem"

    @property
    def token_public_key_path(self) -> Path:
        return self.token_public_key_file or self.keys_dir / "token-es256.pub.pem"

    def subgraph_url(self, name: str) -> str:
        return f"http://{self.host}:{self.port}/{name}/graphql"

    @property
    def gateway_tls(self) -> bool:
        return self.gateway_tls_cert_file is not None

    @property
    def gateway_origin(self) -> str:
        """``http(s)://host:port`` of the gateway: https when it serves TLS itself."""
        return f"{'https' if self.gateway_tls else 'http'}://{self.host}:{self.gateway_port}"

    @property
    def gateway_url(self) -> str:
        return f"{self.gateway_origin}/graphql"

    @property
    def pii_keyring_path(self) -> Path:
        return self.pii_keyring_file or self.keys_dir / "pii-keyring.json"

    @property
    def shared_state(self) -> bool:
        """PostgreSQL and Redis: what several worker processes need to share sessions, events,
        rate limits and the jobs' advisory locks (the embedded default is one process's)."""
        return bool(self.database_url and self.redis_url)

    @property
    def worker_count(self) -> int:
        """``DCMS_WORKERS``, else the usable cores with shared state, else 1."""
        if self.workers is not None:
            return self.workers
        return usable_cores() if self.shared_state else 1

    @property
    def mqtt_share_group(self) -> str:
        """The bridge replicas' shared-subscription group: one per deployment (its database), so
        the replicas of one deployment split the devices' messages and two deployments on one
        broker (a developer's stack beside a benchmark's) each get all of theirs."""
        if self.mqtt_group:
            return self.mqtt_group
        where = self.database_url or str(self.var_dir)
        return "dcms-bridge-" + hashlib.sha256(where.encode()).hexdigest()[:10]

    @property
    def mqtt_client(self) -> str:
        """This replica's fixed MQTT client id: its persistent session outlives a restart."""
        return self.mqtt_client_id or f"{self.mqtt_share_group}-{socket.gethostname()}"

    @property
    def log_dir(self) -> Path:
        """Where ``dcms up`` writes the gateway's output (gateway.log)."""
        return self.var_dir / "log"


SECRET_FIELDS = frozenset({"hmac_secret"})  # never shown by Settings.__repr__
URL_FIELDS = frozenset({"database_url", "redis_url", "mqtt_url"})  # shown with their password masked


def secret_from_env(name: str) -> str:
    """A secret from the environment: ``NAME`` itself, else the text of the file ``NAME_FILE``
    names (a mounted Docker / Kubernetes secret, a 0600 file), stripped; "" when neither is set.
    A ``NAME_FILE`` that cannot be read is a start-up error naming the file, never its content."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if not path:
        return ""
    try:
        return Path(path).read_text().strip()
    except (OSError, UnicodeError) as error:
        raise SystemExit(f"{name}_FILE={path}: cannot read it ({type(error).__name__})") from None


def mask_url(url: str) -> str:
    """``url`` with the password of its user part replaced by ``***`` (``postgres://u:***@h/db``,
    ``redis://:***@h:6379/0``); a URL without one is returned as it is."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    userinfo, at, host = rest.rpartition("@")
    if not at:
        return url
    user, colon, _password = userinfo.partition(":")
    if colon:
        return f"{scheme}://{user}:***@{host}"
    # redis://secret@host: a lone user part is Redis's password (no ACL user), so mask it too
    return f"{scheme}://***@{host}" if scheme.startswith("redis") else url


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), not the machine's count."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _mqtt_url(dev_mode: bool) -> str | None:
    """``DCMS_MQTT_URL``; unset → the local broker in dev mode, no bridge outside it; "off" → none."""
    value = os.environ.get("DCMS_MQTT_URL")
    if value is None and os.environ.get("DCMS_MQTT_URL_FILE"):  # a URL with the broker login's password
        value = secret_from_env("DCMS_MQTT_URL")
    if value is None:
        return DEV_MQTT_URL if dev_mode else None
    return None if value.strip().lower() in ("", "off") else value.strip()


def _var_dir() -> Path:
    return Path(os.environ.get("DCMS_VAR_DIR", "var")).resolve()


def dev_mode_from_env() -> bool:
    """``DCMS_DEV`` (default 1): also read on its own where a schema is built before the settings are."""
    return os.environ.get("DCMS_DEV", "1") == "1"


def keys_dir_from_env() -> Path:
    """``DCMS_KEYS_DIR``, else ``<var dir>/keys``: read without creating anything there (which
    ``Settings.from_env`` does in dev mode), for ``dcms secrets init``."""
    return Path(os.environ.get("DCMS_KEYS_DIR") or _var_dir() / "keys").resolve()


def _path(value: str | None) -> Path | None:
    return Path(value).resolve() if value else None


def _read_secret(path: Path) -> str:
    """A provisioned secret file's text, or "" when there is none (reported at start-up)."""
    try:
        return path.read_text().strip()
    except (OSError, UnicodeError):  # missing, unreadable, a directory: reported at start-up
        return ""


def _dev_secret(var_dir: Path, name: str = "dev-token-secret") -> str:
    """A per-checkout development secret, created on first use."""
    path = var_dir / name
    if not path.exists():
        var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # 0600 from the start
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
