"""The audit trail's hash chain: how a record is hashed, how it is appended race-free,
and how a chain is checked.

Each subgraph's ``audit_record`` table is one chain. A record's hash is SHA-256 over
the canonical JSON (sorted keys, no spaces, UTF-8) of its content and the previous
record's hash; the first record chains to a fixed genesis value per subgraph. ``seq``
is the record's storage position (1, 2, 3 …) and is not hashed: the chain order is
the ``prev_hash`` links, so a renumbering shows up as a broken link, and a gap in
``seq`` names where records were deleted.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.audit import AuditRecordBase

PII_READ = "pii.read"
OK = "ok"


def genesis(subgraph: str) -> str:
    """What the first record of a subgraph's chain points back to (so a whole chain
    cannot be passed off as another subgraph's)."""
    return hashlib.sha256(f"dcms-audit-genesis:{subgraph}".encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """What a caller wants recorded; time, position and hashes are added on append."""

    action: str
    target_type: str = ""
    target_id: str | None = None
    result: str = OK
    actor_id: UUID | None = None
    actor_username: str | None = None
    actor_role: str = ""
    request_id: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def canonical(record: Any) -> bytes:
    """The hashed content of a record (a model instance or anything with its attributes)."""
    occurred_at: datetime = record.occurred_at
    content = {
        "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": str(record.actor_id) if record.actor_id else None,
        "actor_username": record.actor_username,
        "actor_role": record.actor_role,
        "action": record.action,
        "target_type": record.target_type,
        "target_id": record.target_id,
        "result": record.result,
        "request_id": record.request_id,
        "detail": record.detail,
        "prev_hash": record.prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(record: Any) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


def lock_key(subgraph: str) -> int:
    """The PostgreSQL advisory-lock key of a subgraph's chain (a signed 32-bit int)."""
    return zlib.crc32(f"dcms-audit:{subgraph}".encode()) - 2**31


async def _lock_chain(conn: BaseDBAsyncClient, subgraph: str) -> None:
    # SQLite needs no lock: Tortoise serialises every transaction on its one connection,
    # and SQLite itself lets only one writer in. PostgreSQL: a transaction-scoped advisory
    # lock, released at commit/rollback, so two appends never read the same chain head.
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [lock_key(subgraph)])


async def append(model: type[AuditRecordBase], subgraph: str, entries: Sequence[Entry]) -> list[Any]:
    """Append entries to the chain in ``model``'s table, inside the caller's transaction when
    there is one (a savepoint then), else in a transaction of its own."""
    if not entries:
        return []
    async with in_transaction(model._meta.default_connection) as conn:
        await _lock_chain(conn, subgraph)
        head = await model.all().using_db(conn).order_by("-seq").first().values("seq", "hash")
        seq, prev = (head["seq"], head["hash"]) if head else (0, genesis(subgraph))
        now = datetime.now(UTC)  # taken under the lock: time order follows chain order
        rows = []
        for entry in entries:
            seq += 1
            row = model(
                seq=seq,
                occurred_at=now,
                actor_id=entry.actor_id,
                actor_username=entry.actor_username,
                actor_role=entry.actor_role,
                action=entry.action[:64],
                target_type=entry.target_type[:64],
                target_id=entry.target_id[:64] if entry.target_id else None,
                result=entry.result[:32],
                request_id=entry.request_id[:128],
                detail=entry.detail,
                prev_hash=prev,
            )
            row.hash = prev = record_hash(row)
            rows.append(row)
        await model.bulk_create(rows, using_db=conn)
        return rows


@dataclass(frozen=True)
class Problem:
    """One break in a chain, as `dcms audit verify` reports it."""

    subgraph: str
    seq: int  # the record where the break shows
    kind: str  # "altered", "deleted", "inserted", "broken"
    message: str

    def __str__(self) -> str:
        return f"{self.subgraph} #{self.seq}: {self.kind}: {self.message}"


@dataclass
class ChainChecker:
    """Walks one chain in ``seq`` order, record by record (so a long chain streams)."""

    subgraph: str
    problems: list[Problem] = field(default_factory=list)
    count: int = 0
    head_seq: int = 0
    head_hash: str = ""
    _prev_prev_hash: str | None = None

    def __post_init__(self) -> None:
        self.head_hash = genesis(self.subgraph)

    def feed(self, records: Iterable[Any]) -> None:
        for record in records:
            self._check(record)

    def _report(self, record: Any, kind: str, message: str) -> None:
        self.problems.append(Problem(self.subgraph, int(record.seq), kind, message))

    def _check(self, record: Any) -> None:
        expected_seq = self.head_seq + 1
        if record.seq != expected_seq:
            if record.seq > expected_seq:
                missing = (
                    f"#{expected_seq}"
                    if record.seq == expected_seq + 1
                    else f"#{expected_seq}–#{record.seq - 1}"
                )
                self._report(record, "deleted", f"record {missing} is missing before this one")
            else:
                self._report(
                    record, "inserted", f"position {record.seq} is out of order (after #{self.head_seq})"
                )
        if record_hash(record) != record.hash:
            self._report(record, "altered", "its content does not match its hash")
        if record.prev_hash != self.head_hash and record.seq == expected_seq:
            if self._prev_prev_hash is not None and record.prev_hash == self._prev_prev_hash:
                self.problems.append(
                    Problem(
                        self.subgraph,
                        self.head_seq,
                        "inserted",
                        f"record #{self.head_seq} is not part of the chain (#{record.seq} chains past it)",
                    )
                )
            else:
                self._report(
                    record,
                    "broken",
                    f"does not chain to record #{self.head_seq}: that record was altered and "
                    "re-hashed, replaced, or records between them were deleted",
                )
        self._prev_prev_hash = self.head_hash
        self.head_seq, self.head_hash = int(record.seq), record.hash
        self.count += 1
