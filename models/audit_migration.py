"""The migration that splits each subgraph's audit trail into parallel chains (``chain`` column,
one position per chain), shared by the five ``models/<subgraph>/migrations/*_audit_chains.py``.

Tortoise's generated operations do not fit this table: its AlterField looks for a unique
constraint under a name of its own (PostgreSQL named it ``audit_record_seq_key``), and on SQLite
it rebuilds the table and loses its indexes. So the model state moves with Tortoise's operations
(future migrations are generated against it) while the database is changed by the SQL below:

* ``chain SMALLINT NOT NULL DEFAULT 0``: every existing record is chain 0, whose genesis value is
  the subgraph's old one, so old chains verify unchanged;
* PostgreSQL: ``seq`` stops being unique on its own; ``(chain, seq)`` is. SQLite keeps its
  column-level ``UNIQUE (seq)`` (dropping it would mean rebuilding the table): embedded mode has
  one writer and appends to chain 0 only, so ``seq`` stays unique there anyway.

The append-only triggers are untouched (``dcms migrate`` reinstalls them after the migrations).
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

# The name Tortoise gives UniqueConstraint(fields=("chain", "seq")) on audit_record.
UNIQUE_NAME = "uid_audit_recor_chain_b7b6db"


class _StateOnly(ops.TortoiseOperation):
    """``operation``'s change of the model state, without its database change."""

    def __init__(self, operation: ops.TortoiseOperation) -> None:
        self.operation = operation

    def describe(self) -> str:
        return f"{self.operation.describe()} (state only)"

    def state_forward(self, app_label: str, state: Any) -> None:
        self.operation.state_forward(app_label, state)


class _DialectSQL(ops.TortoiseOperation):
    """Statements per dialect (``postgres`` / ``sqlite``)."""

    def __init__(self, statements: dict[str, list[str]]) -> None:
        self.statements = statements

    def describe(self) -> str:
        return "Split the audit trail into chains"

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: BaseSchemaEditor | None = None
    ) -> None:
        if state_editor is None:
            return
        for statement in self.statements[state_editor.client.capabilities.dialect]:
            await state_editor._run_sql(statement)


def chain_operations(app: str) -> list[ops.TortoiseOperation]:
    """The whole migration of ``app``'s audit table (each subgraph's ``*_audit_chains.py``)."""
    return [
        ops.AlterModelOptions(
            name="AuditRecord",
            options={
                "table": "audit_record",
                "app": app,
                "unique_together": (("chain", "seq"),),
                "pk_attr": "id",
                "table_description": (
                    "This subgraph's audit trail (审计日志), in hash chains appended in parallel."
                ),
            },
        ),
        _StateOnly(ops.AlterField(model_name="AuditRecord", name="seq", field=fields.BigIntField())),
        _StateOnly(
            ops.AddField(model_name="AuditRecord", name="chain", field=fields.SmallIntField(default=0))
        ),
        _StateOnly(
            ops.AddConstraint(
                model_name="AuditRecord", constraint=UniqueConstraint(fields=("chain", "seq"), name=None)
            )
        ),
        _DialectSQL(
            {
                "postgres": [
                    "ALTER TABLE audit_record ADD COLUMN chain SMALLINT NOT NULL DEFAULT 0",
                    f'ALTER TABLE audit_record ADD CONSTRAINT "{UNIQUE_NAME}" UNIQUE (chain, seq)',
                    "ALTER TABLE audit_record DROP CONSTRAINT IF EXISTS audit_record_seq_key",
                ],
                "sqlite": [
                    'ALTER TABLE audit_record ADD COLUMN "chain" SMALLINT NOT NULL DEFAULT 0',
                    f'CREATE UNIQUE INDEX "{UNIQUE_NAME}" ON "audit_record" ("chain", "seq")',
                ],
            }
        ),
    ]
