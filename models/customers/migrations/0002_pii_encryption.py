from tortoise import migrations
from tortoise.migrations import operations as ops
from models.common import BlindIndexField, EncryptedTextField

class Migration(migrations.Migration):
    dependencies = [('customers', '0001_initial')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Customer',
            name='id_number',
            field=EncryptedTextField(default='', unique=False),
        ),
        ops.AlterField(
            model_name='Customer',
            name='phone',
            field=EncryptedTextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Customer',
            name='address',
            field=EncryptedTextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Customer',
            name='id_number_bidx',
            field=BlindIndexField(null=True, db_index=True, source='id_number'),
        ),
        ops.AddField(
            model_name='Customer',
            name='phone_bidx',
            field=BlindIndexField(null=True, db_index=True, source='phone'),
        ),
    ]
