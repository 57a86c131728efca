"""auditRecords: the audit admin's search over every subgraph's audit trail.

Each subgraph's records live in its own table; the search reads each table the filter
allows, newest first, and merges them. In the all-in-one process every subgraph's
connection is open; a separately deployed operations subgraph needs read-only
connections to the other subgraphs' audit tables (docs/security.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import strawberry
from tortoise import Tortoise
from tortoise.expressions import Q
from tortoise.timezone import localtime

from resolvers.common import audit
from resolvers.common.errors import CodedError, ErrorCode, bad_input
from resolvers.common.pagination import Edge, Page, PageInfo, check_page_size, decode_cursor, encode_cursor
from schema.operations.audit import AuditRecord, AuditRecordFilter
from security.duties import can_read_audit

SEARCH = "audit.search"
# Every subgraph keeps an audit chain (subgraphs/settings.py SUBGRAPHS; resolvers do not import it).
SUBGRAPHS = ("operations", "customers", "marketing", "finance", "devices")


def _stored(at: datetime) -> datetime:
    """A time as the ORM stores it (its configured zone): SQLite compares them as text."""
    return localtime(at if at.tzinfo else at.replace(tzinfo=UTC))


def _conditions(filter: AuditRecordFilter | None) -> Q:
    q = Q()
    if filter is None:
        return q
    if filter.actor:
        try:
            q &= Q(actor_id=UUID(filter.actor))
        except ValueError:
            q &= Q(actor_username=filter.actor)
    if filter.action:
        q &= Q(action=filter.action)
    if filter.target_type:
        q &= Q(target_type=filter.target_type)
    if filter.target_id:
        q &= Q(target_id=filter.target_id)
    if filter.from_:
        q &= Q(occurred_at__gte=_stored(filter.from_))
    if filter.to:
        q &= Q(occurred_at__lt=_stored(filter.to))
    return q


def _after(subgraph: str, cursor: tuple[datetime, str, int] | None) -> Q:
    """Rows after the cursor in the order (occurred_at desc, subgraph asc, seq desc)."""
    if cursor is None:
        return Q()
    at, cursor_subgraph, seq = cursor
    at = _stored(at)
    if subgraph == cursor_subgraph:
        return Q(occurred_at__lt=at) | Q(occurred_at=at, seq__lt=seq)
    return Q(occurred_at__lte=at) if subgraph > cursor_subgraph else Q(occurred_at__lt=at)


def _encode(record: AuditRecord) -> str:
    return encode_cursor(f"{record.occurred_at.isoformat()}|{record.subgraph}|{record.seq}")


def _decode(after: str) -> tuple[datetime, str, int]:
    try:
        at, subgraph, seq = decode_cursor(after).split("|")
        return datetime.fromisoformat(at), subgraph, int(seq)
    except ValueError as exc:
        raise bad_input("invalid cursor") from exc


def _order_key(record: AuditRecord) -> tuple[float, str, int]:
    return (-record.occurred_at.timestamp(), record.subgraph, -record.seq)


async def audit_records(
    info: strawberry.Info,
    filter: AuditRecordFilter | None = None,
    first: int = 20,
    after: str | None = None,
) -> Page[AuditRecord]:
    principal = info.context.require_principal()
    detail: dict[str, Any] = {"filter": _describe(filter)}
    target = audit.Target("AuditRecord")
    if not can_read_audit(principal):
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
    conditions = _conditions(filter)
    found: list[AuditRecord] = []
    for name in names:
        model = Tortoise.apps[name]["AuditRecord"]
        rows = (
            await model.filter(conditions, _after(name, cursor))
            .order_by("-occurred_at", "-seq")
            .limit(first + 1)
        )
        found += [AuditRecord.from_row(name, row) for row in rows]
    found.sort(key=_order_key)
    await audit.record_now(action=SEARCH, target=target, detail=detail)
    edges = [Edge(cursor=_encode(record), node=record) for record in found[:first]]
    return Page(
        edges=edges,
        page_info=PageInfo(has_next_page=len(found) > first, end_cursor=edges[-1].cursor if edges else None),
    )


def _describe(filter: AuditRecordFilter | None) -> dict[str, str]:
    if filter is None:
        return {}
    values = {
        "actor": filter.actor,
        "action": filter.action,
        "targetType": filter.target_type,
        "targetId": filter.target_id,
        "from": filter.from_.isoformat() if filter.from_ else None,
        "to": filter.to.isoformat() if filter.to else None,
        "subgraph": filter.subgraph,
    }
    return {key: value for key, value in values.items() if value}
