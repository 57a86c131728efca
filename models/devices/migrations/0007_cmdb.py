from tortoise import migrations
from tortoise.migrations import operations as ops
from models.devices.cmdb import ConfigChangeAction, ConfigItemKind, ConfigItemStatus, ConfigRelationKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('devices', '0006_telemetry')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ConfigItem',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('code', fields.CharField(unique=True, max_length=40)),
                ('name', fields.CharField(max_length=100)),
                ('kind', fields.CharEnumField(description='SERVER: SERVER\nSTORAGE: STORAGE\nSAN_SWITCH: SAN_SWITCH\nTAPE_LIBRARY: TAPE_LIBRARY\nNETWORK_DEVICE: NETWORK_DEVICE\nSECURITY_DEVICE: SECURITY_DEVICE\nDATABASE: DATABASE\nMIDDLEWARE: MIDDLEWARE\nAPPLICATION: APPLICATION', enum_type=ConfigItemKind, max_length=16)),
                ('org_id', fields.UUIDField(db_index=True)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('vendor', fields.CharField(default='', max_length=60)),
                ('model', fields.CharField(default='', max_length=60)),
                ('serial_number', fields.CharField(default='', max_length=80)),
                ('location', fields.CharField(default='', max_length=200)),
                ('owner_contact', fields.CharField(default='', max_length=100)),
                ('warranty_until', fields.DateField(null=True)),
                ('status', fields.CharEnumField(default=ConfigItemStatus.IN_SERVICE, description='IN_SERVICE: IN_SERVICE\nMAINTENANCE: MAINTENANCE\nRETIRED: RETIRED', enum_type=ConfigItemStatus, max_length=12)),
                ('original_config', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('config', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('device', fields.ForeignKeyField('devices.Device', source_field='device_id', null=True, db_constraint=True, to_field='id', related_name='config_items', on_delete=OnDelete.SET_NULL)),
                ('version', fields.IntField(default=1)),
                ('created_by', fields.UUIDField()),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'config_item', 'app': 'devices', 'unique_together': (('created_by', 'idempotency_key'),), 'indexes': [Index(fields=['created_at', 'id']), Index(fields=['device_id'])], 'pk_attr': 'id', 'table_description': '配置项: one managed piece of hardware or software of a unit.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ConfigChange',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('item', fields.ForeignKeyField('devices.ConfigItem', source_field='item_id', db_constraint=True, to_field='id', related_name='changes', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField()),
                ('org_path', fields.CharField(max_length=400)),
                ('action', fields.CharEnumField(description='CREATED: CREATED\nUPDATED: UPDATED\nRELATED: RELATED\nUNRELATED: UNRELATED\nRETIRED: RETIRED', enum_type=ConfigChangeAction, max_length=10)),
                ('changes', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('reason', fields.TextField(default='', unique=False)),
                ('change_request_id', fields.UUIDField(null=True)),
                ('actor_id', fields.UUIDField()),
                ('actor_name', fields.CharField(max_length=64)),
            ],
            options={'table': 'config_change', 'app': 'devices', 'unique_together': (('item_id', 'seq'),), 'pk_attr': 'id', 'table_description': '变更记录 of an item: who (actor), when (created_at), what (``changes``: field → {before,'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ConfigRelation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('source', fields.ForeignKeyField('devices.ConfigItem', source_field='source_id', db_constraint=True, to_field='id', related_name='relations_out', on_delete=OnDelete.CASCADE)),
                ('target_item', fields.ForeignKeyField('devices.ConfigItem', source_field='target_item_id', null=True, db_constraint=True, to_field='id', related_name='relations_in', on_delete=OnDelete.CASCADE)),
                ('target_device', fields.ForeignKeyField('devices.Device', source_field='target_device_id', null=True, db_constraint=True, to_field='id', related_name='config_relations', on_delete=OnDelete.CASCADE)),
                ('target_key', fields.CharField(max_length=36)),
                ('kind', fields.CharEnumField(description='RUNS_ON: RUNS_ON\nCONNECTS_TO: CONNECTS_TO\nDEPENDS_ON: DEPENDS_ON\nSTORES_ON: STORES_ON\nPROTECTS: PROTECTS\nBACKS_UP: BACKS_UP', enum_type=ConfigRelationKind, max_length=12)),
                ('org_path', fields.CharField(max_length=400)),
                ('created_by', fields.UUIDField()),
            ],
            options={'table': 'config_relation', 'app': 'devices', 'unique_together': (('source_id', 'target_key', 'kind'),), 'indexes': [Index(fields=['target_item_id']), Index(fields=['target_device_id'])], 'pk_attr': 'id', 'table_description': 'One relation of an item (source) to another item or to a device (exactly one target).'},
            bases=['Entity'],
        ),
    ]
