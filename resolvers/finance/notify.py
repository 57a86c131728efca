"""What finance tells the live streams, written to the outbox inside the change's transaction.

- ``GRAB_POOL``: an order entered or left institutions' pools. Its scope names the institutions
  whose pools it concerns (``institutions``), the one that acted (``institution_id``) and
  whether it left every pool (``closed``), so each subscriber is filtered without a query.
- ``MY_ORDERS``: a step of an applicant's order, for ``myOrders``.
- ``SUPERVISION``: warnings, urging and post-loan warnings that operations raises as alerts for
  the institution's org (resolvers/operations/supervision_alerts.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast
from uuid import UUID

from tortoise.models import Model

from models.finance import FinancingNeed, Handling, Institution, NeedMatch, NeedStatus, ProductApplication
from realtime.broker import GRAB_POOL, MY_ORDERS, SUPERVISION
from resolvers.common.events import publish


def kind_of(order: Model) -> str:
    """ "need" or "application": the prefix of the order's event types, and its handling column."""
    return "need" if isinstance(order, FinancingNeed) else "application"


async def matched_institutions(need_id: UUID) -> list[UUID]:
    rows = await NeedMatch.filter(need_id=need_id).values_list("institution_id", flat=True)
    return cast(list[UUID], rows)  # flat: one column, the institution ids


async def pool(
    type_: str,
    order: Model,
    institutions: Iterable[UUID],
    acting: UUID | None = None,
    closed: bool = False,
) -> None:
    """``type_`` is ``<need|application>.<published|grabbed|withdrawn|transferred|closed>``."""
    await publish(
        GRAB_POOL,
        type_,
        order,
        tenant_id=getattr(order, "tenant_id", None),
        institutions=[str(i) for i in institutions],
        institution_id=acting,
        closed=closed,
    )


async def need_pool(type_: str, need: FinancingNeed, acting: UUID | None = None) -> None:
    closed = need.status != NeedStatus.OPEN
    await pool(type_, need, await matched_institutions(need.id), acting, closed)


async def my_order(
    step: str, order: FinancingNeed | ProductApplication, handling: Handling | None = None
) -> None:
    """A step of the applicant's order: ``step`` is the MyOrderEventKind name; the type names the
    order's kind (``need.grabbed``, ``application.credited``) so the stream restores the right model."""
    await publish(
        MY_ORDERS,
        f"{kind_of(order)}.{step.lower()}",
        order,
        tenant_id=getattr(order, "tenant_id", None),
        applicant_user_id=order.applicant_user_id,
        handling_id=handling.id if handling else None,
        step=step,
    )


async def supervision(
    type_: str,
    handling: Handling,
    institution: Institution,
    title: str,
    detail: str,
    level: str = "WARNING",
) -> None:
    """An alert for the institution's org, raised by operations (one per event)."""
    await publish(
        SUPERVISION, type_, handling, org_id=institution.org_id, level=level, title=title, detail=detail
    )
