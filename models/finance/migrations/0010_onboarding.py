from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('finance', '0009_approvals')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ConsumerCursor',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('event_id', fields.CharField(max_length=32)),
            ],
            options={'table': 'consumer_cursor', 'app': 'finance', 'pk_attr': 'name', 'table_description': "How far a consumer here of another subgraph's stream has got (realtime/consumer.py): the"},
            bases=['ConsumerCursorBase'],
        ),
    ]
