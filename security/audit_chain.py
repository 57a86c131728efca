"""The audit trail's hash chains: how a record is hashed, how it is appended without waiting,
and how a chain is checked.

Each subgraph's ``audit_record`` table holds up to ``CHAINS`` hash chains, numbered by the
``chain`` column. A record's hash is SHA-256 over the canonical JSON (sorted keys, no spaces,
UTF-8) of its content and the previous record's hash in its chain; the first record of chain
``c`` chains to a fixed genesis value per (subgraph, chain) (chain 0's is the subgraph's value
from before chains were split, so old trails verify unchanged). ``seq`` is the record's position
in its chain (1, 2, 3 …) and is not hashed: the chain order is the ``prev_hash`` links, so a
renumbering shows up as a broken link, and a gap in ``seq`` names where records were deleted.

Why several chains. One chain per subgraph needs one lock per subgraph, held from reading the
chain head until commit: every mutation of the subgraph waited for the one before it (the grab
storm spent two thirds of its busy connections waiting on it). An append still has to read its
chain's head and insert after it atomically, so each chain has a lock (a transaction-scoped
PostgreSQL advisory lock on (subgraph, chain)), but an append never waits for one: in one round
trip (the function ``audit_claim_chain``, installed by ``dcms migrate``) it takes the first chain
whose lock is free (``pg_try_advisory_xact_lock``) and reads that chain's head, starting
at this process's own chain (picked at random when the process starts, so sequential appends of
a process stay consecutive in one chain and processes start apart). ``CHAINS`` (64) is above the
connections that can write to one subgraph at once (``DCMS_DB_POOL_MAX`` per process × worker
processes); should every chain be busy, the append waits for its own chain's lock (correct, only
slower). A unique (chain, seq) constraint turns any fork into a failed transaction.

What the evidence keeps: every record is in exactly one chain, and each chain is checked like the
single chain was: an altered record fails its hash, a deleted one leaves a gap or a link past it,
an inserted one breaks the link of the record after it, a record moved to another chain leaves a
gap in one and a stray in the other. As before, records appended after a chain's last one are
caught only by comparing with heads kept outside the database: ``dcms audit verify`` prints each
chain's head. Rejected alternative: numbering records from a sequence and linking them after
commit. A rolled-back transaction leaves gaps in a sequence, so a gap would no longer prove a
deletion, and the links would need a linker process of their own.

SQLite (embedded) has one writer: it appends to chain 0 only, with no lock.
"""

from __future__ import annotations

import hashlib
import json
import random
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


# Chains per subgraph: more than the connections that can append to one subgraph at once.
CHAINS = 64


def genesis(subgraph: str, chain: int = 0) -> str:
    """What the first record of a subgraph's chain points back to (so a whole chain cannot be
    passed off as another subgraph's or another chain's). Chain 0 keeps the value it had when
    a subgraph had one chain."""
    label = f"dcms-audit-genesis:{subgraph}" if chain == 0 else f"dcms-audit-genesis:{subgraph}:{chain}"
    return hashlib.sha256(label.encode()).hexdigest()


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
    """The first half of the PostgreSQL advisory-lock key of a subgraph's chains (a signed
    32-bit int); the chain number is the second half."""
    return zlib.crc32(f"dcms-audit:{subgraph}".encode()) - 2**31


# This process's own chain: where its appends look for a free chain first.
_home = random.randrange(CHAINS)


async def _claim_chain(conn: BaseDBAsyncClient, subgraph: str) -> tuple[int, dict[str, Any] | None]:
    """Lock a chain of ``subgraph`` for this transaction (released at commit/rollback): its number
    and its head (seq and hash; None when empty). PostgreSQL: one round trip, to the function
    ``audit_claim_chain`` that ``dcms migrate`` installs (subgraphs/audit_storage.py)."""
    if conn.capabilities.dialect != "postgres":
        # SQLite: Tortoise serialises every transaction on its one connection, and SQLite
        # itself lets only one writer in.
        last = await conn.execute_query_dict(
            "SELECT seq, hash FROM audit_record WHERE chain = 0 ORDER BY seq DESC LIMIT 1"
        )
        return 0, last[0] if last else None
    rows = await conn.execute_query_dict(
        "SELECT claimed, head_seq, head_hash FROM audit_claim_chain($1, $2, $3)",
        [lock_key(subgraph), _home, CHAINS],
    )
    (row,) = rows
    head = {"seq": row["head_seq"], "hash": row["head_hash"]} if row["head_hash"] is not None else None
    return int(row["claimed"]), head


def new_rows(
    model: type[AuditRecordBase],
    subgraph: str,
    chain: int,
    head: dict[str, Any] | None,
    entries: Sequence[Entry],
) -> list[Any]:
    """The records of ``entries`` after ``head`` (its seq and hash; None: an empty chain), hashed."""
    seq, prev = (head["seq"], head["hash"]) if head else (0, genesis(subgraph, chain))
    now = datetime.now(UTC)  # taken under the chain's lock: time order follows chain order
    rows = []
    for entry in entries:
        seq += 1
        row = model(
            chain=chain,
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
    return rows


async def append(model: type[AuditRecordBase], subgraph: str, entries: Sequence[Entry]) -> list[Any]:
    """Append entries to a free chain in ``model``'s table, inside the caller's transaction when
    there is one (a savepoint then), else in a transaction of its own. Never waits for another
    append (unless more are running than there are chains)."""
    if not entries:
        return []
    async with in_transaction(model._meta.default_connection) as conn:
        chain, head = await _claim_chain(conn, subgraph)
        rows = new_rows(model, subgraph, chain, head, entries)
        await model.bulk_create(rows, using_db=conn)
        return rows


@dataclass(frozen=True)
class Problem:
    """One break in a chain, as `dcms audit verify` reports it."""

    subgraph: str
    seq: int  # the record where the break shows (its position in its chain)
    kind: str  # "altered", "deleted", "inserted", "broken"
    message: str
    chain: int = 0

    def __str__(self) -> str:
        where = (
            f"{self.subgraph} #{self.seq}"
            if self.chain == 0
            else f"{self.subgraph} chain {self.chain} #{self.seq}"
        )
        return f"{where}: {self.kind}: {self.message}"


@dataclass
class ChainChecker:
    """Walks one chain in ``seq`` order, record by record (so a long chain streams)."""

    subgraph: str
    chain: int = 0
    problems: list[Problem] = field(default_factory=list)
    count: int = 0
    head_seq: int = 0
    head_hash: str = ""
    _prev_prev_hash: str | None = None

    def __post_init__(self) -> None:
        self.head_hash = genesis(self.subgraph, self.chain)

    def feed(self, records: Iterable[Any]) -> None:
        for record in records:
            self._check(record)

    def _report(self, record: Any, kind: str, message: str) -> None:
        self.problems.append(Problem(self.subgraph, int(record.seq), kind, message, self.chain))

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
                        self.chain,
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
