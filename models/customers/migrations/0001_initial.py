from tortoise import migrations
from tortoise.migrations import operations as ops
from decimal import Decimal
from models.customers import CustomerKind, CustomerTier, ReminderKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Grid',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('org_id', fields.UUIDField(db_index=True)),
                ('name', fields.CharField(max_length=100)),
            ],
            options={'table': 'grid', 'app': 'customers', 'pk_attr': 'id', 'table_description': '网格: cuts across the org tree, customers and managers map to grids.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='Customer',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer_no', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=100)),
                ('kind', fields.CharEnumField(description='RETAIL: RETAIL\nCORPORATE: CORPORATE', enum_type=CustomerKind, max_length=10)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('org_id', fields.UUIDField(db_index=True)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('grid', fields.ForeignKeyField('customers.Grid', source_field='grid_id', null=True, db_constraint=True, to_field='id', related_name='customers', on_delete=OnDelete.SET_NULL)),
                ('primary_manager_id', fields.UUIDField(null=True, db_index=True)),
                ('id_number', fields.CharField(default='', max_length=32)),
                ('phone', fields.CharField(default='', max_length=20)),
                ('tier', fields.CharEnumField(default=CustomerTier.ORDINARY, description='ORDINARY: ORDINARY\nPOTENTIAL: POTENTIAL\nGROWTH: GROWTH\nWEALTH: WEALTH\nPRIVATE: PRIVATE', enum_type=CustomerTier, max_length=10)),
                ('aum', fields.DecimalField(default=Decimal('0'), max_digits=18, decimal_places=2)),
            ],
            options={'table': 'customer', 'app': 'customers', 'pk_attr': 'id'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='Reminder',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.CASCADE)),
                ('manager_id', fields.UUIDField(db_index=True)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('kind', fields.CharEnumField(description='LARGE_TRANSACTION: LARGE_TRANSACTION\nDEPOSIT_MATURITY: DEPOSIT_MATURITY\nLOAN_MATURITY: LOAN_MATURITY\nASSET_CHANGE: ASSET_CHANGE\nAPPOINTMENT: APPOINTMENT\nPROSPECT_CONTACT: PROSPECT_CONTACT\nSCHEDULE: SCHEDULE', enum_type=ReminderKind, max_length=20)),
                ('title', fields.CharField(max_length=200)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('read', fields.BooleanField(default=False)),
            ],
            options={'table': 'reminder', 'app': 'customers', 'pk_attr': 'id', 'table_description': '提醒, delivered live to the responsible manager.'},
            bases=['Entity'],
        ),
    ]
