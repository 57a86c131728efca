from tortoise import migrations
from tortoise.migrations import operations as ops
from models.approvals import ApprovalAction, ApprovalFunction, ApprovalStatus
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('marketing', '0003_audit_chains')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApprovalRequest',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(null=True, db_index=True)),
                ('function', fields.CharEnumField(description='TIER_SCHEME: TIER_SCHEME\nTIER_CHANGE: TIER_CHANGE\nPRODUCT_LISTING: PRODUCT_LISTING\nCHANGE_REQUEST: CHANGE_REQUEST\nMARKETING_SCHEME: MARKETING_SCHEME\nBRANCH_TARGET: BRANCH_TARGET', enum_type=ApprovalFunction, max_length=20)),
                ('subject_id', fields.UUIDField(db_index=True)),
                ('org_path', fields.CharField(max_length=400)),
                ('title', fields.CharField(default='', max_length=200)),
                ('created_by', fields.UUIDField()),
                ('submitted_by', fields.UUIDField()),
                ('status', fields.CharEnumField(default=ApprovalStatus.PENDING, description='PENDING: PENDING\nAPPROVED: APPROVED\nREJECTED: REJECTED\nWITHDRAWN: WITHDRAWN', enum_type=ApprovalStatus, max_length=10)),
                ('step', fields.SmallIntField(default=0)),
                ('steps', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('roles', fields.CharField(default='', max_length=200)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'approval_request', 'app': 'marketing', 'pk_attr': 'id', 'table_description': 'A marketing scheme review (营销方案审核) under way (resolvers/common/approvals.py).'},
            bases=['ApprovalRequestBase'],
        ),
        ops.CreateModel(
            name='ApprovalStep',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(null=True, db_index=True)),
                ('function', fields.CharEnumField(description='TIER_SCHEME: TIER_SCHEME\nTIER_CHANGE: TIER_CHANGE\nPRODUCT_LISTING: PRODUCT_LISTING\nCHANGE_REQUEST: CHANGE_REQUEST\nMARKETING_SCHEME: MARKETING_SCHEME\nBRANCH_TARGET: BRANCH_TARGET', enum_type=ApprovalFunction, max_length=20)),
                ('subject_id', fields.UUIDField(db_index=True)),
                ('request_id', fields.UUIDField(null=True, db_index=True)),
                ('step', fields.SmallIntField(null=True)),
                ('action', fields.CharEnumField(description='SUBMIT: SUBMIT\nAPPROVE: APPROVE\nREJECT: REJECT\nWITHDRAW: WITHDRAW', enum_type=ApprovalAction, max_length=10)),
                ('actor_id', fields.UUIDField()),
                ('comment', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'approval_step', 'app': 'marketing', 'pk_attr': 'id', 'table_description': '审批记录 of marketing schemes.'},
            bases=['ApprovalStepBase'],
        ),
    ]
