from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('customers', '0003_pii_and_scopes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('channel', fields.CharField(max_length=64)),
                ('seq', fields.BigIntField(null=True, db_index=True)),
                ('type', fields.CharField(max_length=64)),
                ('occurred_at', fields.CharField(max_length=40)),
                ('tenant_id', fields.CharField(null=True, max_length=36)),
                ('scope', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('published_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_event', 'app': 'customers', 'unique_together': (('channel', 'seq'),), 'pk_attr': 'id', 'table_description': 'Events of this subgraph waiting for (or past) publication: see models/outbox.py.'},
            bases=['OutboxEventBase'],
        ),
        ops.CreateModel(
            name='OutboxSequence',
            fields=[
                ('channel', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('last_seq', fields.BigIntField(default=0)),
            ],
            options={'table': 'outbox_sequence', 'app': 'customers', 'pk_attr': 'channel', 'table_description': "The last number given to an event of each of this subgraph's channels."},
            bases=['OutboxSequenceBase'],
        ),
    ]
