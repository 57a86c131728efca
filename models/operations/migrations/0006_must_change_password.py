from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('operations', '0005_alert_source')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='must_change_password',
            field=fields.BooleanField(default=False),
        ),
    ]
