from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('customers', '0006_prospects')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Reminder',
            name='source_key',
            field=fields.CharField(null=True, max_length=80),
        ),
        ops.AddConstraint(
            model_name='Reminder',
            constraint=UniqueConstraint(fields=('source_key', 'manager_id'), name=None),
        ),
    ]
