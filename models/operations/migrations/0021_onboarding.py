from tortoise import migrations
from tortoise.migrations import operations as ops
from models.common import BlindIndexField, EncryptedTextField
from models.operations.onboarding import ApplicantKind, ApplicantStatus, SignupMessageStatus
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('operations', '0020_roles')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApplicantApplication',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('kind', fields.CharEnumField(description='ENTERPRISE: ENTERPRISE\nINDIVIDUAL: INDIVIDUAL', enum_type=ApplicantKind, max_length=10)),
                ('status', fields.CharEnumField(default=ApplicantStatus.PENDING, description='PENDING: PENDING\nAPPROVED: APPROVED\nREJECTED: REJECTED', enum_type=ApplicantStatus, max_length=8)),
                ('name', fields.CharField(max_length=100)),
                ('credit_code', EncryptedTextField(null=True, unique=False)),
                ('credit_code_bidx', BlindIndexField(null=True, db_index=True, source='credit_code')),
                ('id_number', EncryptedTextField(null=True, unique=False)),
                ('id_number_bidx', BlindIndexField(null=True, db_index=True, source='id_number')),
                ('phone', EncryptedTextField(unique=False)),
                ('phone_bidx', BlindIndexField(null=True, db_index=True, source='phone')),
                ('active_phone', fields.CharField(null=True, unique=True, max_length=64)),
                ('username', fields.CharField(db_index=True, max_length=64)),
                ('active_username', fields.CharField(null=True, unique=True, max_length=64)),
                ('password_hash', fields.CharField(max_length=255)),
                ('link_consent', fields.BooleanField(default=False)),
                ('address', fields.CharField(default='', max_length=64)),
                ('reviewed_by', fields.UUIDField(null=True)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reject_reason', fields.CharField(default='', max_length=200)),
                ('user_id', fields.UUIDField(null=True, unique=True)),
            ],
            options={'table': 'applicant_application', 'app': 'operations', 'pk_attr': 'id', 'table_description': '注册申请: an enterprise or individual who registered with a verified phone, waiting for an'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='InstitutionOnboarding',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('credit_code', fields.CharField(unique=True, max_length=18)),
                ('org_id', fields.UUIDField(unique=True)),
                ('institution_id', fields.UUIDField(unique=True)),
                ('name', fields.CharField(max_length=100)),
                ('kind', fields.CharField(max_length=20)),
                ('district', fields.CharField(default='', max_length=50)),
                ('admin_user_id', fields.UUIDField()),
                ('created_by', fields.UUIDField()),
            ],
            options={'table': 'institution_onboarding', 'app': 'operations', 'pk_attr': 'id', 'table_description': '金融机构入驻: the org, the finance institution (made by finance from the'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='SignupCode',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('phone_bidx', fields.CharField(db_index=True, max_length=64)),
                ('code_hash', fields.CharField(max_length=64)),
                ('address', fields.CharField(db_index=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'signup_code', 'app': 'operations', 'pk_attr': 'id', 'table_description': '验证码: one code sent to a phone. Only its keyed hash is kept (HMAC with the PII index key,'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='SignupMessage',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('phone', EncryptedTextField(unique=False)),
                ('body', EncryptedTextField(unique=False)),
                ('status', fields.CharEnumField(default=SignupMessageStatus.QUEUED, db_index=True, description='QUEUED: QUEUED\nSENT: SENT\nFAILED: FAILED', enum_type=SignupMessageStatus, max_length=6)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=300)),
            ],
            options={'table': 'signup_message', 'app': 'operations', 'pk_attr': 'id', 'table_description': '短信发件箱: the text carrying a signup code, written in the transaction that made the code and'},
            bases=['Entity'],
        ),
    ]
