from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('operations', '0008_audit_chains')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Alert',
            index=Index(fields=['created_at', 'id']),
        ),
        ops.AlterModelOptions(
            name='ConsumerCursor',
            options={'table': 'consumer_cursor', 'app': 'operations', 'pk_attr': 'name', 'table_description': 'How far a consumer here of a stream of another subgraph has got (realtime/consumer.py).'},
        ),
    ]
