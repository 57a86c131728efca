"""The audit tables in storage: the append-only triggers (`dcms migrate` installs them
after the Tortoise migrations) and `dcms audit verify` (walks every subgraph's chain)."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import Tortoise, connections
from tqdm import tqdm

from security.audit_chain import ChainChecker, Problem
from subgraphs.database import tortoise_config
from subgraphs.settings import SUBGRAPHS, Settings

TABLE = "audit_record"
BATCH = 2000

# PostgreSQL: one statement list, run as one implicit transaction (so the table is never
# left without its trigger); idempotent. ENABLE ALWAYS: the triggers fire even in a session
# with session_replication_role = replica. The table's owner can still drop them, so in
# production the app's role should not own the audit tables (docs/security.md).
_POSTGRES_TRIGGERS = """
CREATE OR REPLACE FUNCTION "{schema}".audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit trail is append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER IF EXISTS audit_record_append_only ON "{schema}".{table};
CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON "{schema}".{table}
  FOR EACH ROW EXECUTE FUNCTION "{schema}".audit_append_only();
DROP TRIGGER IF EXISTS audit_record_no_truncate ON "{schema}".{table};
CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON "{schema}".{table}
  FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".audit_append_only();
ALTER TABLE "{schema}".{table} ENABLE ALWAYS TRIGGER audit_record_append_only;
ALTER TABLE "{schema}".{table} ENABLE ALWAYS TRIGGER audit_record_no_truncate;
"""

# SQLite has no TRUNCATE (a DELETE without WHERE fires the DELETE trigger).
_SQLITE_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS audit_record_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS audit_record_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: DELETE refused'); END;
"""


def trigger_sql(dialect: str, schema: str) -> str:
    template = _POSTGRES_TRIGGERS if dialect == "postgres" else _SQLITE_TRIGGERS
    return template.format(schema=schema, table=TABLE)


async def install_triggers(names: tuple[str, ...] = SUBGRAPHS) -> None:
    """With the ORM open on ``names``: (re)install the append-only triggers."""
    for name in names:
        conn = connections.get(name)
        await conn.execute_script(trigger_sql(conn.capabilities.dialect, name))


async def migrate_triggers(settings: Settings) -> None:
    """What `dcms migrate` runs after the Tortoise migrations."""
    await Tortoise.init(config=tortoise_config(settings))
    try:
        await install_triggers()
    finally:
        await Tortoise.close_connections()


@dataclass(frozen=True)
class ChainSummary:
    subgraph: str
    records: int
    head_seq: int
    head_hash: str


async def verify_open(
    names: tuple[str, ...] = SUBGRAPHS, progress: bool = False
) -> tuple[list[Problem], list[ChainSummary]]:
    """With the ORM open: walk each subgraph's chain in ``seq`` order, in batches."""
    models = {name: Tortoise.apps[name]["AuditRecord"] for name in names}
    totals = {name: await model.all().count() for name, model in models.items()}
    problems: list[Problem] = []
    summaries: list[ChainSummary] = []
    with tqdm(total=sum(totals.values()), desc="verify", unit="record", disable=not progress) as bar:
        for name, model in models.items():
            bar.set_postfix_str(name)
            checker = ChainChecker(name)
            last: int | None = None
            while True:
                query = model.all().order_by("seq").limit(BATCH)
                if last is not None:
                    query = query.filter(seq__gt=last)
                batch = await query
                if not batch:
                    break
                checker.feed(batch)
                last = batch[-1].seq
                bar.update(len(batch))
            problems += checker.problems
            summaries.append(ChainSummary(name, checker.count, checker.head_seq, checker.head_hash))
    return problems, summaries


async def verify(settings: Settings, progress: bool = False) -> list[Problem]:
    """Every break in every subgraph's audit chain (empty: all chains intact)."""
    await Tortoise.init(config=tortoise_config(settings))
    try:
        problems, _ = await verify_open(progress=progress)
    finally:
        await Tortoise.close_connections()
    return problems
