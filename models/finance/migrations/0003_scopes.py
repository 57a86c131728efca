from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('finance', '0002_audit_record')]

    initial = False

    operations = [
        ops.AddField(
            model_name='FinancingNeed',
            name='contact_name',
            field=fields.CharField(default='', max_length=50),
        ),
        ops.AddField(
            model_name='FinancingNeed',
            name='contact_phone',
            field=fields.CharField(default='', max_length=20),
        ),
        ops.AddField(
            model_name='FinancingNeed',
            name='grabbed_institution_id',
            field=fields.UUIDField(null=True, db_index=True),
        ),
    ]
