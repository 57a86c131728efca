from tortoise import migrations
from tortoise.migrations import operations as ops
from models.common import BlindIndexField, EncryptedTextField
from models.customers import AssignmentKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('customers', '0002_audit_record')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CustomerAssignment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.CASCADE)),
                ('manager_id', fields.UUIDField(db_index=True)),
                ('kind', fields.CharEnumField(description='ASSISTING: ASSISTING\nCUSTODIAN: CUSTODIAN', enum_type=AssignmentKind, max_length=10)),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'customer_assignment', 'app': 'customers', 'pk_attr': 'id', 'table_description': '管户关系 besides the primary manager: assisting managers and temporary custodians.'},
            bases=['Entity'],
        ),
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
