"""注册 / 入驻 (resolvers/operations/signup.py, onboarding.py; the consumers in customers and finance):
codes through the message outbox only, hashed at rest, rate limited, 5 minutes and 5 tries; the
credit code and ID number checked; a PENDING application that cannot log in; the operator's
approval creating the user and (with consent) the customers subgraph's link and consent; rejection;
institution onboarding into finance, then certification. In process, on both storages; through the
gateway: tests/e2e/test_onboarding.py."""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from models.customers import ApplicantLink, Consent, ConsentPurpose, CustomerKind
from models.finance import Institution
from models.operations import (
    ApplicantApplication,
    ApplicantStatus,
    InstitutionOnboarding,
    OrgKind,
    SignupCode,
    SignupMessage,
    SignupMessageStatus,
    User,
    UserChange,
)
from realtime.events import Event
from resolvers.common.errors import CodedError
from resolvers.common.identity_codes import credit_code_problem, id_number_problem, with_check_character
from resolvers.customers import applicant_events
from resolvers.finance import onboarding_events
from resolvers.marketing.messages import RecordingSender, use_sender
from resolvers.operations import signup
from resolvers.operations.signup import deliver_signup_messages, request_code
from subgraphs.settings import Settings
from testkit.factories import make_customer, make_org, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import counted

pytestmark = pytest.mark.integration

PASSWORD = "Qiye@2026signup"
REQUEST = "mutation($p: String!) { requestSignupCode(phone: $p) { expiresAt resendAfterSeconds } }"
REGISTER = """mutation($i: RegisterApplicantInput!) {
  registerApplicant(input: $i) { id kind status name createdAt } }"""
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken role } }"
LIST = """query($s: ApplicantStatus, $f: Int, $a: String) { applicantApplications(status: $s, first: $f, after: $a) {
  nodes { id kind status name creditCode idNumber phone username linkConsent rejectReason userId
          reviewedBy { username } } pageInfo { hasNextPage endCursor } } }"""
APPROVE = "mutation($id: ID!) { approveApplicant(id: $id) { id status userId reviewedAt } }"
REJECT = "mutation($id: ID!, $r: String!) { rejectApplicant(id: $id, reason: $r) { id status rejectReason } }"
ONBOARD = """mutation($i: OnboardInstitutionInput!) { onboardInstitution(input: $i) {
  institutionId creditCode kind temporaryPassword org { id kind tenantId path } admin { id username roles } } }"""

# Real-format codes: the published codes of well-known companies, and made ones with their check character.
VALID_CODES = [
    "91350100M000100Y43",
    "9144030071526726XG",
    "914403001922038216",
    "91110000100010433L",
    "91330100799655058B",
    with_check_character("91520100MA6DL2K5X"),
]
INVALID_CODES = [
    ("91350100M000100Y4", "18"),  # too short
    ("91350100M000100Y433", "18"),  # too long
    ("91350100M000100Y44", "校验码"),  # wrong check character
    ("9135010OM000100Y43", "非法字符"),  # letter O
    ("91350100I000100Y43", "非法字符"),  # letter I
    ("91350100S000100Y43", "非法字符"),  # letter S
    ("913501Z0M000100Y43", "非法字符"),  # letter Z
    ("91A50100M000100Y43", "行政区划"),  # region code not digits
    ("", "18"),
]


@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_credit_codes(code: str) -> None:
    assert credit_code_problem(code) is None


@pytest.mark.parametrize(("code", "problem"), INVALID_CODES)
def test_invalid_credit_codes(code: str, problem: str) -> None:
    message = credit_code_problem(code)
    assert message is not None and problem in message


@pytest.mark.parametrize(
    ("number", "valid"),
    [("11010519491231002X", True), ("110105194912310021", False), ("11010519491231002", False), ("", False)],
)
def test_id_numbers(number: str, valid: bool) -> None:
    assert (id_number_problem(number) is None) is valid


def _phone() -> str:
    return f"1{random.choice('3456789')}{random.randrange(10**9):09d}"


def _address() -> str:
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(256)}"


def _credit_code() -> str:
    body = "".join(random.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return with_check_character(f"915201{random.randrange(100):02d}{body}")


async def code_sent_to(phone: str) -> str:
    """The code in the latest text to ``phone``: what the tests read instead of a handset."""
    for message in await SignupMessage.all().order_by("-created_at").limit(200):
        if message.phone == phone:
            found = re.search(r"\d{6}", message.body)
            assert found is not None
            return found.group()
    raise AssertionError(f"no text queued for {phone}")


async def _fresh_code(phone: str) -> str:
    await request_code(phone, _address())
    return await code_sent_to(phone)


def _form(phone: str, code: str, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "ENTERPRISE",
        "phone": phone,
        "code": code,
        "name": "贵州测试科技有限公司",
        "username": f"qy{uuid.uuid4().hex[:10]}",
        "password": PASSWORD,
        "creditCode": _credit_code(),
        **fields,
    }


async def _register(settings: Settings, form: dict[str, Any]) -> Any:
    return await execute("operations", REGISTER, {"i": form}, settings=settings)


@pytest.fixture(scope="module")
async def platform(database: Settings) -> dict[str, Any]:
    """The finance platform's org (the bureau's) with its operator, and callers who are not it."""
    settings = database
    regulator_org = await make_org("入驻测试金融服务平台", OrgKind.REGULATOR, own_tenant=True)
    operator = await make_user(regulator_org, ("OPERATOR",), "运营")
    other_operator = await make_user(regulator_org, ("OPERATOR",), "运营二")
    root = await make_org("入驻测试省联社", OrgKind.PROVINCE_UNION)
    bank = await make_org("入驻测试农商银行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    province_admin = await make_user(root, ("PLATFORM_ADMIN",), "省级业务管理员")
    bank_admin = await make_user(bank, ("PLATFORM_ADMIN",), "行社业务管理员")
    hq = await make_user(bank, ("HQ_ADMIN",), "总行")
    regulator = await make_user(regulator_org, ("REGULATOR",), "监管")
    applicant = await make_user(regulator_org, ("ENTERPRISE_USER",), "企业")
    manager = await make_user(bank, ("CUSTOMER_MANAGER",), "客户经理")
    tokens = {
        "operator": token_for(operator, regulator_org, settings),
        "other operator": token_for(other_operator, regulator_org, settings),
        "province platform admin": token_for(province_admin, root, settings),
        "bank platform admin": token_for(bank_admin, bank, settings),
        "head office admin": token_for(hq, bank, settings),
        "regulator": token_for(regulator, regulator_org, settings),
        "applicant": token_for(applicant, regulator_org, settings),
    }
    return {
        "settings": settings,
        "tokens": tokens,
        "org": regulator_org,
        "bank": bank,
        "manager": manager,
        "operator": operator,
    }


async def _as(platform: dict[str, Any], who: str, query: str, variables: dict[str, Any]) -> Any:
    token = platform["tokens"].get(who)
    result = await execute("operations", query, variables, token, settings=platform["settings"])
    for error in result.errors or []:  # every refusal is a coded one
        assert (error.extensions or {}).get("code") not in (None, "INTERNAL_SERVER_ERROR"), error
    return result


async def test_the_code_goes_out_only_as_a_text_hashed_at_rest(database: Settings) -> None:
    phone = _phone()
    result = await execute("operations", REQUEST, {"p": phone}, settings=database)
    assert result.errors is None
    answer = result.data["requestSignupCode"]
    assert set(answer) == {"expiresAt", "resendAfterSeconds"}  # no code in the answer
    code = await code_sent_to(phone)
    row = await SignupCode.filter(phone_bidx=signup.phone_key(phone)).order_by("-created_at").first()
    assert row is not None and code not in row.code_hash and phone not in row.phone_bidx
    expires = row.expires_at - row.created_at
    assert timedelta(minutes=4, seconds=59) < expires <= timedelta(minutes=5, seconds=1)
    raw = await Tortoise.get_connection("operations").execute_query_dict(
        "SELECT phone, body FROM signup_message WHERE id = " + ("$1" if _pg() else "?"),
        [str(await _msg_id(phone))],
    )
    assert phone not in raw[0]["phone"] and code not in raw[0]["body"]  # encrypted at rest

    # A known phone (with an application) gets the same answer as an unknown one.
    form = _form(phone, code)
    assert (await _register(database, form)).errors is None
    await SignupCode.filter(phone_bidx=signup.phone_key(phone)).update(
        created_at=datetime.now(UTC) - timedelta(minutes=2)
    )
    again = await execute("operations", REQUEST, {"p": phone}, settings=database)
    assert again.errors is None and set(again.data["requestSignupCode"]) == set(answer)

    # Delivery: through the message gateway, the text blanked once sent.
    recorder = RecordingSender()
    use_sender(recorder)
    try:
        while await deliver_signup_messages():
            pass
    finally:
        use_sender(None)
    assert any(m.phone == phone and re.search(r"\d{6}", m.body) for m in recorder.sent)
    message_id = await _msg_id(phone)
    assert (await SignupMessage.get(id=message_id)).status == SignupMessageStatus.SENT
    await deliver_signup_messages(datetime.now(UTC) + signup.CODE_TTL + timedelta(seconds=1))
    assert not await SignupMessage.exists(id=message_id)  # the code expired: its text is gone


def _pg() -> bool:
    return Tortoise.get_connection("operations").capabilities.dialect == "postgres"


async def _msg_id(phone: str) -> uuid.UUID:
    for message in await SignupMessage.all().order_by("-created_at").limit(200):
        if message.phone == phone:
            return message.id
    raise AssertionError(phone)


async def test_codes_are_rate_limited_per_phone_and_per_address(database: Settings) -> None:
    phone, address = _phone(), _address()
    await request_code(phone, address)
    with pytest.raises(CodedError) as refused:
        await request_code(phone, _address())  # within a minute, from anywhere
    retry_after = refused.value.extensions["retryAfter"]
    assert (
        refused.value.extensions["code"] == "RATE_LIMITED"
        and isinstance(retry_after, int)
        and retry_after <= 61
    )
    key = signup.phone_key(phone)
    for _ in range(signup.PER_PHONE_HOUR - 1):  # pretend the earlier ones were more than a minute ago
        await SignupCode.filter(phone_bidx=key).update(created_at=datetime.now(UTC) - timedelta(minutes=2))
        await request_code(phone, _address())
    await SignupCode.filter(phone_bidx=key).update(created_at=datetime.now(UTC) - timedelta(minutes=2))
    with pytest.raises(CodedError) as refused:
        await request_code(phone, _address())
    assert refused.value.extensions["limit"] == "per phone"
    for _ in range(signup.PER_ADDRESS_HOUR - 1):
        await request_code(_phone(), address)
    with pytest.raises(CodedError) as refused:
        await request_code(_phone(), address)
    assert refused.value.extensions["limit"] == "per address"
    with pytest.raises(CodedError) as bad:
        await request_code("12345", _address())
    assert bad.value.extensions["code"] == "BAD_USER_INPUT"


async def test_wrong_codes_count_and_five_end_the_code(database: Settings) -> None:
    phone = _phone()
    code = await _fresh_code(phone)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(signup.MAX_TRIES):
        result = await _register(database, _form(phone, wrong))
        assert codes(result) == ["BAD_USER_INPUT"] and result.errors[0].extensions["reason"] == "INVALID_CODE"
    result = await _register(database, _form(phone, code))  # the right one, too late
    assert result.errors[0].extensions["reason"] == "INVALID_CODE"
    code = await _fresh_code(_other := _phone())
    await SignupCode.filter(phone_bidx=signup.phone_key(_other)).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert (await _register(database, _form(_other, code))).errors[0].extensions["reason"] == "INVALID_CODE"


async def test_tries_at_the_same_moment_count_each(database: Settings) -> None:
    phone = _phone()
    code = await _fresh_code(phone)
    wrong = [f"{(int(code) + i) % 10**6:06d}" for i in range(1, 11)]
    results = await asyncio.gather(*(asyncio.create_task(_try(phone, guess)) for guess in wrong))
    assert results == [False] * 10
    row = await SignupCode.filter(phone_bidx=signup.phone_key(phone)).order_by("-created_at").first()
    assert row is not None and row.attempts == signup.MAX_TRIES
    assert not await _try(phone, code)  # the tries are used up


async def _try(phone: str, code: str) -> bool:
    try:
        await signup.check_code(phone, code)
    except CodedError:
        return False
    return True


async def test_bad_registrations_are_refused(database: Settings) -> None:
    phone = _phone()
    code = await _fresh_code(phone)
    for fields in (
        {"creditCode": "91350100M000100Y44"},  # check character
        {"creditCode": None},
        {"password": "short"},
        {"username": "a b"},
        {"kind": "INDIVIDUAL", "creditCode": None, "idNumber": "110105194912310021"},
        {"kind": "INDIVIDUAL"},  # an individual with a credit code
    ):
        result = await _register(database, _form(phone, code, **fields))
        assert codes(result) == ["BAD_USER_INPUT"], fields
    assert (await _register(database, _form(phone, code))).errors is None  # the code still good


async def test_a_pending_applicant_cannot_log_in_and_others_learn_nothing(database: Settings) -> None:
    phone = _phone()
    form = _form(phone, await _fresh_code(phone))
    result = await _register(database, form)
    assert result.errors is None and result.data["registerApplicant"]["status"] == "PENDING"
    login = await execute("operations", LOGIN, {"u": form["username"], "p": PASSWORD}, settings=database)
    assert codes(login) == ["FORBIDDEN"] and login.errors[0].extensions["reason"] == "PENDING_APPROVAL"
    wrong = await execute(
        "operations", LOGIN, {"u": form["username"], "p": PASSWORD + "x"}, settings=database
    )
    unknown = await execute(
        "operations", LOGIN, {"u": "nobody-" + form["username"], "p": PASSWORD}, settings=database
    )
    assert codes(wrong) == codes(unknown) == ["UNAUTHENTICATED"]
    assert wrong.errors[0].message == unknown.errors[0].message
    # The same phone again (a new code): CONFLICT; the same username from another phone: CONFLICT.
    await SignupCode.filter(phone_bidx=signup.phone_key(phone)).update(
        created_at=datetime.now(UTC) - timedelta(minutes=2)
    )
    again = await _register(database, _form(phone, await _fresh_code(phone)))
    assert codes(again) == ["CONFLICT"] and again.errors[0].extensions["reason"] == "PHONE_REGISTERED"
    other = _phone()
    taken = await _register(database, _form(other, await _fresh_code(other), username=form["username"]))
    assert codes(taken) == ["CONFLICT"] and taken.errors[0].extensions["reason"] == "USERNAME_TAKEN"


async def test_one_phone_registering_twice_at_once_makes_one_application(database: Settings) -> None:
    phone = _phone()
    code = await _fresh_code(phone)
    first, second = await asyncio.gather(
        _register(database, _form(phone, code)), _register(database, _form(phone, code))
    )
    outcomes = sorted(tuple(codes(r)) for r in (first, second))
    assert outcomes == [(), ("CONFLICT",)], outcomes
    key = signup.phone_key(phone)
    assert key  # the application's own index differs from the code table's; count by the live column
    made = [
        a
        for a in await ApplicantApplication.filter(status=ApplicantStatus.PENDING)
        .order_by("-created_at")
        .limit(50)
        if a.phone == phone
    ]
    assert len(made) == 1


async def _pending(database: Settings, **fields: Any) -> tuple[dict[str, Any], str]:
    phone = fields.pop("phone", None) or _phone()
    form = _form(phone, await _fresh_code(phone), **fields)
    result = await _register(database, form)
    assert result.errors is None, result.errors
    return form, result.data["registerApplicant"]["id"]


async def listed_application(run: Any, application_id: str, data_of: Any) -> dict[str, Any]:
    """The application as the pending list shows it, paging through (ids are random, the list by id)."""
    after = None
    while True:
        page = data_of(await run({"s": "PENDING", "f": 100, "a": after}))["applicantApplications"]
        for node in page["nodes"]:
            if node["id"] == application_id:
                return dict(node)
        assert page["pageInfo"]["hasNextPage"], f"{application_id} not listed"
        after = page["pageInfo"]["endCursor"]


async def _deliver(event_type: str, subject: str, handler: Any, app: str) -> None:
    """Hand the outbox event about ``subject`` to a consumer's handler, as realtime/consumer.py does."""
    outbox = Tortoise.apps["operations"]["OutboxEvent"]
    rows = await outbox.filter(channel="operations.onboarding", type=event_type).order_by("-id").limit(50)
    row = next(r for r in rows if subject in (r.payload["id"], r.payload.get("institution_id")))
    event = Event(id=row.id, type=row.type, payload=row.payload, tenant_id=row.tenant_id, scope=row.scope)
    async with in_transaction(app):
        await handler(event)


async def test_approval_creates_the_user_and_links_the_consenting_customer(platform: dict[str, Any]) -> None:
    settings = platform["settings"]
    credit_code = _credit_code()
    customer = await make_customer(
        platform["bank"],
        platform["manager"],
        "贵州测试科技有限公司",
        kind=CustomerKind.CORPORATE,
        id_number=credit_code,
    )
    form, application_id = await _pending(settings, creditCode=credit_code, linkConsent=True)
    row = await listed_application(
        lambda v: _as(platform, "operator", LIST, v), application_id, lambda r: r.data
    )
    assert row["creditCode"] == credit_code and "****" in row["phone"] and row["linkConsent"] is True

    approved = await _as(platform, "operator", APPROVE, {"id": application_id})
    assert approved.errors is None and approved.data["approveApplicant"]["status"] == "APPROVED"
    user = await User.get(username=form["username"])
    assert (
        user.roles == ["ENTERPRISE_USER"]
        and user.org_id == platform["org"].id
        and not user.must_change_password
    )
    assert await UserChange.filter(user_id=user.id, action="CREATED").exists()
    again = await _as(platform, "other operator", APPROVE, {"id": application_id})  # a repeat: the same
    assert again.errors is None and again.data["approveApplicant"]["userId"] == str(user.id)
    rejected_late = await _as(platform, "operator", REJECT, {"id": application_id, "r": "资料不全"})
    assert codes(rejected_late) == ["CONFLICT"]

    login = await execute("operations", LOGIN, {"u": form["username"], "p": PASSWORD}, settings=settings)
    assert login.errors is None and login.data["login"]["role"] == "ENTERPRISE_USER"

    await _deliver("applicant.approved", application_id, applicant_events.on_onboarding_event, "customers")
    link = await ApplicantLink.get(customer_id=customer.id, user_id=user.id)
    consent = await Consent.get(id=link.consent_id)
    assert consent.purpose == ConsentPurpose.DATA_USE and consent.granted_by == user.id
    assert consent.revoked_at is None and consent.expires_at > datetime.now(UTC) + timedelta(days=365 * 4)
    await _deliver("applicant.approved", application_id, applicant_events.on_onboarding_event, "customers")
    assert await ApplicantLink.filter(user_id=user.id).count() == 1  # seen again: nothing more


async def test_no_consent_no_link_and_an_individual_matches_by_phone(platform: dict[str, Any]) -> None:
    settings = platform["settings"]
    phone = _phone()
    customer = await make_customer(
        platform["bank"], platform["manager"], "王小二", kind=CustomerKind.RETAIL, phone=phone
    )
    form, consenting = await _pending(
        settings, phone=phone, kind="INDIVIDUAL", creditCode=None, name="王小二", linkConsent=True
    )
    await _as(platform, "operator", APPROVE, {"id": consenting})
    await _deliver("applicant.approved", consenting, applicant_events.on_onboarding_event, "customers")
    user = await User.get(username=form["username"])
    assert user.roles == ["INDIVIDUAL"]
    assert await ApplicantLink.filter(customer_id=customer.id, user_id=user.id).exists()

    credit_code = _credit_code()
    other = await make_customer(
        platform["bank"],
        platform["manager"],
        "不授权企业",
        kind=CustomerKind.CORPORATE,
        id_number=credit_code,
    )
    _, refusing = await _pending(settings, creditCode=credit_code, linkConsent=False)
    await _as(platform, "operator", APPROVE, {"id": refusing})
    await _deliver("applicant.approved", refusing, applicant_events.on_onboarding_event, "customers")
    assert not await ApplicantLink.filter(customer_id=other.id).exists()
    assert not await Consent.filter(customer_id=other.id).exists()


async def test_rejection_is_told_at_login_and_frees_the_phone(platform: dict[str, Any]) -> None:
    settings = platform["settings"]
    phone = _phone()
    form, application_id = await _pending(settings, phone=phone)
    short = await _as(platform, "operator", REJECT, {"id": application_id, "r": "x"})
    assert codes(short) == ["BAD_USER_INPUT"]
    rejected = await _as(platform, "operator", REJECT, {"id": application_id, "r": "营业执照与名称不符"})
    assert rejected.data["rejectApplicant"]["status"] == "REJECTED"
    assert (await _as(platform, "operator", REJECT, {"id": application_id, "r": "再次驳回"})).errors is None
    assert codes(await _as(platform, "operator", APPROVE, {"id": application_id})) == ["CONFLICT"]
    login = await execute("operations", LOGIN, {"u": form["username"], "p": PASSWORD}, settings=settings)
    assert login.errors[0].extensions["reason"] == "APPLICATION_REJECTED"
    assert "营业执照与名称不符" in login.errors[0].message
    await SignupCode.filter(phone_bidx=signup.phone_key(phone)).update(
        created_at=datetime.now(UTC) - timedelta(minutes=2)
    )
    again = await _register(settings, _form(phone, await _fresh_code(phone), username=form["username"]))
    assert again.errors is None


REVIEW_CALLERS = {  # may list, approve and reject applicants' applications
    "operator": True,
    "other operator": True,  # applications are the platform's, not one operator's
    "province platform admin": False,
    "bank platform admin": False,
    "head office admin": False,
    "regulator": False,
    "applicant": False,
    "anonymous": False,
}


@pytest.mark.parametrize("caller", REVIEW_CALLERS)
async def test_review_entry_points(platform: dict[str, Any], caller: str) -> None:
    _, application_id = await _pending(platform["settings"])
    allowed = REVIEW_CALLERS[caller]
    refusal = ["UNAUTHENTICATED"] if caller == "anonymous" else ["FORBIDDEN"]
    listed = await _as(platform, caller, LIST, {"s": "PENDING", "f": 5})
    assert codes(listed) == ([] if allowed else refusal)
    for query, variables in (
        (REJECT, {"id": application_id, "r": "测试驳回"}),
        (APPROVE, {"id": application_id}),
    ):
        result = await _as(platform, caller, query, variables)
        if allowed:
            assert codes(result) in ([], ["CONFLICT"])  # rejected first, so the approval is refused
        else:
            assert codes(result) == refusal
    unknown = await _as(platform, caller, APPROVE, {"id": str(uuid.uuid4())})
    assert codes(unknown) == (["NOT_FOUND"] if allowed else refusal)


async def test_the_application_list_costs_the_same_at_n_and_ten_n(platform: dict[str, Any]) -> None:
    settings, token = platform["settings"], platform["tokens"]["operator"]
    for _ in range(30):
        await _pending(settings)
    # The list's first 30 (by id, as it pages; the shared database holds other tests' too): each
    # row of both pages then has a reviewedBy, which resolves through the loader.
    pending = ApplicantApplication.filter(status=ApplicantStatus.PENDING).order_by("id").limit(30)
    for application in await pending:
        application.reviewed_by = platform["operator"].id
        await application.save(update_fields=["reviewed_by"])
    small, data = await counted("operations", LIST, {"s": "PENDING", "f": 3}, token, settings)
    large, data = await counted("operations", LIST, {"s": "PENDING", "f": 30}, token, settings)
    assert len(data["applicantApplications"]["nodes"]) == 30
    assert small == large, (small, large)
    print(f"applicantApplications statements: first=3 → {small}, first=30 → {large}")


ONBOARD_CALLERS = {
    "operator": True,
    "province platform admin": True,
    "bank platform admin": False,
    "head office admin": False,
    "regulator": False,
    "applicant": False,
    "anonymous": False,
}


def _institution(**fields: Any) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:8]
    return {
        "code": f"FI{suffix}",
        "name": f"贵州测试小额贷款公司{suffix}",
        "kind": "MICRO_LOAN",
        "creditCode": _credit_code(),
        "adminUsername": f"fiadmin_{suffix}",
        "adminDisplayName": "机构管理员",
        "district": "观山湖区",
        **fields,
    }


@pytest.mark.parametrize("caller", ONBOARD_CALLERS)
async def test_onboard_entry_points(platform: dict[str, Any], caller: str) -> None:
    result = await _as(platform, caller, ONBOARD, {"i": _institution()})
    refusal = ["UNAUTHENTICATED"] if caller == "anonymous" else ["FORBIDDEN"]
    assert codes(result) == ([] if ONBOARD_CALLERS[caller] else refusal)


async def test_an_institution_is_onboarded_once_then_certified(platform: dict[str, Any]) -> None:
    settings = platform["settings"]
    form = _institution()
    result = await _as(platform, "operator", ONBOARD, {"i": form})
    assert result.errors is None
    done = result.data["onboardInstitution"]
    org = done["org"]
    assert (
        org["kind"] == "INSTITUTION"
        and org["tenantId"] == org["id"]
        and done["admin"]["roles"] == ["FI_ADMIN"]
    )
    admin = await User.get(id=done["admin"]["id"])
    assert admin.must_change_password and str(admin.institution_id) == done["institutionId"]
    for repeat in (form, {**form, "code": "FIX" + form["code"]}, {**form, "creditCode": _credit_code()}):
        assert codes(await _as(platform, "operator", ONBOARD, {"i": repeat})) == ["CONFLICT"]
    assert await InstitutionOnboarding.filter(credit_code=form["creditCode"]).count() == 1
    bad = await _as(platform, "operator", ONBOARD, {"i": _institution(creditCode="91350100M000100Y44")})
    assert codes(bad) == ["BAD_USER_INPUT"]
    assert codes(await _as(platform, "operator", ONBOARD, {"i": _institution(kind="CASINO")})) == [
        "BAD_USER_INPUT"
    ]

    await _deliver(
        "institution.onboarded", done["institutionId"], onboarding_events.on_onboarding_event, "finance"
    )
    await _deliver(
        "institution.onboarded", done["institutionId"], onboarding_events.on_onboarding_event, "finance"
    )
    institution = await Institution.get(id=done["institutionId"])
    assert institution.org_id == uuid.UUID(org["id"]) and institution.org_path == org["path"]
    assert not institution.certified and institution.district == "观山湖区"

    # The first admin logs in with the temporary password (changing it), then the existing certification.
    changed = await execute(
        "operations",
        "mutation($u: String!, $p: String!, $n: String) { login(username: $u, password: $p, newPassword: $n) { role } }",
        {"u": form["adminUsername"], "p": done["temporaryPassword"], "n": "Jigou@2026admin"},
        settings=settings,
    )
    assert changed.errors is None and changed.data["login"]["role"] == "FI_ADMIN"
    certify = await execute(
        "finance",
        "mutation($id: ID!) { certifyInstitution(id: $id, certified: true) { id certified } }",
        {"id": done["institutionId"]},
        platform["tokens"]["operator"],
        settings=settings,
    )
    assert certify.errors is None and certify.data["certifyInstitution"]["certified"] is True
