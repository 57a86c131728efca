from tortoise import migrations
from tortoise.migrations import operations as ops
from models.devices import CommandAction, CommandStatus, DeviceKind, DeviceStatus, StatusReason
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('devices', '0004_audit_chains')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ConsumerCursor',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('event_id', fields.CharField(max_length=32)),
            ],
            options={'table': 'consumer_cursor', 'app': 'devices', 'pk_attr': 'name', 'table_description': "How far a durable consumer here has got (realtime/consumer.py): the bridge's command sender."},
            bases=['ConsumerCursorBase'],
        ),
        ops.CreateModel(
            name='DeviceCommand',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('device', fields.ForeignKeyField('devices.Device', source_field='device_id', db_constraint=True, to_field='id', related_name='commands', on_delete=OnDelete.CASCADE)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('action', fields.CharEnumField(description='RESTART: RESTART\nUPDATE_CONTENT: UPDATE_CONTENT\nOPEN_LOCK: OPEN_LOCK\nCLOSE_LOCK: CLOSE_LOCK\nSCREEN_ON: SCREEN_ON\nSCREEN_OFF: SCREEN_OFF\nSYNC_TIME: SYNC_TIME\nUPGRADE_FIRMWARE: UPGRADE_FIRMWARE', enum_type=CommandAction, max_length=20)),
                ('params', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=CommandStatus.PENDING, description='PENDING: PENDING\nSENT: SENT\nACKNOWLEDGED: ACKNOWLEDGED\nFAILED: FAILED\nTIMED_OUT: TIMED_OUT', enum_type=CommandStatus, max_length=14)),
                ('issued_by', fields.UUIDField()),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('detail', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'device_command', 'app': 'devices', 'indexes': [Index(fields=['device_id', 'created_at', 'id'])], 'pk_attr': 'id', 'table_description': "远程指令: issued by staff to a device, sent through its unit, answered on the unit's ack topic."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='DeviceCredential',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('device', fields.ForeignKeyField('devices.Device', source_field='device_id', db_constraint=True, to_field='id', related_name='credentials', on_delete=OnDelete.CASCADE)),
                ('public_key', fields.CharField(max_length=64)),
                ('fingerprint', fields.CharField(unique=True, max_length=64)),
                ('issued_by', fields.UUIDField(null=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'device_credential', 'app': 'devices', 'indexes': [Index(fields=['device_id', 'revoked_at'])], 'pk_attr': 'id', 'table_description': '设备凭证: the public half of the Ed25519 key a device signs its messages with. The private'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='DeviceMessage',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('device', fields.ForeignKeyField('devices.Device', source_field='device_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('message_id', fields.CharField(max_length=64)),
                ('type', fields.CharField(max_length=40)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'device_message', 'app': 'devices', 'unique_together': (('device_id', 'message_id'),), 'indexes': [Index(fields=['device_id', 'at'])], 'pk_attr': 'id', 'table_description': 'An event a device reported (fault, recovered, visitors …): one row per (device, message id),'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='DeviceStatusChange',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('device', fields.ForeignKeyField('devices.Device', source_field='device_id', db_constraint=True, to_field='id', related_name='status_changes', on_delete=OnDelete.CASCADE)),
                ('org_path', fields.CharField(max_length=400)),
                ('previous', fields.CharEnumField(description='ONLINE: ONLINE\nOFFLINE: OFFLINE\nFAULT: FAULT\nMAINTENANCE: MAINTENANCE', enum_type=DeviceStatus, max_length=12)),
                ('status', fields.CharEnumField(description='ONLINE: ONLINE\nOFFLINE: OFFLINE\nFAULT: FAULT\nMAINTENANCE: MAINTENANCE', enum_type=DeviceStatus, max_length=12)),
                ('reason', fields.CharEnumField(description='HEARTBEAT: HEARTBEAT\nMISSED_HEARTBEAT: MISSED_HEARTBEAT\nFAULT: FAULT\nRECOVERED: RECOVERED\nSTAFF: STAFF', enum_type=StatusReason, max_length=20)),
                ('detail', fields.CharField(default='', max_length=200)),
                ('actor_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'device_status_change', 'app': 'devices', 'indexes': [Index(fields=['device_id', 'created_at', 'id'])], 'pk_attr': 'id', 'table_description': '设备状态变更记录: every status change, why, and who (null: the device or the platform).'},
            bases=['Entity'],
        ),
        ops.AlterField(
            model_name='Device',
            name='kind',
            field=fields.CharEnumField(description='SELF_SERVICE_TERMINAL: SELF_SERVICE_TERMINAL\nVTM: VTM\nPAYMENT_KIOSK: PAYMENT_KIOSK\nGUIDE_SCREEN: GUIDE_SCREEN\nLED_SCREEN: LED_SCREEN\nQUEUE_MACHINE: QUEUE_MACHINE\nRATING_DEVICE: RATING_DEVICE\nCCTV: CCTV\nINTERACTION_UNIT: INTERACTION_UNIT\nSERVER: SERVER\nNETWORK: NETWORK\nQUERY_KIOSK: QUERY_KIOSK\nAD_PLAYER: AD_PLAYER\nAUDIO_DEVICE: AUDIO_DEVICE\nVIDEO_ANALYTICS: VIDEO_ANALYTICS\nPEOPLE_COUNTER: PEOPLE_COUNTER\nSTORAGE: STORAGE\nSAN_SWITCH: SAN_SWITCH\nSECURITY_DEVICE: SECURITY_DEVICE\nFILE_CABINET: FILE_CABINET\nLOCK: LOCK', enum_type=DeviceKind, max_length=24),
        ),
        ops.AddField(
            model_name='Device',
            name='firmware',
            field=fields.CharField(default='', max_length=60),
        ),
        ops.AddField(
            model_name='Device',
            name='heartbeat_seconds',
            field=fields.IntField(default=30),
        ),
        ops.AddField(
            model_name='Device',
            name='location',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='Device',
            name='offline_after',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Device',
            name='owner_contact',
            field=fields.CharField(default='', max_length=100),
        ),
        ops.AddField(
            model_name='Device',
            name='parent',
            field=fields.ForeignKeyField('devices.Device', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Device',
            name='protocol',
            field=fields.CharField(default='', max_length=40),
        ),
        ops.AddField(
            model_name='Device',
            name='status_since',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Device',
            name='tenant_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='Device',
            name='warranty_until',
            field=fields.DateField(null=True),
        ),
    ]
