from tortoise import migrations
from tortoise.migrations import operations as ops
from models.marketing.schemes import ContactChannel, FeedbackResult, IndicatorKind, SchemeKind, SchemeStatus, SplitLevel, WorkOrderStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('marketing', '0006_content')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MarketingScheme',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('org_id', fields.UUIDField()),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('kind', fields.CharEnumField(description='PRECISION: PRECISION\nMASS: MASS', enum_type=SchemeKind, max_length=10)),
                ('name', fields.CharField(max_length=100)),
                ('description', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=SchemeStatus.DRAFT, description='DRAFT: DRAFT\nPENDING: PENDING\nAPPROVED: APPROVED\nREJECTED: REJECTED\nRUNNING: RUNNING\nCLOSED: CLOSED', enum_type=SchemeStatus, max_length=10)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('products', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('channels', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('audience_id', fields.UUIDField(null=True)),
                ('criteria', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('created_by', fields.UUIDField()),
                ('submitted_by', fields.UUIDField(null=True)),
                ('decided_by', fields.UUIDField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('list_after', fields.UUIDField(null=True)),
                ('list_complete', fields.BooleanField(default=False)),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'marketing_scheme', 'app': 'marketing', 'unique_together': (('created_by', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': '营销方案.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='SchemeIndicator',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('scheme', fields.ForeignKeyField('marketing.MarketingScheme', source_field='scheme_id', db_constraint=True, to_field='id', related_name='indicators', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='CONTACTS: CONTACTS\nCONVERSIONS: CONVERSIONS\nAMOUNT: AMOUNT', enum_type=IndicatorKind, max_length=12)),
                ('total', fields.DecimalField(max_digits=18, decimal_places=2)),
            ],
            options={'table': 'scheme_indicator', 'app': 'marketing', 'unique_together': (('scheme', 'kind'),), 'pk_attr': 'id', 'table_description': "分解指标: one of a scheme's indicators, with its total."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='IndicatorSplit',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('indicator', fields.ForeignKeyField('marketing.SchemeIndicator', source_field='indicator_id', db_constraint=True, to_field='id', related_name='splits', on_delete=OnDelete.CASCADE)),
                ('scheme_id', fields.UUIDField(db_index=True)),
                ('level', fields.CharEnumField(description='ORG: ORG\nMANAGER: MANAGER', enum_type=SplitLevel, max_length=8)),
                ('assignee_id', fields.UUIDField()),
                ('org_path', fields.CharField(max_length=400)),
                ('target', fields.DecimalField(max_digits=18, decimal_places=2)),
            ],
            options={'table': 'indicator_split', 'app': 'marketing', 'unique_together': (('indicator', 'assignee_id'),), 'pk_attr': 'id', 'table_description': "An indicator's share for one org or one manager (``assignee_id``)."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='SchemeTarget',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('scheme', fields.ForeignKeyField('marketing.MarketingScheme', source_field='scheme_id', db_constraint=True, to_field='id', related_name='targets', on_delete=OnDelete.CASCADE)),
                ('customer_id', fields.UUIDField()),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('manager_id', fields.UUIDField(null=True)),
                ('allocated_by', fields.UUIDField(null=True)),
            ],
            options={'table': 'scheme_target', 'app': 'marketing', 'unique_together': (('scheme', 'customer_id'),), 'pk_attr': 'id', 'table_description': "目标名单: one customer of a running scheme's list, ``manager_id`` None until allocated."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='WorkOrder',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('scheme', fields.ForeignKeyField('marketing.MarketingScheme', source_field='scheme_id', db_constraint=True, to_field='id', related_name='work_orders', on_delete=OnDelete.CASCADE)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('manager_id', fields.UUIDField(db_index=True)),
                ('customer_id', fields.UUIDField()),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('status', fields.CharEnumField(default=WorkOrderStatus.PENDING, description='PENDING: PENDING\nIN_PROGRESS: IN_PROGRESS\nDONE: DONE\nFAILED: FAILED\nCLOSED: CLOSED', enum_type=WorkOrderStatus, max_length=12)),
                ('channel', fields.CharEnumField(null=True, description='PHONE: PHONE\nVISIT: VISIT\nWECHAT: WECHAT\nSMS: SMS\nMOBILE_BANKING: MOBILE_BANKING\nAPP: APP\nONLINE_BANKING: ONLINE_BANKING', enum_type=ContactChannel, max_length=16)),
                ('result', fields.CharEnumField(null=True, description='CONTACTED: CONTACTED\nINTERESTED: INTERESTED\nCONVERTED: CONVERTED\nREFUSED: REFUSED', enum_type=FeedbackResult, max_length=12)),
                ('amount', fields.DecimalField(default=0, max_digits=18, decimal_places=2)),
                ('note', fields.CharField(default='', max_length=500)),
                ('feedback_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'work_order', 'app': 'marketing', 'unique_together': (('scheme', 'manager_id', 'customer_id'),), 'pk_attr': 'id', 'table_description': "营销工单: one scheme's task for one manager and one customer."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='WorkOrderFeedback',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('work_order', fields.ForeignKeyField('marketing.WorkOrder', source_field='work_order_id', db_constraint=True, to_field='id', related_name='feedback', on_delete=OnDelete.CASCADE)),
                ('client_id', fields.CharField(max_length=64)),
                ('given_by', fields.UUIDField()),
                ('channel', fields.CharEnumField(description='PHONE: PHONE\nVISIT: VISIT\nWECHAT: WECHAT\nSMS: SMS\nMOBILE_BANKING: MOBILE_BANKING\nAPP: APP\nONLINE_BANKING: ONLINE_BANKING', enum_type=ContactChannel, max_length=16)),
                ('result', fields.CharEnumField(description='CONTACTED: CONTACTED\nINTERESTED: INTERESTED\nCONVERTED: CONVERTED\nREFUSED: REFUSED', enum_type=FeedbackResult, max_length=12)),
                ('amount', fields.DecimalField(default=0, max_digits=18, decimal_places=2)),
                ('note', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'work_order_feedback', 'app': 'marketing', 'unique_together': (('work_order', 'client_id'),), 'pk_attr': 'id', 'table_description': '工单反馈: one feedback on a work order, ``client_id`` makes a repeat harmless.'},
            bases=['Entity'],
        ),
    ]
