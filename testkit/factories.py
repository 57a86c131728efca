"""Arrange data straight in the database: every test makes its own tenant, so tests
stay independent and can run in any order."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from models.customers import Customer, CustomerKind, Grid, Reminder, ReminderKind
from models.devices import Device, DeviceKind, DeviceStatus
from models.finance import (
    FinancialProduct,
    FinancingNeed,
    GuaranteeMethod,
    Institution,
    InstitutionKind,
    NeedMatch,
    ProductStatus,
)
from models.marketing import Opportunity
from models.operations import Org, OrgKind, User
from resolvers.operations.identity import principal_for
from security.keys import TokenKeys, load_token_keys
from security.passwords import hash_password
from security.tokens import issue_token
from subgraphs.settings import Settings

_serial = itertools.count(1)


def _code(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def first_of_month(months_ago: int = 0) -> date:
    """The first day of this month, or of the month ``months_ago`` calendar months before it."""
    month = date.today().replace(day=1)
    for _ in range(months_ago):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


async def make_org(
    name: str,
    kind: OrgKind,
    parent: Org | None = None,
    tenant_id: uuid.UUID | None = None,
    own_tenant: bool = False,
) -> Org:
    """An org under ``parent``; in ``tenant_id``, else its own tenant (``own_tenant``: a member
    bank, an institution), else its parent's."""
    org_id = uuid.uuid4()
    path = f"{parent.path}/{org_id}" if parent else f"/{org_id}"
    if own_tenant:
        tenant_id = org_id
    return await Org.create(
        id=org_id,
        code=_code("T"),
        name=name,
        kind=kind,
        parent=parent,
        path=path,
        tenant_id=tenant_id if tenant_id is not None else (parent.tenant_id if parent else None),
    )


async def make_user(
    org: Org,
    roles: tuple[str, ...],
    name: str = "测试用户",
    password: str | None = None,
    institution_id: uuid.UUID | None = None,
    permissions: tuple[str, ...] = (),
) -> User:
    return await User.create(
        username=_code("u"),
        display_name=f"{name}{next(_serial)}",
        org=org,
        roles=list(roles),
        tenant_id=org.tenant_id,
        password_hash=_hash(password) if password else None,
        institution_id=institution_id,
        permissions=list(permissions),
    )


async def make_staff(
    org: Org, roles: tuple[str, ...], settings: Settings, institution_id: uuid.UUID | None = None
) -> tuple[User, str]:
    """A user of ``org`` with an access token."""
    user = await make_user(org, roles, institution_id=institution_id)
    return user, token_for(user, org, settings)


async def make_customer(branch: Org, manager: User, name: str, **fields: Any) -> Customer:
    """A retail customer of ``branch`` (in its bank), ``manager``'s own; ``fields`` add or override."""
    defaults: dict[str, Any] = {
        "customer_no": _code("C"),
        "kind": CustomerKind.RETAIL,
        "tenant_id": branch.tenant_id,
        "org_id": branch.id,
        "org_path": branch.path,
        "primary_manager_id": manager.id,
        "phone": "13900000000",
        "id_number": "520102198001011234",
    }
    return await Customer.create(name=name, **(defaults | fields))


@cache
def _hash(password: str) -> str:
    return hash_password(password)  # argon2id costs ~50 ms: once per password per run


def offline_settings(tmp_path: Path, dev_mode: bool, **extra: Any) -> Settings:
    """Settings for a test that builds keys or an app by itself: no database, no broker."""
    return Settings(
        database_url=None,
        redis_url=None,
        var_dir=tmp_path,
        host="127.0.0.1",
        port=0,
        gateway_port=0,
        dev_mode=dev_mode,
        keys_dir=tmp_path / "keys",
        **extra,
    )


@cache
def token_keys(settings: Settings) -> TokenKeys:
    """The run's ES256 key pair (generated under settings.keys_dir by the settings fixture)."""
    return load_token_keys(settings)


def token_for(user: User, org: Org, settings: Settings, institution_id: uuid.UUID | None = None) -> str:
    """An access token (15 minutes) for ``user``, signed with the run's key: no login needed.
    Its session is not in the session store, so it cannot refresh or switch role."""
    if institution_id is not None:
        user.institution_id = institution_id
    return issue_token(principal_for(user, org), token_keys(settings))


@dataclass
class Tenant:
    """A member bank with a branch, a manager and customers; a hall with a device;
    an institution with account managers; and open financing needs."""

    bank: Org
    branch: Org
    hall: Org
    manager: User
    manager_token: str
    customers: list[Customer]
    device: Device
    institution: Institution
    hall_manager: User
    hall_token: str
    grabbers: list[tuple[User, str]] = field(default_factory=list)
    needs: list[FinancingNeed] = field(default_factory=list)


async def make_tenant(settings: Settings, customers: int = 3, grabbers: int = 2, needs: int = 1) -> Tenant:
    root = await make_org("测试省联社", OrgKind.PROVINCE_UNION)
    bank = await make_org("测试农商银行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    branch = await make_org("测试支行", OrgKind.BRANCH, bank)
    hall = await make_org("测试供电营业厅", OrgKind.HALL, root, tenant_id=root.id)
    manager = await make_user(branch, ("CUSTOMER_MANAGER",), "客户经理")
    grid = await Grid.create(tenant_id=bank.id, org_id=branch.id, name="测试网格")
    rows = [
        await make_customer(
            branch,
            manager,
            f"客户{i}",
            grid=grid,
            phone="13800000000",
            id_number="520102199001011234",
            address="贵州省贵阳市观山湖区长岭北路1号",
            aum=Decimal("1000.00") * (i + 1),
        )
        for i in range(customers)
    ]
    for customer in rows:
        await Reminder.create(
            customer=customer,
            manager_id=manager.id,
            tenant_id=bank.id,
            kind=ReminderKind.DEPOSIT_MATURITY,
            title=f"{customer.name}存款即将到期",
        )
        await Opportunity.create(tenant_id=bank.id, customer_id=customer.id, title="有意向办理黔农e贷")
    device = await Device.create(
        code=_code("D"),
        name="1号自助缴费终端",
        kind=DeviceKind.PAYMENT_KIOSK,
        hall_id=hall.id,
        org_path=hall.path,
        tenant_id=hall.tenant_id,
        status=DeviceStatus.ONLINE,
    )
    institution_org = await make_org("测试小贷公司", OrgKind.INSTITUTION, root, own_tenant=True)
    institution = await Institution.create(
        org_id=institution_org.id,
        org_path=institution_org.path,
        name=institution_org.name,
        kind=InstitutionKind.MICRO_LOAN,
        certified=True,
    )
    # A listed product, so needs posted in tests are open to this institution (resolvers/finance/orders.py).
    await FinancialProduct.create(
        institution=institution,
        name="测试经营贷",
        guarantee_method=GuaranteeMethod.CREDIT,
        min_amount=Decimal("1000"),
        max_amount=Decimal("5000000"),
        rate_min=Decimal("3.850"),
        rate_max=Decimal("6.500"),
        term_months=60,
        status=ProductStatus.LISTED,
    )
    hall_manager = await make_user(hall, ("HALL_MANAGER",), "营业厅经理")
    tenant = Tenant(
        bank=bank,
        branch=branch,
        hall=hall,
        manager=manager,
        manager_token=token_for(manager, branch, settings),
        customers=rows,
        device=device,
        institution=institution,
        hall_manager=hall_manager,
        hall_token=token_for(hall_manager, hall, settings),
    )
    for _ in range(grabbers):
        tenant.grabbers.append(
            await make_staff(institution_org, ("FI_ACCOUNT_MANAGER",), settings, institution.id)
        )
    for _ in range(needs):
        tenant.needs.append(
            await FinancingNeed.create(
                order_no=_code("N"),
                applicant_id=rows[0].id,
                amount=Decimal("500000"),
                term_months=12,
                purpose="购买原材料",
                region="贵阳市",
                tenant_id=bank.id,
                contact_name="王建国",
                contact_phone="13912345678",
                industry="批发零售",
            )
        )
        await NeedMatch.create(need=tenant.needs[-1], institution_id=institution.id)  # open to it
    return tenant
