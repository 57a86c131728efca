from tortoise import migrations
from tortoise.migrations import operations as ops
from models.marketing.reports import WorkReportPeriod, WorkReportStatus
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('marketing', '0011_performance')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WorkReport',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('user_id', fields.UUIDField()),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('period', fields.CharEnumField(description='WEEK: WEEK\nMONTH: MONTH', enum_type=WorkReportPeriod, max_length=5)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('figures', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('summary', fields.TextField(default='', unique=False)),
                ('plan', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=WorkReportStatus.DRAFT, description='DRAFT: DRAFT\nSUBMITTED: SUBMITTED\nRETURNED: RETURNED', enum_type=WorkReportStatus, max_length=9)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('returned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('returned_by', fields.UUIDField(null=True)),
                ('return_comment', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'work_report', 'app': 'marketing', 'unique_together': (('user_id', 'period', 'starts_on'),), 'indexes': [Index(fields=['created_at', 'id'])], 'pk_attr': 'id', 'table_description': "One user's report of one period, ``figures`` the activity counted when it was drafted"},
            bases=['Entity'],
        ),
    ]
