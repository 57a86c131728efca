from tortoise import migrations
from tortoise.migrations import operations as ops
from decimal import Decimal
from models.customers.reports import ReportPeriod, RunStatus
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('customers', '0011_approvals')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField()),
                ('report_code', fields.CharField(max_length=64)),
                ('period', fields.CharEnumField(description='MONTH: MONTH\nQUARTER: QUARTER\nHALF_YEAR: HALF_YEAR', enum_type=ReportPeriod, max_length=10)),
                ('period_start', fields.DateField()),
                ('key_id', fields.UUIDField(db_index=True)),
                ('label', fields.CharField(max_length=200)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('position', fields.IntField()),
                ('values', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'report_row', 'app': 'customers', 'unique_together': (('report_code', 'period', 'period_start', 'key_id'),), 'indexes': [Index(fields=['report_code', 'period', 'period_start', 'position'])], 'pk_attr': 'id', 'table_description': "One row of a report for one period: an org's or a manager's figures, in the order of the"},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ReportRun',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('month', fields.DateField(unique=True)),
                ('status', fields.CharEnumField(default=RunStatus.SNAPSHOTTING, description='SNAPSHOTTING: SNAPSHOTTING\nSNAPSHOTTED: SNAPSHOTTED\nDONE: DONE', enum_type=RunStatus, max_length=12)),
                ('cursor', fields.UUIDField(null=True)),
                ('snapshotted', fields.IntField(default=0)),
                ('rows', fields.IntField(default=0)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'report_run', 'app': 'customers', 'pk_attr': 'id', 'table_description': "A month's generation: resumable (``cursor``: the last customer snapshotted), once."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ReportSnapshot',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('month', fields.DateField()),
                ('customer_id', fields.UUIDField()),
                ('tenant_id', fields.UUIDField()),
                ('org_id', fields.UUIDField()),
                ('org_path', fields.CharField(max_length=400)),
                ('manager_id', fields.UUIDField(null=True)),
                ('kind', fields.CharField(max_length=10)),
                ('tier', fields.CharField(max_length=10)),
                ('aum', fields.DecimalField(default=Decimal('0'), max_digits=18, decimal_places=2)),
                ('new_customer', fields.SmallIntField(default=0)),
                ('deposit_balance', fields.DecimalField(default=Decimal('0'), max_digits=18, decimal_places=2)),
                ('deposit_accounts', fields.IntField(default=0)),
                ('deposit_demand', fields.DecimalField(default=Decimal('0'), max_digits=18, decimal_places=2)),
                ('deposit_term_1y', fields.DecimalField(default=Decimal('0'), max_digits=18, decimal_places=2)),
                ('deposit_term_3y', fields.DecimalField(default=Decimal('0'), max_digits=18, decimal_places=2)),
                ('deposit_term_long', fields.DecimalField(default=Decimal('0'), max_digits=18, decimal_places=2)),
                ('loan_balance', fields.DecimalField(default=Decimal('0'), max_digits=18, decimal_places=2)),
                ('loan_accounts', fields.IntField(default=0)),
                ('loan_short', fields.DecimalField(default=Decimal('0'), max_digits=18, decimal_places=2)),
                ('loan_long', fields.DecimalField(default=Decimal('0'), max_digits=18, decimal_places=2)),
                ('contacts', fields.IntField(default=0)),
                ('contact_visits', fields.IntField(default=0)),
                ('contact_phones', fields.IntField(default=0)),
                ('contact_online', fields.IntField(default=0)),
                ('tier_ups', fields.IntField(default=0)),
                ('tier_downs', fields.IntField(default=0)),
            ],
            options={'table': 'report_snapshot', 'app': 'customers', 'unique_together': (('month', 'customer_id'),), 'pk_attr': 'id', 'table_description': "月末快照: one customer's figures at the end of ``month`` — who keeps them (org, manager), their"},
            bases=['Entity'],
        ),
    ]
