from tortoise import migrations
from tortoise.migrations import operations as ops
from models.marketing import OpportunityStatus
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Opportunity',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('customer_id', fields.UUIDField(db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('product_name', fields.CharField(default='', max_length=100)),
                ('source', fields.CharField(default='rule', max_length=40)),
                ('status', fields.CharEnumField(default=OpportunityStatus.OPEN, description='OPEN: OPEN\nCLAIMED: CLAIMED\nCONVERTED: CONVERTED\nCLOSED: CLOSED', enum_type=OpportunityStatus, max_length=10)),
                ('claimed_by_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'opportunity', 'app': 'marketing', 'pk_attr': 'id', 'table_description': "商机: a customer's clear intent to buy a product."},
            bases=['Entity'],
        ),
    ]
