from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('operations', '0004_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ConsumerCursor',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('event_id', fields.CharField(max_length=32)),
            ],
            options={'table': 'consumer_cursor', 'app': 'operations', 'pk_attr': 'name', 'table_description': 'How far a consumer here of a stream of another subgraph has got'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Alert',
            name='source_event_id',
            field=fields.CharField(null=True, unique=True, max_length=32),
        ),
    ]
