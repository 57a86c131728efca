"""幂等键 (idempotency keys): a client makes one key per submission (e.g. a UUID) and sends it again
when it retries after a timeout; the same caller with the same key gets the first result, and
nothing is written twice, even for two requests at once (the key is unique per caller in the
table, and the loser of the race reads the winner's row).

    row, created = await once("operations", key, lambda: Row.get_or_none(by=me, idempotency_key=key),
                              lambda: Row.create(..., idempotency_key=key))
    if not created and (row.x, row.y) != (x, y):
        raise conflict("幂等键已用于另一… (idempotencyKey already used for another …)")
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from resolvers.common.errors import bad_input

T = TypeVar("T")
MAX_IDEMPOTENCY_KEY = 64


def check_key(value: str | None) -> str | None:
    """The key as given, or BAD_USER_INPUT when it is empty or longer than 64 characters."""
    if value is not None and not 1 <= len(value) <= MAX_IDEMPOTENCY_KEY:
        raise bad_input(f"idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} characters")
    return value


async def once(
    app: str, key: str | None, first: Callable[[], Awaitable[T | None]], create: Callable[[], Awaitable[T]]
) -> tuple[T, bool]:
    """The row ``create`` makes, and True; or, with a ``key``, the row made before with it (``first``)
    and False. Runs inside the caller's transaction, ``create`` in a savepoint: a concurrent twin
    that commits first makes the insert fail, and its row is the answer."""
    if key is not None and (found := await first()) is not None:
        return found, False
    try:
        async with in_transaction(app):
            return await create(), True
    except IntegrityError:
        found = await first() if key is not None else None
        if found is None:  # no twin: another constraint refused it
            raise
        return found, False
