"""客户关系管理 (ownership): allocate customers (分配) to a manager or to an org unmanaged, take
them back to their org (收回), hand them over (移交), transfer them to another org of the bank
(跨机构移交), put them in temporary custody (托管) and end it, add and remove assisting managers (协办).

Each mutation is one change (a transaction and its audit record). It loads its customers
through the caller's scope (missing or out of scope: NOT_FOUND), checks its target against the
staff directory (directory.py; not a customer manager or org the caller may name:
BAD_USER_INPUT), changes all its customers in a constant number of statements, and writes, for
each customer that changed, an ``OwnershipChange`` row (who, when, what) and a ``KeyEvent``
(OWNERSHIP), plus one row for each assignment the change ended. A customer already as asked is
left alone: a repeated request writes nothing twice.

Who may (anyone else: FORBIDDEN):
- HQ_ADMIN: the bank's customers, any manager or org of the bank as target;
- BRANCH_HEAD: the customers of their subtree (辖内), targets inside it;
- CUSTOMER_MANAGER: custody only, of customers they are primary manager of (e.g. before leave),
  and ending it early.

Rules:
- allocation takes unmanaged customers (待分配) down their org's subtree: to a manager (the
  customer moves to the manager's org) or to an org, still unmanaged;
- a hand-over is to another manager of the customer's own org; across orgs it is a transfer;
- whenever the primary manager changes, custody ends (it stood in for the old primary) and so
  does any assignment the new primary held; a transfer ends every assignment;
- custody goes to another manager of the customer's own org, for a customer with a primary
  manager, until ``endsAt`` (in the future, at most 90 days ahead); access ends by itself then
  (scopes.py ``managed_by``). One custodian at a time: another one is a CONFLICT until
  the first is ended; the same custodian again moves the end time.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from models.approvals import ApprovalFunction as F
from models.customers import (
    AssignmentKind,
    Customer,
    CustomerAssignment,
    KeyEvent,
    KeyEventKind,
    RequestStatus,
    TierChangeRequest,
)
from models.customers import OwnershipChange as Change
from models.customers import OwnershipChangeKind as Kind
from resolvers.common.approvals import relocate_approvals
from resolvers.common.changes import Audited, change
from resolvers.common.clock import CST
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.customers.directory import DirectoryOrg, StaffMember, customer_managers, tenant_orgs
from resolvers.customers.permissions import CUSTODY_KEEPERS, MOVERS
from resolvers.customers.scopes import customer_scope
from security.conditions import Prefix
from security.principal import Principal
from security.roles import Role

MAX_BATCH = 100
MAX_CUSTODY = timedelta(days=90)


def _caller(principal: Principal, roles: tuple[Role, ...]) -> Principal:
    if not principal.has_role(*roles) or principal.tenant_id is None:
        raise forbidden("无权调整管户关系 (head office, branch heads; managers only their custody)")
    return principal


def _reachable(principal: Principal, org: DirectoryOrg) -> bool:
    """Head office names any org of the bank (the directory already kept to it); a branch head
    only orgs of their subtree; a manager only their customers' own org (checked by the caller)."""
    return not principal.has_role(Role.BRANCH_HEAD) or Prefix("path", principal.org_path).test(org)


def _reason(text: str, required: bool = True) -> str:
    reason = text.strip()
    if required and not reason:
        raise bad_input("reason is required")
    if len(reason) > 500:
        raise bad_input("reason must be at most 500 characters")
    return reason


async def _customers(principal: Principal, ids: Iterable[UUID]) -> list[Customer]:
    """The customers, locked, in the order asked; any missing or out of scope: NOT_FOUND."""
    wanted = list(dict.fromkeys(ids))
    if not 1 <= len(wanted) <= MAX_BATCH:
        raise bad_input(f"customerIds must name 1–{MAX_BATCH} customers")
    rows = await scoped(principal, Customer, customer_scope).filter(id__in=wanted).select_for_update()
    found = {row.id: row for row in rows}
    if len(found) < len(wanted):
        raise not_found("customer")
    if principal.has_role(Role.CUSTOMER_MANAGER) and any(
        row.primary_manager_id != principal.user_id for row in rows
    ):
        raise forbidden("客户经理只能托管自己主办的客户 (own primary customers only)")
    return [found[i] for i in wanted]


async def _manager(principal: Principal, wanted: UUID, what: str = "managerId") -> StaffMember:
    manager = (await customer_managers([wanted], principal.tenant_id)).get(wanted)
    if manager is None or not _reachable(principal, manager.org):
        raise bad_input(f"{what} is not a customer manager you may assign")
    return manager


async def _org(principal: Principal, wanted: UUID, what: str = "orgId") -> DirectoryOrg:
    org = (await tenant_orgs([wanted], principal.tenant_id)).get(wanted)
    if org is None or not _reachable(principal, org):
        raise bad_input(f"{what} is not an org you may assign to")
    return org


async def _active(customer_ids: list[UUID], kind: AssignmentKind | None = None) -> list[CustomerAssignment]:
    """Assignments of these customers that have not ended, in one statement."""
    queryset = CustomerAssignment.in_force().filter(customer_id__in=customer_ids)
    return await (queryset.filter(kind=kind) if kind else queryset)


class _Log:
    """What a mutation writes besides its change, in a constant number of statements: the
    history rows, the key events and the audit record."""

    def __init__(self, principal: Principal, reason: str) -> None:
        self.principal = principal
        self.reason = reason
        self.now = datetime.now(UTC)
        self.customers: list[Customer] = []  # what the mutation acts on, loaded in its transaction
        self.changes: list[Change] = []
        self.events: list[KeyEvent] = []

    def change(self, customer: Customer, kind: Kind, title: str, **what: object) -> None:
        self.changes.append(self._row(customer.id, kind, **what))
        self.events.append(
            KeyEvent(customer_id=customer.id, kind=KeyEventKind.OWNERSHIP, title=title, occurred_at=self.now)
        )

    def ended(self, assignment: CustomerAssignment) -> None:
        """An assignment the change ended: a history row, no key event of its own."""
        kind = Kind.CUSTODY_END if assignment.kind == AssignmentKind.CUSTODIAN else Kind.ASSIST_REMOVE
        self.changes.append(self._row(assignment.customer_id, kind, from_manager_id=assignment.manager_id))

    def _row(self, customer_id: UUID, kind: Kind, **what: object) -> Change:
        return Change(
            customer_id=customer_id,
            tenant_id=self.principal.tenant_id,  # every customer acted on is of the caller's bank
            kind=kind,
            actor_id=self.principal.user_id,
            reason=self.reason,
            created_at=self.now,
            **what,
        )

    async def write(self, audited: Audited) -> None:
        if self.changes:
            await Change.bulk_create(self.changes)
            await KeyEvent.bulk_create(self.events)
        customers = self.customers
        audited.id = customers[0].id if len(customers) == 1 else None
        audited.detail = {"customers": [str(c.id) for c in customers], "changes": len(self.changes)}


@contextlib.asynccontextmanager
async def _changing(
    principal: Principal,
    customer_ids: Iterable[UUID],
    roles: tuple[Role, ...],
    reason: str,
    reason_required: bool = True,
) -> AsyncIterator[_Log]:
    """One ownership mutation: the caller's role checked, then one change (transaction and
    audit record) that loads and locks the customers through the caller's scope, runs the
    body, and writes the log."""
    log = _Log(_caller(principal, roles), _reason(reason, reason_required))
    async with change("customers", "Customer") as audited:
        log.customers = await _customers(principal, customer_ids)
        yield log
        await log.write(audited)


@dataclass(frozen=True)
class _Move:
    """A change of primary manager and perhaps of org, the same for every customer moved."""

    kind: Kind
    title: str
    manager: StaffMember | None  # the new primary; None: unmanaged
    org: DirectoryOrg | None = None  # the new org; None: stays
    ends_all: bool = False  # a transfer ends every assignment; otherwise custody only


async def _move(log: _Log, move: _Move) -> None:
    new_primary = move.manager.id if move.manager else None
    moving = [
        c
        for c in log.customers
        if c.primary_manager_id != new_primary or (move.org is not None and c.org_id != move.org.id)
    ]
    if moving:
        ids = [c.id for c in moving]
        ending = [
            a
            for a in await _active(ids)
            if move.ends_all or a.kind == AssignmentKind.CUSTODIAN or a.manager_id == new_primary
        ]
        values: dict[str, object] = {"primary_manager_id": new_primary}
        if move.org is not None:
            values |= {"org_id": move.org.id, "org_path": move.org.path}
            # A pending tier change follows its customer: the new org's approvers decide it.
            pending = TierChangeRequest.filter(customer_id__in=ids, status=RequestStatus.PENDING)
            await relocate_approvals(F.TIER_CHANGE, [r.id for r in await pending.only("id")], move.org.path)
        await Customer.filter(id__in=ids).update(**values)
        if ending:
            await CustomerAssignment.filter(id__in=[a.id for a in ending]).update(ends_at=log.now)
        for assignment in ending:
            log.ended(assignment)
        for c in moving:
            log.change(
                c,
                move.kind,
                move.title,
                from_manager_id=c.primary_manager_id,
                to_manager_id=new_primary,
                from_org_id=c.org_id,
                to_org_id=values.get("org_id", c.org_id),
            )
            for field, value in values.items():
                setattr(c, field, value)


def _allocation(manager: StaffMember | None, org: DirectoryOrg | None) -> _Move:
    if manager is not None:
        return _Move(Kind.ALLOCATE, f"分配给客户经理{manager.name}", manager, manager.org)
    assert org is not None
    return _Move(Kind.ALLOCATE, f"分配到{org.name} (待分配)", None, org)


def _check_allocation(customers: list[Customer], move: _Move) -> None:
    assert move.org is not None
    new_primary = move.manager.id if move.manager else None
    for c in customers:
        if c.primary_manager_id == new_primary and c.org_id == move.org.id:
            continue  # already so: a repeat
        if c.primary_manager_id is not None:
            raise conflict(f"客户 {c.customer_no} 已有主办客户经理: hand over or transfer it instead")
        if not Prefix("path", c.org_path).test(move.org):
            raise bad_input(f"客户 {c.customer_no}: allocation goes down the customer's org subtree")


def _check_custody(customers: list[Customer], custodian: StaffMember, ends_at: datetime) -> None:
    now = datetime.now(UTC)
    if ends_at.tzinfo is None:
        raise bad_input("endsAt needs a time zone")
    if not now < ends_at <= now + MAX_CUSTODY:
        raise bad_input(f"endsAt must be in the future, at most {MAX_CUSTODY.days} days ahead")
    for c in customers:
        if c.primary_manager_id is None:
            raise bad_input(f"客户 {c.customer_no} 没有主办客户经理: nothing to stand in for")
        if custodian.org.id != c.org_id or custodian.id == c.primary_manager_id:
            raise bad_input("custodianId must be another customer manager of the customer's own org")


async def _custody(log: _Log, custodian: StaffMember, ends_at: datetime) -> None:
    """Start custody where there is none; the same custodian again moves its end time."""
    customers = log.customers
    held = {a.customer_id: a for a in await _active([c.id for c in customers], AssignmentKind.CUSTODIAN)}
    if any(a.manager_id != custodian.id for a in held.values()):
        raise conflict("客户已在托管中 (another custodian): end that custody first")
    changing = [c for c in customers if c.id not in held or held[c.id].ends_at != ends_at]
    moved = [held[c.id].id for c in changing if c.id in held]
    if moved:
        await CustomerAssignment.filter(id__in=moved).update(ends_at=ends_at)
    new = [
        CustomerAssignment(
            customer_id=c.id, manager_id=custodian.id, kind=AssignmentKind.CUSTODIAN, ends_at=ends_at
        )
        for c in changing
        if c.id not in held
    ]
    if new:
        await CustomerAssignment.bulk_create(new)
    title = f"托管给客户经理{custodian.name}，至 {ends_at.astimezone(CST):%Y-%m-%d %H:%M}"
    for c in changing:
        log.change(
            c,
            Kind.CUSTODY_START,
            title,
            from_manager_id=c.primary_manager_id,
            to_manager_id=custodian.id,
            ends_at=ends_at,
        )


def _check_hand_over(customers: list[Customer], manager: StaffMember) -> None:
    for c in customers:
        if c.primary_manager_id == manager.id:
            continue  # already so: a repeat
        if manager.org.id != c.org_id:
            raise bad_input(f"客户 {c.customer_no} 在另一机构: transfer it instead")
        if c.primary_manager_id is None:
            raise bad_input(f"客户 {c.customer_no} 没有主办客户经理: allocate it instead")


# -- the mutations ----------------------------------------------------------------------------------


async def allocate_customers(
    principal: Principal,
    customer_ids: list[UUID],
    manager_id: UUID | None = None,
    org_id: UUID | None = None,
    reason: str = "",
) -> list[Customer]:
    """分配客户: to a manager or to an org unmanaged, down the customer's org subtree."""
    async with _changing(principal, customer_ids, MOVERS, reason, reason_required=False) as log:
        if (manager_id is None) == (org_id is None):
            raise bad_input("give managerId or orgId, one of them")
        manager = await _manager(log.principal, manager_id) if manager_id is not None else None
        org = await _org(log.principal, org_id) if org_id is not None else None
        move = _allocation(manager, org)
        _check_allocation(log.customers, move)
        await _move(log, move)
    return log.customers


async def return_to_org(principal: Principal, customer_ids: list[UUID], reason: str = "") -> list[Customer]:
    """收回: the customers go back to their org, unmanaged (待分配)."""
    async with _changing(principal, customer_ids, MOVERS, reason, reason_required=False) as log:
        await _move(log, _Move(Kind.RETURN_TO_ORG, "收回到机构", None))
    return log.customers


async def hand_over_customers(
    principal: Principal, customer_ids: list[UUID], to_manager_id: UUID, reason: str
) -> list[Customer]:
    """移交: to another manager of the customers' own org; the old one's access ends."""
    async with _changing(principal, customer_ids, MOVERS, reason) as log:
        manager = await _manager(log.principal, to_manager_id, "toManagerId")
        _check_hand_over(log.customers, manager)
        await _move(log, _Move(Kind.HAND_OVER, f"移交给客户经理{manager.name}", manager))
    return log.customers


async def transfer_customers(
    principal: Principal,
    customer_ids: list[UUID],
    to_org_id: UUID,
    reason: str,
    to_manager_id: UUID | None = None,
) -> list[Customer]:
    """跨机构移交: to another org of the bank, to a manager of that org or unmanaged."""
    async with _changing(principal, customer_ids, MOVERS, reason) as log:
        org = await _org(log.principal, to_org_id, "toOrgId")
        manager = await _manager(log.principal, to_manager_id, "toManagerId") if to_manager_id else None
        if manager is not None and manager.org.id != org.id:
            raise bad_input("toManagerId must be a customer manager of toOrgId")
        title = f"跨机构移交至{org.name}" + (f"，客户经理{manager.name}" if manager else " (待分配)")
        await _move(log, _Move(Kind.TRANSFER, title, manager, org, ends_all=True))
    return log.customers


async def start_custody(
    principal: Principal, customer_ids: list[UUID], custodian_id: UUID, ends_at: datetime, reason: str
) -> list[Customer]:
    """托管: to another manager of the customer's own org until ``ends_at`` (at most 90 days)."""
    async with _changing(principal, customer_ids, CUSTODY_KEEPERS, reason) as log:
        custodian = await _manager(log.principal, custodian_id, "custodianId")
        _check_custody(log.customers, custodian, ends_at)
        await _custody(log, custodian, ends_at)
    return log.customers


async def end_custody(principal: Principal, customer_id: UUID, reason: str = "") -> Customer:
    """结束托管: at once; the custodian's access ends."""
    async with _changing(principal, [customer_id], CUSTODY_KEEPERS, reason, reason_required=False) as log:
        (customer,) = log.customers
        for custody in await _active([customer.id], AssignmentKind.CUSTODIAN):
            await CustomerAssignment.filter(id=custody.id).update(ends_at=log.now)
            log.change(
                customer,
                Kind.CUSTODY_END,
                "托管结束",
                from_manager_id=custody.manager_id,
                to_manager_id=customer.primary_manager_id,
            )
    return customer


async def add_assisting_manager(
    principal: Principal, customer_id: UUID, manager_id: UUID, reason: str = ""
) -> Customer:
    """增加协办客户经理 (a customer manager of the bank; a branch head's: of their subtree)."""
    async with _changing(principal, [customer_id], MOVERS, reason, reason_required=False) as log:
        (customer,) = log.customers
        manager = await _manager(log.principal, manager_id)
        if manager.id == customer.primary_manager_id:
            raise bad_input("managerId is the customer's primary manager")
        assisting = {a.manager_id for a in await _active([customer.id], AssignmentKind.ASSISTING)}
        if manager.id not in assisting:  # already assisting: a repeat
            await CustomerAssignment.create(
                customer_id=customer.id, manager_id=manager.id, kind=AssignmentKind.ASSISTING
            )
            title = f"增加协办客户经理{manager.name}"
            log.change(customer, Kind.ASSIST_ADD, title, to_manager_id=manager.id)
    return customer


async def remove_assisting_manager(
    principal: Principal, customer_id: UUID, manager_id: UUID, reason: str = ""
) -> Customer:
    """取消协办客户经理: their access ends at once."""
    async with _changing(principal, [customer_id], MOVERS, reason, reason_required=False) as log:
        (customer,) = log.customers
        for row in await _active([customer.id], AssignmentKind.ASSISTING):
            if row.manager_id == manager_id:
                await CustomerAssignment.filter(id=row.id).update(ends_at=log.now)
                log.change(customer, Kind.ASSIST_REMOVE, "取消协办客户经理", from_manager_id=manager_id)
    return customer
