from tortoise import migrations
from tortoise.migrations import operations as ops
from models.common import EncryptedTextField
from models.customers.profile import ContactChannel, ExternalSource, HoldingCategory, KeyEventKind, PersonRole, RelationKind, TagSource
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('customers', '0004_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ContactRecord',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='contacts', on_delete=OnDelete.CASCADE)),
                ('manager_id', fields.UUIDField(db_index=True)),
                ('channel', fields.CharEnumField(description='PHONE: PHONE\nVISIT: VISIT\nWECHAT: WECHAT\nSMS: SMS', enum_type=ContactChannel, max_length=8)),
                ('summary', fields.CharField(max_length=500)),
                ('contacted_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('backfilled', fields.BooleanField(default=False)),
                ('contact_again_on', fields.DateField(null=True)),
            ],
            options={'table': 'contact_record', 'app': 'customers', 'pk_attr': 'id', 'table_description': '客户接触 / 走访 records, with backfill (补录) and a contact-again date.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='CorporatePerson',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='people', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='ACTUAL_CONTROLLER: ACTUAL_CONTROLLER\nLEGAL_REPRESENTATIVE: LEGAL_REPRESENTATIVE\nEXECUTIVE: EXECUTIVE', enum_type=PersonRole, max_length=20)),
                ('name', fields.CharField(max_length=50)),
                ('id_number', EncryptedTextField(default='', unique=False)),
            ],
            options={'table': 'corporate_person', 'app': 'customers', 'pk_attr': 'id', 'table_description': '对公客户的实际控制人 / 法定代表人 / 高管.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='CustomerTag',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='tags', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=50)),
                ('source', fields.CharEnumField(description='SYSTEM: SYSTEM\nCUSTOM: CUSTOM', enum_type=TagSource, max_length=8)),
                ('created_by_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'customer_tag', 'app': 'customers', 'unique_together': (('customer', 'name'),), 'pk_attr': 'id'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ExternalRecord',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='external_records', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharEnumField(description='UTILITY: UTILITY\nRATING: RATING\nSUPPLY_CHAIN: SUPPLY_CHAIN', enum_type=ExternalSource, max_length=14)),
                ('period', fields.CharField(max_length=20)),
                ('title', fields.CharField(max_length=100)),
                ('value', fields.CharField(max_length=100)),
            ],
            options={'table': 'external_record', 'app': 'customers', 'pk_attr': 'id', 'table_description': '外部数据.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='Holding',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='holdings', on_delete=OnDelete.CASCADE)),
                ('category', fields.CharEnumField(description='DEPOSIT: DEPOSIT\nWEALTH: WEALTH\nFUND: FUND\nINSURANCE: INSURANCE\nLOAN: LOAN\nCARD: CARD\nOTHER: OTHER', enum_type=HoldingCategory, max_length=10)),
                ('product_name', fields.CharField(max_length=100)),
                ('amount', fields.DecimalField(max_digits=18, decimal_places=2)),
                ('opened_on', fields.DateField()),
                ('matures_on', fields.DateField(null=True)),
                ('closed_on', fields.DateField(null=True)),
            ],
            options={'table': 'holding', 'app': 'customers', 'pk_attr': 'id', 'table_description': '产品持有: current while ``closed_on`` is null, history after.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='KeyEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='key_events', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='FIRST_ACCOUNT: FIRST_ACCOUNT\nTIER_UP: TIER_UP\nTIER_DOWN: TIER_DOWN\nBUSINESS: BUSINESS\nOWNERSHIP: OWNERSHIP', enum_type=KeyEventKind, max_length=14)),
                ('title', fields.CharField(max_length=200)),
                ('occurred_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'key_event', 'app': 'customers', 'pk_attr': 'id', 'table_description': '关键事件.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='OverdueRecord',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='overdue_records', on_delete=OnDelete.CASCADE)),
                ('loan_no', fields.CharField(max_length=32)),
                ('amount', fields.DecimalField(max_digits=18, decimal_places=2)),
                ('overdue_since', fields.DateField()),
                ('settled_on', fields.DateField(null=True)),
            ],
            options={'table': 'overdue_record', 'app': 'customers', 'pk_attr': 'id', 'table_description': '逾期信息.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='Relationship',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='relationships', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='FAMILY: FAMILY\nSOCIAL: SOCIAL\nFUND_TRANSFER: FUND_TRANSFER\nENTERPRISE: ENTERPRISE', enum_type=RelationKind, max_length=14)),
                ('related_name', fields.CharField(max_length=100)),
                ('related_customer_id', fields.UUIDField(null=True)),
                ('note', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'relationship', 'app': 'customers', 'pk_attr': 'id'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='RepaymentInstallment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='installments', on_delete=OnDelete.CASCADE)),
                ('loan_no', fields.CharField(max_length=32)),
                ('due_on', fields.DateField(db_index=True)),
                ('principal', fields.DecimalField(max_digits=18, decimal_places=2)),
                ('interest', fields.DecimalField(max_digits=18, decimal_places=2)),
                ('paid', fields.BooleanField(default=False)),
            ],
            options={'table': 'repayment_installment', 'app': 'customers', 'pk_attr': 'id', 'table_description': '还款日历: one installment of a loan.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='Shareholder',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='shareholders', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('share_percent', fields.DecimalField(max_digits=5, decimal_places=2)),
            ],
            options={'table': 'shareholder', 'app': 'customers', 'pk_attr': 'id', 'table_description': '股东.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ValueSnapshot',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='value_snapshots', on_delete=OnDelete.CASCADE)),
                ('month', fields.DateField()),
                ('deposits', fields.DecimalField(default=0, max_digits=18, decimal_places=2)),
                ('wealth', fields.DecimalField(default=0, max_digits=18, decimal_places=2)),
                ('liabilities', fields.DecimalField(default=0, max_digits=18, decimal_places=2)),
                ('inflow', fields.DecimalField(default=0, max_digits=18, decimal_places=2)),
                ('outflow', fields.DecimalField(default=0, max_digits=18, decimal_places=2)),
            ],
            options={'table': 'value_snapshot', 'app': 'customers', 'unique_together': (('customer', 'month'),), 'pk_attr': 'id', 'table_description': '价值分析, one row a month: asset structure, the asset–liability trend and fund flow.'},
            bases=['Entity'],
        ),
    ]
