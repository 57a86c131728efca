from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('operations', '0006_must_change_password')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Alert',
            name='idempotency_key',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Alert',
            name='raised_by',
            field=fields.UUIDField(null=True),
        ),
        ops.AddConstraint(
            model_name='Alert',
            constraint=UniqueConstraint(fields=('raised_by', 'idempotency_key'), name=None),
        ),
    ]
