"""全文检索 benchmark (issue 17): ``python -m loadtest.bench_search``.

    .venv/bin/python -m loadtest.bench_search [--articles 10000] [--queries 300] [--gateway URL] [--smoke]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dcms_bench .venv/bin/python -m loadtest.bench_search

Starts a stack of its own like the other benchmarks (``dcms up`` in ``var/bench-search``, gateway
on 4700 and subgraphs on 4701 or free ports; ``DCMS_BENCH_SEARCH_GATEWAY_PORT`` / ``_PORT``; no
rate limits, the anonymous one included), or runs against ``--gateway``. Arranged straight in the
database: a fresh portal with ``--articles`` published articles in Chinese made of the demo seed's
words (subgraphs/seed_content.py ``generated_article``), segmented by jieba and indexed exactly as
publishing does (resolvers/marketing/search.py), plus one article holding a word no other has
(the needle).

Measured through the gateway, anonymously, as a portal visitor: ``searchArticles`` (first 20,
highlighted, ranked) for queries drawn from the same words, one to three words each, alternating
with the baseline — ``publishedArticles`` (first 20) of the same portal, a plain indexed list —
so both are read in the same run on the same stack. Printed: p50/p95/p99/max of each and their
ratio; hits per query. Passes when every call is answered without error and the needle query
finds the needle first.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import httpx

from loadtest.common import bulk_create, percentile, print_rows, report_on_stack, stack_arguments, start_stack
from models.marketing import Article, ArticleStatus, SearchDocument, SearchKind
from models.marketing.content import category_id
from models.operations import OrgKind
from resolvers.marketing.search import document
from subgraphs.seed_content import ACTIONS, PLACES, PRODUCTS, SUBJECTS, generated_article
from subgraphs.settings import Settings
from testkit.factories import make_org

VAR_DIR = Path("var/bench-search")
NEEDLE = "猕猴桃冷链仓储"
SEARCH = """query($p: ID!, $q: String!) { searchArticles(portal: $p, query: $q, first: 20) {
  nodes { rank titleHighlight snippet article { id title publishedAt } } } }"""
BASELINE = """query($p: ID!) { publishedArticles(portal: $p, first: 20) {
  nodes { id title publishedAt } } }"""


@dataclass(frozen=True)
class SearchConfig:
    articles: int = 10_000
    queries: int = 300
    warmup: int = 5  # rounds before measuring (jieba's dictionary, connections)
    seed: int = 17


# Under the test stack's per-user rate limit (40 operations in 5 s): 2 × (2 + 12) + 1 calls.
SMOKE = SearchConfig(articles=200, queries=12, warmup=2)


@dataclass
class Report:
    config: SearchConfig
    search: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    hits: list[int] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    needle_first: bool = False
    arrange_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.codes and self.needle_first and len(self.search) == self.config.queries


def queries(rng: random.Random, n: int) -> list[str]:
    words = (*PLACES, *SUBJECTS, *PRODUCTS, *ACTIONS)
    return [" ".join(rng.sample(words, rng.choice((1, 1, 2, 3)))) for _ in range(n)]


async def arrange(config: SearchConfig) -> tuple[UUID, UUID]:
    """A portal with ``config.articles`` published, indexed articles; (portal, needle article)."""
    rng = random.Random(config.seed)
    portal = await make_org("检索压测门户", OrgKind.REGULATOR, own_tenant=True)
    author, now = uuid4(), datetime.now(UTC)
    articles: list[Article] = []
    documents: list[SearchDocument] = []
    for n in range(config.articles):
        category, title, body = generated_article(rng)
        if n == config.articles // 2:
            body += f"本地{NEEDLE}项目获得首笔信用贷款支持。"
        at = now - timedelta(minutes=n)
        article = Article(
            id=uuid4(),
            tenant_id=portal.id,
            category_id=category_id(category),
            title=title,
            summary=body[:60],
            body=body,
            status=ArticleStatus.PUBLISHED,
            published_at=at,
            created_by_id=author,
        )
        articles.append(article)
        text = f"{article.summary}\n{body}"
        documents.append(
            document(
                SearchKind.ARTICLE,
                article.id,
                portal.id,
                title,
                text,
                category_id=article.category_id,
                published_at=at,
            )
        )
    await bulk_create(articles, "articles", 500, progress=True)
    await bulk_create(documents, "search index", 500, progress=True)
    return portal.id, articles[config.articles // 2].id


async def run(config: SearchConfig, settings: Settings, gateway_url: str, token: str | None = None) -> Report:
    """Anonymous calls (a portal visitor), or with ``token`` where the anonymous rate limit is on
    (the test stack's)."""
    report = Report(config)
    started = time.perf_counter()
    portal, needle = await arrange(config)
    report.arrange_seconds = time.perf_counter() - started
    rng = random.Random(config.seed + 1)
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=60, headers=headers) as client:

        async def ask(query: str, variables: dict[str, object]) -> tuple[float, dict[str, object] | None]:
            began = time.perf_counter()
            response = await client.post(gateway_url, json={"query": query, "variables": variables})
            took = time.perf_counter() - began
            body = response.json() if response.status_code == 200 else {}
            errors = (
                body.get("errors") if body else [{"extensions": {"code": f"HTTP {response.status_code}"}}]
            )
            if errors:
                report.codes[str(errors[0].get("extensions", {}).get("code", "?"))] += 1
                return took, None
            return took, body.get("data")

        for _ in range(config.warmup):
            await ask(SEARCH, {"p": str(portal), "q": "小微企业"})
            await ask(BASELINE, {"p": str(portal)})
        for text in queries(rng, config.queries):
            took, answer = await ask(SEARCH, {"p": str(portal), "q": text})
            report.search.append(took)
            if answer is not None:
                report.hits.append(len(answer["searchArticles"]["nodes"]))  # type: ignore[index]
            took, _ = await ask(BASELINE, {"p": str(portal)})
            report.baseline.append(took)
        _, answer = await ask(SEARCH, {"p": str(portal), "q": NEEDLE})
        nodes = answer["searchArticles"]["nodes"] if answer else []  # type: ignore[index]
        report.needle_first = bool(nodes) and nodes[0]["article"]["id"] == str(needle)
    return report


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    if not ordered:
        return "-"
    p50, p95, p99 = (percentile(ordered, q) * 1000 for q in (0.5, 0.95, 0.99))
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {ordered[-1] * 1000:.1f} ms"


def rows(report: Report) -> list[tuple[str, str]]:
    search, baseline = sorted(report.search), sorted(report.baseline)
    ratio = [
        f"{percentile(search, q) / percentile(baseline, q):.2f}×" if baseline else "-" for q in (0.5, 0.99)
    ]
    return [
        ("articles indexed", f"{report.config.articles} (arranged in {report.arrange_seconds:.1f} s)"),
        ("searchArticles (first 20, ranked, highlighted)", _ms(report.search)),
        ("baseline publishedArticles (first 20)", _ms(report.baseline)),
        ("search / baseline", f"p50 {ratio[0]}, p99 {ratio[1]}"),
        ("hits per query (of 20)", f"mean {sum(report.hits) / max(1, len(report.hits)):.1f}"),
        ("needle found first", "yes" if report.needle_first else "NO"),
        ("errors", ", ".join(f"{code} {n}" for code, n in report.codes.items()) or "none"),
    ]


def print_report(report: Report, header: list[str]) -> None:
    print_rows(header, rows(report))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=SearchConfig.articles)
    parser.add_argument("--queries", type=int, default=SearchConfig.queries)
    return stack_arguments(parser).parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = SMOKE if args.smoke else SearchConfig(articles=args.articles, queries=args.queries)
    # The visitors are anonymous: the stack of its own limits neither users nor client addresses.
    os.environ["DCMS_RATE_LIMIT_ANONYMOUS"] = "0"
    return report_on_stack(
        "全文检索 searchArticles vs publishedArticles",
        args.gateway,
        lambda: start_stack(0, args.keep_data, VAR_DIR, "SEARCH", 4700),
        lambda settings, url: run(config, settings, url),
        print_report,
        "errors, or the needle was not found first",
    )


if __name__ == "__main__":
    sys.exit(main())
