"""One log line when a dependency (Redis, the database) goes away and one when it is back.

A request, the relay, each feed and the revocation listener all notice the same outage; each
logging a traceback per failure flooded the log (468 tracebacks in 10 s with PostgreSQL down)
and buried the one fact an operator needs: what is down, since when, and when it came back.
Every place that notices calls ``failed``/``ok`` on the dependency's ``Outage``; only the
changes are logged, and no host or port (the message may be shown in a dashboard that users see).
"""

from __future__ import annotations

import logging
import socket
import time

log = logging.getLogger("dcms.outage")


class Outage:
    def __init__(self, name: str, effect: str) -> None:
        self.name = name
        self._effect = effect  # what still works meanwhile, for the operator reading the log
        self.since: float | None = None  # monotonic time the outage was noticed, None while up

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException | None = None) -> bool:
        """Record a failure; True (and one warning) when it starts an outage."""
        if self.since is not None:
            return False
        self.since = time.monotonic()
        cause = f" ({type(error).__name__})" if error is not None else ""
        log.warning("%s unavailable%s: %s", self.name, cause, self._effect)
        return True

    def ok(self) -> bool:
        """Record a success; True (and one line) when it ends an outage."""
        if self.since is None:
            return False
        lasted = time.monotonic() - self.since
        self.since = None
        log.warning("%s recovered after %.1f s", self.name, lasted)
        return True


REDIS = Outage(
    "Redis",
    "live events fall back to the outbox; sessions (login, refresh, logout) answer SERVICE_UNAVAILABLE",
)
DATABASE = Outage("database", "operations answer SERVICE_UNAVAILABLE until it is back")


def _database_errors() -> tuple[type[BaseException], ...]:
    from asyncpg import exceptions as pg
    from tortoise.exceptions import DBConnectionError

    return (
        DBConnectionError,
        pg.PostgresConnectionError,  # the connection broke (ConnectionDoesNotExistError …)
        pg.OperatorInterventionError,  # the server shuts down or does not accept connections yet
        pg.InsufficientResourcesError,  # too many connections, disk full
        pg.InterfaceError,  # "connection is closed", a pool closing
    )


def _redis_errors() -> tuple[type[BaseException], ...]:
    from redis import exceptions as r

    return (r.ConnectionError, r.TimeoutError)  # BusyLoadingError is a ConnectionError


def unavailable(error: BaseException | None) -> Outage | None:
    """The dependency whose absence ``error`` (or an error it was raised from) shows, or None
    for any other error. Records the failure (one log line per outage, security/outage.py)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, _redis_errors()):
            REDIS.failed(error)
            return REDIS
        if isinstance(error, (*_database_errors(), ConnectionError, socket.gaierror)):
            # A bare ConnectionError (refused, reset) or a failed name lookup reaches us from
            # asyncpg's connect; Redis's are wrapped in its own errors, caught above. Not every
            # OSError: a missing file is a fault to log, not the database gone.
            DATABASE.failed(error)
            return DATABASE
        error = error.__cause__ or error.__context__
    return None


class _OutageFilter(logging.Filter):
    """asyncpg's pool logs a traceback every second per pool while it cannot reconnect ("Failed
    to restore the pool connection floor"): with the outage logged once, those go."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return error is None or unavailable(error) is None


logging.getLogger("asyncpg.pool").addFilter(_OutageFilter())
