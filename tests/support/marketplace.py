"""A small finance marketplace for tests: certified institutions with a listed product and
account managers, an FI admin, an applicant, a regulator and an operator — each with a token."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from models.finance import FinancialProduct, GuaranteeMethod, Institution, InstitutionKind, ProductStatus
from models.operations import Org, OrgKind, User
from subgraphs.settings import Settings
from testkit.factories import make_org, make_staff


@dataclass
class Bank:
    """One institution: its org, row, listed product, account managers and admin."""

    org: Org
    institution: Institution
    product: FinancialProduct
    managers: list[tuple[User, str]]
    admin: tuple[User, str]


@dataclass
class Market:
    banks: list[Bank]
    applicant: tuple[User, str]
    other_applicant: tuple[User, str]
    regulator: tuple[User, str]
    operator: tuple[User, str]
    tokens: dict[str, str] = field(default_factory=dict)


async def make_bank(
    settings: Settings,
    managers: int = 2,
    certified: bool = True,
    guarantee: GuaranteeMethod = GuaranteeMethod.CREDIT,
    name: str = "测试银行",
) -> Bank:
    org = await make_org(name, OrgKind.INSTITUTION, own_tenant=True)
    institution = await Institution.create(
        org_id=org.id, org_path=org.path, name=name, kind=InstitutionKind.BANK, certified=certified
    )
    product = await FinancialProduct.create(
        institution=institution,
        name=f"{name}经营贷",
        guarantee_method=guarantee,
        min_amount=Decimal("10000"),
        max_amount=Decimal("3000000"),
        rate_min=Decimal("3.650"),
        rate_max=Decimal("7.200"),
        term_months=36,
        status=ProductStatus.LISTED if certified else ProductStatus.DRAFT,
    )
    return Bank(
        org,
        institution,
        product,
        [await make_staff(org, ("FI_ACCOUNT_MANAGER",), settings, institution.id) for _ in range(managers)],
        await make_staff(org, ("FI_ADMIN",), settings, institution.id),
    )


async def make_market(settings: Settings, banks: int = 3, managers: int = 2) -> Market:
    people = await make_org("测试金融服务平台", OrgKind.REGULATOR)
    return Market(
        banks=[await make_bank(settings, managers, name=f"测试银行{i}") for i in range(banks)],
        applicant=await make_staff(people, ("ENTERPRISE_USER",), settings),
        other_applicant=await make_staff(people, ("INDIVIDUAL",), settings),
        regulator=await make_staff(people, ("REGULATOR",), settings),
        operator=await make_staff(people, ("OPERATOR",), settings),
    )
