from tortoise import migrations
from tortoise.migrations import operations as ops
from models.marketing.campaigns import CampaignStatus, WaveStatus
from models.marketing.messages import MessageChannel, MessageStatus
from models.marketing.points import PointsKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('marketing', '0008_opportunity_pool')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('name', fields.CharField(max_length=100)),
                ('scenario_code', fields.CharField(default='', max_length=40)),
                ('template_id', fields.UUIDField(null=True)),
                ('graph', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('contents', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=CampaignStatus.DRAFT, db_index=True, description='DRAFT: DRAFT\nSCHEDULED: SCHEDULED\nRUNNING: RUNNING\nFINISHED: FINISHED\nCANCELLED: CANCELLED', enum_type=CampaignStatus, max_length=10)),
                ('starts_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.UUIDField()),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'campaign', 'app': 'marketing', 'unique_together': (('created_by', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': "营销活动 on the canvas: a member bank's, one or more waves."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='CampaignContact',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('campaign_id', fields.UUIDField(db_index=True)),
                ('wave_id', fields.UUIDField()),
                ('tenant_id', fields.UUIDField()),
                ('customer_id', fields.UUIDField(db_index=True)),
                ('manager_id', fields.UUIDField(null=True)),
                ('channels', fields.CharField(default='', max_length=100)),
                ('converted', fields.BooleanField(default=False)),
                ('points', fields.IntField(default=0)),
                ('responded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('run_id', fields.UUIDField()),
            ],
            options={'table': 'campaign_contact', 'app': 'marketing', 'unique_together': (('wave_id', 'customer_id'),), 'pk_attr': 'id', 'table_description': '触达记录: one per wave × customer (the rerun guard), with what the walk of the canvas did.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='CampaignTemplate',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(null=True, db_index=True)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('name', fields.CharField(max_length=100)),
                ('scenario_code', fields.CharField(default='', max_length=40)),
                ('description', fields.CharField(default='', max_length=500)),
                ('graph', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('contents', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('source_id', fields.UUIDField(null=True)),
                ('created_by', fields.UUIDField()),
            ],
            options={'table': 'campaign_template', 'app': 'marketing', 'unique_together': (('source_id', 'tenant_id'),), 'pk_attr': 'id', 'table_description': "营销画布模板: the province's (``tenant_id`` null) or a member bank's. A copy sent down (下发)"},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='CampaignWave',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('campaign', fields.ForeignKeyField('marketing.Campaign', source_field='campaign_id', db_constraint=True, to_field='id', related_name='waves', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('starts_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=WaveStatus.PENDING, db_index=True, description='PENDING: PENDING\nRUNNING: RUNNING\nDONE: DONE', enum_type=WaveStatus, max_length=8)),
                ('cursor', fields.UUIDField(null=True)),
                ('targeted', fields.IntField(default=0)),
                ('contacted', fields.IntField(default=0)),
                ('converted', fields.IntField(default=0)),
                ('points_awarded', fields.IntField(default=0)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'campaign_wave', 'app': 'marketing', 'unique_together': (('campaign', 'number'),), 'pk_attr': 'id', 'table_description': '一波 (a wave): its start, its cursor through the audience, and its figures (监控).'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='InboxMessage',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('recipient_id', fields.UUIDField(db_index=True)),
                ('title', fields.CharField(max_length=100)),
                ('body', fields.CharField(default='', max_length=1000)),
                ('customer_id', fields.UUIDField(null=True)),
                ('campaign_id', fields.UUIDField(null=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('key', fields.CharField(unique=True, max_length=200)),
            ],
            options={'table': 'inbox_message', 'app': 'marketing', 'pk_attr': 'id', 'table_description': '站内信 to one staff user (e.g. a manager asked to call a customer in a campaign).'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='OutboundMessage',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('customer_id', fields.UUIDField(db_index=True)),
                ('channel', fields.CharEnumField(description='SMS: SMS\nAPP_PUSH: APP_PUSH', enum_type=MessageChannel, max_length=8)),
                ('title', fields.CharField(default='', max_length=100)),
                ('body', fields.CharField(max_length=1000)),
                ('status', fields.CharEnumField(default=MessageStatus.QUEUED, db_index=True, description='QUEUED: QUEUED\nSENT: SENT\nDELIVERED: DELIVERED\nFAILED: FAILED', enum_type=MessageStatus, max_length=9)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=300)),
                ('provider_id', fields.CharField(null=True, db_index=True, max_length=100)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('campaign_id', fields.UUIDField(null=True, db_index=True)),
                ('wave_id', fields.UUIDField(null=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=200)),
            ],
            options={'table': 'outbound_message', 'app': 'marketing', 'pk_attr': 'id'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='PointsEntry',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('customer_id', fields.UUIDField(db_index=True)),
                ('kind', fields.CharEnumField(description='EARN: EARN\nSPEND: SPEND', enum_type=PointsKind, max_length=5)),
                ('amount', fields.IntField()),
                ('reason', fields.CharField(default='', max_length=200)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('campaign_id', fields.UUIDField(null=True)),
                ('created_by', fields.UUIDField(null=True)),
            ],
            options={'table': 'points_entry', 'app': 'marketing', 'pk_attr': 'id'},
            bases=['Entity'],
        ),
    ]
