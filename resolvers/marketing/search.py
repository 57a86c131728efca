"""全文检索 (Chinese full-text search) of published articles and knowledge entries.

Chinese has no spaces between words, so neither PostgreSQL's parsers nor SQLite's tokenizers can
find "降准" inside "中国人民银行宣布降准". jieba segments the text into words here, in Python, and
the database indexes the words, separated by spaces:

- ``words(text)``: the words of ``text`` (``jieba.cut``), joined by a space; a space of the text
  itself becomes U+3000, so ``plain()`` gives the text back from a highlighted fragment.
- ``extra_terms(words…)``: the dictionary words inside its long words ("存款准备金率" → "准备金",
  "准备金率"), in a column of their own, so a query for them finds the text too (recall only:
  they are never part of a headline; a word found only there is marked in the headline here).
- PostgreSQL: ``to_tsvector('simple', …)`` of those words (no stemming, no stop words), title
  weighted A and body B, stored in a generated column ``search_vector`` behind a GIN index
  (migrations/0006_content.py); ``ts_rank`` orders, ``ts_headline`` marks the words.
- SQLite (the embedded default): an FTS5 table over the same columns, ``bm25`` (title weighted
  ten times the body) orders, ``highlight`` / ``snippet`` mark the words.

Both answer a ``Hit``: the row's id, its rank (higher is better) and the highlighted title and
snippet as HTML-escaped text in which ``<mark>…</mark>`` wraps what matched. Three statements at
most per search whatever the page size: the hits, then the rows (the caller's loader).
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

import jieba
from tortoise import connections

from models.marketing import SearchDocument, SearchKind
from resolvers.common.errors import bad_input
from resolvers.common.pagination import check_page_size

MAX_QUERY = 100  # characters of a search query
SPACE = "\u3000"  # a space of the text itself, inside the segmented column
START, STOP = "\ue000", "\ue001"  # highlight markers, turned into <mark> after escaping
# PostgreSQL: the stored, GIN-indexed weighted vector of a document (migrations/0006_content.py):
# the title weighted A, the body and the words inside long words B.
TSV = "d.search_vector"
_WORD = re.compile(r"\w", re.UNICODE)
# Words of the domain jieba's dictionary lacks (kept whole, found whole).
DOMAIN_WORDS = (
    "降准",
    "降息",
    "普惠金融",
    "乡村振兴",
    "黔农e贷",
    "小微企业",
    "首贷",
    "续贷",
    "无还本续贷",
    "贷款市场报价利率",
    "存款准备金率",
    "征信",
    "反诈",
    "金融超市",
    "惠农",
    "政府性融资担保",
)


@cache
def _segmenter() -> jieba.Tokenizer:
    """jieba's default tokenizer, its dictionary loaded once per process (≈1 s, at first use)."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in DOMAIN_WORDS:
        tokenizer.add_word(word, freq=20_000)
    tokenizer.initialize()
    return tokenizer


def words(text: str) -> list[str]:
    """The words of ``text`` (jieba's precise mode), whitespace as ``SPACE``, punctuation kept."""
    out: list[str] = []
    for token in _segmenter().cut(text):
        if token.isspace():
            if out and out[-1] != SPACE:
                out.append(SPACE)
        else:
            out.append(token)
    return out


def sub_words(word: str) -> list[str]:
    """The dictionary words inside a longer word ("存款准备金率" → 存款, 准备, 准备金, 准备金率, 金率)."""
    if len(word) <= 2 or not _WORD.match(word):
        return []
    known = _segmenter().FREQ
    return [
        word[start:end]
        for start in range(len(word))
        for end in range(start + 2, len(word) + 1)
        if (end - start) < len(word) and known.get(word[start:end])
    ]


def extra_terms(*segmented: list[str]) -> str:
    """The dictionary words inside the long words of already segmented texts, once each."""
    found = {sub: None for text in segmented for word in text for sub in sub_words(word)}
    return " ".join(found)


def plain(segmented: str) -> str:
    """The text back from its words (or a fragment of them): separators dropped, spaces restored."""
    return segmented.replace(" ", "").replace(SPACE, " ").strip()


def query_words(query: str) -> list[str]:
    """The words of a search query (BAD_USER_INPUT when it holds none, or is too long)."""
    if len(query) > MAX_QUERY:
        raise bad_input(f"query must be at most {MAX_QUERY} characters")
    found = [w for w in dict.fromkeys(words(query)) if w != SPACE and _WORD.search(w)]
    if not found:
        raise bad_input("query must contain a word")
    return found


def marked(fragment: str | None, found: list[str]) -> str:
    """A highlighted fragment as safe HTML: the text escaped, the matches in ``<mark>``. A query word
    the database matched only inside a longer word (``extra_terms``) is marked here."""
    text = plain(fragment or "")
    if START not in text:
        for word in sorted(found, key=len, reverse=True):
            text = re.sub(f"(?<!{START}){re.escape(word)}", f"{START}{word}{STOP}", text, flags=re.IGNORECASE)
    return html.escape(text).replace(START, "<mark>").replace(STOP, "</mark>")


@dataclass(frozen=True)
class Hit:
    id: UUID
    rank: float
    title: str  # highlighted (HTML, <mark>)
    snippet: str  # highlighted (HTML, <mark>)


@dataclass(frozen=True)
class Filters:
    kind: SearchKind
    tenant_id: UUID
    category_id: UUID | None = None
    facet: str | None = None
    published_from: datetime | None = None
    published_to: datetime | None = None


async def search(query: str, filters: Filters, first: int, offset: int) -> list[Hit]:
    """Up to ``first + 1`` hits from ``offset``, best first (ties: newest, then id)."""
    check_page_size(first)
    found = query_words(query)
    db = connections.get("marketing")
    if db.capabilities.dialect == "postgres":
        sql, params = _postgres(found, filters, first + 1, offset)
    else:
        sql, params = _sqlite(found, filters, first + 1, offset)
    _, rows = await db.execute_query(sql, params)
    return [
        Hit(
            id=row["id"] if isinstance(row["id"], UUID) else UUID(str(row["id"])),
            rank=float(row["rank"]),
            title=marked(row["title"], found),
            snippet=marked(row["snippet"], found),
        )
        for row in rows
    ]


def _where(filters: Filters, param: Any, time: str = "{}") -> tuple[list[str], list[Any]]:
    """The filters as SQL conditions on ``d`` (the documents), with ``param(n)`` placeholders;
    ``time`` wraps both sides of a time comparison (SQLite compares instants with ``julianday``,
    whatever text form and offset the column and the parameter have)."""
    clauses: list[str] = []
    values: list[Any] = []

    def add(sql: str, value: Any) -> None:
        values.append(value)
        clauses.append(sql.format(param(len(values))))

    add("d.kind = {}", filters.kind.value)
    add("d.tenant_id = {}", filters.tenant_id)
    if filters.category_id is not None:
        add("d.category_id = {}", filters.category_id)
    if filters.facet is not None:
        add("d.facet = {}", filters.facet)
    column = time.format("d.published_at")
    if filters.published_from is not None:
        add(f"{column} >= {time}", filters.published_from)
    if filters.published_to is not None:
        add(f"{column} < {time}", filters.published_to)
    return clauses, values


def _postgres(found: list[str], filters: Filters, limit: int, offset: int) -> tuple[str, list[Any]]:
    clauses, values = _where(filters, lambda n: f"${n}")
    values.append(" ".join(found))
    q = f"plainto_tsquery('simple'::regconfig, ${len(values)})"
    title_opts = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
    body_opts = f"StartSel={START}, StopSel={STOP}, MaxWords=40, MinWords=15, MaxFragments=2"
    values += [limit, offset]
    sql = (
        f"SELECT d.id, ts_rank({TSV}, {q}) AS rank, "
        f"ts_headline('simple'::regconfig, d.title_terms, {q}, '{title_opts}') AS title, "
        f"ts_headline('simple'::regconfig, d.body_terms, {q}, '{body_opts}') AS snippet "
        f"FROM content_search_document d WHERE {' AND '.join(clauses)} AND {TSV} @@ {q} "
        "ORDER BY rank DESC, d.published_at DESC NULLS LAST, d.id "
        f"LIMIT ${len(values) - 1} OFFSET ${len(values)}"
    )
    return sql, [str(v) if isinstance(v, UUID) else v for v in values]


def _sqlite(found: list[str], filters: Filters, limit: int, offset: int) -> tuple[str, list[Any]]:
    clauses, values = _where(filters, lambda n: "?", "julianday({})")
    match = " ".join('"' + word.replace('"', '""') + '"' for word in found)  # every word (AND)
    sql = (
        "SELECT d.id, -bm25(content_search_fts, 10.0, 1.0, 1.0) AS rank, "
        f"highlight(content_search_fts, 0, '{START}', '{STOP}') AS title, "
        f"snippet(content_search_fts, 1, '{START}', '{STOP}', '…', 40) AS snippet "
        "FROM content_search_fts JOIN content_search_document d ON d.rowid = content_search_fts.rowid "
        f"WHERE content_search_fts MATCH ? AND {' AND '.join(clauses)} "
        "ORDER BY rank DESC, d.published_at DESC, d.id LIMIT ? OFFSET ?"
    )
    params = [match, *values, limit, offset]
    return sql, [
        str(v) if isinstance(v, UUID) else v.isoformat() if isinstance(v, datetime) else v for v in params
    ]


def document(
    kind: SearchKind,
    id: UUID,
    tenant_id: UUID,
    title: str,
    body: str,
    *,
    category_id: UUID | None = None,
    facet: str = "",
    published_at: datetime | None = None,
) -> SearchDocument:
    """A row's words for the index, unsaved; each text is segmented once (jieba: ~0.1 s for a long
    body)."""
    title_words, body_words = words(title), words(body)
    return SearchDocument(
        id=id,
        kind=kind,
        tenant_id=tenant_id,
        category_id=category_id,
        facet=facet,
        published_at=published_at,
        title_terms=" ".join(title_words),
        body_terms=" ".join(body_words),
        extra_terms=extra_terms(title_words, body_words),
    )


async def index(row: SearchDocument) -> None:
    """Put (or replace) a row's words (``document``) in the index; inside the caller's transaction."""
    await SearchDocument.filter(id=row.id).delete()
    await row.save()


async def unindex(id: UUID) -> None:
    await SearchDocument.filter(id=id).delete()
