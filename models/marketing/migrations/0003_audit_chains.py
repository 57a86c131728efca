"""The audit trail in parallel hash chains: see models/audit_migration.py."""

from tortoise import migrations

from models.audit_migration import chain_operations


class Migration(migrations.Migration):
    dependencies = [("marketing", "0002_audit_record")]

    initial = False

    operations = chain_operations("marketing")
