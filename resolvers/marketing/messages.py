"""消息 (messages): SMS and app-push sends to customers through a ``MessageSender`` into the message
outbox, and the in-app inbox (站内信) of staff users.

Outbox: a canvas wave queues ``OutboundMessage`` rows (QUEUED; one per wave × node × customer by
its unique key). The delivery job (``deliver_messages``, once across replicas, in batches with a
constant number of statements) reads the due ones, looks up where each goes (surname and phone, read
from customers at that moment and never stored in marketing: resolvers/common/customer_targets.py),
fills ``{{surname}}`` and hands each to the sender: accepted → SENT (DELIVERED at once when the
gateway says so, or later by ``delivery_receipt``); refused → QUEUED again after a backoff of
``RETRY_BASE`` × 2^attempts, FAILED after ``MAX_ATTEMPTS``.

A real gateway plugs in by implementing ``MessageSender`` (docs/marketing.md "Messages"): set
``DCMS_MESSAGE_SENDER`` to ``package.module:ClassName`` (built with no arguments, reading its own
settings from the environment). The default, ``RecordingSender``, logs each message (phone masked)
and keeps the last ones in memory — nothing leaves the server."""

from __future__ import annotations

import importlib
import logging
import os
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable
from uuid import UUID

from models.marketing import InboxMessage, MessageChannel, MessageStatus, OutboundMessage
from resolvers.common.changes import change
from resolvers.common.customer_targets import addressees
from resolvers.common.errors import not_found
from resolvers.common.jobs import exclusive
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.marketing.canvas import render
from resolvers.marketing.scopes import inbox_scope
from security.masking import PiiKind, mask
from security.principal import Principal

log = logging.getLogger(__name__)

DELIVERY_LOCK = 0x5D_C0_71  # pg advisory lock key: one delivery batch at a time across replicas
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(seconds=30)
BATCH = 200


@dataclass(frozen=True)
class Outgoing:
    """One message as a gateway sees it."""

    id: UUID  # ours: pass it on as the gateway's client reference, for receipts
    channel: MessageChannel
    phone: str  # SMS: the number; APP_PUSH: the customer's device is looked up by the gateway
    customer_id: UUID
    title: str
    body: str


@dataclass(frozen=True)
class SendResult:
    accepted: bool  # the gateway took it (SENT); False: try again later
    delivered: bool = False  # … and already delivered it (DELIVERED)
    provider_id: str | None = None  # the gateway's id, for delivery receipts
    error: str = ""  # why not accepted


@runtime_checkable
class MessageSender(Protocol):
    """短信 / 推送网关: what a real SMS or push gateway implements."""

    async def send(self, message: Outgoing) -> SendResult: ...


class RecordingSender:
    """The default sender: logs each message (phone masked), keeps the last 1000, delivers at once."""

    def __init__(self) -> None:
        self.sent: deque[Outgoing] = deque(maxlen=1000)

    async def send(self, message: Outgoing) -> SendResult:
        self.sent.append(message)
        log.info(
            "message %s %s to %s: %s",
            message.id,
            message.channel,
            mask(PiiKind.PHONE, message.phone),
            message.body,
        )
        return SendResult(accepted=True, delivered=True, provider_id=f"rec-{message.id}")


_sender: MessageSender | None = None


def sender() -> MessageSender:
    """The configured sender (``DCMS_MESSAGE_SENDER=package.module:Class``), else ``RecordingSender``."""
    global _sender
    if _sender is None:
        spec = os.environ.get("DCMS_MESSAGE_SENDER", "").strip()
        if spec:
            module, _, name = spec.partition(":")
            made = getattr(importlib.import_module(module), name)()
            if not isinstance(made, MessageSender):
                raise TypeError(
                    f"{spec} does not implement MessageSender (async send(message) -> SendResult)"
                )
            _sender = made
        else:
            _sender = RecordingSender()
    return _sender


def use_sender(new: MessageSender | None) -> None:
    """Install a sender (tests; an app wiring its own); None: back to the configured one."""
    global _sender
    _sender = new


async def attempt(gateway: MessageSender, message: Outgoing) -> SendResult:
    """One send through ``gateway``: one that raises is a refused attempt, not a failed batch (the
    signup codes' texts go the same way, resolvers/operations/signup.py)."""
    try:
        return await gateway.send(message)
    except Exception as exc:
        log.warning("message %s: sender raised %r", message.id, exc)
        return SendResult(accepted=False, error=type(exc).__name__)


async def deliver_messages(now: datetime | None = None, limit: int = BATCH) -> int:
    """One batch of due messages through the sender; the number handled. Statements: the lock, the
    due rows, their addressees and one UPDATE of them all — whatever the batch size."""
    now = now or datetime.now(UTC)
    async with exclusive("marketing", DELIVERY_LOCK) as mine:
        if not mine:
            return 0
        due = await (
            OutboundMessage.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .limit(limit)
        )
        if not due:
            return 0
        to = await addressees(m.customer_id for m in due)
        gateway = sender()
        for message in due:
            found = to.get(message.customer_id)
            if found is None or (message.channel is MessageChannel.SMS and not found.phone):
                result = SendResult(accepted=False, error="no phone")
                attempts = MAX_ATTEMPTS  # nothing to retry: the customer has no number
            else:
                outgoing = Outgoing(
                    message.id,
                    MessageChannel(message.channel),
                    found.phone,
                    message.customer_id,
                    message.title,
                    render(message.body, {"surname": found.surname}),
                )
                result = await attempt(gateway, outgoing)
                attempts = message.attempts + 1
            _record(message, result, attempts, now)
        await OutboundMessage.bulk_update(due, fields=OUTCOME_FIELDS, batch_size=limit)
        return len(due)


OUTCOME_FIELDS = [
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "provider_id",
    "sent_at",
    "delivered_at",
]


def _record(message: OutboundMessage, result: SendResult, attempts: int, now: datetime) -> None:
    """The message's state after this attempt (written for the whole batch in one UPDATE)."""
    message.attempts = min(attempts, MAX_ATTEMPTS)
    message.last_error = result.error[:300]
    if result.accepted:
        message.status = MessageStatus.DELIVERED if result.delivered else MessageStatus.SENT
        message.provider_id = result.provider_id
        message.sent_at = now
        message.delivered_at = now if result.delivered else None
    elif attempts >= MAX_ATTEMPTS:
        message.status = MessageStatus.FAILED
    else:
        message.next_attempt_at = now + RETRY_BASE * (2 ** (attempts - 1))


async def delivery_receipt(provider_id: str, delivered: bool, error: str = "") -> bool:
    """A gateway's delivery report (回执) for a SENT message: DELIVERED or FAILED. False: unknown id."""
    values = {"status": MessageStatus.DELIVERED, "delivered_at": datetime.now(UTC)}
    if not delivered:
        values = {"status": MessageStatus.FAILED, "last_error": error[:300]}
    return bool(
        await OutboundMessage.filter(provider_id=provider_id, status=MessageStatus.SENT).update(**values)
    )


# -- 站内信 (inbox) ---------------------------------------------------------------------------------


async def my_inbox(
    principal: Principal, first: int, after: str | None, unread_only: bool = False
) -> Page[InboxMessage]:
    """The caller's own 站内信, by id."""
    queryset = scoped(principal, InboxMessage, inbox_scope)
    if unread_only:
        queryset = queryset.filter(read_at=None)
    return await paginate(queryset, first, after)


async def mark_read(principal: Principal, message_id: UUID) -> InboxMessage:
    """已读回执: the recipient marks it read (again: the first time stays); anyone else: NOT_FOUND."""
    message = await scoped(principal, InboxMessage, inbox_scope).get_or_none(id=message_id)
    if message is None:
        raise not_found("inbox message")
    if message.read_at is None:
        async with change("marketing", "InboxMessage", message.id):
            await InboxMessage.filter(id=message.id, read_at=None).update(read_at=datetime.now(UTC))
        message = await InboxMessage.get(id=message.id)
    return message
