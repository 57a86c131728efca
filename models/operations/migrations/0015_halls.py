from tortoise import migrations
from tortoise.migrations import operations as ops
from models.operations.halls import DutyStatus, HallType, QualityCategory, TicketStatus, ZoneKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('operations', '0014_changes_backups')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HallProfile',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('hall', fields.OneToOneField('operations.Org', source_field='hall_id', db_constraint=True, to_field='id', related_name='hall_profile', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('hall_type', fields.CharEnumField(description='BRAND: BRAND\nECOSYSTEM: ECOSYSTEM', enum_type=HallType, max_length=10)),
                ('address', fields.CharField(default='', max_length=200)),
                ('opening_hours', fields.CharField(default='', max_length=100)),
                ('business_types', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'hall_profile', 'app': 'operations', 'pk_attr': 'id', 'table_description': '营业厅档案: one per hall org: its type, address, opening hours and the business it offers.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='HallZone',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('hall', fields.ForeignKeyField('operations.Org', source_field='hall_id', db_constraint=True, to_field='id', related_name='hall_zones', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('name', fields.CharField(max_length=60)),
                ('kind', fields.CharEnumField(description='SERVICE: SERVICE\nSELF_SERVICE: SELF_SERVICE\nWAITING: WAITING\nEXPERIENCE: EXPERIENCE\nOTHER: OTHER', enum_type=ZoneKind, max_length=14)),
            ],
            options={'table': 'hall_zone', 'app': 'operations', 'unique_together': (('hall', 'name'),), 'pk_attr': 'id', 'table_description': '营业厅功能区: 业务办理区, 自助服务区, 等候区, 体验区 …'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='QueueTicket',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('hall', fields.ForeignKeyField('operations.Org', source_field='hall_id', db_constraint=True, to_field='id', related_name='queue_tickets', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('day', fields.DateField()),
                ('number', fields.CharField(max_length=8)),
                ('business_type', fields.CharField(max_length=32)),
                ('status', fields.CharEnumField(default=TicketStatus.ISSUED, description='ISSUED: ISSUED\nCALLED: CALLED\nSERVING: SERVING\nDONE: DONE\nMISSED: MISSED', enum_type=TicketStatus, max_length=8)),
                ('window', fields.CharField(default='', max_length=16)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('issued_epoch', fields.BigIntField()),
                ('called_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('serving_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('called_by', fields.UUIDField(null=True)),
                ('served_by', fields.UUIDField(null=True)),
                ('source_event_id', fields.CharField(null=True, unique=True, max_length=120)),
            ],
            options={'table': 'queue_ticket', 'app': 'operations', 'unique_together': (('hall', 'day', 'number'),), 'indexes': [Index(fields=['hall_id', 'day', 'status']), Index(fields=['created_at', 'id'])], 'pk_attr': 'id', 'table_description': '排队号: ``number`` (e.g. "A023", the letter of its business type) is unique per hall per CST'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ServiceQualityEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('hall', fields.ForeignKeyField('operations.Org', source_field='hall_id', db_constraint=True, to_field='id', related_name='quality_events', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('zone', fields.ForeignKeyField('operations.HallZone', source_field='zone_id', null=True, db_constraint=True, to_field='id', related_name='quality_events', on_delete=OnDelete.SET_NULL)),
                ('device_id', fields.UUIDField(null=True)),
                ('category', fields.CharEnumField(description='SERVICE_NORM: SERVICE_NORM\nABNORMAL_BEHAVIOUR: ABNORMAL_BEHAVIOUR\nRISK_WARNING: RISK_WARNING', enum_type=QualityCategory, max_length=20)),
                ('type_code', fields.CharField(max_length=40)),
                ('detail', fields.TextField(default='', unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('source_event_id', fields.CharField(null=True, unique=True, max_length=120)),
                ('reported_by', fields.UUIDField(null=True)),
                ('alert_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'service_quality_event', 'app': 'operations', 'indexes': [Index(fields=['hall_id', 'category', 'at']), Index(fields=['created_at', 'id'])], 'pk_attr': 'id', 'table_description': '服务质量事件 from the audio / video analytics (or reported by staff).'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ServiceQualityRule',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('org', fields.ForeignKeyField('operations.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='quality_rules', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('category', fields.CharEnumField(description='SERVICE_NORM: SERVICE_NORM\nABNORMAL_BEHAVIOUR: ABNORMAL_BEHAVIOUR\nRISK_WARNING: RISK_WARNING', enum_type=QualityCategory, max_length=20)),
                ('type_code', fields.CharField(default='', max_length=40)),
                ('level', fields.CharField(max_length=10)),
                ('threshold', fields.IntField()),
                ('window_minutes', fields.IntField()),
                ('active', fields.BooleanField(default=True)),
                ('created_by', fields.UUIDField(null=True)),
            ],
            options={'table': 'service_quality_rule', 'app': 'operations', 'unique_together': (('org', 'category', 'type_code'),), 'pk_attr': 'id', 'table_description': '告警规则: in the subtree of ``org``, ``threshold`` events of ``category`` (and ``type_code``,'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='StaffDuty',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('hall', fields.ForeignKeyField('operations.Org', source_field='hall_id', db_constraint=True, to_field='id', related_name='staff_duties', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('user_id', fields.UUIDField()),
                ('user_name', fields.CharField(max_length=64)),
                ('status', fields.CharEnumField(description='ON_DUTY: ON_DUTY\nBREAK: BREAK\nOFF: OFF', enum_type=DutyStatus, max_length=8)),
                ('since', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('set_by', fields.UUIDField(null=True)),
                ('current_key', fields.CharField(null=True, unique=True, max_length=80)),
            ],
            options={'table': 'staff_duty', 'app': 'operations', 'indexes': [Index(fields=['hall_id', 'status']), Index(fields=['user_id', 'since'])], 'pk_attr': 'id', 'table_description': '在岗状态 of a member of staff at a hall, from ``since``, history kept (each change a row).'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='VisitorCount',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('hall', fields.ForeignKeyField('operations.Org', source_field='hall_id', db_constraint=True, to_field='id', related_name='visitor_counts', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('zone', fields.ForeignKeyField('operations.HallZone', source_field='zone_id', null=True, db_constraint=True, to_field='id', related_name='visitor_counts', on_delete=OnDelete.SET_NULL)),
                ('device_id', fields.UUIDField(null=True)),
                ('source', fields.CharField(max_length=36)),
                ('period_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('day', fields.DateField()),
                ('count', fields.IntField()),
            ],
            options={'table': 'visitor_count', 'app': 'operations', 'unique_together': (('hall', 'source', 'period_start'),), 'indexes': [Index(fields=['hall_id', 'day'])], 'pk_attr': 'id', 'table_description': '客流: visitors a counter (or staff, ``source`` "manual") counted in a period, one row per'},
            bases=['Entity'],
        ),
    ]
