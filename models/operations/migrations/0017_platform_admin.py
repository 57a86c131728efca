from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('operations', '0016_approvals')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Team',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('org', fields.ForeignKeyField('operations.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='teams', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=64)),
                ('tenant_id', fields.UUIDField(null=True, db_index=True)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
            ],
            options={'table': 'team', 'app': 'operations', 'unique_together': (('org', 'name'),), 'pk_attr': 'id', 'table_description': '团队: a named group of users of one org (a marketing team of a branch).'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='TeamMember',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('team', fields.ForeignKeyField('operations.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('operations.User', source_field='user_id', db_constraint=True, to_field='id', related_name='team_memberships', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'team_member', 'app': 'operations', 'unique_together': (('team', 'user'),), 'pk_attr': 'id'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='UserChange',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('user_id', fields.UUIDField(db_index=True)),
                ('seq', fields.IntField()),
                ('actor_id', fields.UUIDField(null=True)),
                ('action', fields.CharField(max_length=32)),
                ('before', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('after', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
            ],
            options={'table': 'user_change', 'app': 'operations', 'unique_together': (('user_id', 'seq'),), 'pk_attr': 'id', 'table_description': 'One change of a user (用户变更历史): who made it, when (``created_at``), what (``action``)'},
            bases=['Entity'],
        ),
        ops.AddField(
            model_name='Org',
            name='closed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Org',
            name='successor_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='User',
            name='disabled_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
