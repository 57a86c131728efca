from tortoise import migrations
from tortoise.migrations import operations as ops
from decimal import Decimal
from models.finance import GuaranteeMethod, InstitutionKind, NeedStatus, ProductStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='FinancingNeed',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('applicant_id', fields.UUIDField(db_index=True)),
                ('tenant_id', fields.UUIDField(null=True)),
                ('amount', fields.DecimalField(default=Decimal('0'), max_digits=16, decimal_places=2)),
                ('term_months', fields.IntField()),
                ('purpose', fields.CharField(max_length=200)),
                ('region', fields.CharField(default='', max_length=50)),
                ('industry', fields.CharField(default='', max_length=50)),
                ('status', fields.CharEnumField(default=NeedStatus.OPEN, db_index=True, description='OPEN: OPEN\nGRABBED: GRABBED\nWITHDRAWN: WITHDRAWN', enum_type=NeedStatus, max_length=10)),
                ('grabbed_by_id', fields.UUIDField(null=True, db_index=True)),
                ('grabbed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'financing_need', 'app': 'finance', 'pk_attr': 'id', 'table_description': '融资需求: posted by an applicant when no product fits, grabbed (抢单) by account managers.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='Institution',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('org_id', fields.UUIDField(unique=True)),
                ('name', fields.CharField(max_length=100)),
                ('kind', fields.CharEnumField(description='BANK: BANK\nGUARANTEE: GUARANTEE\nMICRO_LOAN: MICRO_LOAN\nLEASING: LEASING\nFACTORING: FACTORING\nTRUST: TRUST\nINSURANCE: INSURANCE\nSECURITIES: SECURITIES\nFUND: FUND\nFUTURES: FUTURES\nCONSUMER_FINANCE: CONSUMER_FINANCE\nAUTO_FINANCE: AUTO_FINANCE\nPAWN: PAWN\nASSET_MANAGEMENT: ASSET_MANAGEMENT\nFINANCE_COMPANY: FINANCE_COMPANY\nOTHER: OTHER', enum_type=InstitutionKind, max_length=20)),
                ('certified', fields.BooleanField(default=False)),
            ],
            options={'table': 'institution', 'app': 'finance', 'pk_attr': 'id'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='FinancialProduct',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('institution', fields.ForeignKeyField('finance.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='products', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('guarantee_method', fields.CharEnumField(description='CREDIT: CREDIT\nMORTGAGE: MORTGAGE\nGUARANTEE: GUARANTEE', enum_type=GuaranteeMethod, max_length=10)),
                ('min_amount', fields.DecimalField(max_digits=16, decimal_places=2)),
                ('max_amount', fields.DecimalField(max_digits=16, decimal_places=2)),
                ('rate_min', fields.DecimalField(max_digits=6, decimal_places=3)),
                ('rate_max', fields.DecimalField(max_digits=6, decimal_places=3)),
                ('term_months', fields.IntField()),
                ('status', fields.CharEnumField(default=ProductStatus.DRAFT, description='DRAFT: DRAFT\nSUBMITTED: SUBMITTED\nLISTED: LISTED\nDELISTED: DELISTED\nDEREGISTERED: DEREGISTERED', enum_type=ProductStatus, max_length=14)),
            ],
            options={'table': 'financial_product', 'app': 'finance', 'pk_attr': 'id', 'table_description': '金融超市 product.'},
            bases=['Entity'],
        ),
    ]
