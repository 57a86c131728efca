from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('operations', '0021_onboarding')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='LoginEvent',
            index=Index(fields=['created_at']),
        ),
        ops.AddIndex(
            model_name='PageView',
            index=Index(fields=['created_at']),
        ),
    ]
