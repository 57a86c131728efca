from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.operations import AlertLevel, AlertStatus, OrgKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Org',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=100)),
                ('kind', fields.CharEnumField(description='PROVINCE_UNION: PROVINCE_UNION\nMEMBER_BANK: MEMBER_BANK\nVILLAGE_BANK: VILLAGE_BANK\nBRANCH: BRANCH\nOUTLET: OUTLET\nINSTITUTION: INSTITUTION\nREGULATOR: REGULATOR\nGRID_COMPANY: GRID_COMPANY\nHALL: HALL', enum_type=OrgKind, max_length=20)),
                ('parent', fields.ForeignKeyField('operations.Org', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('path', fields.CharField(db_index=True, max_length=400)),
                ('tenant_id', fields.UUIDField(null=True, db_index=True)),
            ],
            options={'table': 'org', 'app': 'operations', 'pk_attr': 'id', 'table_description': 'A node of the organisation tree. ``path`` is the materialised path of ids'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='Alert',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('org', fields.ForeignKeyField('operations.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='alerts', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('level', fields.CharEnumField(description='INFO: INFO\nWARNING: WARNING\nCRITICAL: CRITICAL', enum_type=AlertLevel, max_length=10)),
                ('status', fields.CharEnumField(default=AlertStatus.OPEN, description='OPEN: OPEN\nACKNOWLEDGED: ACKNOWLEDGED\nRESOLVED: RESOLVED', enum_type=AlertStatus, max_length=14)),
                ('title', fields.CharField(max_length=200)),
                ('detail', fields.TextField(default='', unique=False)),
                ('source', fields.CharField(default='manual', max_length=40)),
                ('device_id', fields.UUIDField(null=True, db_index=True)),
            ],
            options={'table': 'alert', 'app': 'operations', 'pk_attr': 'id', 'table_description': '告警: raised by device breaches, SLA breaches, supervision warnings …'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('username', fields.CharField(unique=True, max_length=64)),
                ('display_name', fields.CharField(max_length=64)),
                ('org', fields.ForeignKeyField('operations.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.RESTRICT)),
                ('roles', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('tenant_id', fields.UUIDField(null=True, db_index=True)),
            ],
            options={'table': 'app_user', 'app': 'operations', 'pk_attr': 'id'},
            bases=['Entity'],
        ),
    ]
