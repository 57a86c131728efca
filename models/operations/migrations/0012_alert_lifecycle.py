from tortoise import migrations
from tortoise.migrations import operations as ops
from models.operations import AlertActionKind, AlertLevel
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('operations', '0011_incidents')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AlertAction',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('alert', fields.ForeignKeyField('operations.Alert', source_field='alert_id', db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.CASCADE)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('action', fields.CharEnumField(description='RAISED: RAISED\nACKNOWLEDGED: ACKNOWLEDGED\nRESOLVED: RESOLVED\nREOPENED: REOPENED\nESCALATED: ESCALATED', enum_type=AlertActionKind, max_length=14)),
                ('actor_id', fields.UUIDField(null=True)),
                ('note', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'alert_action', 'app': 'operations', 'indexes': [Index(fields=['alert_id', 'created_at', 'id'])], 'pk_attr': 'id', 'table_description': "One step of an alert's lifecycle (告警处理记录): who (null: the platform), when, the note."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='AlertRoute',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('org', fields.ForeignKeyField('operations.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='alert_routes', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('source', fields.CharField(null=True, max_length=40)),
                ('min_level', fields.CharEnumField(default=AlertLevel.INFO, description='INFO: INFO\nWARNING: WARNING\nCRITICAL: CRITICAL', enum_type=AlertLevel, max_length=10)),
                ('roles', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_by', fields.UUIDField(null=True)),
            ],
            options={'table': 'alert_route', 'app': 'operations', 'indexes': [Index(fields=['created_at', 'id'])], 'pk_attr': 'id', 'table_description': '告警路由 rule: alerts about an org in the subtree of ``org``, of ``source`` (null: any), at'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='AlertSilence',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('org', fields.ForeignKeyField('operations.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='alert_silences', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('source', fields.CharField(null=True, max_length=40)),
                ('device_id', fields.UUIDField(null=True)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('reason', fields.CharField(max_length=200)),
                ('created_by', fields.UUIDField(null=True)),
                ('ended_by', fields.UUIDField(null=True)),
            ],
            options={'table': 'alert_silence', 'app': 'operations', 'indexes': [Index(fields=['created_at', 'id'])], 'pk_attr': 'id', 'table_description': '维护窗口 / silence: alerts about the subtree of ``org`` (optionally of one source, one device)'},
            bases=['Entity'],
        ),
        ops.AddField(
            model_name='Alert',
            name='acknowledged_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Alert',
            name='acknowledged_by',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='Alert',
            name='incident_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='Alert',
            name='resolved_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Alert',
            name='resolved_by',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='Alert',
            name='routed_roles',
            field=fields.CharField(default='', max_length=400),
        ),
        ops.AddField(
            model_name='Alert',
            name='silenced',
            field=fields.BooleanField(default=False),
        ),
    ]
