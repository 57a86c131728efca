"""Indexes for a customer's latest contact and last key events (resolvers/common/loading.py latest_by)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("customers", "0009_audit_chains")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="ContactRecord",
            index=Index(fields=["customer_id", "contacted_at"]),
        ),
        ops.AddIndex(
            model_name="KeyEvent",
            index=Index(fields=["customer_id", "occurred_at"]),
        ),
    ]
