"""A portal's published content through the real gateway, without logging in (issue 17): the
public root fields answer anonymous callers; drafts, pending, rejected and recycled articles never
reach them nor another tenant's staff; everything else still needs a token."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.marketing.content import category_id
from models.operations import OrgKind
from testkit.factories import make_org, make_staff
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

CREATE = "mutation($i: ArticleInput!) { createArticle(input: $i) { id } }"
SUBMIT = "mutation($id: ID!) { submitArticle(id: $id) { status } }"
REVIEW = (
    'mutation($id: ID!, $ok: Boolean!) { reviewArticle(id: $id, approve: $ok, comment: "意见") { status } }'
)
RECYCLE = "mutation($id: ID!) { recycleArticle(id: $id) { status } }"
PORTAL = """query($portal: ID!, $id: ID!, $q: String!) {
  contentCategories { code name }
  publishedArticles(portal: $portal) { nodes { id title category { name } } }
  article(id: $id) { title status }
  searchArticles(portal: $portal, query: $q) { nodes { titleHighlight snippet article { id } } }
  recommendationSlot(portal: $portal, code: "HOME") { name }
}"""
ARTICLE = "query($id: ID!) { article(id: $id) { id status } }"
SEARCH = "query($p: ID!, $q: String!) { searchArticles(portal: $p, query: $q) { nodes { article { id } } } }"


async def test_anonymous_visitors_read_only_published_content(stack: Stack) -> None:
    url = stack.gateway_url
    portal = await make_org("测试地方金融监督管理局", OrgKind.REGULATOR, own_tenant=True)
    other = await make_org("外地门户", OrgKind.REGULATOR, own_tenant=True)
    _, author = await make_staff(portal, ("OPERATOR",), stack.settings)
    _, reviewer = await make_staff(portal, ("REGULATOR",), stack.settings)
    _, outsider = await make_staff(other, ("OPERATOR",), stack.settings)

    async def write(title: str) -> str:
        made = data(
            await gql(url, CREATE, {"i": {"categoryId": str(category_id("NEWS")), "title": title}}, author)
        )
        return str(made["createArticle"]["id"])

    shown = await write("关于开展普惠金融宣传月活动的通知")
    data(await gql(url, SUBMIT, {"id": shown}, author))
    assert error_codes(await gql(url, REVIEW, {"id": shown, "ok": True}, author)) == [
        "FORBIDDEN"
    ]  # four eyes
    data(await gql(url, REVIEW, {"id": shown, "ok": True}, reviewer))
    hidden: dict[str, str] = {
        state: await write(f"{state} 普惠金融") for state in ("DRAFT", "PENDING", "REJECTED")
    }
    hidden["RECYCLED"] = await write("回收 普惠金融")
    for state in ("PENDING", "REJECTED"):
        data(await gql(url, SUBMIT, {"id": hidden[state]}, author))
    data(await gql(url, REVIEW, {"id": hidden["REJECTED"], "ok": False}, reviewer))
    data(await gql(url, RECYCLE, {"id": hidden["RECYCLED"]}, author))

    page = data(await gql(url, PORTAL, {"portal": str(portal.id), "id": shown, "q": "普惠金融"}))  # no token
    assert {c["code"] for c in page["contentCategories"]} >= {
        "POLICY_NATIONAL",
        "NEWS",
        "BANNER",
        "FRIEND_LINK",
    }
    assert page["publishedArticles"]["nodes"] == [
        {"id": shown, "title": "关于开展普惠金融宣传月活动的通知", "category": {"name": "新闻动态"}}
    ]
    assert page["article"] == {"title": "关于开展普惠金融宣传月活动的通知", "status": "PUBLISHED"}
    hits = page["searchArticles"]["nodes"]
    assert [h["article"]["id"] for h in hits] == [shown]
    assert hits[0]["titleHighlight"] == "关于开展<mark>普惠金融</mark>宣传月活动的通知"
    assert page["recommendationSlot"] is None

    for token in (None, outsider):
        for article_id in hidden.values():
            assert error_codes(await gql(url, ARTICLE, {"id": article_id}, token)) == ["NOT_FOUND"]
        found = data(await gql(url, SEARCH, {"p": str(portal.id), "q": "普惠金融"}, token))
        assert [n["article"]["id"] for n in found["searchArticles"]["nodes"]] == [shown]
    for article_id in hidden.values():  # the portal's own editors see them
        assert data(await gql(url, ARTICLE, {"id": article_id}, reviewer))["article"]["id"] == article_id


async def test_the_public_fields_open_nothing_else(stack: Stack) -> None:
    url = stack.gateway_url
    portal = str(uuid.uuid4())
    mixed = "query($p: ID!) { publishedArticles(portal: $p) { nodes { id } } articles { nodes { id } } }"
    assert error_codes(await gql(url, mixed, {"p": portal})) == ["UNAUTHENTICATED"]
    assert error_codes(await gql(url, "{ knowledgeEntries { nodes { id } } }")) == ["UNAUTHENTICATED"]
    variables = {"i": {"categoryId": str(category_id("NEWS")), "title": "匿名稿件"}}
    async with httpx.AsyncClient(timeout=30) as client:  # @authenticated: the gateway refuses it itself
        refused = await client.post(url, json={"query": CREATE, "variables": variables})
    assert error_codes(refused.json()) == ["UNAUTHORIZED_FIELD_OR_TYPE"]
    bad: dict[str, Any] = {"p": "not-an-id", "q": "普惠"}
    assert error_codes(await gql(url, SEARCH, bad)) == ["BAD_USER_INPUT"]
