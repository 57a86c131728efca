"""内容管理, 产品推荐位, 产品知识库 (issue 17). Besides the tables: the seeded categories (栏目), and
the full-text index of ``content_search_document`` — on PostgreSQL a stored, GIN-indexed
``search_vector``: the weighted ``to_tsvector('simple', …)`` of the jieba-segmented title and body
(resolvers/marketing/search.py queries it), on SQLite an FTS5 table kept by triggers."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.marketing.content import ArticleStatus, KnowledgeKind, SearchKind
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

from models.marketing.content import CATEGORIES, category_id

# The weighted vector of a document's words (stored in ``search_vector``, GIN-indexed).
TSV = (
    "(setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_terms || ' ' || extra_terms), 'B'))"
)
# Stored (a generated column), not only an expression index: ts_rank and the recheck read it instead
# of building every matching row's vector again (on 10,000 articles, with the prepared statement's
# generic plan, a search took about a second that way; 50 ms at p50 stored: make bench-search).
POSTGRES_INDEX = f"""
ALTER TABLE content_search_document ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({TSV}) STORED;
CREATE INDEX content_search_tsv ON content_search_document USING GIN (search_vector);
"""
SQLITE_INDEX = """
CREATE VIRTUAL TABLE content_search_fts USING fts5(
    title_terms, body_terms, extra_terms, content='content_search_document', content_rowid='rowid'
);
CREATE TRIGGER content_search_ai AFTER INSERT ON content_search_document BEGIN
    INSERT INTO content_search_fts(rowid, title_terms, body_terms, extra_terms)
    VALUES (new.rowid, new.title_terms, new.body_terms, new.extra_terms);
END;
CREATE TRIGGER content_search_ad AFTER DELETE ON content_search_document BEGIN
    INSERT INTO content_search_fts(content_search_fts, rowid, title_terms, body_terms, extra_terms)
    VALUES ('delete', old.rowid, old.title_terms, old.body_terms, old.extra_terms);
END;
CREATE TRIGGER content_search_au AFTER UPDATE ON content_search_document BEGIN
    INSERT INTO content_search_fts(content_search_fts, rowid, title_terms, body_terms, extra_terms)
    VALUES ('delete', old.rowid, old.title_terms, old.body_terms, old.extra_terms);
    INSERT INTO content_search_fts(rowid, title_terms, body_terms, extra_terms)
    VALUES (new.rowid, new.title_terms, new.body_terms, new.extra_terms);
END;
"""


async def search_index(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    await client.execute_script(POSTGRES_INDEX if postgres else SQLITE_INDEX)
    now = "now()" if postgres else "CURRENT_TIMESTAMP"
    values = ", ".join(
        f"('{category_id(code)}', '{code}', '{name}', '{section}', {order}, {now}, {now})"
        for code, name, section, order in CATEGORIES
    )
    await client.execute_script(
        "INSERT INTO content_category (id, code, name, section, sort_order, created_at, updated_at) "
        f"VALUES {values};"
    )


class Migration(migrations.Migration):
    dependencies = [('marketing', '0005_audiences')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Article',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('category_id', fields.UUIDField(db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('summary', fields.CharField(default='', max_length=500)),
                ('body', fields.TextField(default='', unique=False)),
                ('cover_url', fields.CharField(default='', max_length=500)),
                ('link_url', fields.CharField(default='', max_length=500)),
                ('attachments', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('source', fields.CharField(default='', max_length=100)),
                ('published_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('pinned', fields.BooleanField(default=False)),
                ('sort_order', fields.IntField(default=0)),
                ('status', fields.CharEnumField(default=ArticleStatus.DRAFT, db_index=True, description='DRAFT: DRAFT\nPENDING: PENDING\nPUBLISHED: PUBLISHED\nREJECTED: REJECTED\nRECYCLED: RECYCLED', enum_type=ArticleStatus, max_length=10)),
                ('created_by_id', fields.UUIDField()),
                ('submitted_by_id', fields.UUIDField(null=True)),
                ('reviewed_by_id', fields.UUIDField(null=True)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('review_comment', fields.CharField(default='', max_length=500)),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'content_article', 'app': 'marketing', 'unique_together': (('created_by_id', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': '文章 of one portal (the tenant that owns it).'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ArticleEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('article_id', fields.UUIDField(db_index=True)),
                ('action', fields.CharField(max_length=20)),
                ('actor_id', fields.UUIDField()),
                ('from_status', fields.CharField(default='', max_length=10)),
                ('to_status', fields.CharField(default='', max_length=10)),
                ('comment', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'content_article_event', 'app': 'marketing', 'pk_attr': 'id', 'table_description': "One step of an article's workflow: who, when, from / to, comment (审核记录)."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ContentCategory',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('code', fields.CharField(unique=True, max_length=40)),
                ('name', fields.CharField(max_length=40)),
                ('section', fields.CharField(max_length=20)),
                ('sort_order', fields.IntField(default=0)),
            ],
            options={'table': 'content_category', 'app': 'marketing', 'pk_attr': 'id', 'table_description': '栏目: reference data, the same for every portal (seeded by the migration).'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='KnowledgeEntry',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('kind', fields.CharEnumField(description='PRODUCT_NEWS: PRODUCT_NEWS\nMARKETING_GUIDE: MARKETING_GUIDE\nFAQ: FAQ', enum_type=KnowledgeKind, max_length=16)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(default='', unique=False)),
                ('product_name', fields.CharField(default='', max_length=100)),
                ('created_by_id', fields.UUIDField()),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'knowledge_entry', 'app': 'marketing', 'unique_together': (('created_by_id', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': "产品知识库 entry of one member bank, written by head-office staff, read by the bank's staff."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='RecommendationSlot',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('code', fields.CharField(max_length=40)),
                ('name', fields.CharField(max_length=60)),
                ('product_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('updated_by_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'content_recommendation_slot', 'app': 'marketing', 'unique_together': (('tenant_id', 'code'),), 'pk_attr': 'id', 'table_description': '产品推荐位: a named place on a portal (首页, 政策页 …) holding ordered finance products.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='SearchDocument',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('kind', fields.CharEnumField(description='ARTICLE: ARTICLE\nKNOWLEDGE: KNOWLEDGE', enum_type=SearchKind, max_length=10)),
                ('tenant_id', fields.UUIDField()),
                ('category_id', fields.UUIDField(null=True)),
                ('facet', fields.CharField(default='', max_length=20)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('title_terms', fields.TextField(unique=False)),
                ('body_terms', fields.TextField(unique=False)),
                ('extra_terms', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'content_search_document', 'app': 'marketing', 'indexes': [Index(fields=['kind', 'tenant_id'])], 'pk_attr': 'id', 'table_description': 'What full-text search reads: a published article or a knowledge entry, segmented by jieba'},
            bases=['Entity'],
        ),
        ops.RunPython(search_index),
    ]
