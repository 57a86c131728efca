from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('operations', '0019_logs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RoleDefinition',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('role', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=64)),
                ('data_scope', fields.CharField(max_length=16)),
                ('functions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('menus', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('version', fields.IntField(default=0)),
                ('updated_by_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'role_definition', 'app': 'operations', 'pk_attr': 'id', 'table_description': "角色管理: a built-in role's definition as the platform admin edited it, its functions (功能权限),"},
            bases=['Entity'],
        ),
    ]
