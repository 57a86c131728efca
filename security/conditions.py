"""A tiny condition language for row scopes: each scope rule is written once and used both
as a SQL filter (``q()``, for querysets and loaders) and as a predicate (``test()``, for an
entity snapshot travelling in a subscription event).

``sql()`` writes the same filter as PostgreSQL text for the loaders' hand-built statements
(resolvers/common/loading.py), which skip Tortoise's query builder on the hot paths; a condition
only Tortoise can write (a subquery) answers None and the loader falls back to ``q()``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from tortoise.expressions import Q, Subquery
from tortoise.queryset import AwaitableQuery


class SqlWriter(Protocol):
    def column(self, field: str) -> str:
        """The quoted column of ``field``."""

    def param(self, field: str, value: Any) -> str:
        """A placeholder for ``value`` (a list: an array) stored in ``field``'s column."""


class Cond:
    def q(self) -> Q:
        raise NotImplementedError

    def sql(self, writer: SqlWriter) -> str | None:
        """This condition as PostgreSQL text, or None when only ``q()`` can express it."""
        return None

    def test(self, obj: Any) -> bool:
        raise NotImplementedError

    @property
    def is_nothing(self) -> bool:
        return False

    @property
    def is_everything(self) -> bool:
        return False


def _value(obj: Any, field: str) -> Any:
    value = getattr(obj, field, None)
    return str(value) if value is not None and not isinstance(value, str | bool | int) else value


@dataclass(frozen=True)
class Everything(Cond):
    def q(self) -> Q:
        return Q()

    @property
    def is_everything(self) -> bool:
        return True

    def sql(self, writer: SqlWriter) -> str:
        return "TRUE"

    def test(self, obj: Any) -> bool:
        return True


@dataclass(frozen=True)
class Nothing(Cond):
    def q(self) -> Q:
        return Q(id__in=[])

    def sql(self, writer: SqlWriter) -> str:
        return "FALSE"

    def test(self, obj: Any) -> bool:
        return False

    @property
    def is_nothing(self) -> bool:
        return True


@dataclass(frozen=True)
class Eq(Cond):
    field: str
    value: Any

    def q(self) -> Q:
        return Q(**{self.field: self.value})

    def sql(self, writer: SqlWriter) -> str:
        if self.value is None:
            return f"{writer.column(self.field)} IS NULL"
        return f"{writer.column(self.field)} = {writer.param(self.field, self.value)}"

    def test(self, obj: Any) -> bool:
        return _value(obj, self.field) == (str(self.value) if self.value is not None else None)


@dataclass(frozen=True)
class In(Cond):
    field: str
    values: tuple[Any, ...]

    def q(self) -> Q:
        lookup: dict[str, Any] = {f"{self.field}__in": list(self.values)}
        return Q(**lookup)

    def sql(self, writer: SqlWriter) -> str:
        if not self.values:
            return "FALSE"
        # One array parameter: the same statement text (and prepared plan) for any number of values.
        return f"{writer.column(self.field)} = ANY({writer.param(self.field, list(self.values))})"

    def test(self, obj: Any) -> bool:
        return _value(obj, self.field) in {str(v) for v in self.values}


@dataclass(frozen=True)
class Prefix(Cond):
    """A materialised-path subtree: the path itself or anything below it."""

    field: str
    prefix: str

    def q(self) -> Q:
        return Q(**{self.field: self.prefix}) | Q(**{f"{self.field}__startswith": self.prefix + "/"})

    def sql(self, writer: SqlWriter) -> str:
        column = writer.column(self.field)
        below = _like_escaped(self.prefix + "/") + "%"
        return (
            f"({column} = {writer.param(self.field, self.prefix)} "
            f"OR {column} LIKE {writer.param(self.field, below)} ESCAPE '\\')"
        )

    def test(self, obj: Any) -> bool:
        value = _value(obj, self.field) or ""
        return value == self.prefix or value.startswith(self.prefix + "/")


@dataclass(frozen=True)
class InQuery(Cond):
    """Membership in a subquery (one column). SQL only: not testable on a snapshot."""

    field: str
    query: AwaitableQuery[Any]  # a one-column ``values()`` query

    def q(self) -> Q:
        lookup: dict[str, Any] = {f"{self.field}__in": Subquery(self.query)}
        return Q(**lookup)

    def test(self, obj: Any) -> bool:
        raise TypeError(f"{self.field} IN (subquery) cannot be tested without the database")


@dataclass(frozen=True)
class After(Cond):
    """Greater than ``value`` (a keyset page's cursor)."""

    field: str
    value: Any

    def q(self) -> Q:
        return Q(**{f"{self.field}__gt": self.value})

    def sql(self, writer: SqlWriter) -> str:
        return f"{writer.column(self.field)} > {writer.param(self.field, self.value)}"

    def test(self, obj: Any) -> bool:
        value = _value(obj, self.field)
        return value is not None and value > str(self.value)


@dataclass(frozen=True)
class AnyOf(Cond):
    conds: tuple[Cond, ...]

    def q(self) -> Q:
        if self.is_everything:  # Tortoise drops an empty Q() from an OR: "or everything" would vanish
            return Q()
        live = [c for c in self.conds if not c.is_nothing]
        if not live:
            return Nothing().q()
        return Q(*(c.q() for c in live), join_type="OR")

    def sql(self, writer: SqlWriter) -> str | None:
        return _joined(" OR ", [c for c in self.conds if not c.is_nothing], writer, empty="FALSE")

    def test(self, obj: Any) -> bool:
        return any(c.test(obj) for c in self.conds)

    @property
    def is_nothing(self) -> bool:
        return all(c.is_nothing for c in self.conds)

    @property
    def is_everything(self) -> bool:
        return any(c.is_everything for c in self.conds)


@dataclass(frozen=True)
class AllOf(Cond):
    conds: tuple[Cond, ...]

    def q(self) -> Q:
        return Q(*(c.q() for c in self.conds), join_type="AND")

    def sql(self, writer: SqlWriter) -> str | None:
        return _joined(" AND ", list(self.conds), writer, empty="TRUE")

    def test(self, obj: Any) -> bool:
        return all(c.test(obj) for c in self.conds)

    @property
    def is_nothing(self) -> bool:
        return any(c.is_nothing for c in self.conds)

    @property
    def is_everything(self) -> bool:
        return all(c.is_everything for c in self.conds)


def _joined(operator: str, conds: list[Cond], writer: SqlWriter, empty: str) -> str | None:
    """``conds`` joined by ``operator``, ``empty`` when there are none; None when one of them has
    no SQL (the caller then drops the whole statement, parameters included)."""
    parts = []
    for cond in conds:
        part = cond.sql(writer)
        if part is None:
            return None
        parts.append(part)
    return f"({operator.join(parts)})" if parts else empty


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def any_of(*conds: Cond) -> Cond:
    return conds[0] if len(conds) == 1 else AnyOf(conds)


def all_of(*conds: Cond) -> Cond:
    return conds[0] if len(conds) == 1 else AllOf(conds)


@dataclass(frozen=True)
class Before(Cond):
    """Less than ``value`` (a newest-first keyset page's cursor, e.g. a history's sequence number)."""

    field: str
    value: Any

    def q(self) -> Q:
        return Q(**{f"{self.field}__lt": self.value})

    def sql(self, writer: SqlWriter) -> str:
        return f"{writer.column(self.field)} < {writer.param(self.field, self.value)}"

    def test(self, obj: Any) -> bool:
        value = getattr(obj, self.field, None)
        return value is not None and value < self.value


@dataclass(frozen=True)
class Contains(Cond):
    """The column's text holds ``text`` (e.g. ``|BRANCH_HEAD|`` in a ``|``-separated role list)."""

    field: str
    text: str

    def q(self) -> Q:
        return Q(**{f"{self.field}__contains": self.text})

    def sql(self, writer: SqlWriter) -> str:
        pattern = "%" + _like_escaped(self.text) + "%"
        return f"{writer.column(self.field)} LIKE {writer.param(self.field, pattern)} ESCAPE '\\'"

    def test(self, obj: Any) -> bool:
        return self.text in (_value(obj, self.field) or "")
