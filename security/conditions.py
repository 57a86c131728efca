"""A tiny condition language for row scopes: each scope rule is written once and used both
as a SQL filter (``q()``, for querysets and loaders) and as a predicate (``test()``, for an
entity snapshot travelling in a subscription event)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import AwaitableQuery


class Cond:
    def q(self) -> Q:
        raise NotImplementedError

    def test(self, obj: Any) -> bool:
        raise NotImplementedError

    @property
    def is_nothing(self) -> bool:
        return False


def _value(obj: Any, field: str) -> Any:
    value = getattr(obj, field, None)
    return str(value) if value is not None and not isinstance(value, str | bool | int) else value


@dataclass(frozen=True)
class Everything(Cond):
    def q(self) -> Q:
        return Q()

    def test(self, obj: Any) -> bool:
        return True


@dataclass(frozen=True)
class Nothing(Cond):
    def q(self) -> Q:
        return Q(id__in=[])

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

    def test(self, obj: Any) -> bool:
        return _value(obj, self.field) == (str(self.value) if self.value is not None else None)


@dataclass(frozen=True)
class In(Cond):
    field: str
    values: tuple[Any, ...]

    def q(self) -> Q:
        lookup: dict[str, Any] = {f"{self.field}__in": list(self.values)}
        return Q(**lookup)

    def test(self, obj: Any) -> bool:
        return _value(obj, self.field) in {str(v) for v in self.values}


@dataclass(frozen=True)
class Prefix(Cond):
    """A materialised-path subtree: the path itself or anything below it."""

    field: str
    prefix: str

    def q(self) -> Q:
        return Q(**{self.field: self.prefix}) | Q(**{f"{self.field}__startswith": self.prefix + "/"})

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
class AnyOf(Cond):
    conds: tuple[Cond, ...]

    def q(self) -> Q:
        live = [c for c in self.conds if not c.is_nothing]
        if not live:
            return Nothing().q()
        return Q(*(c.q() for c in live), join_type="OR")

    def test(self, obj: Any) -> bool:
        return any(c.test(obj) for c in self.conds)

    @property
    def is_nothing(self) -> bool:
        return all(c.is_nothing for c in self.conds)


@dataclass(frozen=True)
class AllOf(Cond):
    conds: tuple[Cond, ...]

    def q(self) -> Q:
        return Q(*(c.q() for c in self.conds), join_type="AND")

    def test(self, obj: Any) -> bool:
        return all(c.test(obj) for c in self.conds)

    @property
    def is_nothing(self) -> bool:
        return any(c.is_nothing for c in self.conds)


def any_of(*conds: Cond) -> Cond:
    return conds[0] if len(conds) == 1 else AnyOf(conds)


def all_of(*conds: Cond) -> Cond:
    return conds[0] if len(conds) == 1 else AllOf(conds)
