"""DataLoader building blocks: every relation is fetched in one statement per request, and
every load is filtered by the caller's row scope (security/scopes.py) — so root fields,
nested lists and ``_entities`` cannot see more than the scope allows.

``by_id``      – entity by primary key (also used by ``_entities``).
``group_by``   – every child per parent key (short lists: a handling's warnings, an order's handlings).
``page_by``    – a Relay page of children per parent key, the first ``first`` rows of each
                 after ``after``, in one windowed statement whatever the number of parents.
``latest_by``  – the first ``n`` children per parent key in a given order (the latest contact,
                 the last 20 key events): one windowed statement that reads at most ``n`` rows
                 per parent, however long the history.

``plain=True`` (and ``records``, for a root list's query set): the rows as plain records instead of
Tortoise models, for hot lists whose types only read columns (below, "plain records").

``ready`` and ``then`` let a field resolve synchronously (no asyncio task of its own) when its
relation was already loaded for the whole page (schema/common/prefetch.py), and fall back to the
loader otherwise.
"""

from __future__ import annotations

import inspect
from collections import defaultdict, namedtuple
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import cache
from typing import Any, TypeAlias, TypeVar
from uuid import UUID

from strawberry.dataloader import DataLoader
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.queryset import QuerySet

from resolvers.common.errors import bad_input
from resolvers.common.pagination import Page, check_page_size, decode_cursor, page_of
from security.conditions import After, Before, Cond, Eq, In, all_of
from security.principal import Principal

ScopeRule = Callable[[Principal], Cond]
M = TypeVar("M", bound=Model)
K = TypeVar("K")
T = TypeVar("T")
U = TypeVar("U")
MaybeAwaitable: TypeAlias = T | Awaitable[T]


def ready(loader: DataLoader[K, T], key: K) -> MaybeAwaitable[T]:
    """``key``'s value when this request's ``loader`` already holds it, else ``loader.load(key)``.
    A field returning the value resolves in place; graphql-core makes a task only for an awaitable."""
    future = loader.cache_map.get(key) if loader.cache else None
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return future.result()
    return loader.load(key)


def then(value: MaybeAwaitable[T], finish: Callable[[T], U]) -> MaybeAwaitable[U]:
    """``finish(value)``, now when ``value`` is one, else once it is awaited."""
    if inspect.isawaitable(value):
        pending = value

        async def later() -> U:
            return finish(await pending)

        return later()
    return finish(value)


def by_id(model: type[Model], scope: Cond) -> DataLoader[UUID, Any]:
    async def load(ids: Sequence[UUID]) -> list[Any]:
        rows = {row.pk: row for row in await _select(model, all_of(scope, In("id", tuple(ids))))}
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


def group_by(
    model: type[Model],
    column: str,
    scope: Cond,
    order: tuple[str, ...] = ("created_at", "id"),
    plain: bool = False,
) -> DataLoader[UUID, list[Any]]:
    async def load(keys: Sequence[UUID]) -> list[list[Any]]:
        grouped: dict[str, list[Any]] = defaultdict(list)
        for row in await _select(model, all_of(scope, In(column, tuple(keys))), order, plain):
            grouped[str(getattr(row, column))].append(row)
        return [grouped.get(str(key), []) for key in keys]

    return DataLoader(load_fn=load)


def page_by(
    model: type[Model],
    column: str,
    first: int,
    after: str | None,
    scope: Cond,
    where: dict[str, Any] | None = None,
    plain: bool = False,
) -> DataLoader[UUID, Page[Any]]:
    """Children of ``model`` whose ``column`` is the key (and that match ``where``, the field's
    own filter arguments: ``{"status__in": (…)}`` or ``{"field": value}``), paged per key by id."""
    check_page_size(first)
    conds = [_lookup(name, value) for name, value in (where or {}).items()]
    if after:
        conds.append(After("id", decode_cursor(after)))

    async def load(keys: Sequence[UUID]) -> list[Page[Any]]:
        cond = all_of(scope, In(column, tuple(keys)), *conds)
        grouped = await _first_per_key(model, cond, column, ("id",), first + 1, plain)
        return [page_of(grouped.get(str(key), []), first) for key in keys]

    return DataLoader(load_fn=load)


def latest_by(
    model: type[Model], column: str, scope: Cond, order: tuple[str, ...], n: int, plain: bool = False
) -> DataLoader[UUID, list[Any]]:
    """The first ``n`` children per key in ``order`` (``-`` for descending): at most ``n`` rows
    read per parent, in one statement for the page of parents."""

    async def load(keys: Sequence[UUID]) -> list[list[Any]]:
        grouped = await _first_per_key(model, all_of(scope, In(column, tuple(keys))), column, order, n, plain)
        return [grouped.get(str(key), []) for key in keys]

    return DataLoader(load_fn=load)


def page_desc_by(
    model: type[Model], column: str, sequence: str, first: int, after: str | None, scope: Cond
) -> DataLoader[UUID, Page[Any]]:
    """Children of ``model`` whose ``column`` is the key, newest first by ``sequence`` (an integer
    that grows per parent: 1, 2, … of a history), a page of ``first`` per key after the cursor
    ``after``, in one windowed statement whatever the number of parents."""
    check_page_size(first)
    conds: list[Cond] = [Before(sequence, _sequence_cursor(after))] if after else []

    def cursor(row: Any) -> str:
        return f"{getattr(row, sequence)}|{row.id}"

    async def load(keys: Sequence[UUID]) -> list[Page[Any]]:
        cond = all_of(scope, In(column, tuple(keys)), *conds)
        grouped = await _first_per_key(model, cond, column, (f"-{sequence}", "-id"), first + 1)
        return [page_of(grouped.get(str(key), []), first, key=cursor) for key in keys]

    return DataLoader(load_fn=load)


def _sequence_cursor(cursor: str) -> int:
    """The sequence number a ``page_desc_by`` cursor holds; anything else is BAD_USER_INPUT."""
    number, _, _ = decode_cursor(cursor).partition("|")
    if not number.isdigit() or len(number) > 9:
        raise bad_input("invalid cursor")
    return int(number)


def _lookup(name: str, value: Any) -> Cond:
    return In(name.removesuffix("__in"), tuple(value)) if name.endswith("__in") else Eq(name, value)


# -- the statements ---------------------------------------------------------------------------------
# On PostgreSQL the loaders write their statements themselves (Cond.sql): Tortoise's query builder
# copied and rendered a query tree for each one, a fifth of a list page's CPU. The keys go in one
# array parameter, so a statement's text (and its prepared plan) is the same for any batch size.
# Elsewhere (SQLite), and for a scope only Tortoise can write (a subquery), Tortoise builds them.


class _Unwritable(Exception):
    """A condition names something that is not a column of the model."""


class _Postgres:
    """``SqlWriter`` for one statement on ``model``'s table: columns checked, values as Tortoise
    would send them (``to_db_value``), numbered ``$1, $2, …``."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.params: list[Any] = []

    def _field(self, name: str) -> Any:
        field = self.model._meta.fields_map.get(name)
        if field is None or name not in self.model._meta.fields_db_projection:
            raise _Unwritable(name)
        return field

    def column(self, field: str) -> str:
        self._field(field)
        return f'"{self.model._meta.fields_db_projection[field]}"'

    def param(self, field: str, value: Any) -> str:
        to_db = self._field(field).to_db_value
        self.params.append(
            [to_db(v, self.model) for v in value] if isinstance(value, list) else to_db(value, self.model)
        )
        return f"${len(self.params)}"


def _where(model: type[Model], cond: Cond) -> tuple[str, list[Any]] | None:
    """``cond`` as a PostgreSQL WHERE clause and its parameters; None when Tortoise must write it."""
    if model._meta.db.capabilities.dialect != "postgres":
        return None
    writer = _Postgres(model)
    try:
        text = cond.sql(writer)
    except _Unwritable:
        return None
    return (text, writer.params) if text is not None else None


def _columns(model: type[Model]) -> str:
    return ", ".join(f'"{name}"' for name in model._meta.db_fields)


async def _select(model: type[M], cond: Cond, order: tuple[str, ...] = (), plain: bool = False) -> list[Any]:
    """The rows of ``model`` matching ``cond``, in ``order`` (as plain records when ``plain``)."""
    where = _where(model, cond)
    if where is None:
        queryset = model.filter(cond.q()).order_by(*order)
        return await records(queryset) if plain else await queryset
    text, params = where
    by = f" ORDER BY {', '.join(_order_sql(model, term) for term in order)}" if order else ""
    sql = f'SELECT {_columns(model)} FROM "{model._meta.db_table}" WHERE {text}{by}'
    return await _rows(model, sql, params, plain)


async def _first_per_key(
    model: type[Model], cond: Cond, column: str, order: tuple[str, ...], n: int, plain: bool = False
) -> dict[str, list[Any]]:
    """The first ``n`` rows matching ``cond`` per value of ``column`` in ``order``, grouped by
    that value (as text), each group in ``order``: a ROW_NUMBER() window over the matching rows
    (Tortoise has no window functions)."""
    fields = _columns(model)
    where = _where(model, cond)
    if where is None:
        inner, params = _parameterized(model.filter(cond.q()))
    else:
        inner = f'SELECT {fields} FROM "{model._meta.db_table}" WHERE {where[0]}'
        params = where[1]
    by = ", ".join(_order_sql(model, term) for term in order)
    sql = (
        f'SELECT {fields} FROM (SELECT {fields}, ROW_NUMBER() OVER (PARTITION BY "{column}" '
        f'ORDER BY {by}) AS "_rn" FROM ({inner}) AS "scoped") AS "ranked" '
        f'WHERE "_rn" <= {int(n)} ORDER BY "{column}", "_rn"'
    )
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in await _rows(model, sql, params, plain):
        grouped[str(getattr(row, column))].append(row)
    return grouped


async def _rows(model: type[M], sql: str, params: list[Any], plain: bool = False) -> list[Any]:
    """The rows ``sql`` selects (every column of ``model``, in ``_columns`` order)."""
    db = model._meta.db
    if plain:
        return await _records(model, db, sql, params)
    return await db.executor_class(model=model, db=db).execute_select(sql, params)


# -- plain records ----------------------------------------------------------------------------------
# A hot list's rows are only read: a named tuple of a row's columns costs a fraction of a Tortoise
# model (no ``**row``, no instance dict, no ``__setattr__`` per bookkeeping attribute). Its
# attributes are the model's columns by their field names (a foreign key as ``<name>_id``), with
# the values the model would hold: each column converted as ``Model._init_from_db`` converts it
# (an encrypted column decrypted). The class is named after the model, so what names a row by its
# type (the audit target of a PII read, schema/common/pii.py) names a record the same. No
# methods, relations or saving: only for lists whose GraphQL types read plain columns.


async def records(queryset: QuerySet[Any]) -> list[Any]:
    """What ``queryset`` selects, as plain records: the same statement as ``await queryset``."""
    sql, params = _parameterized(queryset)
    return await _records(queryset.model, queryset._db, sql, params)


async def _records(model: type[Model], db: BaseDBAsyncClient, sql: str, params: list[Any]) -> list[Any]:
    _, rows = await db.execute_query(sql, params)
    read = _reader(model, db.capabilities.dialect)
    return [read(row) for row in rows]


@cache
def record_type(model: type[Model]) -> type[tuple[Any, ...]]:
    """``model``'s plain record: a named tuple of its columns, in ``_columns`` order."""
    meta = model._meta
    return namedtuple(model.__name__, [meta.fields_db_projection_reverse[c] for c in meta.db_fields])


@cache
def _reader(model: type[Model], dialect: str) -> Callable[[Iterable[Any]], Any]:
    """A row (its columns in ``_columns`` order) to ``model``'s record; the conversions of
    ``Model._init_from_db``, which Tortoise sorts by what the dialect's driver returns."""
    meta = model._meta
    make = record_type(model)._make  # type: ignore[attr-defined]
    position = {column: i for i, column in enumerate(meta.db_fields)}
    typed = [(position[column], field.field_type) for column, _, field in meta.db_default_fields]
    converted = [(position[column], field.to_python_value) for column, _, field in meta.db_complex_fields]

    def read(row: Iterable[Any]) -> Any:  # an asyncpg Record or a sqlite3.Row: values in order
        values = list(row)
        for i, to_python in converted:
            values[i] = to_python(values[i])
        for i, field_type in typed:
            if values[i] is not None:
                values[i] = field_type(values[i])
        return make(values)

    return read


def _order_sql(model: type[Model], term: str) -> str:
    name = term.removeprefix("-")
    column = model._meta.fields_map[name].source_field or name
    return f'"{column}" DESC' if term.startswith("-") else f'"{column}"'


def _parameterized(queryset: QuerySet[Any]) -> tuple[str, list[Any]]:
    """The scoped query's SQL with placeholders and its parameters, to nest in a window query
    (``QuerySet.sql()`` gives no parameters, so this uses the two steps it takes inside —
    tortoise-orm is pinned below 2 for that reason)."""
    queryset._choose_db_if_not_chosen()
    queryset._make_query()
    sql, params = queryset.query.get_parameterized_sql()
    return sql, list(params)


def scoped(principal: Principal, model: type[M], rule: ScopeRule) -> QuerySet[M]:
    """``model``'s rows ``principal`` may see: the start of every root list query."""
    return model.filter(rule(principal).q())


class LoaderRegistry:
    """Per-request loaders, keyed by name and arguments, built for the caller's scope: one
    request shares one loader per relation and page shape."""

    def __init__(self, require_principal: Callable[[], Principal]) -> None:
        self.require_principal = require_principal  # the caller, or UNAUTHENTICATED
        self._loaders: dict[tuple[Any, ...], DataLoader[Any, Any]] = {}

    def scope(self, rule: ScopeRule) -> Cond:
        return rule(self.require_principal())

    def entity(self, model: type[Model], rule: ScopeRule) -> DataLoader[UUID, Any]:
        return self._get((model, "by_id", rule), lambda: by_id(model, self.scope(rule)))

    def children(
        self,
        model: type[Model],
        column: str,
        rule: ScopeRule,
        order: tuple[str, ...] = ("created_at", "id"),
        plain: bool = False,
    ) -> DataLoader[UUID, list[Any]]:
        return self._get(
            (model, column, rule, order, plain),
            lambda: group_by(model, column, self.scope(rule), order, plain),
        )

    def page(
        self,
        model: type[Model],
        column: str,
        rule: ScopeRule,
        first: int,
        after: str | None,
        where: dict[str, tuple[Any, ...]] | None = None,
        plain: bool = False,
    ) -> DataLoader[UUID, Page[Any]]:
        key = (model, column, rule, first, after, tuple(sorted((where or {}).items())), plain)
        return self._get(key, lambda: page_by(model, column, first, after, self.scope(rule), where, plain))

    def latest(
        self,
        model: type[Model],
        column: str,
        rule: ScopeRule,
        order: tuple[str, ...],
        n: int,
        plain: bool = False,
    ) -> DataLoader[UUID, list[Any]]:
        return self._get(
            (model, column, rule, order, "latest", n, plain),
            lambda: latest_by(model, column, self.scope(rule), order, n, plain),
        )

    def page_desc(
        self, model: type[Model], column: str, sequence: str, rule: ScopeRule, first: int, after: str | None
    ) -> DataLoader[UUID, Page[Any]]:
        """``page_desc_by``: a history per key, newest first, paged."""
        key = (model, column, sequence, rule, "desc", first, after)
        return self._get(key, lambda: page_desc_by(model, column, sequence, first, after, self.scope(rule)))

    def _get(self, key: tuple[Any, ...], factory: Callable[[], DataLoader[Any, Any]]) -> DataLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = factory()
        return loader
