from tortoise import migrations
from tortoise.migrations import operations as ops
from models.operations.incidents import IncidentAction, IncidentLevel, IncidentSource, IncidentStatus, ServiceCalendar, SupportTier
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('operations', '0010_alert_dedup')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ServicePolicy',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=100)),
                ('org_id', fields.UUIDField(null=True, unique=True)),
                ('is_default', fields.BooleanField(default=False)),
                ('work_start_minute', fields.IntField(default=600)),
                ('work_end_minute', fields.IntField(default=1200)),
                ('stagnation_minutes', fields.IntField(default=120)),
            ],
            options={'table': 'service_policy', 'app': 'operations', 'pk_attr': 'id', 'table_description': '服务级别策略: the targets and matrix incidents of an org subtree are timed by. The policy of'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='EscalationStep',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('policy', fields.ForeignKeyField('operations.ServicePolicy', source_field='policy_id', db_constraint=True, to_field='id', related_name='escalation_steps', on_delete=OnDelete.CASCADE)),
                ('level', fields.CharEnumField(description='LEVEL_1: LEVEL_1\nLEVEL_2: LEVEL_2\nLEVEL_3: LEVEL_3\nLEVEL_4: LEVEL_4', enum_type=IncidentLevel, max_length=10)),
                ('after_minutes', fields.IntField()),
                ('tier', fields.CharEnumField(description='TECHNICIAN: TECHNICIAN\nENGINEER: ENGINEER\nEXPERT: EXPERT\nPROJECT_MANAGER: PROJECT_MANAGER', enum_type=SupportTier, max_length=16)),
            ],
            options={'table': 'escalation_step', 'app': 'operations', 'unique_together': (('policy', 'level', 'tier'),), 'pk_attr': 'id', 'table_description': 'One cell of the confirmation matrix (确认时间): by ``after_minutes`` from the report, an'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='Incident',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('code', fields.CharField(unique=True, max_length=24)),
                ('org', fields.ForeignKeyField('operations.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='incidents', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('tenant_id', fields.UUIDField(null=True)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('category', fields.CharField(default='', max_length=40)),
                ('level', fields.CharEnumField(description='LEVEL_1: LEVEL_1\nLEVEL_2: LEVEL_2\nLEVEL_3: LEVEL_3\nLEVEL_4: LEVEL_4', enum_type=IncidentLevel, max_length=10)),
                ('status', fields.CharEnumField(default=IncidentStatus.REPORTED, description='REPORTED: REPORTED\nCONFIRMED: CONFIRMED\nCLASSIFIED: CLASSIFIED\nASSIGNED: ASSIGNED\nIN_PROGRESS: IN_PROGRESS\nTESTING: TESTING\nPENDING_CONFIRMATION: PENDING_CONFIRMATION\nCLOSED: CLOSED\nANALYSED: ANALYSED', enum_type=IncidentStatus, max_length=22)),
                ('source', fields.CharEnumField(description='STAFF: STAFF\nALERT: ALERT\nPHONE: PHONE', enum_type=IncidentSource, max_length=8)),
                ('alert_id', fields.UUIDField(null=True, unique=True)),
                ('caller', fields.CharField(default='', max_length=100)),
                ('reporter_id', fields.UUIDField(null=True)),
                ('assignee_id', fields.UUIDField(null=True, db_index=True)),
                ('policy', fields.ForeignKeyField('operations.ServicePolicy', source_field='policy_id', db_constraint=True, to_field='id', related_name='incidents', on_delete=OnDelete.RESTRICT)),
                ('calendar', fields.CharEnumField(description='WORKING_HOURS: WORKING_HOURS\nOFF_HOURS: OFF_HOURS', enum_type=ServiceCalendar, max_length=14)),
                ('month', fields.DateField()),
                ('reported_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('on_site_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('analysed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_moved_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('respond_due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('on_site_due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolve_due_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('paused_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('paused_seconds', fields.IntField(default=0)),
                ('respond_breached', fields.BooleanField(default=False)),
                ('on_site_breached', fields.BooleanField(default=False)),
                ('resolve_breached', fields.BooleanField(default=False)),
                ('confirmed_tier', fields.CharEnumField(null=True, description='TECHNICIAN: TECHNICIAN\nENGINEER: ENGINEER\nEXPERT: EXPERT\nPROJECT_MANAGER: PROJECT_MANAGER', enum_type=SupportTier, max_length=16)),
                ('escalated_tier', fields.CharEnumField(null=True, description='TECHNICIAN: TECHNICIAN\nENGINEER: ENGINEER\nEXPERT: EXPERT\nPROJECT_MANAGER: PROJECT_MANAGER', enum_type=SupportTier, max_length=16)),
                ('escalations', fields.IntField(default=0)),
                ('respond_seconds', fields.IntField(null=True)),
                ('resolve_seconds', fields.IntField(null=True)),
                ('satisfaction', fields.IntField(null=True)),
                ('satisfaction_comment', fields.TextField(default='', unique=False)),
                ('analysis', fields.TextField(default='', unique=False)),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'incident', 'app': 'operations', 'unique_together': (('reporter_id', 'idempotency_key'),), 'indexes': [Index(fields=['created_at', 'id']), Index(fields=['month', 'level'])], 'pk_attr': 'id', 'table_description': '故障事件. The due times are set from the policy when it is reported (and again when it is'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='IncidentStep',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('incident', fields.ForeignKeyField('operations.Incident', source_field='incident_id', db_constraint=True, to_field='id', related_name='steps', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharEnumField(description='REPORT: REPORT\nCONFIRM: CONFIRM\nCLASSIFY: CLASSIFY\nASSIGN: ASSIGN\nTAKE: TAKE\nTRANSFER: TRANSFER\nSTART: START\nARRIVE: ARRIVE\nSUBMIT_TEST: SUBMIT_TEST\nREWORK: REWORK\nRESOLVE: RESOLVE\nREJECT: REJECT\nCLOSE: CLOSE\nANALYSE: ANALYSE\nESCALATE: ESCALATE\nBREACH: BREACH', enum_type=IncidentAction, max_length=12)),
                ('from_status', fields.CharEnumField(null=True, description='REPORTED: REPORTED\nCONFIRMED: CONFIRMED\nCLASSIFIED: CLASSIFIED\nASSIGNED: ASSIGNED\nIN_PROGRESS: IN_PROGRESS\nTESTING: TESTING\nPENDING_CONFIRMATION: PENDING_CONFIRMATION\nCLOSED: CLOSED\nANALYSED: ANALYSED', enum_type=IncidentStatus, max_length=22)),
                ('to_status', fields.CharEnumField(description='REPORTED: REPORTED\nCONFIRMED: CONFIRMED\nCLASSIFIED: CLASSIFIED\nASSIGNED: ASSIGNED\nIN_PROGRESS: IN_PROGRESS\nTESTING: TESTING\nPENDING_CONFIRMATION: PENDING_CONFIRMATION\nCLOSED: CLOSED\nANALYSED: ANALYSED', enum_type=IncidentStatus, max_length=22)),
                ('actor_id', fields.UUIDField(null=True)),
                ('tier', fields.CharEnumField(null=True, description='TECHNICIAN: TECHNICIAN\nENGINEER: ENGINEER\nEXPERT: EXPERT\nPROJECT_MANAGER: PROJECT_MANAGER', enum_type=SupportTier, max_length=16)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('note', fields.TextField(default='', unique=False)),
                ('detail', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'incident_step', 'app': 'operations', 'indexes': [Index(fields=['incident_id', 'at'])], 'pk_attr': 'id', 'table_description': "One step of an incident's history: who (null: the platform), when, what, and a note."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ServiceTarget',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('policy', fields.ForeignKeyField('operations.ServicePolicy', source_field='policy_id', db_constraint=True, to_field='id', related_name='targets', on_delete=OnDelete.CASCADE)),
                ('level', fields.CharEnumField(description='LEVEL_1: LEVEL_1\nLEVEL_2: LEVEL_2\nLEVEL_3: LEVEL_3\nLEVEL_4: LEVEL_4', enum_type=IncidentLevel, max_length=10)),
                ('calendar', fields.CharEnumField(description='WORKING_HOURS: WORKING_HOURS\nOFF_HOURS: OFF_HOURS', enum_type=ServiceCalendar, max_length=14)),
                ('respond_minutes', fields.IntField()),
                ('on_site_minutes', fields.IntField()),
                ('resolve_minutes', fields.IntField()),
            ],
            options={'table': 'service_target', 'app': 'operations', 'unique_together': (('policy', 'level', 'calendar'),), 'pk_attr': 'id', 'table_description': 'The respond / on-site / resolve targets of a policy for one level and calendar.'},
            bases=['Entity'],
        ),
        ops.AddField(
            model_name='User',
            name='support_tier',
            field=fields.CharEnumField(null=True, description='TECHNICIAN: TECHNICIAN\nENGINEER: ENGINEER\nEXPERT: EXPERT\nPROJECT_MANAGER: PROJECT_MANAGER', enum_type=SupportTier, max_length=16),
        ),
    ]
