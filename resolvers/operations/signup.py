"""验证码 (signup codes): an applicant proves a phone before registering (onboarding.py).

``request_code`` answers the same whether or not the phone is known anywhere: it never reads users
or applications. The code goes out only as a text message through the message outbox
(``SignupMessage``, written in the code's transaction and sent by ``deliver_signup_messages`` after
it commits, through the configured message gateway, resolvers/marketing/messages.py ``sender``);
it is never in an API answer. At rest only its keyed hash is kept (an HMAC with the PII index key,
bound to the phone): a stolen table does not give the codes back, nor lets six digits be tried
offline. A code is good for ``CODE_TTL`` and ``MAX_TRIES`` tries; a registration takes it once.

Rate limits, counted from the code rows themselves (so they hold across replicas and restarts,
on either storage): one code per phone per ``RESEND_AFTER``, ``PER_PHONE_HOUR`` per phone and
``PER_ADDRESS_HOUR`` per client address an hour; beyond them RATE_LIMITED with ``retryAfter``."""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.expressions import F

from models.common import column_label, get_cipher
from models.operations import SignupCode, SignupMessage, SignupMessageStatus
from resolvers.common.changes import change
from resolvers.common.errors import CodedError, ErrorCode, bad_input
from resolvers.common.jobs import exclusive
from resolvers.marketing.messages import MessageChannel, Outgoing, attempt, sender
from security.masking import PiiKind, mask

log = logging.getLogger(__name__)

PHONE = re.compile(r"1[3-9]\d{9}")  # 中国大陆手机号
CODE_MINUTES = 5
CODE_TTL = timedelta(minutes=CODE_MINUTES)
MAX_TRIES = 5
RESEND_AFTER = timedelta(seconds=60)
PER_PHONE_HOUR = 5
PER_ADDRESS_HOUR = 20
HOUR = timedelta(hours=1)
DELIVERY_LOCK = 0x5D_C0_19_0C  # pg advisory lock key: one delivery batch at a time across replicas
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(seconds=10)
BATCH = 100
SIGNUP = UUID(int=0)  # what the gateway gets as the customer of a signup text: there is none


@dataclass(frozen=True)
class CodeSent:
    """The answer to every accepted request, known phone or not."""

    expires_at: datetime
    resend_after_seconds: int


def normalise_phone(phone: str) -> str:
    """A mainland mobile number, 11 digits (a leading +86 / 86 and spaces or dashes dropped), or
    BAD_USER_INPUT."""
    digits = re.sub(r"[\s-]", "", phone.strip())
    digits = digits.removeprefix("+86") if digits.startswith("+86") else digits
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not PHONE.fullmatch(digits):
        raise bad_input("手机号格式不正确 (a mainland mobile number of 11 digits)")
    return digits


def phone_key(phone: str) -> str:
    """The phone's blind index in the code table: rows are found by it, never by the number."""
    return get_cipher().blind_index(phone, column_label(SignupCode, "phone"))


def _code_hash(key: str, code: str) -> str:
    return get_cipher().blind_index(f"{key}:{code}", column_label(SignupCode, "code_hash"))


def _rate_limited(retry_after: timedelta, what: str) -> CodedError:
    error = CodedError(ErrorCode.RATE_LIMITED, f"验证码请求过于频繁，请稍后再试 (too many codes {what})")
    error.extensions.update(retryAfter=max(1, int(retry_after.total_seconds()) + 1), limit=what)
    return error


async def _check_rates(key: str, address: str, now: datetime) -> None:
    """RATE_LIMITED when this phone or address asked too often. Three statements."""
    last = await SignupCode.filter(phone_bidx=key).order_by("-created_at").first()
    if last is not None and now - last.created_at < RESEND_AFTER:
        raise _rate_limited(RESEND_AFTER - (now - last.created_at), "per phone")
    if await SignupCode.filter(phone_bidx=key, created_at__gt=now - HOUR).count() >= PER_PHONE_HOUR:
        raise _rate_limited(HOUR, "per phone")
    if await SignupCode.filter(address=address, created_at__gt=now - HOUR).count() >= PER_ADDRESS_HOUR:
        raise _rate_limited(HOUR, "per address")


async def request_code(phone: str, address: str) -> CodeSent:
    """发送验证码: a new 6-digit code for ``phone``, sent as a text message (never returned)."""
    phone = normalise_phone(phone)
    key, now = phone_key(phone), datetime.now(UTC)
    address = address[:64]
    await _check_rates(key, address, now)
    code = f"{secrets.randbelow(10**6):06d}"
    expires_at = now + CODE_TTL
    async with change("operations", "SignupCode") as audited:
        row = await SignupCode.create(
            phone_bidx=key, code_hash=_code_hash(key, code), address=address, expires_at=expires_at
        )
        audited.id = row.id
        await SignupMessage.create(
            phone=phone,
            body=f"您的注册验证码为 {code}，{CODE_MINUTES} 分钟内有效。如非本人操作，请忽略本短信。",
            next_attempt_at=now,
        )
    return CodeSent(expires_at, int(RESEND_AFTER.total_seconds()))


def invalid_code() -> CodedError:
    error = bad_input("验证码错误或已过期 (wrong or expired code)")
    error.extensions["reason"] = "INVALID_CODE"
    return error


async def check_code(phone: str, code: str) -> UUID:
    """The id of ``phone``'s live code when ``code`` is it; else BAD_USER_INPUT (INVALID_CODE). Each
    try is counted before the comparison, in one conditional UPDATE committed at once: tries sent
    at the same moment cannot share a count, and a failing registration cannot undo it."""
    key, now = phone_key(phone), datetime.now(UTC)
    row = await (
        SignupCode.filter(phone_bidx=key, used_at=None, expires_at__gt=now).order_by("-created_at").first()
    )
    if row is None:
        raise invalid_code()
    tried = await SignupCode.filter(id=row.id, attempts__lt=MAX_TRIES).update(attempts=F("attempts") + 1)
    if not tried or not hmac.compare_digest(row.code_hash, _code_hash(key, code.strip())):
        raise invalid_code()
    return row.id


async def take_code(code_id: UUID) -> bool:
    """Inside the registration's transaction: mark the code used; False when another registration
    took it first (of two at once, exactly one gets it)."""
    now = datetime.now(UTC)
    return bool(await SignupCode.filter(id=code_id, used_at=None, expires_at__gt=now).update(used_at=now))


async def deliver_signup_messages(now: datetime | None = None, limit: int = BATCH) -> int:
    """Hand the queued signup texts to the message gateway, once across replicas; the number handled.
    Refused: retried with backoff, FAILED after ``MAX_ATTEMPTS``. The gateway sees a message of no
    customer (``SIGNUP``). Texts whose code has expired are deleted (one statement): no code, even
    encrypted, outlives the time it could be used."""
    now = now or datetime.now(UTC)
    async with exclusive("operations", DELIVERY_LOCK) as mine:
        if not mine:
            return 0
        due = await (
            SignupMessage.filter(status=SignupMessageStatus.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .limit(limit)
        )
        gateway = sender()
        for message in due:
            outgoing = Outgoing(
                message.id, MessageChannel.SMS, message.phone, SIGNUP, "注册验证码", message.body
            )
            result = await attempt(gateway, outgoing)
            accepted, error = result.accepted, result.error
            message.attempts += 1
            if accepted:
                message.status, message.sent_at = SignupMessageStatus.SENT, now
            elif message.attempts >= MAX_ATTEMPTS:
                message.status = SignupMessageStatus.FAILED
                log.warning("signup message to %s failed: %s", mask(PiiKind.PHONE, message.phone), error)
            else:
                message.next_attempt_at = now + RETRY_BASE * (2 ** (message.attempts - 1))
            message.last_error = error[:300]
            await message.save(
                update_fields=["status", "sent_at", "attempts", "next_attempt_at", "last_error"]
            )
        await SignupMessage.filter(created_at__lt=now - CODE_TTL).delete()
        return len(due)
