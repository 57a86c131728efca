from tortoise import migrations
from tortoise.migrations import operations as ops
from models.common import EncryptedTextField
from models.marketing import FollowUpChannel
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('marketing', '0007_schemes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OpportunityFollowUp',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('opportunity_id', fields.UUIDField(db_index=True)),
                ('tenant_id', fields.UUIDField()),
                ('manager_id', fields.UUIDField()),
                ('channel', fields.CharEnumField(description='PHONE: PHONE\nSMS: SMS\nWECHAT: WECHAT\nVISIT: VISIT', enum_type=FollowUpChannel, max_length=8)),
                ('note', fields.CharField(max_length=500)),
                ('next_on', fields.DateField(null=True)),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'opportunity_follow_up', 'app': 'marketing', 'unique_together': (('manager_id', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': '跟进记录 of an opportunity, by its claimer.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('channel', fields.CharField(max_length=64)),
                ('seq', fields.BigIntField(null=True, db_index=True)),
                ('type', fields.CharField(max_length=64)),
                ('occurred_at', fields.CharField(max_length=40)),
                ('tenant_id', fields.CharField(null=True, max_length=36)),
                ('scope', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('payload', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('published_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_event', 'app': 'marketing', 'unique_together': (('channel', 'seq'),), 'pk_attr': 'id', 'table_description': 'Events of this subgraph waiting for (or past) publication: see models/outbox.py.'},
            bases=['OutboxEventBase'],
        ),
        ops.CreateModel(
            name='OutboxSequence',
            fields=[
                ('channel', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('last_seq', fields.BigIntField(default=0)),
            ],
            options={'table': 'outbox_sequence', 'app': 'marketing', 'pk_attr': 'channel', 'table_description': "The last number given to an event of each of this subgraph's channels."},
            bases=['OutboxSequenceBase'],
        ),
        ops.CreateModel(
            name='QrCode',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('org_id', fields.UUIDField()),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('manager_id', fields.UUIDField(null=True)),
                ('product_name', fields.CharField(max_length=100)),
                ('label', fields.CharField(max_length=100)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('created_by', fields.UUIDField()),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'qr_code', 'app': 'marketing', 'pk_attr': 'id', 'table_description': '大众营销二维码: a customer scans it and leaves a phone, and the intent becomes an opportunity.'},
            bases=['Entity'],
        ),
        ops.AlterModelOptions(
            name='Opportunity',
            options={'table': 'opportunity', 'app': 'marketing', 'pk_attr': 'id', 'table_description': "商机: a customer's clear intent to buy a product. The title never names the customer: the"},
        ),
        ops.AlterField(
            model_name='Opportunity',
            name='claimed_by_id',
            field=fields.UUIDField(null=True, db_index=True),
        ),
        ops.AlterField(
            model_name='Opportunity',
            name='customer_id',
            field=fields.UUIDField(null=True, db_index=True),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='claimed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='claimed_org_path',
            field=fields.CharField(default='', max_length=400),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='close_reason',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='converted_amount',
            field=fields.DecimalField(null=True, max_digits=18, decimal_places=2),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='converted_product',
            field=fields.CharField(default='', max_length=100),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='dedupe_key',
            field=fields.CharField(null=True, unique=True, max_length=200),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='finished_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='lead_name',
            field=EncryptedTextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='lead_phone',
            field=EncryptedTextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='lead_remark',
            field=EncryptedTextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='masked_phone',
            field=fields.CharField(default='', max_length=20),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='org_path',
            field=fields.CharField(default='', db_index=True, max_length=400),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='qr_code_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='rule',
            field=fields.CharField(default='', max_length=40),
        ),
    ]
