from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from decimal import Decimal
from json import dumps, loads
from models.customers.ownership import OwnershipChangeKind
from models.customers.reminder_sources import Direction
from models.customers.segments import ConsentPurpose, GroupSource
from enum import StrEnum

from models.approvals import ApprovalAction
from models.customers.tiering import RequestStatus, SchemeStatus


class ApprovalSubject(StrEnum):  # the approval trail's subject before migration 0011 (the approvals engine)
    TIER_SCHEME = "TIER_SCHEME"
    TIER_CHANGE = "TIER_CHANGE"
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('customers', '0007_reminder_source')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccountMovement',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='movements', on_delete=OnDelete.CASCADE)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('reference', fields.CharField(max_length=64)),
                ('direction', fields.CharEnumField(description='IN: IN\nOUT: OUT', enum_type=Direction, max_length=3)),
                ('amount', fields.DecimalField(max_digits=18, decimal_places=2)),
                ('counterparty', fields.CharField(default='', max_length=100)),
                ('occurred_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_movement', 'app': 'customers', 'unique_together': (('tenant_id', 'reference'),), 'pk_attr': 'id', 'table_description': '动账: one movement on an account of a customer, as the core banking feed reports it.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ApprovalStep',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('subject', fields.CharEnumField(description='TIER_SCHEME: TIER_SCHEME\nTIER_CHANGE: TIER_CHANGE', enum_type=ApprovalSubject, max_length=12)),
                ('subject_id', fields.UUIDField(db_index=True)),
                ('action', fields.CharEnumField(description='SUBMIT: SUBMIT\nAPPROVE: APPROVE\nREJECT: REJECT\nWITHDRAW: WITHDRAW', enum_type=ApprovalAction, max_length=10)),
                ('actor_id', fields.UUIDField()),
                ('comment', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'approval_step', 'app': 'customers', 'pk_attr': 'id', 'table_description': '审批记录: one row per step of the review of a scheme or the approval of a tier change.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='Consent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.CASCADE)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('purpose', fields.CharEnumField(description='RECOMMENDATION: RECOMMENDATION\nCREDIT_REPORT: CREDIT_REPORT\nDATA_USE: DATA_USE', enum_type=ConsentPurpose, max_length=14)),
                ('granted_by', fields.UUIDField()),
                ('evidence', fields.CharField(default='', max_length=200)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'consent', 'app': 'customers', 'pk_attr': 'id', 'table_description': '授权: a customer (enterprise or individual) authorises one use of their data until'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='CustomerGroup',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('kind', fields.CharField(max_length=10)),
                ('source', fields.CharEnumField(description='SYSTEM: SYSTEM\nCUSTOM: CUSTOM', enum_type=GroupSource, max_length=6)),
                ('rule', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_by', fields.UUIDField()),
            ],
            options={'table': 'customer_group', 'app': 'customers', 'pk_attr': 'id', 'table_description': '客群 of a member bank: retail or corporate, system groups by rule, custom by members.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='GridOrg',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('grid', fields.ForeignKeyField('customers.Grid', source_field='grid_id', db_constraint=True, to_field='id', related_name='org_links', on_delete=OnDelete.CASCADE)),
                ('org_id', fields.UUIDField(db_index=True)),
            ],
            options={'table': 'grid_org', 'app': 'customers', 'unique_together': (('grid', 'org_id'),), 'pk_attr': 'id', 'table_description': '网格 ↔ 机构 mapping (a grid may span several outlets).'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='GroupMember',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('group', fields.ForeignKeyField('customers.CustomerGroup', source_field='group_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='group_memberships', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'group_member', 'app': 'customers', 'unique_together': (('group', 'customer'),), 'pk_attr': 'id'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='MarketingExclusion',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.OneToOneField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='marketing_exclusion', on_delete=OnDelete.CASCADE)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('reason', fields.CharField(max_length=500)),
                ('created_by', fields.UUIDField()),
            ],
            options={'table': 'marketing_exclusion', 'app': 'customers', 'pk_attr': 'id', 'table_description': '营销过滤: a customer excluded from all marketing, with why and by whom.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='OwnershipChange',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='ownership_changes', on_delete=OnDelete.CASCADE)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('kind', fields.CharEnumField(description='ALLOCATE: ALLOCATE\nRETURN_TO_ORG: RETURN_TO_ORG\nHAND_OVER: HAND_OVER\nTRANSFER: TRANSFER\nCUSTODY_START: CUSTODY_START\nCUSTODY_END: CUSTODY_END\nASSIST_ADD: ASSIST_ADD\nASSIST_REMOVE: ASSIST_REMOVE', enum_type=OwnershipChangeKind, max_length=14)),
                ('from_manager_id', fields.UUIDField(null=True)),
                ('to_manager_id', fields.UUIDField(null=True)),
                ('from_org_id', fields.UUIDField(null=True)),
                ('to_org_id', fields.UUIDField(null=True)),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('actor_id', fields.UUIDField()),
            ],
            options={'table': 'ownership_change', 'app': 'customers', 'pk_attr': 'id', 'table_description': 'Who, when, what: one row per change, ``created_at`` is when.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ReminderPolicy',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(unique=True)),
                ('large_transaction_threshold', fields.DecimalField(default=Decimal('500000'), max_digits=18, decimal_places=2)),
            ],
            options={'table': 'reminder_policy', 'app': 'customers', 'pk_attr': 'id', 'table_description': 'The reminder parameters (提醒参数) of a member bank.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='ScheduleItem',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('manager_id', fields.UUIDField(db_index=True)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('customer_id', fields.UUIDField(null=True)),
                ('title', fields.CharField(max_length=200)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('remind_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'schedule_item', 'app': 'customers', 'pk_attr': 'id', 'table_description': '日程: an appointment of a manager, optionally about a customer, reminded at ``remind_at``.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='TierChange',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='tier_changes', on_delete=OnDelete.CASCADE)),
                ('from_tier', fields.CharField(max_length=10)),
                ('to_tier', fields.CharField(max_length=10)),
                ('request_id', fields.UUIDField(null=True)),
                ('scheme_id', fields.UUIDField(null=True)),
                ('actor_id', fields.UUIDField()),
            ],
            options={'table': 'tier_change', 'app': 'customers', 'pk_attr': 'id', 'table_description': '等级变动历史: one row per tier move, from an approved request or an activated scheme.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='TierChangeRequest',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('customers.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='tier_requests', on_delete=OnDelete.CASCADE)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('from_tier', fields.CharField(max_length=10)),
                ('to_tier', fields.CharField(max_length=10)),
                ('reason', fields.CharField(max_length=500)),
                ('status', fields.CharEnumField(default=RequestStatus.PENDING, description='PENDING: PENDING\nAPPROVED: APPROVED\nREJECTED: REJECTED\nWITHDRAWN: WITHDRAWN', enum_type=RequestStatus, max_length=10)),
                ('requested_by', fields.UUIDField(db_index=True)),
                ('decided_by', fields.UUIDField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision_comment', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'tier_change_request', 'app': 'customers', 'pk_attr': 'id', 'table_description': '调级申请 by a manager or branch head, applied only when approved.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='TierScheme',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('bands', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=SchemeStatus.DRAFT, description='DRAFT: DRAFT\nPENDING_REVIEW: PENDING_REVIEW\nACTIVE: ACTIVE\nREJECTED: REJECTED\nRETIRED: RETIRED', enum_type=SchemeStatus, max_length=16)),
                ('created_by', fields.UUIDField()),
                ('reviewed_by', fields.UUIDField(null=True)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('review_comment', fields.CharField(default='', max_length=500)),
                ('activated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tier_scheme', 'app': 'customers', 'pk_attr': 'id', 'table_description': '分层方案 of a member bank: AUM bands per tier (``bands``: [{"tier": …, "minAum": …}]).'},
            bases=['Entity'],
        ),
        ops.AddField(
            model_name='Grid',
            name='parent',
            field=fields.ForeignKeyField('customers.Grid', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT),
        ),
        ops.AlterModelOptions(
            name='Reminder',
            options={'table': 'reminder', 'app': 'customers', 'unique_together': (('source_key', 'manager_id'),), 'pk_attr': 'id', 'table_description': '提醒, delivered live to the responsible manager (about a customer, or none: a prospect or'},
        ),
        ops.AlterField(
            model_name='Reminder',
            name='customer',
            field=fields.ForeignKeyField('customers.Customer', source_field='customer_id', null=True, db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.CASCADE),
        ),
    ]
