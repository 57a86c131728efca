"""Who may act on the marketplace and on which rows; the one way every finance mutation writes (a
transaction that ends with its audit record); and the small values every order needs (its number,
its district, its statistics periods, the platform's N)."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import strawberry
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.finance import FinancingNeed, Institution, ProductApplication
from resolvers.common import audit
from resolvers.common.clock import CST
from resolvers.common.errors import forbidden, not_found
from resolvers.common.loading import scoped
from security.conditions import Cond
from security.principal import Principal
from security.roles import Role, Scope
from security.scopes import role_scope

APPLICANTS = (Role.ENTERPRISE_USER, Role.INDIVIDUAL)  # 企业 / 个人 applicants
SUPERVISORS = (Role.REGULATOR,)  # 政府监管: urge, transfer
REVIEWERS = (Role.OPERATOR, Role.REGULATOR)  # product review, certification, the calendar


def max_institutions_per_need() -> int:
    """N: how many institutions may each grab one need (001: 多家机构). A platform parameter."""
    return int(os.environ.get("DCMS_MAX_INSTITUTIONS_PER_NEED", "3"))


def require_role(principal: Principal, roles: tuple[str, ...], what: str) -> None:
    if not principal.has_role(*roles):
        raise forbidden(f"无权{what} (your role cannot do this)")


async def certified_institution(principal: Principal) -> Institution:
    """The caller's institution, which must be certified (平台认证) before it lists or grabs."""
    if role_scope(principal) is not Scope.INSTITUTION or principal.institution_id is None:
        raise forbidden("只有金融机构人员可以操作 (institution staff only)")
    institution = await Institution.get_or_none(id=principal.institution_id)
    if institution is None or not institution.certified:
        raise forbidden("机构尚未通过平台认证 (the institution is not certified)")
    return institution


M = TypeVar("M", bound=Model)


async def in_scope(
    info: strawberry.Info,
    model: type[M],
    rule: Callable[[Principal], Cond],
    id: Any,
    what: str,
    **where: Any,
) -> M:
    """The row ``id`` of ``model``, if the caller's row scope (``rule``) holds it and it meets
    ``where`` (e.g. the caller's own); NOT_FOUND otherwise, exactly as if it did not exist."""
    row = await scoped(info.context.require_principal(), model, rule).get_or_none(id=id, **where)
    if row is None:
        raise not_found(what)
    return row


def new_order_no(prefix: str) -> str:
    """订单号: kind letter, CST date, 8 random hex digits (A20261123-1F2E3D4C)."""
    return f"{prefix}{datetime.now(CST):%Y%m%d}-{secrets.token_hex(4).upper()}"


def district_of(order: ProductApplication | FinancingNeed) -> str:
    """区县: an application's district, a need's region."""
    return order.region if isinstance(order, FinancingNeed) else order.district


def period_starts(day: date) -> tuple[date, date]:
    """The statistics week (its Monday) and month (its first day) holding ``day``."""
    return day - timedelta(days=day.weekday()), day.replace(day=1)


def periods(moment: datetime) -> tuple[date, date]:
    """The statistics week and month of ``moment``, in CST."""
    return period_starts(moment.astimezone(CST).date())


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Audited:
    """The target of a running change (a create sets ``id`` once the row exists), and what
    the audit record adds (``detail``, e.g. that the request repeated an earlier one)."""

    id: Any
    detail: dict[str, Any] = field(default_factory=dict)


@asynccontextmanager
async def change(info: strawberry.Info, type_name: str, id: Any = None) -> AsyncIterator[Audited]:
    """One mutation's transaction, closed by its audit record (a failure is recorded by the
    AuditTrail extension against the same target)."""
    audit.target(audit.Target(type_name, id))
    audited = Audited(id)
    async with in_transaction("finance"):
        yield audited
        await audit.record(target=audit.Target(type_name, audited.id), detail=audited.detail)
