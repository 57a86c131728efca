"""投诉: submitted by the applicant about their own handling, handled by the institution,
reviewed by the regulator, the result seen by both sides — in process and through the gateway.
Each transition from the wrong state is CONFLICT, each wrong role FORBIDDEN, someone else's
handling NOT_FOUND; repeats are safe; every mutation leaves exactly one audit record."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.finance import Complaint, ComplaintStatus, FinancingNeed, Handling, HandlingStatus, OrderKind
from models.operations import Org, OrgKind, User
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute, records_of
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

SUBMIT = """mutation($i: SubmitComplaintInput!) {
  submitComplaint(input: $i) { id orderNo kind content status reply verdict reviewComment }
}"""
HANDLE = """mutation($id: ID!, $reply: String!) {
  handleComplaint(id: $id, reply: $reply) { id status reply handledAt }
}"""
REVIEW = """mutation($id: ID!, $verdict: ReviewVerdict!, $comment: String!) {
  reviewComplaint(id: $id, verdict: $verdict, comment: $comment) { id status verdict reviewComment reviewedAt }
}"""
LIST = """query($status: ComplaintStatus) {
  complaints(first: 50, status: $status) { edges { node { id status reply verdict reviewComment } } }
}"""
ONE = """query($id: ID!) {
  complaint(id: $id) {
    id orderNo kind content status reply handledAt verdict reviewComment reviewedAt createdAt
    handling { id orderNo } institution { id name }
  }
}"""

CONTENT = "客户经理抢单后一周未联系，办理严重超时。"
REPLY = "已核实，客户经理已致电致歉并加快办理。"
COMMENT = "机构处理及时，投诉成立，已督促整改。"


@dataclass
class Actor:
    user: User
    token: str


@dataclass
class World:
    settings: Settings
    tenant: Tenant
    applicant: Actor
    other_applicant: Actor
    manager: Actor  # FI_ACCOUNT_MANAGER of the institution
    colleague: Actor  # another FI_ACCOUNT_MANAGER of the same institution
    fi_admin: Actor
    outsider: Actor  # FI_ACCOUNT_MANAGER of another institution
    regulator: Actor
    other_regulator: Actor
    operator: Actor
    bank_manager: Actor  # a member bank's CUSTOMER_MANAGER
    handling: Handling  # the applicant's
    other_handling: Handling  # the other applicant's, same institution

    async def run(
        self, query: str, variables: dict[str, Any], actor: Actor, request_id: str | None = None
    ) -> Any:
        return await execute(
            "finance", query, variables, actor.token, settings=self.settings, request_id=request_id
        )


async def _handling(need: FinancingNeed, tenant: Tenant, applicant: User, handler: User) -> Handling:
    today = date.today()
    return await Handling.create(
        order_kind=OrderKind.NEED,
        order_no=need.order_no,
        need_id=need.id,
        institution_id=tenant.institution.id,
        handler_id=handler.id,
        applicant_user_id=applicant.id,
        status=HandlingStatus.GRABBED,
        amount=Decimal("500000"),
        week=date.fromordinal(today.toordinal() - today.weekday()),
        month=today.replace(day=1),
    )


async def make_world(settings: Settings) -> World:
    tenant = await make_tenant(settings, customers=1, grabbers=2, needs=2)
    other = await make_tenant(settings, customers=1, grabbers=1, needs=0)
    institution_org = await Org.get(id=tenant.institution.org_id)
    people = await make_org("测试个人用户", OrgKind.PROVINCE_UNION)
    bureau = await make_org("测试金融办", OrgKind.REGULATOR)

    async def actor(org: Org, role: str, institution_id: uuid.UUID | None = None) -> Actor:
        user = await make_user(org, (role,), institution_id=institution_id)
        return Actor(user, token_for(user, org, settings))

    applicant = await actor(people, "INDIVIDUAL")
    other_applicant = await actor(people, "ENTERPRISE_USER")
    (manager, manager_token), (colleague, colleague_token) = tenant.grabbers
    for need, owner in zip(tenant.needs, (applicant, other_applicant), strict=True):
        await FinancingNeed.filter(id=need.id).update(applicant_user_id=owner.user.id)
    return World(
        settings=settings,
        tenant=tenant,
        applicant=applicant,
        other_applicant=other_applicant,
        manager=Actor(manager, manager_token),
        colleague=Actor(colleague, colleague_token),
        fi_admin=await actor(institution_org, "FI_ADMIN", tenant.institution.id),
        outsider=Actor(*other.grabbers[0]),
        regulator=await actor(bureau, "REGULATOR"),
        other_regulator=await actor(bureau, "REGULATOR"),
        operator=await actor(bureau, "OPERATOR"),
        bank_manager=Actor(tenant.manager, tenant.manager_token),
        handling=await _handling(tenant.needs[0], tenant, applicant.user, manager),
        other_handling=await _handling(tenant.needs[1], tenant, other_applicant.user, manager),
    )


@pytest.fixture
async def world(database: Settings) -> World:
    return await make_world(database)


def _input(handling: Handling, content: str = CONTENT, kind: str = "SLOW_HANDLING") -> dict[str, Any]:
    return {"i": {"handlingId": str(handling.id), "kind": kind, "content": content}}


def ok(result: Any) -> dict[str, Any]:
    assert not result.errors, result.errors
    return result.data


def _side(world: World, other: bool) -> tuple[Handling, Actor]:
    return (world.other_handling, world.other_applicant) if other else (world.handling, world.applicant)


async def submitted(world: World, other: bool = False, content: str = CONTENT) -> str:
    """A SUBMITTED complaint of the applicant (or of the other applicant)."""
    handling, applicant = _side(world, other)
    return ok(await world.run(SUBMIT, _input(handling, content), applicant))["submitComplaint"]["id"]


async def handled(world: World, other: bool = False, content: str = CONTENT) -> str:
    complaint_id = await submitted(world, other, content)
    ok(await world.run(HANDLE, {"id": complaint_id, "reply": REPLY}, world.manager))
    return complaint_id


async def reviewed(world: World, other: bool = False, content: str = CONTENT) -> str:
    complaint_id = await handled(world, other, content)
    variables = {"id": complaint_id, "verdict": "UPHELD", "comment": COMMENT}
    ok(await world.run(REVIEW, variables, world.regulator))
    return complaint_id


async def test_full_flow_with_one_audit_record_per_mutation_and_the_result_to_both_sides(
    world: World,
) -> None:
    steps: list[tuple[str, str, dict[str, Any], Actor]] = [
        ("submitComplaint", SUBMIT, _input(world.handling), world.applicant),
        ("handleComplaint", HANDLE, {"reply": REPLY}, world.manager),
        ("reviewComplaint", REVIEW, {"verdict": "UPHELD", "comment": COMMENT}, world.regulator),
    ]
    complaint_id = None
    for name, document, variables, actor in steps:
        if complaint_id is not None:
            variables = {**variables, "id": complaint_id}
        request_id = f"req-{uuid.uuid4()}"
        result = ok(await world.run(document, variables, actor, request_id))[name]
        complaint_id = result["id"]
        (record,) = await records_of("finance", request_id)
        assert (record.action, record.result) == (name, "ok")
        assert (record.target_type, record.target_id) == ("Complaint", complaint_id)
        assert (record.actor_id, record.actor_role) == (actor.user.id, actor.user.roles[0])
        assert record.detail == {}

    row = await Complaint.get(id=complaint_id)
    assert row.status == ComplaintStatus.REVIEWED
    assert (row.order_no, row.institution_id) == (world.handling.order_no, world.tenant.institution.id)
    assert (row.applicant_user_id, row.handled_by_id, row.reviewed_by_id) == (
        world.applicant.user.id,
        world.manager.user.id,
        world.regulator.user.id,
    )

    # 结果告知双方: the applicant and the institution (its managers and admin) read the result.
    for actor in (
        world.applicant,
        world.manager,
        world.colleague,
        world.fi_admin,
        world.regulator,
        world.operator,
    ):
        complaint = ok(await world.run(ONE, {"id": complaint_id}, actor))["complaint"]
        assert complaint["status"] == "REVIEWED"
        assert (complaint["verdict"], complaint["reviewComment"], complaint["reply"]) == (
            "UPHELD",
            COMMENT,
            REPLY,
        )
        assert complaint["kind"] == "SLOW_HANDLING" and complaint["content"] == CONTENT
        assert complaint["orderNo"] == world.handling.order_no
        assert complaint["handledAt"] and complaint["reviewedAt"] and complaint["createdAt"]
        assert complaint["handling"] == {"id": str(world.handling.id), "orderNo": world.handling.order_no}
        assert complaint["institution"]["id"] == str(world.tenant.institution.id)
        listed = ok(await world.run(LIST, {"status": "REVIEWED"}, actor))["complaints"]["edges"]
        assert {
            "id": complaint_id,
            "status": "REVIEWED",
            "reply": REPLY,
            "verdict": "UPHELD",
            "reviewComment": COMMENT,
        } in [edge["node"] for edge in listed]


async def test_the_status_filter(world: World) -> None:
    complaint_id = await submitted(world)
    assert [
        e["node"]["id"]
        for e in ok(await world.run(LIST, {"status": "SUBMITTED"}, world.applicant))["complaints"]["edges"]
    ] == [complaint_id]
    assert ok(await world.run(LIST, {"status": "HANDLED"}, world.applicant))["complaints"]["edges"] == []
    assert len(ok(await world.run(LIST, {}, world.manager))["complaints"]["edges"]) == 1


async def test_each_illegal_transition_is_a_conflict_with_one_record(world: World) -> None:
    review = {"verdict": "DISMISSED", "comment": "不成立"}
    fresh = await submitted(world)
    cases: list[tuple[str, str, str, dict[str, Any], Actor]] = [
        # SUBMITTED → REVIEWED skips the institution.
        ("reviewComplaint", REVIEW, fresh, review, world.regulator),
    ]
    done_by_manager = await handled(world, other=True)
    cases += [
        # HANDLED → HANDLED: a colleague, or the same manager with another reply.
        ("handleComplaint", HANDLE, done_by_manager, {"reply": "另一种处理"}, world.colleague),
        ("handleComplaint", HANDLE, done_by_manager, {"reply": "另一种处理"}, world.manager),
        ("handleComplaint", HANDLE, done_by_manager, {"reply": "管理员处理"}, world.fi_admin),
    ]
    final = await reviewed(world, other=True, content="第二件投诉：收费不透明。")
    cases += [
        # REVIEWED is final: no second handling, no second review by anyone else or with another result.
        ("handleComplaint", HANDLE, final, {"reply": "补充处理"}, world.colleague),
        ("reviewComplaint", REVIEW, final, review, world.other_regulator),
        ("reviewComplaint", REVIEW, final, review, world.regulator),
    ]
    for name, document, complaint_id, variables, actor in cases:
        before = await Complaint.get(id=complaint_id)
        request_id = f"req-{uuid.uuid4()}"
        result = await world.run(document, {**variables, "id": complaint_id}, actor, request_id)
        assert codes(result) == ["CONFLICT"], (name, actor.user.roles, result)
        (record,) = await records_of("finance", request_id)
        assert (record.action, record.result) == (name, "CONFLICT")
        assert (record.target_type, record.target_id) == ("Complaint", complaint_id)
        after = await Complaint.get(id=complaint_id)
        assert (after.status, after.reply, after.verdict, after.review_comment, after.updated_at) == (
            before.status,
            before.reply,
            before.verdict,
            before.review_comment,
            before.updated_at,
        )


async def test_wrong_roles_are_forbidden(world: World) -> None:
    complaint_id = await submitted(world)
    handled_id = await handled(world, other=True)
    review = {"verdict": "UPHELD", "comment": COMMENT}
    cases: list[tuple[str, dict[str, Any], Actor]] = [
        (SUBMIT, _input(world.handling, "机构人员代为投诉的内容"), world.manager),
        (SUBMIT, _input(world.handling, "监管人员代为投诉的内容"), world.regulator),
        (SUBMIT, _input(world.handling, "行内客户经理代为投诉"), world.bank_manager),
        (HANDLE, {"id": complaint_id, "reply": REPLY}, world.applicant),
        (HANDLE, {"id": complaint_id, "reply": REPLY}, world.regulator),
        (HANDLE, {"id": complaint_id, "reply": REPLY}, world.operator),
        (REVIEW, {"id": handled_id, **review}, world.applicant),
        (REVIEW, {"id": handled_id, **review}, world.manager),
        (REVIEW, {"id": handled_id, **review}, world.fi_admin),
        (REVIEW, {"id": handled_id, **review}, world.operator),
    ]
    for document, variables, actor in cases:
        request_id = f"req-{uuid.uuid4()}"
        result = await world.run(document, variables, actor, request_id)
        assert codes(result) == ["FORBIDDEN"], (document, actor.user.roles, result)
        (record,) = await records_of("finance", request_id)
        assert record.result == "FORBIDDEN"
    assert (await Complaint.get(id=complaint_id)).status == ComplaintStatus.SUBMITTED
    assert (await Complaint.get(id=handled_id)).status == ComplaintStatus.HANDLED
    assert await Complaint.filter(handling_id=world.handling.id).count() == 1


async def test_someone_elses_handling_or_complaint_is_not_found(world: World) -> None:
    complaint_id = await submitted(world)
    cases: list[tuple[str, dict[str, Any], Actor]] = [
        (SUBMIT, _input(world.handling, "冒用他人订单提交的投诉"), world.other_applicant),
        (SUBMIT, {"i": {**_input(world.handling)["i"], "handlingId": str(uuid.uuid4())}}, world.applicant),
        (HANDLE, {"id": complaint_id, "reply": REPLY}, world.outsider),  # another institution's
        (HANDLE, {"id": str(uuid.uuid4()), "reply": REPLY}, world.manager),
        (REVIEW, {"id": str(uuid.uuid4()), "verdict": "UPHELD", "comment": COMMENT}, world.regulator),
    ]
    for document, variables, actor in cases:
        request_id = f"req-{uuid.uuid4()}"
        result = await world.run(document, variables, actor, request_id)
        assert codes(result) == ["NOT_FOUND"], (document, actor.user.roles, result)
        (record,) = await records_of("finance", request_id)
        assert record.result == "NOT_FOUND"
    assert await Complaint.filter(handling_id=world.handling.id).count() == 1
    assert (await Complaint.get(id=complaint_id)).status == ComplaintStatus.SUBMITTED


async def test_bad_input(world: World) -> None:
    complaint_id = await submitted(world)
    cases: list[tuple[str, dict[str, Any], Actor]] = [
        (SUBMIT, _input(world.handling, "  太慢了  "), world.applicant),  # 3 characters once trimmed
        (SUBMIT, _input(world.handling, "   "), world.applicant),
        (SUBMIT, _input(world.handling, "慢" * 2001), world.applicant),
        (SUBMIT, {"i": {**_input(world.handling)["i"], "handlingId": "not-a-uuid"}}, world.applicant),
        (HANDLE, {"id": complaint_id, "reply": "  "}, world.manager),
        (HANDLE, {"id": complaint_id, "reply": "答" * 2001}, world.manager),
        (HANDLE, {"id": "not-a-uuid", "reply": REPLY}, world.manager),
        (REVIEW, {"id": complaint_id, "verdict": "UPHELD", "comment": ""}, world.regulator),
    ]
    for document, variables, actor in cases:
        request_id = f"req-{uuid.uuid4()}"
        result = await world.run(document, variables, actor, request_id)
        assert codes(result) == ["BAD_USER_INPUT"], (document, result)
        (record,) = await records_of("finance", request_id)
        assert record.result == "BAD_USER_INPUT"
    # An unknown kind or verdict is refused by GraphQL validation before any resolver runs.
    unknown_kind = await world.run(SUBMIT, _input(world.handling, kind="RUDE"), world.applicant)
    assert unknown_kind.errors and unknown_kind.data is None
    variables = {"id": complaint_id, "verdict": "MAYBE", "comment": COMMENT}
    unknown_verdict = await world.run(REVIEW, variables, world.regulator)
    assert unknown_verdict.errors and unknown_verdict.data is None
    # Exactly five characters are enough.
    assert ok(await world.run(SUBMIT, _input(world.handling, " 太慢了吧！ "), world.applicant))
    assert await Complaint.filter(handling_id=world.handling.id).count() == 2
    assert (await Complaint.get(id=complaint_id)).status == ComplaintStatus.SUBMITTED


async def test_repeats_are_safe(world: World) -> None:
    first = ok(await world.run(SUBMIT, _input(world.handling), world.applicant))["submitComplaint"]
    request_id = f"req-{uuid.uuid4()}"
    again = ok(await world.run(SUBMIT, _input(world.handling, f"  {CONTENT} "), world.applicant, request_id))
    assert again["submitComplaint"] == first
    (record,) = await records_of("finance", request_id)
    assert (record.result, record.target_id, record.detail) == ("ok", first["id"], {"repeated": True})
    # Identical submissions at once still make one complaint (several rounds: the first also
    # warms the connection pool, so later rounds really overlap).
    for round_ in range(3):
        racing = _input(world.other_handling, f"同时提交多次的投诉内容（第{round_ + 1}轮）")
        results = await asyncio.gather(*(world.run(SUBMIT, racing, world.other_applicant) for _ in range(6)))
        assert len({ok(r)["submitComplaint"]["id"] for r in results}) == 1
    assert await Complaint.filter(handling_id=world.other_handling.id).count() == 3
    # Another kind or another content is another complaint.
    assert ok(await world.run(SUBMIT, _input(world.handling, kind="SERVICE_ATTITUDE"), world.applicant))
    assert await Complaint.filter(handling_id=world.handling.id).count() == 2

    variables = {"id": first["id"], "reply": REPLY}
    done = ok(await world.run(HANDLE, variables, world.manager))["handleComplaint"]
    request_id = f"req-{uuid.uuid4()}"
    assert ok(await world.run(HANDLE, variables, world.manager, request_id))["handleComplaint"] == done
    (record,) = await records_of("finance", request_id)
    assert (record.result, record.detail) == ("ok", {"repeated": True})

    variables = {"id": first["id"], "verdict": "DISMISSED", "comment": COMMENT}
    result = ok(await world.run(REVIEW, variables, world.regulator))["reviewComplaint"]
    request_id = f"req-{uuid.uuid4()}"
    assert ok(await world.run(REVIEW, variables, world.regulator, request_id))["reviewComplaint"] == result
    (record,) = await records_of("finance", request_id)
    assert (record.result, record.detail) == ("ok", {"repeated": True})
    assert result["verdict"] == "DISMISSED"


async def test_out_of_scope_readers_see_nothing(world: World) -> None:
    complaint_id = await reviewed(world)
    for actor in (world.outsider, world.other_applicant, world.bank_manager):
        assert ok(await world.run(LIST, {}, actor))["complaints"]["edges"] == [], actor.user.roles
        assert ok(await world.run(ONE, {"id": complaint_id}, actor))["complaint"] is None
    # The other applicant's own complaint is theirs alone among the applicants.
    other = ok(await world.run(SUBMIT, _input(world.other_handling), world.other_applicant))[
        "submitComplaint"
    ]["id"]
    mine = ok(await world.run(LIST, {}, world.applicant))["complaints"]["edges"]
    assert [edge["node"]["id"] for edge in mine] == [complaint_id]
    theirs = ok(await world.run(LIST, {}, world.other_applicant))["complaints"]["edges"]
    assert [edge["node"]["id"] for edge in theirs] == [other]
    assert ok(await world.run(ONE, {"id": other}, world.applicant))["complaint"] is None


@pytest.mark.e2e
async def test_full_flow_through_the_gateway(stack: Stack) -> None:
    world = await make_world(stack.settings)
    url = stack.gateway_url

    async def call(document: str, variables: dict[str, Any], actor: Actor) -> dict[str, Any]:
        return await gql(url, document, variables, actor.token)

    complaint = data(await call(SUBMIT, _input(world.handling), world.applicant))["submitComplaint"]
    assert (complaint["status"], complaint["orderNo"], complaint["verdict"]) == (
        "SUBMITTED",
        world.handling.order_no,
        None,
    )
    review = {"id": complaint["id"], "verdict": "UPHELD", "comment": COMMENT}
    assert error_codes(await call(REVIEW, review, world.regulator)) == ["CONFLICT"]  # not handled yet
    assert error_codes(await call(HANDLE, {"id": complaint["id"], "reply": REPLY}, world.outsider)) == [
        "NOT_FOUND"
    ]
    handled_ = data(await call(HANDLE, {"id": complaint["id"], "reply": REPLY}, world.fi_admin))[
        "handleComplaint"
    ]
    assert (handled_["status"], handled_["reply"]) == ("HANDLED", REPLY)
    assert error_codes(await call(REVIEW, review, world.manager)) == ["FORBIDDEN"]
    reviewed_ = data(await call(REVIEW, review, world.regulator))["reviewComplaint"]
    assert (reviewed_["status"], reviewed_["verdict"], reviewed_["reviewComment"]) == (
        "REVIEWED",
        "UPHELD",
        COMMENT,
    )

    for actor in (world.applicant, world.manager, world.fi_admin):
        seen = data(await call(ONE, {"id": complaint["id"]}, actor))["complaint"]
        assert (seen["status"], seen["verdict"], seen["reviewComment"], seen["reply"]) == (
            "REVIEWED",
            "UPHELD",
            COMMENT,
            REPLY,
        )
        assert seen["institution"]["name"] == world.tenant.institution.name
        assert seen["handling"]["orderNo"] == world.handling.order_no
    for actor in (world.outsider, world.other_applicant):
        assert data(await call(ONE, {"id": complaint["id"]}, actor))["complaint"] is None
        assert data(await call(LIST, {}, actor))["complaints"]["edges"] == []


async def test_two_managers_handling_at_once_one_wins(world: World) -> None:
    complaint_id = await submitted(world)
    results = await asyncio.gather(
        *(
            world.run(HANDLE, {"id": complaint_id, "reply": f"{REPLY}（{actor.user.display_name}）"}, actor)
            for actor in (world.manager, world.colleague, world.fi_admin)
        )
    )
    assert sorted(codes(r)[0] if r.errors else "ok" for r in results) == ["CONFLICT", "CONFLICT", "ok"]
    winner = next(r.data["handleComplaint"] for r in results if not r.errors)
    row = await Complaint.get(id=complaint_id)
    assert (row.status, row.reply) == (ComplaintStatus.HANDLED, winner["reply"])
