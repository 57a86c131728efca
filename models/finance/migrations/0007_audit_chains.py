"""The audit trail in parallel hash chains: see models/audit_migration.py."""

from tortoise import migrations

from models.audit_migration import chain_operations


class Migration(migrations.Migration):
    dependencies = [("finance", "0006_marketplace")]

    initial = False

    operations = chain_operations("finance")
