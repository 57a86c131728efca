"""Every bad input gets a coded error, never INTERNAL_SERVER_ERROR or HTTP 500 (issue 11, items 4
and 10): garbage cursors, NUL characters, over-long strings, Decimals no column holds, dates that
are no dates, `_entities` representations of nothing, malformed bodies, non-JSON POSTs. Each case
here was an uncoded error, a masked "Unexpected error." or an HTTP 500 before its fix (several
were found by tests/security/test_fuzz.py)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from clients.python.dcms_client import data, error_codes, gql
from testkit.factories import Tenant, make_tenant
from tests.support.signing import signed_post
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

CUSTOMERS = (
    "query($a: String, $f: CustomerFilter) { customers(first: 5, after: $a, filter: $f) { nodes { id } } }"
)


@pytest.fixture
async def tenant(stack: Stack) -> Tenant:
    return await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)


def _cursor(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


@pytest.mark.parametrize(
    "after",
    ["AAAA", _cursor(b"\x00"), _cursor(b"not-a-uuid"), _cursor(b""), "!!!", "a" * 400],
    ids=["nul-bytes", "nul", "not-a-uuid", "empty", "not-base64", "long"],
)
async def test_garbage_cursors_are_bad_input(stack: Stack, tenant: Tenant, after: str) -> None:
    result = await gql(stack.gateway_url, CUSTOMERS, {"a": after}, tenant.manager_token)
    assert error_codes(result) == ["BAD_USER_INPUT"], result


@pytest.mark.parametrize("rating", [b"NaN", b"Infinity", b"1e999999999"])
async def test_a_rating_cursor_that_is_no_number_is_bad_input(
    stack: Stack, tenant: Tenant, rating: bytes
) -> None:
    """financialProducts pages on (rating, id): the rating part must be a finite Decimal."""
    query = "query($a: String) { financialProducts(first: 5, after: $a) { nodes { id } } }"
    after = _cursor(rating + b"|00000000-0000-0000-0000-000000000000")
    result = await gql(stack.gateway_url, query, {"a": after}, tenant.manager_token)
    assert error_codes(result) == ["BAD_USER_INPUT"], result


async def test_a_real_cursor_still_pages(stack: Stack, tenant: Tenant) -> None:
    query = "query($a: String) { customers(first: 1, after: $a) { edges { cursor } pageInfo { endCursor } } }"
    first = data(await gql(stack.gateway_url, query, None, tenant.manager_token))["customers"]
    after = first["pageInfo"]["endCursor"]
    assert (
        data(await gql(stack.gateway_url, query, {"a": after}, tenant.manager_token))["customers"]["edges"]
        == []
    )


@pytest.mark.parametrize(
    "filter",
    [{"text": "a\x00b"}, {"tags": ["\x00"]}, {"productName": "x" * 10_001}],
    ids=["nul", "nul-in-list", "over-long"],
)
async def test_strings_no_column_holds_are_bad_input(
    stack: Stack, tenant: Tenant, filter: dict[str, Any]
) -> None:
    result = await gql(stack.gateway_url, CUSTOMERS, {"f": filter}, tenant.manager_token)
    assert error_codes(result) == ["BAD_USER_INPUT"], result


async def test_string_literals_are_checked_too(stack: Stack, tenant: Tenant) -> None:
    query = '{ customers(first: 5, filter: { text: "a\\u0000b" }) { nodes { id } } }'
    result = await gql(stack.gateway_url, query, None, tenant.manager_token)
    assert error_codes(result) == ["BAD_USER_INPUT"], result


@pytest.mark.parametrize("value", ["1e999999999", "NaN", "-Infinity", 1e300, "1e-999999999", "abc", [1]])
async def test_decimals_no_column_holds_are_bad_input(stack: Stack, tenant: Tenant, value: Any) -> None:
    result = await gql(stack.gateway_url, CUSTOMERS, {"f": {"aumMin": value}}, tenant.manager_token)
    assert error_codes(result) == ["BAD_USER_INPUT"], result


async def test_a_decimal_in_a_literal_and_an_ordinary_one(stack: Stack, tenant: Tenant) -> None:
    huge = '{ customers(first: 5, filter: { aumMin: "1e999999999" }) { nodes { id } } }'
    assert error_codes(await gql(stack.gateway_url, huge, None, tenant.manager_token)) == ["BAD_USER_INPUT"]
    fine = '{ customers(first: 5, filter: { aumMin: "0.5" }) { nodes { id } } }'
    assert (
        len(data(await gql(stack.gateway_url, fine, None, tenant.manager_token))["customers"]["nodes"]) == 1
    )


async def test_a_date_that_is_no_date_is_bad_input_not_masked(stack: Stack, tenant: Tenant) -> None:
    query = '{ mySchedule(start: "2000-01-01 00:00:00", end: "not a date") { customerId } }'
    result = await gql(stack.gateway_url, query, None, tenant.manager_token)
    assert error_codes(result) == ["BAD_USER_INPUT"], result


async def test_a_value_longer_than_its_column_is_bad_input(stack: Stack, tenant: Tenant) -> None:
    # Opportunity.title is VARCHAR(200): Tortoise refuses longer on save (both storages).
    query = "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { id } }"
    variables = {"i": {"customerId": str(tenant.customers[0].id), "title": "商" * 300}}
    result = await gql(stack.gateway_url, query, variables, tenant.manager_token)
    assert error_codes(result) == ["BAD_USER_INPUT"], result


async def test_a_wrongly_typed_variable_is_coded_at_the_gateway(stack: Stack, tenant: Tenant) -> None:
    query = "query($n: Int!) { customers(first: $n) { nodes { id } } }"
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            stack.gateway_url,
            json={"query": query, "variables": {"n": "x"}},
            headers={"authorization": f"Bearer {tenant.manager_token}"},
        )
    assert error_codes(response.json()) == ["BAD_USER_INPUT"], response.text


async def test_one_failed_root_field_is_not_an_internal_error_for_its_siblings(
    stack: Stack, tenant: Tenant
) -> None:
    """The customers subgraph answers `data: null` when `marketingExclusions` refuses its argument;
    the gateway reported the sibling `reminderPolicy` it asked for in the same request as
    INTERNAL_SERVER_ERROR (and the real error not at all)."""
    query = (
        "{ reminderPolicy { largeTransactionThreshold } marketingExclusions(first: -5) { edges { cursor } } }"
    )
    result = await gql(stack.gateway_url, query, None, tenant.manager_token)
    assert error_codes(result) and set(error_codes(result)) == {"BAD_USER_INPUT"}, result


# -- straight to a subgraph (signed as the gateway signs) -----------------------------------------


async def test_entities_of_no_type_here_are_bad_input(stack: Stack, tenant: Tenant) -> None:
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Opportunity { title } } }"
    opportunity = {"__typename": "Opportunity", "id": "00000000-0000-0000-0000-000000000000"}
    representations = [{"__typename": "Nope", "id": "1"}, {"id": "1"}, {"__typename": "Opportunity", "x": 1}]
    body = {"query": query, "variables": {"r": [*representations, opportunity]}}
    response = await signed_post(
        stack.settings.hmac_secret, stack.subgraph("marketing"), body, tenant.manager_token
    )
    result = response.json()
    assert result["data"]["_entities"] == [None, None, None, None]
    assert error_codes(result) == ["BAD_USER_INPUT"] * 3 + ["NOT_FOUND"], result


async def test_validation_errors_at_a_subgraph_are_coded(stack: Stack, tenant: Tenant) -> None:
    query = "{ opportunities(first: 20, after: 5) { nodes { id } } }"
    body = {"query": query}
    response = await signed_post(
        stack.settings.hmac_secret, stack.subgraph("marketing"), body, tenant.manager_token
    )
    assert error_codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"], response.text


@pytest.mark.parametrize(
    "query", ["{ __typename", "{ __typename } # \ud800 in a comment", '{ me(x: "\ud800") { id } }']
)
async def test_parse_errors_at_a_subgraph_are_coded(stack: Stack, tenant: Tenant, query: str) -> None:
    """A document that does not parse (a lone surrogate in a literal or comment included)."""
    response = await signed_post(
        stack.settings.hmac_secret, stack.subgraph("operations"), {"query": query}, tenant.manager_token
    )
    assert response.status_code < 500 and error_codes(response.json()) == ["GRAPHQL_PARSE_FAILED"]


@pytest.mark.parametrize("name", ["Me\ud800", "not a name", "x" * 500])
async def test_an_operation_name_that_is_no_name_is_400_with_a_code(
    stack: Stack, tenant: Tenant, name: str
) -> None:
    """Strawberry echoed it in a plain-text error: with a lone surrogate that was an HTTP 500."""
    body = json.dumps(
        {"query": "query Me { me { id } }", "operationName": name}
    ).encode()  # a lone surrogate stays escaped
    response = await signed_post(
        stack.settings.hmac_secret, stack.subgraph("operations"), body, tenant.manager_token
    )
    assert response.status_code == 400 and error_codes(response.json()) == ["BAD_USER_INPUT"], response.text


STRAWBERRY_REFUSALS = {
    "no-query": {},
    "empty-query": {"query": ""},
    "unknown-operation": {"query": "query Me { me { id } }", "operationName": "Other"},
}


@pytest.mark.parametrize("case", list(STRAWBERRY_REFUSALS))
async def test_what_strawberry_refuses_before_execution_is_coded_json(
    stack: Stack, tenant: Tenant, case: str
) -> None:
    """Strawberry answered these with a plain-text 400 (no JSON, no code)."""
    body = STRAWBERRY_REFUSALS[case]
    response = await signed_post(
        stack.settings.hmac_secret, stack.subgraph("operations"), body, tenant.manager_token
    )
    assert response.status_code == 400 and error_codes(response.json()) == ["BAD_USER_INPUT"], response.text


DEEP = b'{"query":"{ __typename }","variables":{"a":' + b"[" * 20_000 + b"]" * 20_000 + b"}}"
MALFORMED = {
    "scalar": (b"42", "application/json", 400),
    "null": (b"null", "application/json", 400),
    "list-of-scalars": (b"[1, 2]", "application/json", 400),
    "invalid-utf8": (b'{"query": "{ __typename \xff }"}', "application/json", 400),
    "nested-20000": (DEEP, "application/json", 400),
    "top-level-nested": (b"[" * 20_000 + b"]" * 20_000, "application/json", 400),
    "nan": (b'{"query": "{ __typename }", "variables": {"x": NaN}}', "application/json", 400),
    "query-not-a-string": (b'{"query": 5}', "application/json", 400),
    "not-json": (b"{query", "application/json", 400),
    "form": (b"query=%7B__typename%7D", "application/x-www-form-urlencoded", 415),
    "text": (b'{"query": "{ __typename }"}', "text/plain", 415),
    "response-type": (b'{"query": "{ __typename }"}', "application/graphql-response+json", 415),
}


@pytest.mark.parametrize("case", list(MALFORMED))
async def test_malformed_bodies_at_a_subgraph_are_400_with_a_code(stack: Stack, case: str) -> None:
    body, content_type, status = MALFORMED[case]
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            stack.subgraph("operations"), content=body, headers={"content-type": content_type}
        )
    assert response.status_code == status, response.text
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("case", list(MALFORMED))
async def test_malformed_bodies_at_the_gateway_are_4xx_with_a_code(stack: Stack, case: str) -> None:
    body, content_type, _ = MALFORMED[case]
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(stack.gateway_url, content=body, headers={"content-type": content_type})
    assert response.status_code < 500, response.text
    answers = response.json()
    for answer in answers if isinstance(answers, list) else [answers]:
        codes = error_codes(answer)
        # Yoga parses an unused deeply nested variable and runs `{ __typename }`: an answer, no fault.
        assert codes or (case == "nested-20000" and answer["data"]), response.text
        assert None not in codes and "INTERNAL_SERVER_ERROR" not in codes, response.text


# -- POST bodies must be JSON (item 10): a cross-site form cannot log anyone in ---------------------


LOGIN = 'mutation { login(username: "%s", password: "%s") { accessToken } }'


async def _login_post(stack: Stack, **request: Any) -> httpx.Response:
    from subgraphs.seed import DEMO_PASSWORD

    async with httpx.AsyncClient(timeout=30) as client:
        user = await _user_with_password(DEMO_PASSWORD)
        query = LOGIN % (user, DEMO_PASSWORD)
        return await client.post(stack.gateway_url, **{k: v(query) for k, v in request.items()})


async def _user_with_password(password: str) -> str:
    from models.operations import OrgKind
    from testkit.factories import make_org, make_user

    org = await make_org("表单测试银行", OrgKind.MEMBER_BANK, own_tenant=True)
    return (await make_user(org, ("CUSTOMER_MANAGER",), password=password)).username


async def test_a_json_login_works(stack: Stack) -> None:
    response = await _login_post(stack, json=lambda query: {"query": query})
    assert data(response.json())["login"]["accessToken"]


@pytest.mark.parametrize("kind", ["form", "multipart", "text"])
async def test_a_non_json_login_is_refused_with_a_code(stack: Stack, kind: str) -> None:
    requests: dict[str, dict[str, Callable[[str], Any]]] = {
        "form": {"data": lambda query: {"query": query}},
        "multipart": {"files": lambda query: {"operations": (None, json.dumps({"query": query}))}},
        "text": {
            "content": lambda query: json.dumps({"query": query}),
            "headers": lambda _: {"content-type": "text/plain"},
        },
    }
    response = await _login_post(stack, **requests[kind])
    assert response.status_code == 415, response.text
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    assert "accessToken" not in response.text
