"""员工目录 (staff directory): the managers and orgs customers checks an ownership change against
(客户关系管理: is the target a customer manager of this bank, in which org; is the target org
this bank's, and where in the tree); and the applicants operations approved, to link them to their
customers (applicant_events.py).

Users and orgs belong to the operations subgraph. Customers reads them here and nowhere else,
read-only, in batches (one statement per call), which is why the customers process registers
the operations app too (``consumes`` in subgraphs/customers.py). The answers are plain frozen
records, not models: nothing here can write to operations. If the subgraphs were deployed apart,
a directory replicated into customers (fed by operations' user and org changes) would replace
this module behind the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from models.operations import ApplicantApplication, ApplicantKind, ApplicantStatus, Org, User
from security.roles import Role


@dataclass(frozen=True)
class DirectoryOrg:
    id: UUID
    name: str
    path: str  # materialised path of ids: a subtree (辖内) is a prefix


@dataclass(frozen=True)
class StaffMember:
    id: UUID
    name: str  # display name, for the key event's title
    org: DirectoryOrg


def _org(row: Org) -> DirectoryOrg:
    return DirectoryOrg(id=row.id, name=row.name, path=row.path)


async def customer_managers(ids: Iterable[UUID], tenant_id: UUID | None) -> dict[UUID, StaffMember]:
    """The customer managers (客户经理) of the tenant among ``ids``; anyone else is absent."""
    users = await User.filter(id__in=list(ids), tenant_id=tenant_id).select_related("org")
    return {
        user.id: StaffMember(id=user.id, name=user.display_name, org=_org(user.org))
        for user in users
        if Role.CUSTOMER_MANAGER in user.roles
    }


async def tenant_orgs(ids: Iterable[UUID], tenant_id: UUID | None) -> dict[UUID, DirectoryOrg]:
    """The tenant's orgs among ``ids``; any other org is absent."""
    return {org.id: _org(org) for org in await Org.filter(id__in=list(ids), tenant_id=tenant_id)}


async def orgs_by_id(ids: Iterable[UUID]) -> dict[UUID, DirectoryOrg]:
    """Orgs among ``ids``, whatever their tenant (for the report job, which names every bank's)."""
    wanted = list(set(ids))
    return {org.id: _org(org) for org in await Org.filter(id__in=wanted)} if wanted else {}


async def staff_by_id(ids: Iterable[UUID]) -> dict[UUID, StaffMember]:
    """Users among ``ids`` with their org, whatever their tenant and role (the report job)."""
    wanted = list(set(ids))
    users = await User.filter(id__in=wanted).select_related("org") if wanted else []
    return {user.id: StaffMember(id=user.id, name=user.display_name, org=_org(user.org)) for user in users}


@dataclass(frozen=True)
class Applicant:
    """A self-registered applicant operations approved (注册申请), as the customers subgraph matches
    it against its customers: the identifiers decrypted here, never carried by an event."""

    application_id: UUID
    enterprise: bool
    credit_code: str | None  # 统一社会信用代码
    id_number: str | None  # 身份证号
    phone: str


async def approved_applicant(application_id: UUID) -> Applicant | None:
    """The approved application ``application_id`` (one statement), else None."""
    row = await ApplicantApplication.get_or_none(id=application_id, status=ApplicantStatus.APPROVED)
    if row is None:
        return None
    return Applicant(
        row.id,
        row.kind == ApplicantKind.ENTERPRISE,
        row.credit_code or None,
        row.id_number or None,
        row.phone,
    )
