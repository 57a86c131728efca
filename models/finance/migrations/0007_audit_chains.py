"""The audit trail in parallel hash chains: see models/audit_migration.py."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from models.audit_migration import chain_operations


class Migration(migrations.Migration):
    dependencies = [("finance", "0006_marketplace")]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name="AuditRecord",
            options={
                "table": "audit_record",
                "app": "finance",
                "unique_together": (("chain", "seq"),),
                "pk_attr": "id",
                "table_description": "This subgraph's audit trail (审计日志), in hash chains appended in parallel.",
            },
        ),
        *chain_operations(),
    ]
