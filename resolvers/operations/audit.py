"""The audit admin's search over every subgraph's audit trail (审计日志查询).

Each subgraph's records live in its own table; the search reads each table the filter
allows, newest first, and merges them. In the all-in-one process every subgraph's
connection is open; a separately deployed operations subgraph needs read-only
connections to the other subgraphs' audit tables (docs/security.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from tortoise import Tortoise
from tortoise.expressions import Q

from resolvers.common import audit
from resolvers.common.errors import CodedError, ErrorCode, bad_input
from resolvers.common.pagination import Edge, Page, PageInfo, check_page_size, decode_cursor, encode_cursor
from resolvers.operations.filters import AuditFilter, audit_conditions, describe, stored
from resolvers.operations.permissions import may_read_audit
from security.principal import Principal

SEARCH = "audit.search"
# Every subgraph keeps an audit chain (subgraphs/settings.py SUBGRAPHS; resolvers do not import it).
SUBGRAPHS = ("operations", "customers", "marketing", "finance", "devices")


@dataclass(frozen=True)
class AuditEntry:
    """One record of one subgraph's hash chain, as the search found it."""

    subgraph: str
    chain: int  # which of the subgraph's hash chains (security/audit_chain.py)
    seq: int  # position in that chain
    occurred_at: datetime
    actor_id: UUID | None
    actor_username: str | None
    actor_role: str
    action: str
    target_type: str
    target_id: str | None
    result: str
    request_id: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, subgraph: str, row: Any) -> AuditEntry:
        return cls(
            subgraph=subgraph,
            chain=row.chain,
            seq=row.seq,
            occurred_at=row.occurred_at,
            actor_id=row.actor_id or None,
            actor_username=row.actor_username,
            actor_role=row.actor_role,
            action=row.action,
            target_type=row.target_type,
            target_id=row.target_id,
            result=row.result,
            request_id=row.request_id,
            detail=row.detail,
            prev_hash=row.prev_hash,
            hash=row.hash,
        )


async def search_audit(
    principal: Principal, filter: AuditFilter | None, first: int, after: str | None
) -> Page[AuditEntry]:
    """Records matching ``filter``, newest first, across the subgraphs it names (all by default).
    Audit admins only; every search, allowed or refused, is itself recorded."""
    detail: dict[str, Any] = {"filter": describe(filter)}
    target = audit.Target("AuditRecord")
    if not may_read_audit(principal):
        # A refused look at the trail is itself worth a record (e.g. a security admin trying).
        await audit.record_now(action=SEARCH, target=target, result=ErrorCode.FORBIDDEN, detail=detail)
        raise CodedError(ErrorCode.FORBIDDEN, "只有审计管理员可以查询审计日志 (audit admins only)")
    check_page_size(first)
    names = SUBGRAPHS if filter is None or not filter.subgraph else (filter.subgraph,)
    if unknown := [name for name in names if name not in SUBGRAPHS]:
        raise bad_input(f"unknown subgraph {unknown[0]}")
    if unreachable := [name for name in names if name not in Tortoise.apps]:
        raise CodedError(
            ErrorCode.INTERNAL_SERVER_ERROR,
            f"the audit trail of {', '.join(unreachable)} is not reachable from this process",
        )
    cursor = _decode(after) if after else None
    conditions = audit_conditions(filter)
    found: list[AuditEntry] = []
    for name in names:
        model = Tortoise.apps[name]["AuditRecord"]
        rows = (
            await model.filter(conditions, _after(name, cursor))
            .order_by("-occurred_at", "-chain", "-seq")
            .limit(first + 1)
        )
        found += [AuditEntry.of(name, row) for row in rows]
    found.sort(key=_order_key)
    await audit.record_now(action=SEARCH, target=target, detail=detail)
    edges = [Edge(cursor=_encode(entry), node=entry) for entry in found[:first]]
    return Page(
        edges=edges,
        page_info=PageInfo(has_next_page=len(found) > first, end_cursor=edges[-1].cursor if edges else None),
    )


# The search's order: occurred_at desc, subgraph asc, chain desc, seq desc. A subgraph's trail is
# several hash chains, each numbering its records from 1, so (occurred_at, seq) alone can repeat
# within one subgraph; (chain, seq) cannot (a unique constraint), and the cursor carries both.
Cursor = tuple[datetime, str, int, int]  # occurred_at, subgraph, chain, seq


def _after(subgraph: str, cursor: Cursor | None) -> Q:
    """Rows after the cursor in the search's order."""
    if cursor is None:
        return Q()
    at, cursor_subgraph, chain, seq = cursor
    at = stored(at)
    if subgraph == cursor_subgraph:
        return (
            Q(occurred_at__lt=at)
            | Q(occurred_at=at, chain__lt=chain)
            | Q(occurred_at=at, chain=chain, seq__lt=seq)
        )
    return Q(occurred_at__lte=at) if subgraph > cursor_subgraph else Q(occurred_at__lt=at)


def _encode(entry: AuditEntry) -> str:
    return encode_cursor(f"{entry.occurred_at.isoformat()}|{entry.subgraph}|{entry.chain}|{entry.seq}")


def _decode(after: str) -> Cursor:
    try:
        at, subgraph, chain, seq = decode_cursor(after).split("|")
        return datetime.fromisoformat(at), subgraph, int(chain), int(seq)
    except ValueError as exc:
        raise bad_input("invalid cursor") from exc


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _order_key(entry: AuditEntry) -> tuple[timedelta, str, int, int]:
    # A timedelta, not a float timestamp: exact to the microsecond (a float is not, today).
    return (_EPOCH - entry.occurred_at, entry.subgraph, -entry.chain, -entry.seq)
