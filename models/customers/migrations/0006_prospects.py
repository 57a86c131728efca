from tortoise import migrations
from tortoise.migrations import operations as ops
from models.common import BlindIndexField, EncryptedTextField
from models.customers.prospects import ProspectStatus
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('customers', '0005_profile')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Prospect',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('org_id', fields.UUIDField(db_index=True)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('manager_id', fields.UUIDField(db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('corporate', fields.BooleanField(default=False)),
                ('phone', EncryptedTextField(default='', unique=False)),
                ('phone_bidx', BlindIndexField(null=True, db_index=True, source='phone')),
                ('source', fields.CharField(default='', max_length=30)),
                ('note', fields.CharField(default='', max_length=500)),
                ('next_contact_on', fields.DateField(null=True, db_index=True)),
                ('status', fields.CharEnumField(default=ProspectStatus.OPEN, description='OPEN: OPEN\nCONVERTED: CONVERTED\nDROPPED: DROPPED', enum_type=ProspectStatus, max_length=10)),
                ('customer_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'prospect', 'app': 'customers', 'pk_attr': 'id'},
            bases=['Entity'],
        ),
    ]
