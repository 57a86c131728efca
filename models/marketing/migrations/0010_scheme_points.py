from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('marketing', '0009_campaigns')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MarketingScheme',
            name='conversion_points',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='WorkOrder',
            name='points',
            field=fields.IntField(default=0),
        ),
    ]
