from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('customers', '0013_consumer_cursor')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApplicantLink',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='applicant_links', on_delete=OnDelete.CASCADE)),
                ('user_id', fields.UUIDField(db_index=True)),
                ('application_id', fields.UUIDField()),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('consent', fields.ForeignKeyField('customers.Consent', source_field='consent_id', db_constraint=True, to_field='id', related_name='applicant_links', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'applicant_link', 'app': 'customers', 'unique_together': (('customer', 'user_id'),), 'pk_attr': 'id', 'table_description': '客户关联: a self-registered applicant (an operations User, 企业 / 个人) recognised as this bank'},
            bases=['Entity'],
        ),
    ]
