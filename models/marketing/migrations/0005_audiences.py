from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('marketing', '0004_approvals')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Audience',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('criteria', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_by', fields.UUIDField()),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'audience', 'app': 'marketing', 'unique_together': (('created_by', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': '目标客群: a named set of criteria in one member bank (法人行社).'},
            bases=['Entity'],
        ),
    ]
