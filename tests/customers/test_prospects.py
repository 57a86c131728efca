"""潜在客户 (prospects) through the gateway: who keeps and who sees them, the next-contact
date, conversion and dropping as final steps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clients.python.dcms_client import data, error_codes, gql
from testkit.factories import make_tenant, make_user, token_for
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

CREATE = (
    """mutation($i: ProspectInput!) { createProspect(input: $i) { id name phone nextContactOn status } }"""
)
UPDATE = """mutation($id: ID!, $u: ProspectUpdate!) { updateProspect(id: $id, input: $u) {
  status nextContactOn note customerId } }"""
LIST = """query($due: Date) { prospects(first: 50, dueBy: $due) { nodes { id name phone } } }"""


async def test_prospects_are_kept_by_their_manager_and_seen_in_scope(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    head = await make_user(tenant.branch, ("BRANCH_HEAD",))
    head_token = token_for(head, tenant.branch, stack.settings)
    url, mine = stack.gateway_url, tenant.manager_token
    soon = (date.today() + timedelta(days=3)).isoformat()
    later = (date.today() + timedelta(days=20)).isoformat()
    person = {"name": "李小花", "phone": "139 1234 5678", "source": "网点到访", "nextContactOn": soon}
    created = data(await gql(url, CREATE, {"i": person}, mine))["createProspect"]
    assert (created["phone"], created["status"], created["nextContactOn"]) == ("13912345678", "OPEN", soon)
    assert (
        data(await gql(url, CREATE, {"i": person}, mine))["createProspect"]["id"] == created["id"]
    )  # repeat
    company = data(
        await gql(
            url,
            CREATE,
            {"i": {"name": "黔丰合作社", "phone": "13800002222", "corporate": True, "nextContactOn": later}},
            mine,
        )
    )["createProspect"]

    # The keeper sees the phone in full, the branch head masked, another bank nothing.
    due = [n["id"] for n in data(await gql(url, LIST, {"due": soon}, mine))["prospects"]["nodes"]]
    assert due == [created["id"]]  # only the one to contact by then
    assert {n["id"] for n in data(await gql(url, LIST, {}, mine))["prospects"]["nodes"]} == {
        created["id"],
        company["id"],
    }
    seen_by_head = data(await gql(url, LIST, {}, head_token))["prospects"]["nodes"]
    assert {n["phone"] for n in seen_by_head} == {"139****5678", "138****2222"}
    assert data(await gql(url, LIST, {}, other.manager_token))["prospects"]["nodes"] == []

    # Follow-up, then conversion: final.
    moved = data(
        await gql(
            url, UPDATE, {"id": created["id"], "u": {"nextContactOn": later, "note": "已约下周面谈"}}, mine
        )
    )
    assert moved["updateProspect"]["nextContactOn"] == later
    customer_id = str(tenant.customers[0].id)
    for update, code in (
        ({"nextContactOn": "2020-01-01"}, "BAD_USER_INPUT"),
        ({"status": "CONVERTED"}, "BAD_USER_INPUT"),
        ({"status": "OPEN"}, "BAD_USER_INPUT"),
    ):
        assert error_codes(await gql(url, UPDATE, {"id": created["id"], "u": update}, mine)) == [code]
    assert error_codes(await gql(url, UPDATE, {"id": created["id"], "u": {"note": "x"}}, head_token)) == [
        "FORBIDDEN"
    ]
    assert error_codes(
        await gql(url, UPDATE, {"id": created["id"], "u": {"note": "x"}}, other.manager_token)
    ) == ["NOT_FOUND"]
    converted = data(
        await gql(
            url, UPDATE, {"id": created["id"], "u": {"status": "CONVERTED", "customerId": customer_id}}, mine
        )
    )
    assert converted["updateProspect"] == {
        "status": "CONVERTED",
        "nextContactOn": None,
        "note": "已约下周面谈",
        "customerId": customer_id,
    }
    assert error_codes(await gql(url, UPDATE, {"id": created["id"], "u": {"status": "DROPPED"}}, mine)) == [
        "CONFLICT"
    ]
    # Other roles do not create prospects; bad input is refused.
    assert error_codes(await gql(url, CREATE, {"i": person}, tenant.hall_token)) == ["FORBIDDEN"]
    assert error_codes(await gql(url, CREATE, {"i": {**person, "phone": "12"}}, mine)) == ["BAD_USER_INPUT"]
