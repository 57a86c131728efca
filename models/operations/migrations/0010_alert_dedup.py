from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('operations', '0009_newest_first')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Alert',
            name='count',
            field=fields.IntField(default=1),
        ),
        ops.AddField(
            model_name='Alert',
            name='dedup_key',
            field=fields.CharField(null=True, unique=True, max_length=200),
        ),
        ops.AddField(
            model_name='Alert',
            name='last_seen_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
