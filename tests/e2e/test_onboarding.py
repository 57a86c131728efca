"""注册 / 入驻 through the real gateway and the running subgraphs: an anonymous applicant asks for a
code (read from the message outbox, never the answer), registers, is refused at login until an
operator approves, then logs in; the customers subgraph's consumer links the consenting applicant to
their bank customer, and finance's consumer creates an onboarded institution, which the operator
then certifies (the jobs running in the stack, not called by the test)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.customers import ApplicantLink, CustomerKind
from models.finance import Institution
from models.operations import OrgKind, User
from testkit.factories import make_customer, make_org, make_user, token_for
from tests.operations.test_onboarding import (
    APPROVE,
    LIST,
    LOGIN,
    ONBOARD,
    PASSWORD,
    REGISTER,
    REQUEST,
    _credit_code,
    _institution,
    _phone,
    code_sent_to,
    listed_application,
)
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


async def _eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(200):  # the relay publishes, a consumer job handles it: at most 20 s
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what}: not within 20 s")


async def test_an_applicant_registers_is_approved_and_linked(stack: Stack) -> None:
    url = stack.gateway_url
    platform = await make_org("网关入驻测试金融服务平台", OrgKind.REGULATOR, None, own_tenant=True)
    operator = token_for(await make_user(platform, ("OPERATOR",), "运营"), platform, stack.settings)
    root = await make_org("网关入驻测试省联社", OrgKind.PROVINCE_UNION)
    bank = await make_org("网关入驻测试农商银行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    manager = await make_user(bank, ("CUSTOMER_MANAGER",), "客户经理")
    credit_code = _credit_code()
    customer = await make_customer(
        bank, manager, "网关测试企业", kind=CustomerKind.CORPORATE, id_number=credit_code
    )

    phone = _phone()
    sent = await gql(url, REQUEST, {"p": phone})
    assert set(data(sent)["requestSignupCode"]) == {"expiresAt", "resendAfterSeconds"}
    code = await code_sent_to(phone)
    username = f"gw{uuid.uuid4().hex[:10]}"
    form = {
        "kind": "ENTERPRISE",
        "phone": phone,
        "code": code,
        "name": "网关测试企业",
        "username": username,
        "password": PASSWORD,
        "creditCode": credit_code,
        "linkConsent": True,
    }
    registered = data(await gql(url, REGISTER, {"i": form}))["registerApplicant"]
    assert registered["status"] == "PENDING"
    refused = await gql(url, LOGIN, {"u": username, "p": PASSWORD})
    assert (
        error_codes(refused) == ["FORBIDDEN"]
        and refused["errors"][0]["extensions"]["reason"] == "PENDING_APPROVAL"
    )
    assert error_codes(await gql(url, LIST, {"s": "PENDING", "f": 5})) == ["UNAUTHENTICATED"]

    listed = await listed_application(lambda v: gql(url, LIST, v, operator), registered["id"], data)
    assert listed["status"] == "PENDING" and "****" in listed["phone"]
    approved = data(await gql(url, APPROVE, {"id": registered["id"]}, operator))["approveApplicant"]
    assert approved["status"] == "APPROVED"
    assert data(await gql(url, LOGIN, {"u": username, "p": PASSWORD}))["login"]["role"] == "ENTERPRISE_USER"
    user = await User.get(username=username)

    async def linked() -> bool:
        return await ApplicantLink.exists(customer_id=customer.id, user_id=user.id)

    await _eventually(linked, "the customer link")


async def test_an_institution_is_onboarded_then_certified(stack: Stack) -> None:
    url = stack.gateway_url
    platform = await make_org("网关机构入驻测试平台", OrgKind.REGULATOR, None, own_tenant=True)
    operator = token_for(await make_user(platform, ("OPERATOR",), "运营"), platform, stack.settings)
    form = _institution()
    done = data(await gql(url, ONBOARD, {"i": form}, operator))["onboardInstitution"]
    assert done["temporaryPassword"] and done["admin"]["roles"] == ["FI_ADMIN"]
    assert error_codes(await gql(url, ONBOARD, {"i": form}, operator)) == ["CONFLICT"]

    async def created() -> bool:
        return await Institution.exists(id=done["institutionId"])

    await _eventually(created, "the finance institution")
    assert not (await Institution.get(id=done["institutionId"])).certified
    certify = "mutation($id: ID!) { certifyInstitution(id: $id, certified: true) { certified } }"
    assert data(await gql(url, certify, {"id": done["institutionId"]}, operator)) == {
        "certifyInstitution": {"certified": True}
    }
