"""The audit trail in parallel hash chains: see models/audit_migration.py."""

from tortoise import migrations

from models.audit_migration import chain_operations


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_tiering_ownership_segments")]

    initial = False

    operations = chain_operations("customers")
