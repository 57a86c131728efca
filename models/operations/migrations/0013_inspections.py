from tortoise import migrations
from tortoise.migrations import operations as ops
from models.operations.inspections import InspectionFrequency, InspectionResult, InspectionTargetKind, InspectionTaskStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('operations', '0012_alert_lifecycle')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InspectionPhotoContent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('content', fields.BinaryField()),
            ],
            options={'table': 'inspection_photo_content', 'app': 'operations', 'pk_attr': 'id', 'table_description': "A photo's bytes, one row per photo (same id), read one photo at a time."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='InspectionPlan',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('org', fields.ForeignKeyField('operations.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='inspection_plans', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('name', fields.CharField(max_length=100)),
                ('frequency', fields.CharEnumField(description='DAILY: DAILY\nBIWEEKLY: BIWEEKLY\nMONTHLY: MONTHLY\nQUARTERLY: QUARTERLY\nYEARLY: YEARLY', enum_type=InspectionFrequency, max_length=10)),
                ('targets', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('checklist', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('assignee_id', fields.UUIDField(null=True)),
                ('active', fields.BooleanField(default=True)),
                ('start_date', fields.DateField()),
                ('created_by', fields.UUIDField(null=True)),
            ],
            options={'table': 'inspection_plan', 'app': 'operations', 'indexes': [Index(fields=['created_at', 'id'])], 'pk_attr': 'id', 'table_description': '巡检计划: what is inspected, how often, by whom, for which user unit (用户单位).'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='InspectionSignoff',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('org', fields.ForeignKeyField('operations.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='inspection_signoffs', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('month', fields.DateField()),
                ('signed_by', fields.UUIDField()),
                ('note', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'inspection_signoff', 'app': 'operations', 'unique_together': (('org', 'month'),), 'pk_attr': 'id', 'table_description': "The user unit's sign-off of its monthly report (审批签署): one per unit and month."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='InspectionTask',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('plan', fields.ForeignKeyField('operations.InspectionPlan', source_field='plan_id', db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.RESTRICT)),
                ('org_id', fields.UUIDField(db_index=True)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('period_start', fields.DateField()),
                ('period_end', fields.DateField()),
                ('due_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('targets', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=InspectionTaskStatus.PENDING, description='PENDING: PENDING\nDONE: DONE\nMISSED: MISSED', enum_type=InspectionTaskStatus, max_length=10)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inspection_task', 'app': 'operations', 'unique_together': (('plan', 'period_start'),), 'indexes': [Index(fields=['created_at', 'id'])], 'pk_attr': 'id', 'table_description': '巡检任务: one per plan and period (unique), due at the end of the period (CST).'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='InspectionRecord',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('task', fields.ForeignKeyField('operations.InspectionTask', source_field='task_id', db_constraint=True, to_field='id', related_name='records', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('target_kind', fields.CharEnumField(description='HALL: HALL\nDEVICE: DEVICE', enum_type=InspectionTargetKind, max_length=10)),
                ('target_id', fields.UUIDField()),
                ('result', fields.CharEnumField(description='OK: OK\nISSUE: ISSUE', enum_type=InspectionResult, max_length=10)),
                ('unit_name', fields.CharField(default='', max_length=100)),
                ('symptom', fields.TextField(default='', unique=False)),
                ('expected_resolution_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('note', fields.TextField(default='', unique=False)),
                ('recorded_by', fields.UUIDField()),
            ],
            options={'table': 'inspection_record', 'app': 'operations', 'unique_together': (('task', 'target_kind', 'target_id'),), 'indexes': [Index(fields=['created_at', 'id'])], 'pk_attr': 'id', 'table_description': '巡检记录: one per task and target (unique: a repeat returns the first).'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='InspectionPhoto',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('record', fields.ForeignKeyField('operations.InspectionRecord', source_field='record_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('file_name', fields.CharField(default='', max_length=200)),
                ('content_type', fields.CharField(max_length=20)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
            ],
            options={'table': 'inspection_photo', 'app': 'operations', 'pk_attr': 'id', 'table_description': 'A photo attached to a record (现场照片): what lists show. The bytes are apart'},
            bases=['Entity'],
        ),
    ]
