from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('customers', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditRecord',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('seq', fields.BigIntField(unique=True)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_id', fields.UUIDField(null=True, db_index=True)),
                ('actor_username', fields.CharField(null=True, max_length=64)),
                ('actor_role', fields.CharField(default='', max_length=32)),
                ('action', fields.CharField(db_index=True, max_length=64)),
                ('target_type', fields.CharField(default='', max_length=64)),
                ('target_id', fields.CharField(null=True, db_index=True, max_length=64)),
                ('result', fields.CharField(default='ok', max_length=32)),
                ('request_id', fields.CharField(max_length=128)),
                ('detail', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('prev_hash', fields.CharField(max_length=64)),
                ('hash', fields.CharField(unique=True, max_length=64)),
            ],
            options={'table': 'audit_record', 'app': 'customers', 'pk_attr': 'id', 'table_description': "This subgraph's audit trail (审计日志), one hash chain."},
            bases=['AuditRecordBase'],
        ),
    ]
