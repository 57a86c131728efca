"""The audit tables in storage: the append-only triggers (`dcms migrate` installs them
after the Tortoise migrations) and `dcms audit verify` (walks every chain of every subgraph's
trail: security/audit_chain.py explains why a trail is several chains)."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import Tortoise, connections
from tortoise.expressions import Q
from tqdm import tqdm

from security.audit_chain import ChainChecker, Problem
from subgraphs.database import tortoise_config
from subgraphs.settings import SUBGRAPHS, Settings

TABLE = "audit_record"
BATCH = 2000

# PostgreSQL: one statement list, run as one implicit transaction (so the table is never
# left without its trigger); idempotent. ENABLE ALWAYS: the triggers fire even in a session
# with session_replication_role = replica. The table's owner can still drop them, so in
# production the app's role should not own the audit tables (docs/security.md). Then the function
# an append claims a chain with (security/audit_chain.py).
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
CREATE OR REPLACE FUNCTION "{schema}".audit_claim_chain(lock_key int, home int, chains int)
  RETURNS TABLE(claimed int, head_seq bigint, head_hash varchar) LANGUAGE plpgsql VOLATILE AS $$
DECLARE c int;
BEGIN
  -- security/audit_chain.py: the first chain from `home` on whose lock is free, then its head.
  -- VOLATILE: in READ COMMITTED the head is read with a snapshot taken after the lock is held.
  FOR i IN 0 .. chains - 1 LOOP
    c := (home + i) % chains;
    EXIT WHEN pg_try_advisory_xact_lock(lock_key, c);
    c := NULL;
  END LOOP;
  IF c IS NULL THEN  -- every chain busy: wait for the home chain
    c := home;
    PERFORM pg_advisory_xact_lock(lock_key, c);
  END IF;
  RETURN QUERY SELECT c, r.seq, r.hash FROM "{schema}".{table} r
    WHERE r.chain = c ORDER BY r.seq DESC LIMIT 1;
  IF NOT FOUND THEN
    RETURN QUERY SELECT c, 0::bigint, NULL::varchar;
  END IF;
END $$;
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
class ChainHead:
    """The last record of one chain: keep these outside the database to catch appended records."""

    chain: int
    records: int
    seq: int
    hash: str


@dataclass(frozen=True)
class ChainSummary:
    """One subgraph's trail: its record count and the head of each of its chains."""

    subgraph: str
    records: int
    heads: tuple[ChainHead, ...]


async def verify_open(
    names: tuple[str, ...] = SUBGRAPHS, progress: bool = False
) -> tuple[list[Problem], list[ChainSummary]]:
    """With the ORM open: walk each chain of each subgraph in (chain, seq) order, in batches."""
    models = {name: Tortoise.apps[name]["AuditRecord"] for name in names}
    totals = {name: await model.all().count() for name, model in models.items()}
    problems: list[Problem] = []
    summaries: list[ChainSummary] = []
    with tqdm(total=sum(totals.values()), desc="verify", unit="record", disable=not progress) as bar:
        for name, model in models.items():
            bar.set_postfix_str(name)
            checkers: list[ChainChecker] = []
            last: tuple[int, int] | None = None
            while True:
                query = model.all().order_by("chain", "seq").limit(BATCH)
                if last is not None:
                    query = query.filter(Q(chain__gt=last[0]) | Q(chain=last[0], seq__gt=last[1]))
                batch = await query
                if not batch:
                    break
                for record in batch:
                    if not checkers or checkers[-1].chain != record.chain:
                        checkers.append(ChainChecker(name, int(record.chain)))
                    checkers[-1].feed((record,))
                last = (int(batch[-1].chain), int(batch[-1].seq))
                bar.update(len(batch))
            heads = tuple(ChainHead(c.chain, c.count, c.head_seq, c.head_hash) for c in checkers)
            for checker in checkers:
                problems += checker.problems
            summaries.append(ChainSummary(name, sum(h.records for h in heads), heads))
    return problems, summaries


async def verify(settings: Settings, progress: bool = False) -> list[Problem]:
    """Every break in every subgraph's audit chain (empty: all chains intact)."""
    await Tortoise.init(config=tortoise_config(settings))
    try:
        problems, _ = await verify_open(progress=progress)
    finally:
        await Tortoise.close_connections()
    return problems
