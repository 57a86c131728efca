"""排队叫号 (the queue of a 供电营业厅): tickets issued (取号) by the queue machine or at the counter,
then called to a window (叫号), served (办理) and done (办结), or missed (过号) when the customer
does not come:

    ISSUED → CALLED → SERVING → DONE
             CALLED → MISSED

``MOVES`` is the machine: each step one conditional UPDATE from the states it leaves
(resolvers/common/changes.py ``transition``): of two staff calling one ticket exactly one wins, the
other gets CONFLICT; the same person repeating their step (a double tap, a retry) gets the ticket
back. ``call_next`` takes the oldest waiting ticket atomically (``SELECT … FOR UPDATE SKIP LOCKED``
on PostgreSQL; on SQLite, where writes are serialised, the conditional UPDATE decides and a loser
tries the next): two windows calling at once get two different tickets.

Every step publishes the hall's status event (halls.py ``announce``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.operations import HallProfile, Org, QueueTicket, TicketStatus
from resolvers.common.changes import change
from resolvers.common.clock import CST, now
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.idempotency import check_key
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page
from resolvers.operations.halls import announce, hall_rows, staff_hall, system_hall
from resolvers.operations.permissions import require_hall_staff
from resolvers.operations.scopes import hall_data_scope
from security.principal import Principal

T = TicketStatus

# 业务类型: code → (the ticket number's letter, the name staff and customers see).
BUSINESS_TYPES: dict[str, tuple[str, str]] = {
    "PAYMENT": ("A", "电费缴纳"),
    "NEW_CONNECTION": ("B", "业扩报装"),
    "CHANGE": ("C", "用电变更"),
    "INVOICE": ("D", "发票打印"),
    "CONSULTING": ("E", "咨询"),
}
WAITING = (T.ISSUED, T.CALLED)  # 排队中: in the queue length
MAX_WINDOW = 16
ISSUE_ATTEMPTS = 8  # a number taken by a concurrent issue: count again


class TicketStep(StrEnum):
    CALL = "CALL"  # ISSUED → CALLED, to a window
    START = "START"  # CALLED → SERVING
    FINISH = "FINISH"  # SERVING → DONE
    MISS = "MISS"  # CALLED → MISSED (过号)


MOVES: dict[TicketStep, tuple[tuple[TicketStatus, ...], TicketStatus]] = {
    TicketStep.CALL: ((T.ISSUED,), T.CALLED),
    TicketStep.START: ((T.CALLED,), T.SERVING),
    TicketStep.FINISH: ((T.SERVING,), T.DONE),
    TicketStep.MISS: ((T.CALLED,), T.MISSED),
}


def business_name(code: str) -> str:
    return BUSINESS_TYPES.get(code, ("", code))[1]


def _check_business(code: str, profile: HallProfile | None) -> None:
    if code not in BUSINESS_TYPES:
        raise bad_input(f"unknown businessType {code[:32]!r} (one of {', '.join(BUSINESS_TYPES)})")
    if profile is not None and profile.business_types and code not in profile.business_types:
        raise bad_input(f"该营业厅不办理 {business_name(code)} (the hall does not offer {code})")


# -- issuing (取号) ----------------------------------------------------------------------------------


async def issue_ticket(
    hall_id: UUID, business_type: str, moment: datetime, source_event_id: str | None = None
) -> QueueTicket:
    """A ticket issued by the hall's queue machine (the devices ingestion calls it): once per
    ``source_event_id``. NOT_FOUND for an unknown hall, BAD_USER_INPUT for a business type the hall
    does not offer."""
    if source_event_id is not None and not 1 <= len(source_event_id) <= 64:
        raise bad_input("sourceEventId must be 1 to 64 characters")
    hall = await system_hall(hall_id)
    return await _issue(hall, business_type, moment, source_event_id)


async def issue_queue_ticket(
    principal: Principal, hall_id: UUID, business_type: str, idempotency_key: str | None = None
) -> QueueTicket:
    """A ticket issued at the counter by the hall's staff (代取号); a retry with the same
    idempotency key gets the first ticket back (with another business type: CONFLICT)."""
    hall = await staff_hall(principal, hall_id)
    key = check_key(idempotency_key)
    ticket = await _issue(hall, business_type, now(), f"{principal.user_id}:{key}" if key else None)
    if ticket.business_type != business_type:
        raise conflict("幂等键已用于另一张排队号 (idempotencyKey already used for another ticket)")
    return ticket


async def _issue(hall: Org, business_type: str, moment: datetime, source_event_id: str | None) -> QueueTicket:
    if moment.tzinfo is None:
        raise bad_input("the moment a ticket is issued needs a time zone")
    _check_business(business_type, await HallProfile.get_or_none(hall_id=hall.id))
    if source_event_id is not None and (
        found := await QueueTicket.get_or_none(source_event_id=source_event_id)
    ):
        return found
    letter = BUSINESS_TYPES[business_type][0]
    day = moment.astimezone(CST).date()
    async with change("operations", "QueueTicket") as audited:
        for _ in range(ISSUE_ATTEMPTS):
            taken = await QueueTicket.filter(hall_id=hall.id, day=day, number__startswith=letter).count()
            try:
                async with in_transaction("operations"):  # a savepoint: the number may be taken meanwhile
                    ticket = await QueueTicket.create(
                        hall=hall,
                        org_path=hall.path,
                        day=day,
                        number=f"{letter}{taken + 1:03d}",
                        business_type=business_type,
                        issued_at=moment,
                        issued_epoch=int(moment.timestamp()),
                        source_event_id=source_event_id,
                    )
            except IntegrityError:
                if source_event_id is not None and (
                    twin := await QueueTicket.get_or_none(source_event_id=source_event_id)
                ):
                    audited.id = twin.id
                    audited.detail["repeated"] = True
                    return twin
                continue
            audited.id = ticket.id
            await announce(hall, "ticket.issued")
            return ticket
    raise conflict("取号繁忙，请重试 (too many tickets issued at once: retry)")


# -- calling and serving (叫号 / 办理) ----------------------------------------------------------------


async def call_next(
    principal: Principal, hall_id: UUID, business_type: str | None, window: str
) -> QueueTicket | None:
    """The oldest waiting (ISSUED) ticket of today at the hall, of ``business_type`` (or any),
    called to ``window``; None when nobody waits. Two windows calling at once get different
    tickets. A window that already holds a called ticket of the caller's gets that one back (a
    retry calls nobody else: mark it missed, 过号, to move on)."""
    hall = await staff_hall(principal, hall_id)
    window = _window(window)
    if business_type is not None:
        _check_business(business_type, None)
    held = (
        await QueueTicket.filter(hall_id=hall.id, status=T.CALLED, window=window, called_by=principal.user_id)
        .order_by("-called_at")
        .first()
    )
    if held is not None:
        return held
    moment = now()
    day = moment.astimezone(CST).date()
    async with change("operations", "QueueTicket") as audited:
        for _ in range(ISSUE_ATTEMPTS):
            waiting = QueueTicket.filter(hall_id=hall.id, day=day, status=T.ISSUED)
            if business_type is not None:
                waiting = waiting.filter(business_type=business_type)
            oldest = (
                await waiting.order_by("issued_epoch", "number").select_for_update(skip_locked=True).first()
            )
            if oldest is None:
                return None
            won = await QueueTicket.filter(id=oldest.id, status=T.ISSUED).update(
                status=T.CALLED, window=window, called_at=moment, called_by=principal.user_id
            )
            if won:
                audited.id = oldest.id
                await oldest.refresh_from_db()
                await announce(hall, "ticket.called")
                return oldest
    raise conflict("叫号繁忙，请重试 (the queue is changing: retry)")


async def step_ticket(
    principal: Principal, ticket_id: UUID, step: TicketStep, window: str | None = None
) -> QueueTicket:
    """One step of a ticket in the caller's scope (NOT_FOUND otherwise) at a hall they work."""
    ticket = await scoped(principal, QueueTicket, hall_data_scope).get_or_none(id=ticket_id)
    if ticket is None:
        raise not_found("queue ticket")
    require_hall_staff(principal, ticket.org_path)
    leaving, to = MOVES[step]
    moment, me = now(), principal.user_id
    values: dict[str, Any] = {"status": to}
    if step is TicketStep.CALL:
        values |= {"window": _window(window or ""), "called_at": moment, "called_by": me}
    elif step is TicketStep.START:
        values |= {"serving_at": moment, "served_by": me}
    else:
        values |= {"finished_at": moment}
    async with change("operations", "QueueTicket", ticket.id) as audited:
        won = await QueueTicket.filter(id=ticket.id, status__in=list(leaving)).update(**values)
        current = await QueueTicket.get(id=ticket.id)
        if not won:
            if _done_by(current, step, me):
                audited.detail["repeated"] = True
                return current
            raise conflict(f"排队号为 {current.status}，不能 {step} (illegal transition)")
        audited.detail["to"] = str(to)
        hall = await Org.get(id=current.hall_id)
        await announce(hall, f"ticket.{to.lower()}")
    return current


def _done_by(ticket: QueueTicket, step: TicketStep, user: UUID) -> bool:
    """Whether ``ticket`` is where ``user``'s own ``step`` left it (a repeat of their request)."""
    if ticket.status is not MOVES[step][1]:
        return False
    if step in (TicketStep.CALL, TicketStep.MISS):
        return ticket.called_by == user
    return ticket.served_by == user


def _window(value: str) -> str:
    value = value.strip()
    if not 1 <= len(value) <= MAX_WINDOW:
        raise bad_input(f"window must be 1 to {MAX_WINDOW} characters (窗口号)")
    return value


async def list_tickets(
    principal: Principal, hall_id: UUID, status: TicketStatus | None, first: int, after: str | None
) -> Page[QueueTicket]:
    """A hall's tickets in the caller's scope, newest first (NOT_FOUND: a hall out of scope)."""
    where = {"status": status} if status is not None else {}
    return await hall_rows(principal, QueueTicket, hall_id, first, after, **where)
