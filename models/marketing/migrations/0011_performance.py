from tortoise import migrations
from tortoise.migrations import operations as ops
from models.marketing.performance import MeasureKind, PeriodKind, TargetAction, TargetLevel, TargetStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('marketing', '0010_scheme_points')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PerformanceIndicator',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('code', fields.CharField(max_length=32)),
                ('name', fields.CharField(max_length=50)),
                ('category', fields.CharField(max_length=20)),
                ('unit', fields.CharField(max_length=10)),
                ('measure', fields.CharEnumField(description='CUSTOMERS_MANAGED: CUSTOMERS_MANAGED\nNEW_CUSTOMERS: NEW_CUSTOMERS\nCONTACTS: CONTACTS\nWORK_ORDERS_DONE: WORK_ORDERS_DONE\nOPPORTUNITIES_CONVERTED: OPPORTUNITIES_CONVERTED\nDEPOSIT_BALANCE: DEPOSIT_BALANCE\nLOAN_BALANCE: LOAN_BALANCE', enum_type=MeasureKind, max_length=24)),
                ('weight', fields.DecimalField(max_digits=5, decimal_places=2)),
                ('active', fields.BooleanField(default=True)),
                ('created_by', fields.UUIDField()),
                ('updated_by', fields.UUIDField()),
            ],
            options={'table': 'performance_indicator', 'app': 'marketing', 'unique_together': (('tenant_id', 'code'),), 'pk_attr': 'id', 'table_description': "指标: one of a bank's performance indicators."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='PerformanceTarget',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('indicator', fields.ForeignKeyField('marketing.PerformanceIndicator', source_field='indicator_id', db_constraint=True, to_field='id', related_name='targets', on_delete=OnDelete.RESTRICT)),
                ('level', fields.CharEnumField(description='ORG: ORG\nSTAFF: STAFF', enum_type=TargetLevel, max_length=5)),
                ('assignee_id', fields.UUIDField()),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('period', fields.CharField(db_index=True, max_length=7)),
                ('period_kind', fields.CharEnumField(description='MONTH: MONTH\nQUARTER: QUARTER\nYEAR: YEAR', enum_type=PeriodKind, max_length=7)),
                ('target', fields.DecimalField(null=True, max_digits=18, decimal_places=2)),
                ('proposed', fields.DecimalField(null=True, max_digits=18, decimal_places=2)),
                ('status', fields.CharEnumField(description='PENDING: PENDING\nAPPROVED: APPROVED\nREJECTED: REJECTED', enum_type=TargetStatus, max_length=8)),
                ('parent_id', fields.UUIDField(null=True, db_index=True)),
                ('created_by', fields.UUIDField()),
                ('proposed_by', fields.UUIDField(null=True)),
                ('decided_by', fields.UUIDField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'performance_target', 'app': 'marketing', 'unique_together': (('indicator', 'assignee_id', 'period'),), 'pk_attr': 'id', 'table_description': "目标: one indicator's figure for one org (ORG) or staff member (STAFF) in one period."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='TargetChange',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('tenant_id', fields.UUIDField(db_index=True)),
                ('target_id', fields.UUIDField(db_index=True)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('assignee_id', fields.UUIDField()),
                ('action', fields.CharEnumField(description='SET: SET\nAPPROVE: APPROVE\nREJECT: REJECT\nSPLIT: SPLIT\nREMOVE: REMOVE', enum_type=TargetAction, max_length=8)),
                ('before', fields.DecimalField(null=True, max_digits=18, decimal_places=2)),
                ('after', fields.DecimalField(null=True, max_digits=18, decimal_places=2)),
                ('actor_id', fields.UUIDField()),
                ('comment', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'performance_target_change', 'app': 'marketing', 'pk_attr': 'id', 'table_description': '留痕: one change of a target, who made it and the figure before and after.'},
            bases=['Entity'],
        ),
    ]
