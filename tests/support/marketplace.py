"""A small finance marketplace for tests: certified institutions with a listed product and
account managers, an FI admin, an applicant, a regulator and an operator — each with a token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from clients.python.dcms_client import data, error_codes, gql
from models.finance import (
    FinancialProduct,
    FinancingNeed,
    GuaranteeMethod,
    Handling,
    HandlingStatus,
    Institution,
    InstitutionKind,
    NeedMatch,
    OrderKind,
    PreCreditOffer,
    ProductStatus,
)
from models.operations import Org, OrgKind, User
from resolvers.finance.statistics import periods
from subgraphs.settings import Settings
from testkit.factories import make_org, make_staff
from tests.support.stack import Stack


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


async def posted_need(market: Market, **values: Any) -> FinancingNeed:
    """An open need of the market's applicant (``values`` override the columns)."""
    return await FinancingNeed.create(
        **{
            "order_no": f"N-{uuid.uuid4().hex[:12]}",
            "applicant_user_id": market.applicant[0].id,
            "amount": 100000,
            "term_months": 12,
            "purpose": "周转",
            "contact_phone": "13900001111",
            **values,
        }
    )


async def grabbed(market: Market) -> tuple[FinancingNeed, Handling, PreCreditOffer]:
    """A need of the market's applicant, grabbed by bank 0, with an offer."""
    applicant, _ = market.applicant
    bank = market.banks[0]
    need = await posted_need(market)
    await NeedMatch.create(need=need, institution_id=bank.institution.id)
    week, month = periods(datetime.now(UTC))
    handling = await Handling.create(
        order_kind=OrderKind.NEED,
        order_no=need.order_no,
        need=need,
        institution=bank.institution,
        handler_id=bank.managers[0][0].id,
        applicant_user_id=applicant.id,
        status=HandlingStatus.OFFERED,
        amount=need.amount,
        week=week,
        month=month,
    )
    offer = await PreCreditOffer.create(
        handling=handling,
        need=need,
        institution_id=bank.institution.id,
        amount=90000,
        rate=4.2,
        term_months=12,
        valid_until=date.today() + timedelta(days=5),
    )
    return need, handling, offer


# -- the marketplace's operations through the gateway, and inputs that pass validation ----------------

PUBLISH = "mutation($i: PublishNeedInput!) { publishNeed(input: $i) { id status } }"
APPLY = "mutation($i: ApplyInput!) { applyForProduct(input: $i) { id status } }"
GRAB = "mutation($id: ID!) { grabNeed(id: $id) { id status riskPrompts { kind } } }"
GRAB_APPLICATION = "mutation($id: ID!) { grabApplication(id: $id) { id status } }"
PRE_REVIEW = """mutation($id: ID!, $p: Boolean!, $n: String!) {
  preReview(id: $id, passed: $p, note: $n) { id status } }"""
OFFER = "mutation($id: ID!, $i: OfferInput!) { makeOffer(id: $id, input: $i) { status offer { id } } }"
SELECT = "mutation($id: ID!) { selectOffer(offerId: $id) { id status } }"
CREDIT = "mutation($id: ID!, $i: CreditInput!) { grantCredit(id: $id, input: $i) { status } }"
FAIL = "mutation($id: ID!, $r: String!) { failCredit(id: $id, reason: $r) { status rejectReason } }"
DISBURSE = "mutation($id: ID!, $a: Decimal!) { disburse(id: $id, amount: $a) { status } }"
TRANSFER = """mutation($id: ID!, $to: ID!) {
  transferHandling(id: $id, toInstitutionId: $to) { id status } }"""
REPUBLISH = "mutation($id: ID!) { republishNeed(id: $id) { id } }"
NEED = """query($id: ID!) { financingNeed(id: $id) {
  status handlings { id status } offers { id status } } }"""
POOL = "{ grabPool(first: 100) { nodes { id } } }"


def need_input(**extra: Any) -> dict[str, Any]:
    return {
        "amount": "500000",
        "termMonths": 12,
        "purpose": "扩建厂房",
        "project": f"厂房-{uuid.uuid4().hex[:8]}",
        "region": "观山湖区",
        "industry": "制造业",
        "contactName": "王建国",
        "contactPhone": "13912345678",
        **extra,
    }


def apply_input(product_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "productId": product_id,
        "amount": "200000",
        "termMonths": 12,
        "purpose": "采购原材料",
        "consent": True,
        "applicantName": "贵州黔丰农业有限公司",
        "idNumber": "91520100MA6DKXXX1Y",
        "contactPhone": "13800001111",
        "project": f"基地-{uuid.uuid4().hex[:8]}",
        **extra,
    }


def offer_input(amount: str = "450000") -> dict[str, Any]:
    valid = (date.today() + timedelta(days=10)).isoformat()
    return {"amount": amount, "rate": "4.35", "termMonths": 12, "validUntil": valid}


async def run(stack: Stack, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    return await gql(stack.gateway_url, query, variables, token)


async def ok(stack: Stack, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    return data(await run(stack, query, variables, token))


async def codes(stack: Stack, query: str, variables: dict[str, Any], token: str) -> list[str]:
    return error_codes(await run(stack, query, variables, token))


async def publish(stack: Stack, token: str, **extra: Any) -> str:
    return str((await ok(stack, PUBLISH, {"i": need_input(**extra)}, token))["publishNeed"]["id"])


async def grab(stack: Stack, need_id: str, token: str) -> dict[str, Any]:
    return (await ok(stack, GRAB, {"id": need_id}, token))["grabNeed"]


async def offered(stack: Stack, need_id: str, token: str) -> tuple[str, str]:
    """Grab ``need_id``, pass the pre-review and make an offer: the handling's and offer's ids."""
    handling_id = (await grab(stack, need_id, token))["id"]
    await ok(stack, PRE_REVIEW, {"id": handling_id, "p": True, "n": ""}, token)
    made = (await ok(stack, OFFER, {"id": handling_id, "i": offer_input()}, token))["makeOffer"]
    return handling_id, made["offer"]["id"]
