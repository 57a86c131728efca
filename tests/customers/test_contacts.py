"""接触记录 (contacts, resolvers/customers/contacts.py) through the gateway: recording a contact, backfilled
or fresh, the contact-again date as the manager's reminder, and who may record."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from clients.python.dcms_client import data, error_codes, gql
from testkit.factories import make_tenant
from tests.support.stack import Stack

RECORD = """mutation($i: ContactInput!) { recordContact(input: $i) {
  channel summary backfilled contactAgainOn manager { id } } }"""


@pytest.mark.e2e
async def test_recording_a_contact_with_backfill_and_a_contact_again_reminder(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    customer_id = str(tenant.customers[0].id)
    again = (date.today() + timedelta(days=5)).isoformat()
    three_days_ago = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    contact = {"customerId": customer_id, "channel": "VISIT", "summary": "上门走访，客户计划扩建大棚"}
    recorded = data(
        await gql(
            stack.gateway_url,
            RECORD,
            {"i": {**contact, "contactedAt": three_days_ago, "contactAgainOn": again}},
            tenant.manager_token,
        )
    )["recordContact"]
    assert recorded == {
        "channel": "VISIT",
        "summary": "上门走访，客户计划扩建大棚",
        "backfilled": True,
        "contactAgainOn": again,
        "manager": {"id": str(tenant.manager.id)},
    }
    fresh = data(
        await gql(stack.gateway_url, RECORD, {"i": {**contact, "channel": "PHONE"}}, tenant.manager_token)
    )["recordContact"]
    assert fresh["backfilled"] is False
    latest = "query($id: ID!) { customer(id: $id) { latestContact { channel } contacts { channel } } }"
    seen = data(await gql(stack.gateway_url, latest, {"id": customer_id}, tenant.manager_token))["customer"]
    assert seen == {
        "latestContact": {"channel": "PHONE"},
        "contacts": [{"channel": "PHONE"}, {"channel": "VISIT"}],
    }
    # The contact-again date is a reminder for the manager, on that day.
    reminders = "{ myReminders(first: 50) { nodes { kind title dueAt } } }"
    nodes = data(await gql(stack.gateway_url, reminders, {}, tenant.manager_token))["myReminders"]["nodes"]
    appointment = [n for n in nodes if n["kind"] == "APPOINTMENT"]
    assert len(appointment) == 1 and appointment[0]["title"].startswith("再次联系 客户0")
    assert appointment[0]["dueAt"].startswith(again)
    # Bad input, someone else's customer, a role that does not record contacts.
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    for variables, token, code in (
        ({**contact, "contactedAt": future}, tenant.manager_token, "BAD_USER_INPUT"),
        ({**contact, "contactAgainOn": "2020-01-01"}, tenant.manager_token, "BAD_USER_INPUT"),
        ({**contact, "summary": " "}, tenant.manager_token, "BAD_USER_INPUT"),
        (contact, other.manager_token, "NOT_FOUND"),
        (contact, tenant.hall_token, "FORBIDDEN"),
    ):
        assert error_codes(await gql(stack.gateway_url, RECORD, {"i": variables}, token)) == [code], variables
    count = "query($id: ID!) { customer(id: $id) { contacts { channel } } }"
    assert (
        len(
            data(await gql(stack.gateway_url, count, {"id": customer_id}, tenant.manager_token))["customer"][
                "contacts"
            ]
        )
        == 2
    )
