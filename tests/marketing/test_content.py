"""内容管理 (resolvers/marketing/content.py), 全文检索 (search.py), 产品推荐位 and 产品知识库
(knowledge.py), in process against the storage of the run (PostgreSQL or the embedded SQLite)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from models.finance import FinancialProduct, Institution, InstitutionKind, ProductStatus
from models.finance.products import GuaranteeMethod
from models.marketing import Article, SearchDocument
from models.marketing.content import category_id
from models.operations import Org, OrgKind, User
from subgraphs.settings import Settings
from testkit.factories import make_org, make_staff, make_tenant
from testkit.inprocess import execute
from testkit.sqlcount import cost_of

pytestmark = pytest.mark.integration

NEWS = str(category_id("NEWS"))
NATIONAL = str(category_id("POLICY_NATIONAL"))

CREATE = """mutation($input: ArticleInput!, $key: String) {
  createArticle(input: $input, idempotencyKey: $key) { id status title category { code name } }
}"""
SUBMIT = "mutation($id: ID!) { submitArticle(id: $id) { id status } }"
REVIEW = """mutation($id: ID!, $approve: Boolean!, $comment: String! = "") {
  reviewArticle(id: $id, approve: $approve, comment: $comment) { id status publishedAt reviewComment }
}"""
RECYCLE = "mutation($id: ID!) { recycleArticle(id: $id) { id status } }"
RESTORE = "mutation($id: ID!) { restoreArticle(id: $id) { id status } }"
PURGE = "mutation($id: ID!) { purgeArticle(id: $id) }"
ARTICLE = """query($id: ID!) { article(id: $id) { id title status reviewComment
  history { action fromStatus toStatus } } }"""
PUBLISHED = """query($portal: ID!, $category: ID, $first: Int! = 20, $after: String) {
  publishedArticles(portal: $portal, categoryId: $category, first: $first, after: $after) {
    nodes { id title pinned category { name } } pageInfo { hasNextPage endCursor } } }"""
SEARCH = """query($portal: ID!, $q: String!, $category: ID) {
  searchArticles(portal: $portal, query: $q, categoryId: $category) {
    nodes { rank titleHighlight snippet article { id title } } } }"""


@dataclass
class Portal:
    """The bureau's portal (a tenant) with two operators and its regulator; another portal."""

    org: Org
    author: User
    author_token: str
    colleague: User
    colleague_token: str
    regulator_token: str
    other_token: str  # an operator of another tenant's portal


async def make_portal(settings: Settings) -> Portal:
    bureau = await make_org("测试金融监督管理局", OrgKind.REGULATOR, own_tenant=True)
    other = await make_org("另一门户", OrgKind.REGULATOR, own_tenant=True)
    author, author_token = await make_staff(bureau, ("OPERATOR",), settings)
    colleague, colleague_token = await make_staff(bureau, ("OPERATOR",), settings)
    _, regulator_token = await make_staff(bureau, ("REGULATOR",), settings)
    _, other_token = await make_staff(other, ("OPERATOR",), settings)
    return Portal(bureau, author, author_token, colleague, colleague_token, regulator_token, other_token)


async def run(settings: Settings, query: str, token: str | None, **variables: Any) -> Any:
    return await execute("marketing", query, variables, token, settings=settings)


async def ok(settings: Settings, query: str, token: str | None, **variables: Any) -> dict[str, Any]:
    result = await run(settings, query, token, **variables)
    assert result.errors is None, result.errors
    return dict(result.data)


async def codes(settings: Settings, query: str, token: str | None, **variables: Any) -> list[str]:
    result = await run(settings, query, token, **variables)
    return [error.extensions["code"] for error in result.errors or []]


def article_input(title: str, body: str = "", category: str = NEWS, **extra: Any) -> dict[str, Any]:
    return {"categoryId": category, "title": title, "body": body, **extra}


async def published(settings: Settings, portal: Portal, title: str, body: str = "", **extra: Any) -> str:
    """An article written and submitted by the author, published by the regulator."""
    made = await ok(settings, CREATE, portal.author_token, input=article_input(title, body, **extra))
    article_id = made["createArticle"]["id"]
    await ok(settings, SUBMIT, portal.author_token, id=article_id)
    await ok(settings, REVIEW, portal.regulator_token, id=article_id, approve=True)
    return str(article_id)


async def test_workflow_four_eyes_and_recycle_bin(database: Settings) -> None:
    portal = await make_portal(database)
    made = await ok(database, CREATE, portal.author_token, input=article_input("普惠金融政策解读"), key="k-1")
    article = made["createArticle"]
    assert article["status"] == "DRAFT" and article["category"] == {"code": "NEWS", "name": "新闻动态"}
    again = await ok(
        database, CREATE, portal.author_token, input=article_input("普惠金融政策解读"), key="k-1"
    )
    assert again["createArticle"]["id"] == article["id"]  # idempotent
    assert await Article.filter(created_by_id=portal.author.id).count() == 1

    assert (await ok(database, SUBMIT, portal.author_token, id=article["id"]))["submitArticle"][
        "status"
    ] == "PENDING"
    # Four eyes: the author may not publish their own article; another operator of the portal may.
    assert await codes(database, REVIEW, portal.author_token, id=article["id"], approve=True) == ["FORBIDDEN"]
    # Another portal's operator does not even see it.
    assert await codes(database, REVIEW, portal.other_token, id=article["id"], approve=True) == ["NOT_FOUND"]
    assert await codes(database, REVIEW, portal.colleague_token, id=article["id"], approve=False) == [
        "BAD_USER_INPUT"  # a rejection needs a comment
    ]
    rejected = await ok(
        database, REVIEW, portal.colleague_token, id=article["id"], approve=False, comment="请补充来源"
    )
    assert rejected["reviewArticle"]["status"] == "REJECTED"
    assert rejected["reviewArticle"]["reviewComment"] == "请补充来源"
    await ok(database, SUBMIT, portal.author_token, id=article["id"])
    approved = await ok(
        database, REVIEW, portal.colleague_token, id=article["id"], approve=True, comment="同意发布"
    )
    assert approved["reviewArticle"]["status"] == "PUBLISHED" and approved["reviewArticle"]["publishedAt"]
    # The same reviewer repeating the decision gets the same answer; a second reviewer CONFLICT.
    assert (
        await ok(database, REVIEW, portal.colleague_token, id=article["id"], approve=True, comment="同意发布")
    )["reviewArticle"]["status"] == "PUBLISHED"
    assert await codes(database, REVIEW, portal.regulator_token, id=article["id"], approve=True) == [
        "CONFLICT"
    ]

    seen = await ok(database, ARTICLE, None, id=article["id"])  # anonymous: published is public
    assert seen["article"]["history"] == []  # the steps are the editors'
    assert seen["article"]["reviewComment"] == ""  # and so is the review's comment
    mine = (await ok(database, ARTICLE, portal.author_token, id=article["id"]))["article"]
    assert mine["reviewComment"] == "同意发布"
    steps = mine["history"]
    assert [s["action"] for s in steps] == ["CREATE", "SUBMIT", "REJECT", "SUBMIT", "PUBLISH"]

    assert (await ok(database, RECYCLE, portal.regulator_token, id=article["id"]))["recycleArticle"][
        "status"
    ] == "RECYCLED"
    assert await codes(database, ARTICLE, None, id=article["id"]) == ["NOT_FOUND"]
    assert not await SearchDocument.filter(id=article["id"]).exists()  # out of the search index
    assert (await ok(database, RESTORE, portal.author_token, id=article["id"]))["restoreArticle"][
        "status"
    ] == "DRAFT"
    assert await codes(database, PURGE, portal.author_token, id=article["id"]) == ["CONFLICT"]  # not recycled
    await ok(database, RECYCLE, portal.author_token, id=article["id"])
    assert (await ok(database, PURGE, portal.author_token, id=article["id"]))["purgeArticle"] == article["id"]
    assert not await Article.filter(id=article["id"]).exists()


async def test_unpublished_articles_are_never_read_anonymously_or_by_another_tenant(
    database: Settings,
) -> None:
    portal = await make_portal(database)
    states: dict[str, str] = {}
    for state in ("DRAFT", "PENDING", "REJECTED", "RECYCLED"):
        made = await ok(database, CREATE, portal.author_token, input=article_input(f"{state}稿件 降准"))
        states[state] = made["createArticle"]["id"]
    await ok(database, SUBMIT, portal.author_token, id=states["PENDING"])
    await ok(database, SUBMIT, portal.author_token, id=states["REJECTED"])
    await ok(
        database, REVIEW, portal.regulator_token, id=states["REJECTED"], approve=False, comment="不予发布"
    )
    await ok(database, RECYCLE, portal.author_token, id=states["RECYCLED"])
    visible = await published(database, portal, "已发布 降准")
    for token in (None, portal.other_token):
        for article_id in states.values():
            assert await codes(database, ARTICLE, token, id=article_id) == ["NOT_FOUND"]
        listed = await ok(database, PUBLISHED, token, portal=str(portal.org.id))
        assert [n["id"] for n in listed["publishedArticles"]["nodes"]] == [visible]
        found = await ok(database, SEARCH, token, portal=str(portal.org.id), q="降准")
        assert [n["article"]["id"] for n in found["searchArticles"]["nodes"]] == [visible]
        assert await codes(database, "{ articles { nodes { id } } }", token) == (
            ["UNAUTHENTICATED"] if token is None else []
        )
    theirs = await ok(database, "{ articles(first: 50) { nodes { id } } }", portal.other_token)
    assert theirs["articles"]["nodes"] == []
    ours = await ok(database, "{ articles(first: 50) { nodes { id } } }", portal.author_token)
    assert len(ours["articles"]["nodes"]) == 5


async def test_search_finds_a_word_inside_a_sentence_ranks_and_highlights(database: Settings) -> None:
    portal = await make_portal(database)
    body = "为支持实体经济发展，中国人民银行决定下调金融机构存款准备金率0.5个百分点，释放长期资金约一万亿元。"
    in_body = await published(database, portal, "人民银行发布货币政策公告", body, category=NATIONAL)
    in_title = await published(database, portal, "存款准备金率下调对小微企业的影响", "降低融资成本。")
    await published(database, portal, "乡村振兴金融服务月活动启动", "各地开展金融知识宣传。")
    found = await ok(database, SEARCH, None, portal=str(portal.org.id), q="存款准备金率")
    nodes = found["searchArticles"]["nodes"]
    assert [n["article"]["id"] for n in nodes] == [in_title, in_body]  # a title match ranks higher
    assert nodes[0]["rank"] > nodes[1]["rank"] > 0
    assert "<mark>存款准备金率</mark>下调" in nodes[0]["titleHighlight"]
    assert "下调金融机构<mark>存款准备金率</mark>0.5个百分点" in nodes[1]["snippet"]
    # A shorter word found inside a longer one ("准备金" in "存款准备金率"), and the category filter.
    sub = await ok(database, SEARCH, None, portal=str(portal.org.id), q="准备金", category=NATIONAL)
    assert [n["article"]["id"] for n in sub["searchArticles"]["nodes"]] == [in_body]
    assert "存款<mark>准备金</mark>率" in sub["searchArticles"]["nodes"][0]["snippet"]
    both = await ok(database, SEARCH, None, portal=str(portal.org.id), q="准备金率")
    assert {n["article"]["id"] for n in both["searchArticles"]["nodes"]} == {in_body, in_title}
    # Every word must match; the text is HTML-escaped.
    assert (await ok(database, SEARCH, None, portal=str(portal.org.id), q="准备金率 乡村振兴"))[
        "searchArticles"
    ]["nodes"] == []
    dated = """query($p: ID!, $from: DateTime, $to: DateTime) {
      searchArticles(portal: $p, query: "准备金", publishedFrom: $from, publishedTo: $to) { nodes { rank } } }"""
    now = datetime.now(UTC)
    for start, end, n in (
        (now - timedelta(hours=1), None, 2),
        (now + timedelta(hours=1), None, 0),
        (None, now - timedelta(hours=1), 0),
    ):
        window = {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None}
        found = await ok(database, dated, None, p=str(portal.org.id), **window)
        assert len(found["searchArticles"]["nodes"]) == n, window
    tagged = await published(database, portal, "<b>反诈</b>宣传", "谨防电信诈骗")
    hit = (await ok(database, SEARCH, None, portal=str(portal.org.id), q="反诈"))["searchArticles"]["nodes"]
    assert (
        hit[0]["article"]["id"] == tagged
        and hit[0]["titleHighlight"] == "&lt;b&gt;<mark>反诈</mark>&lt;/b&gt;宣传"
    )
    assert await codes(database, SEARCH, None, portal=str(portal.org.id), q=" ，。") == ["BAD_USER_INPUT"]
    assert await codes(database, SEARCH, None, portal="x", q="降准") == ["BAD_USER_INPUT"]


async def test_published_list_pins_first_in_constant_statements(database: Settings) -> None:
    portal = await make_portal(database)
    first = await published(database, portal, "第一篇")
    pinned = await published(database, portal, "置顶公告", pinned=True)
    listed = await ok(database, PUBLISHED, None, portal=str(portal.org.id), first=1)
    assert [n["id"] for n in listed["publishedArticles"]["nodes"]] == [pinned]
    cursor = listed["publishedArticles"]["pageInfo"]["endCursor"]
    rest = await ok(database, PUBLISHED, None, portal=str(portal.org.id), first=1, after=cursor)
    assert [n["id"] for n in rest["publishedArticles"]["nodes"]] == [first]
    for i in range(20):
        await published(database, portal, f"新闻{i}")
    query = "query($p: ID!, $n: Int!) { publishedArticles(portal: $p, first: $n) { nodes { title category { name } } } }"
    small = await cost_of(
        "marketing", query, {"p": str(portal.org.id), "n": 1}, portal.author_token, database
    )
    large = await cost_of(
        "marketing", query, {"p": str(portal.org.id), "n": 20}, portal.author_token, database
    )
    assert small.statements == large.statements <= 3, (small.statements, large.statements)
    searched = 'query($p: ID!, $n: Int!) { searchArticles(portal: $p, query: "新闻", first: $n) { nodes { article { category { name } } } } }'
    small = await cost_of(
        "marketing", searched, {"p": str(portal.org.id), "n": 1}, portal.author_token, database
    )
    large = await cost_of(
        "marketing", searched, {"p": str(portal.org.id), "n": 20}, portal.author_token, database
    )
    assert small.statements == large.statements <= 4, (small.statements, large.statements)


SLOT = """mutation($code: String!, $ids: [ID!]!) {
  setRecommendationSlot(code: $code, name: "首页推荐", productIds: $ids) { code products { id name } } }"""
READ_SLOT = 'query($p: ID!) { recommendationSlot(portal: $p, code: "HOME") { name products { name institutionName } } }'


async def make_products(n: int, status: ProductStatus = ProductStatus.LISTED) -> list[FinancialProduct]:
    org = await make_org("测试贷款公司", OrgKind.INSTITUTION, own_tenant=True)
    institution = await Institution.create(
        org_id=org.id, org_path=org.path, name="测试贷款公司", kind=InstitutionKind.MICRO_LOAN, certified=True
    )
    return [
        await FinancialProduct.create(
            institution=institution,
            name=f"产品{i}",
            guarantee_method=GuaranteeMethod.CREDIT,
            min_amount=Decimal(1000),
            max_amount=Decimal(100000),
            rate_min=Decimal("3.5"),
            rate_max=Decimal("6"),
            term_months=12,
            status=status,
        )
        for i in range(n)
    ]


async def test_recommendation_slots_hold_listed_products_only(database: Settings) -> None:
    portal = await make_portal(database)
    listed = await make_products(3)
    (draft,) = await make_products(1, ProductStatus.DRAFT)
    ids = [str(p.id) for p in reversed(listed)]
    slot = await ok(database, SLOT, portal.author_token, code="HOME", ids=ids)
    assert [p["id"] for p in slot["setRecommendationSlot"]["products"]] == ids  # in the order given
    assert await codes(database, SLOT, portal.author_token, code="HOME", ids=[str(draft.id)]) == ["NOT_FOUND"]
    assert await codes(database, SLOT, portal.author_token, code="HOME", ids=[str(uuid.uuid4())]) == [
        "NOT_FOUND"
    ]
    assert await codes(database, SLOT, portal.author_token, code="HOME", ids=[ids[0], ids[0]]) == [
        "BAD_USER_INPUT"
    ]
    assert await codes(database, SLOT, portal.author_token, code="home page", ids=[]) == ["BAD_USER_INPUT"]
    assert await codes(database, SLOT, None, code="HOME", ids=ids) == ["UNAUTHENTICATED"]
    await FinancialProduct.filter(id=listed[0].id).update(status=ProductStatus.DELISTED)
    read = await ok(database, READ_SLOT, None, p=str(portal.org.id))  # anonymous
    names = [p["name"] for p in read["recommendationSlot"]["products"]]
    assert names == ["产品2", "产品1"]  # the delisted one is left out
    assert read["recommendationSlot"]["products"][0]["institutionName"] == "测试贷款公司"
    assert (await ok(database, READ_SLOT, None, p=str(uuid.uuid4())))["recommendationSlot"] is None


KB_CREATE = (
    """mutation($input: KnowledgeEntryInput!) { createKnowledgeEntry(input: $input) { id kind title } }"""
)
KB_SEARCH = (
    """query($q: String!) { searchKnowledge(query: $q) { nodes { titleHighlight snippet entry { id } } } }"""
)


async def test_knowledge_base_is_the_banks_own(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    other = await make_tenant(database, customers=0, grabbers=0, needs=0)
    _, hq_token = await make_staff(tenant.bank, ("HQ_ADMIN",), database)
    _, other_hq = await make_staff(other.bank, ("HQ_ADMIN",), database)
    entry = {
        "kind": "MARKETING_GUIDE",
        "title": "黔农e贷营销指引",
        "body": "面向个体工商户，重点推荐线上申请流程。",
    }
    made = await ok(database, KB_CREATE, hq_token, input=entry)
    assert await codes(database, KB_CREATE, tenant.manager_token, input=entry) == ["FORBIDDEN"]  # HQ writes
    found = await ok(database, KB_SEARCH, tenant.manager_token, q="工商户")  # the bank's staff read
    assert [n["entry"]["id"] for n in found["searchKnowledge"]["nodes"]] == [
        made["createKnowledgeEntry"]["id"]
    ]
    assert "<mark>工商户</mark>" in found["searchKnowledge"]["nodes"][0]["snippet"]
    assert (await ok(database, KB_SEARCH, other_hq, q="工商户"))["searchKnowledge"]["nodes"] == []
    read = "query($id: ID!) { knowledgeEntry(id: $id) { title } }"
    assert await codes(database, read, other_hq, id=made["createKnowledgeEntry"]["id"]) == ["NOT_FOUND"]
    listed = await ok(database, "{ knowledgeEntries { nodes { title } } }", tenant.manager_token)
    assert listed["knowledgeEntries"]["nodes"] == [{"title": "黔农e贷营销指引"}]
