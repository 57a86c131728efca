from tortoise import migrations
from tortoise.migrations import operations as ops
from models.common import EncryptedTextField

class Migration(migrations.Migration):
    dependencies = [('finance', '0003_scopes')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='FinancingNeed',
            name='contact_name',
            field=EncryptedTextField(default='', unique=False),
        ),
        ops.AlterField(
            model_name='FinancingNeed',
            name='contact_phone',
            field=EncryptedTextField(default='', unique=False),
        ),
    ]
