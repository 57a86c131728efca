from tortoise import migrations
from tortoise.migrations import operations as ops
from models.operations.logs import ClientKind, LoginOutcome
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('operations', '0018_announcements')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LoginEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('username', fields.CharField(max_length=64)),
                ('user_id', fields.UUIDField(null=True, db_index=True)),
                ('tenant_id', fields.UUIDField(null=True)),
                ('org_path', fields.CharField(null=True, max_length=400)),
                ('outcome', fields.CharEnumField(description='SUCCESS: SUCCESS\nWRONG_CREDENTIALS: WRONG_CREDENTIALS\nLOCKED_OUT: LOCKED_OUT\nPASSWORD_CHANGE_REQUIRED: PASSWORD_CHANGE_REQUIRED\nNEW_PASSWORD_REFUSED: NEW_PASSWORD_REFUSED\nLOGOUT: LOGOUT', enum_type=LoginOutcome, max_length=24)),
                ('address', fields.CharField(max_length=64)),
                ('user_agent', fields.CharField(default='', max_length=256)),
            ],
            options={'table': 'login_event', 'app': 'operations', 'indexes': [Index(fields=['tenant_id', 'created_at'])], 'pk_attr': 'id', 'table_description': '登录日志: one login attempt or logout (``created_at`` is when). Never the password.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='PageView',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('view_id', fields.CharField(max_length=64)),
                ('user_id', fields.UUIDField()),
                ('username', fields.CharField(max_length=64)),
                ('tenant_id', fields.UUIDField(null=True)),
                ('org_path', fields.CharField(max_length=400)),
                ('menu_code', fields.CharField(max_length=64)),
                ('client', fields.CharEnumField(description='PC: PC\nAPP: APP', enum_type=ClientKind, max_length=8)),
                ('entered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('seconds', fields.IntField()),
            ],
            options={'table': 'page_view', 'app': 'operations', 'unique_together': (('user_id', 'view_id'),), 'indexes': [Index(fields=['tenant_id', 'created_at']), Index(fields=['menu_code', 'entered_at'])], 'pk_attr': 'id', 'table_description': '操作日志: one visit to a menu item (菜单点击) and the seconds spent on the page, reported by'},
            bases=['Entity'],
        ),
    ]
