from tortoise import migrations
from tortoise.migrations import operations as ops
from models.operations.backups import BackupCheck, BackupFrequency, BackupRunStatus
from models.operations.changes import ChangeKind, ChangeRisk, ChangeStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('operations', '0013_inspections')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BackupJob',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('org', fields.ForeignKeyField('operations.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='backup_jobs', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('name', fields.CharField(max_length=100)),
                ('system', fields.CharField(max_length=100)),
                ('device_id', fields.UUIDField(null=True, db_index=True)),
                ('frequency', fields.CharEnumField(description='DAILY: DAILY\nWEEKLY: WEEKLY\nMONTHLY: MONTHLY', enum_type=BackupFrequency, max_length=8)),
                ('at_minute', fields.IntField()),
                ('weekday', fields.IntField(null=True)),
                ('day_of_month', fields.IntField(null=True)),
                ('expected_minutes', fields.IntField()),
                ('grace_minutes', fields.IntField()),
                ('retention_days', fields.IntField()),
                ('active', fields.BooleanField(default=True)),
                ('created_by', fields.UUIDField()),
                ('last_success_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'backup_job', 'app': 'operations', 'unique_together': (('org_id', 'name'),), 'indexes': [Index(fields=['created_at', 'id'])], 'pk_attr': 'id'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='BackupRun',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('job', fields.ForeignKeyField('operations.BackupJob', source_field='job_id', db_constraint=True, to_field='id', related_name='runs', on_delete=OnDelete.CASCADE)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(description='SUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=BackupRunStatus, max_length=10)),
                ('size_bytes', fields.BigIntField(null=True)),
                ('check_result', fields.CharEnumField(default=BackupCheck.NOT_CHECKED, description='VERIFIED: VERIFIED\nCHECK_FAILED: CHECK_FAILED\nNOT_CHECKED: NOT_CHECKED', enum_type=BackupCheck, max_length=12)),
                ('check_note', fields.TextField(default='', unique=False)),
                ('reported_by', fields.UUIDField()),
                ('idempotency_key', fields.CharField(max_length=64)),
            ],
            options={'table': 'backup_run', 'app': 'operations', 'unique_together': (('reported_by', 'idempotency_key'),), 'indexes': [Index(fields=['job_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ChangeRequest',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('org', fields.ForeignKeyField('operations.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='change_requests', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('kind', fields.CharEnumField(description='CONFIGURATION: CONFIGURATION\nSTORAGE: STORAGE\nBACKUP_POLICY: BACKUP_POLICY\nOPTIMISATION: OPTIMISATION', enum_type=ChangeKind, max_length=16)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('system', fields.CharField(default='', max_length=100)),
                ('device_id', fields.UUIDField(null=True, db_index=True)),
                ('planned_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('planned_end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('risk', fields.CharEnumField(description='LOW: LOW\nMEDIUM: MEDIUM\nHIGH: HIGH', enum_type=ChangeRisk, max_length=8)),
                ('rollback_plan', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=ChangeStatus.DRAFT, description='DRAFT: DRAFT\nSUBMITTED: SUBMITTED\nAPPROVED: APPROVED\nREJECTED: REJECTED\nIN_PROGRESS: IN_PROGRESS\nCOMPLETED: COMPLETED\nFAILED: FAILED\nROLLED_BACK: ROLLED_BACK', enum_type=ChangeStatus, max_length=12)),
                ('result_note', fields.TextField(default='', unique=False)),
                ('requested_by', fields.UUIDField()),
                ('approved_by', fields.UUIDField(null=True)),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'change_request', 'app': 'operations', 'unique_together': (('requested_by', 'idempotency_key'),), 'indexes': [Index(fields=['created_at', 'id'])], 'pk_attr': 'id', 'table_description': '变更申请 of one unit (org), with its history in ``ChangeStep``.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ChangeStep',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('change', fields.ForeignKeyField('operations.ChangeRequest', source_field='change_id', db_constraint=True, to_field='id', related_name='steps', on_delete=OnDelete.CASCADE)),
                ('org_path', fields.CharField(max_length=400)),
                ('from_status', fields.CharEnumField(null=True, description='DRAFT: DRAFT\nSUBMITTED: SUBMITTED\nAPPROVED: APPROVED\nREJECTED: REJECTED\nIN_PROGRESS: IN_PROGRESS\nCOMPLETED: COMPLETED\nFAILED: FAILED\nROLLED_BACK: ROLLED_BACK', enum_type=ChangeStatus, max_length=12)),
                ('to_status', fields.CharEnumField(description='DRAFT: DRAFT\nSUBMITTED: SUBMITTED\nAPPROVED: APPROVED\nREJECTED: REJECTED\nIN_PROGRESS: IN_PROGRESS\nCOMPLETED: COMPLETED\nFAILED: FAILED\nROLLED_BACK: ROLLED_BACK', enum_type=ChangeStatus, max_length=12)),
                ('actor_id', fields.UUIDField()),
                ('actor_name', fields.CharField(max_length=64)),
                ('note', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'change_step', 'app': 'operations', 'indexes': [Index(fields=['change_id', 'created_at'])], 'pk_attr': 'id', 'table_description': "One step of a change's history: who moved it from which status to which, and why."},
            bases=['Entity'],
        ),
    ]
