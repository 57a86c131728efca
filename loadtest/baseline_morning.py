"""The baseline the benchmarks compare against: the H5 morning page and ``{ me { id } }`` by hand.

    .venv/bin/python -m loadtest.baseline_morning [--port 4499] [--identity full|signed|none]
        [--workers 1]

A Starlette app on uvicorn, asyncpg and orjson, no GraphQL, no ORM: what an established
hand-written endpoint costs for the same answer. It reads the stack's settings from the
environment like ``dcms serve`` (``DATABASE_URL``, ``REDIS_URL``, ``DCMS_KEYS_DIR`` …) and answers:

- ``POST /morning`` with ``{"first": N}``: the data of loadtest/bench_morning.py's ``MORNING``
  query, byte for byte the gateway's ``data`` (same fields, order and values): the caller's
  customers (a page of ``first``, by id) with tier, tags, latest contact and open opportunities,
  and the caller's first 20 unread reminders;
- ``POST /me``: ``{"data": {"me": {"id": …}}}``, the operations subgraph's ``{ me { id } }``.

Same SQL as the subgraphs (five statements for the page, one for ``me``): the customers
subgraph's page with its OWN scope as resolvers/customers/scopes.py writes it (primary manager,
or an assignment in force), its reminders, tags (by source, name), contacts, and the marketing
subgraph's opportunities (the caller's tenant, status OPEN or CLAIMED, at most ``first + 1`` a
customer by window function). Two differences, both what a careful hand-written endpoint does:
only the columns answered are selected, and the latest contact is read one row per customer
(window function, as issue 13 asks of the subgraph) instead of the whole history. The page selects
no PII column, so nothing is masked. Only a caller whose scope is OWN (a customer manager) is
served: any other role is refused with ``FORBIDDEN`` (the baseline covers the manager's page).

The identity check (``--identity``, env ``DCMS_BASELINE_IDENTITY``, default ``signed``) mirrors a
subgraph's:

- ``full``: the ES256 access token verified on every request (security/tokens.py ``read_claims``)
  and the session's revocation asked of the session store (Redis: one pipelined round trip) —
  what every subgraph call did when issue 13 was filed;
- ``signed``: "verify once", what a subgraph does now, with the same classes: the gateway's HMAC
  over the request checked in process (security/gateway_trust.py ``check_here``: signature, age,
  nonce), the token read by ``read_token`` (ES256 once per process and token, then from memory),
  the revocation looked up in the session store's in-process copy fed by Redis pub/sub
  (security/sessions.py ``revoked``);
- ``none``: the token's claims read, nothing verified (what the check costs, by difference).

On the embedded storage (no ``DATABASE_URL``) the same SQL runs on the subgraphs' SQLite files
through aiosqlite, each attached under its subgraph's name (``"customers"."customer"`` reads the
same in both): so the smoke test compares answers on either storage; only PostgreSQL's figures
mean anything.

Errors answer ``{"data": null, "errors": [{"message", "extensions": {"code"}}]}``: 401
``UNAUTHENTICATED``, 403 ``FORBIDDEN``, 400 ``BAD_USER_INPUT``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import re
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol, cast

import aiosqlite
import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from security.functions import Function
from security.gateway_trust import SIGNATURE_HEADER, GatewayTrust
from security.keys import TokenKeys, load_token_keys
from security.principal import Principal
from security.roles import ROLE_SCOPE, Role, Scope
from security.sessions import SessionStore, session_store
from security.tokens import InvalidToken, bearer, read_claims, read_token
from subgraphs.settings import Settings

IDENTITY_ENV = "DCMS_BASELINE_IDENTITY"
CLIENT_IP_HEADER = "x-dcms-client-ip"
OPEN_STATUSES = ("OPEN", "CLAIMED")
OPPORTUNITIES_FIRST = 5  # opportunities(first: 5, …) in MORNING
REMINDERS_FIRST = 20  # myReminders(first: 20, unreadOnly: true)
MAX_FIRST = 100


class Identity(StrEnum):
    FULL = "full"
    SIGNED = "signed"
    NONE = "none"


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def unauthenticated(message: str = "未登录或登录已过期") -> Refused:
    return Refused(401, "UNAUTHENTICATED", message)


# -- identity ----------------------------------------------------------------------------------------


def unverified_claims(token: str) -> dict[str, Any]:
    """A JWT's payload, not verified: for ``signed`` (the gateway verified it and signed the
    request that carries it) and ``none``."""
    try:
        payload = token.split(".")[1]
        claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as exc:
        raise unauthenticated() from exc
    if not isinstance(claims, dict) or claims.get("typ") != "access":
        raise unauthenticated()
    if float(claims.get("exp", 0)) < time.time():
        raise unauthenticated()
    return claims


@dataclass(frozen=True)
class Caller:
    user_id: str
    tenant_id: str | None
    session_id: str
    issued_at: float
    role: str
    permissions: frozenset[str]

    @classmethod
    def of(cls, principal: Principal) -> Caller:
        return cls(
            str(principal.user_id),
            str(principal.tenant_id) if principal.tenant_id else None,
            principal.session_id,
            principal.issued_at,
            principal.active_role,
            principal.permissions,
        )

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Caller:
        try:
            return cls(
                str(claims["sub"]),
                claims.get("tenant"),
                str(claims["sid"]),
                float(claims["iat"]),
                str(claims.get("role") or (claims.get("roles") or [""])[0]),
                frozenset(claims.get("perms", [])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise unauthenticated() from exc

    def own_scope(self) -> bool:
        """The caller's customers scope is OWN (resolvers/customers/scopes.py ``customer_scope``,
        by security/scopes.py ``role_scope``)."""
        try:
            scope = ROLE_SCOPE[Role(self.role)]
        except ValueError:
            return False
        return scope is Scope.OWN and Function.WHOLE_BANK_SEARCH not in self.permissions


class IdentityCheck:
    """Who calls, as a subgraph decides it in ``mode``; raises Refused."""

    def __init__(self, mode: Identity, settings: Settings, keys: TokenKeys) -> None:
        self.mode = mode
        self.keys = keys
        self.sessions: SessionStore | None = None
        self.trust: GatewayTrust | None = None
        if mode is not Identity.NONE:
            self.sessions = session_store(settings.redis_url)
        if mode is Identity.SIGNED:
            secret, redis_url = settings.hmac_secret, settings.redis_url
            self.trust = GatewayTrust(secret, require_signature=True, redis_url=redis_url)

    async def start(self) -> None:
        if self.mode is Identity.SIGNED and self.sessions is not None:
            await self.sessions.connect()  # the in-process revocations, fed by pub/sub

    async def caller(self, request: Request, body: bytes) -> Caller:
        authorization = request.headers.get("authorization")
        token = bearer(authorization)
        if token is None:
            raise unauthenticated()
        if self.mode is Identity.NONE:
            return Caller.from_claims(unverified_claims(token))
        assert self.sessions is not None
        if self.mode is Identity.FULL:
            try:
                caller = Caller.from_claims(read_claims(token, self.keys))  # ES256, every time
            except InvalidToken as exc:
                raise unauthenticated() from exc
            if await self.sessions.is_revoked(caller.session_id, caller.user_id, caller.issued_at):
                raise unauthenticated()
            return caller
        assert self.trust is not None
        refusal = self.trust.check_here(
            request.headers.get(SIGNATURE_HEADER),
            authorization,
            body,
            client_ip=request.headers.get(CLIENT_IP_HEADER),
            method=request.method,
        )
        if refusal is not None:
            raise Refused(403, "FORBIDDEN", refusal)
        try:
            caller = Caller.of(read_token(token, self.keys))  # verified once per process
        except InvalidToken as exc:
            raise unauthenticated() from exc
        if self.sessions.knows_all:
            revoked = self.sessions.revoked(caller.session_id, caller.user_id, caller.issued_at)
        else:
            revoked = await self.sessions.is_revoked(caller.session_id, caller.user_id, caller.issued_at)
        if revoked:
            raise unauthenticated()
        return caller

    async def close(self) -> None:
        if self.sessions is not None:
            await self.sessions.close()
        if self.trust is not None:
            await self.trust.close()


# -- storage: an asyncpg pool, or the SQLite files attached ---------------------------------------------


class Connection(Protocol):
    async def fetch(self, query: str, *args: Any) -> Sequence[Mapping[str, Any]]: ...

    async def fetchrow(self, query: str, *args: Any) -> Mapping[str, Any] | None: ...


class Database(Protocol):
    def acquire(self) -> contextlib.AbstractAsyncContextManager[Connection]: ...

    async def close(self) -> None: ...


class Postgres:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @classmethod
    async def open(cls, settings: Settings) -> Postgres:
        assert settings.database_url is not None
        pool = await asyncpg.create_pool(
            settings.database_url,
            min_size=1,
            max_size=max(2, settings.db_pool_max),
            init=_text_uuids,
            reset=_keep_session,
        )
        return cls(pool)

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Connection]:
        async with self._pool.acquire() as conn:
            yield conn

    async def close(self) -> None:
        await self._pool.close()


async def _text_uuids(conn: asyncpg.Connection) -> None:
    """UUIDs as text both ways: orjson writes a str as is (asyncpg's own UUID type it refuses)."""
    await conn.set_type_codec("uuid", encoder=str, decoder=str, schema="pg_catalog", format="text")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """No reset round trip on release (asyncpg's default sends ``RESET ALL`` …): these statements
    leave no session state, and a careful hand-written endpoint skips it."""


_PLACEHOLDER = re.compile(r"\$(\d+)")


class Sqlite:
    """The subgraphs' SQLite files on one connection, each attached as its subgraph's name."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @classmethod
    async def open(cls, settings: Settings) -> Sqlite:
        conn = await aiosqlite.connect(":memory:")
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA busy_timeout = 5000")
        for name in ("customers", "marketing", "operations"):
            await conn.execute(f'ATTACH DATABASE ? AS "{name}"', (str(settings.var_dir / f"{name}.sqlite3"),))
        return cls(conn)

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Connection]:
        yield self

    async def fetch(self, query: str, *args: Any) -> Sequence[Mapping[str, Any]]:
        # $n → ?n; a datetime as Tortoise stores it (sqlite3's ISO text).
        params = [a.isoformat(" ") if isinstance(a, datetime) else a for a in args]
        async with self._conn.execute(_PLACEHOLDER.sub(r"?\1", query), params) as cursor:
            return cast(list[Mapping[str, Any]], list(await cursor.fetchall()))

    async def fetchrow(self, query: str, *args: Any) -> Mapping[str, Any] | None:
        rows = await self.fetch(query, *args)
        return rows[0] if rows else None

    async def close(self) -> None:
        await self._conn.close()


def _when(value: Any) -> Any:
    """A timestamp as a datetime (SQLite gives its text), for orjson to write as Strawberry does."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


# -- SQL: the statements the customers, marketing and operations subgraphs send ----------------------


def _in(start: int, count: int) -> str:
    return ",".join(f"${n}" for n in range(start, start + count))


CUSTOMERS_PAGE = """SELECT "id","name","tier" FROM "customers"."customer"
WHERE "primary_manager_id"=$1 OR "id" IN (SELECT "customer_id" FROM "customers"."customer_assignment"
  WHERE ("ends_at" IS NULL OR "ends_at">$2) AND "manager_id"=$3)
ORDER BY "id" ASC LIMIT $4"""
UNREAD_REMINDERS = """SELECT "id","kind","title","due_at" FROM "customers"."reminder"
WHERE "manager_id"=$1 AND "read"=$2 ORDER BY "id" ASC LIMIT $3"""


def tags_of(count: int) -> str:
    return f"""SELECT "customer_id","name","source" FROM "customers"."customer_tag"
WHERE "customer_id" IN ({_in(1, count)}) ORDER BY "source" ASC,"name" ASC"""


def latest_contacts_of(count: int) -> str:
    return f"""SELECT "customer_id","channel","contacted_at","summary" FROM (
  SELECT "customer_id","channel","contacted_at","summary",
    ROW_NUMBER() OVER (PARTITION BY "customer_id" ORDER BY "contacted_at" DESC,"id" ASC) AS "_rn"
  FROM "customers"."contact_record" WHERE "customer_id" IN ({_in(1, count)})) AS "ranked"
WHERE "_rn"<=1"""


def open_opportunities_of(count: int) -> str:
    statuses = _in(count + 2, len(OPEN_STATUSES))
    return f"""SELECT "customer_id","id","title","status" FROM (
  SELECT "customer_id","id","title","status",
    ROW_NUMBER() OVER (PARTITION BY "customer_id" ORDER BY "id") AS "_rn"
  FROM "marketing"."opportunity"
  WHERE "tenant_id"=$1 AND "customer_id" IN ({_in(2, count)}) AND "status" IN ({statuses})) AS "ranked"
WHERE "_rn"<={OPPORTUNITIES_FIRST + 1} ORDER BY "id\""""


ME = """SELECT "id" FROM "operations"."app_user" WHERE ("id"=$1 OR "tenant_id"=$2) AND "id" IN ($3)"""


async def morning_page(conn: Connection, caller: Caller, first: int) -> dict[str, Any]:
    """The ``data`` of the morning query for ``caller``: five statements."""
    me = caller.user_id
    page = await conn.fetch(CUSTOMERS_PAGE, me, datetime.now(UTC), me, first + 1)
    reminders = await conn.fetch(UNREAD_REMINDERS, me, False, REMINDERS_FIRST + 1)
    customers = page[:first]
    ids = [row["id"] for row in customers]
    tags: dict[Any, list[dict[str, Any]]] = {key: [] for key in ids}
    contacts: dict[Any, dict[str, Any]] = {}
    opportunities: dict[Any, list[dict[str, Any]]] = {key: [] for key in ids}
    if ids:
        for row in await conn.fetch(tags_of(len(ids)), *ids):
            tags[row["customer_id"]].append({"name": row["name"], "source": row["source"]})
        for row in await conn.fetch(latest_contacts_of(len(ids)), *ids):
            contacts[row["customer_id"]] = {
                "channel": row["channel"],
                "contactedAt": _when(row["contacted_at"]),
                "summary": row["summary"],
            }
        if caller.tenant_id is not None:
            rows = await conn.fetch(open_opportunities_of(len(ids)), caller.tenant_id, *ids, *OPEN_STATUSES)
            for row in rows:
                found = opportunities[row["customer_id"]]
                if len(found) < OPPORTUNITIES_FIRST:
                    found.append({"id": row["id"], "title": row["title"], "status": row["status"]})
    return {
        "customers": {
            "nodes": [
                {
                    "id": row["id"],
                    "name": row["name"],
                    "tier": row["tier"],
                    "tags": tags[row["id"]],
                    "latestContact": contacts.get(row["id"]),
                    "opportunities": {"nodes": opportunities[row["id"]]},
                }
                for row in customers
            ]
        },
        "myReminders": {
            "nodes": [
                {"id": r["id"], "kind": r["kind"], "title": r["title"], "dueAt": _when(r["due_at"])}
                for r in reminders[:REMINDERS_FIRST]
            ]
        },
    }


# -- the app -------------------------------------------------------------------------------------------


def _json(content: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code=status, media_type="application/json")


def _refusal(refused: Refused) -> Response:
    error = {"message": refused.message, "extensions": {"code": refused.code}}
    return _json({"data": None, "errors": [error]}, refused.status)


Handler = Callable[[Request, bytes, Caller, Database], Awaitable[Any]]


async def _morning(request: Request, body: bytes, caller: Caller, db: Database) -> Any:
    try:
        first = orjson.loads(body)["first"]
    except (ValueError, KeyError, TypeError) as exc:
        raise Refused(400, "BAD_USER_INPUT", 'body must be {"first": N}') from exc
    if not isinstance(first, int) or not 1 <= first <= MAX_FIRST:
        raise Refused(400, "BAD_USER_INPUT", f"first must be between 1 and {MAX_FIRST}")
    if not caller.own_scope():
        raise Refused(403, "FORBIDDEN", "the baseline serves a customer manager's own page only")
    async with db.acquire() as conn:
        return await morning_page(conn, caller, first)


async def _me(request: Request, body: bytes, caller: Caller, db: Database) -> Any:
    async with db.acquire() as conn:
        row = await conn.fetchrow(ME, caller.user_id, caller.tenant_id, caller.user_id)
    return {"me": {"id": row["id"]} if row is not None else None}


def create_app(mode: Identity | None = None, settings: Settings | None = None) -> Starlette:
    """The baseline app for the stack the environment describes (uvicorn ``--factory``)."""
    settings = settings or Settings.from_env()
    mode = mode or Identity(os.environ.get(IDENTITY_ENV, Identity.SIGNED))
    identity = IdentityCheck(mode, settings, load_token_keys(settings))
    state: dict[str, Database] = {}

    def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            body = await request.body()
            try:
                caller = await identity.caller(request, body)
                return _json({"data": await handler(request, body, caller, state["db"])})
            except Refused as refused:
                return _refusal(refused)

        return run

    async def healthz(request: Request) -> Response:
        return _json({"status": "ok", "identity": str(mode)})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state["db"] = await (Postgres.open(settings) if settings.database_url else Sqlite.open(settings))
        await identity.start()
        try:
            yield
        finally:
            await identity.close()
            await state["db"].close()

    routes = [
        Route("/morning", endpoint(_morning), methods=["POST"]),
        Route("/me", endpoint(_me), methods=["POST"]),
        Route("/healthz", healthz),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(
        prog="python -m loadtest.baseline_morning", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4499)
    parser.add_argument(
        "--identity", choices=[m.value for m in Identity], default=os.environ.get(IDENTITY_ENV, "signed")
    )
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ[IDENTITY_ENV] = args.identity  # read by each worker's create_app
    print(f"baseline on http://{args.host}:{args.port} (identity {args.identity})", file=sys.stderr)
    uvicorn.run(
        "loadtest.baseline_morning:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        timeout_keep_alive=75,
    )


if __name__ == "__main__":
    main()
