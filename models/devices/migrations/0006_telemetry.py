"""Telemetry (遥测): thresholds, baselines, breach states, roll-up watermarks; and the raw and roll-up
tables Tortoise does not describe (models/devices/telemetry_sql.py: partitioned by day on PostgreSQL)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from uuid import uuid4
from tortoise import fields

from models.devices.telemetry_sql import TelemetryTables

class Migration(migrations.Migration):
    dependencies = [('devices', '0005_device_core')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MetricBaseline',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('device_id', fields.UUIDField(db_index=True)),
                ('metric', fields.CharField(max_length=40)),
                ('mean', fields.FloatField()),
                ('stddev', fields.FloatField()),
                ('samples', fields.BigIntField()),
                ('hours', fields.IntField()),
                ('learned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'metric_baseline', 'app': 'devices', 'unique_together': (('device_id', 'metric'),), 'pk_attr': 'id', 'table_description': "基准线: a metric's mean and standard deviation over the last ``baseline_days`` of hourly"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MetricState',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('device_id', fields.UUIDField(db_index=True)),
                ('metric', fields.CharField(max_length=40)),
                ('last_value', fields.FloatField()),
                ('last_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('breached', fields.BooleanField(default=False)),
                ('changed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'metric_state', 'app': 'devices', 'unique_together': (('device_id', 'metric'),), 'pk_attr': 'id', 'table_description': "Each (device, metric)'s latest sample and whether it is breached: a breach and its clearing"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MetricThreshold',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('device_id', fields.UUIDField(db_index=True)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('metric', fields.CharField(max_length=40)),
                ('high', fields.FloatField(null=True)),
                ('low', fields.FloatField(null=True)),
                ('set_by', fields.UUIDField()),
            ],
            options={'table': 'metric_threshold', 'app': 'devices', 'unique_together': (('device_id', 'metric'),), 'pk_attr': 'id', 'table_description': 'A fixed threshold (固定阈值) on one metric of one device: wins over the baseline when set.'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='TelemetryWatermark',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=20)),
                ('upto', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'telemetry_watermark', 'app': 'devices', 'pk_attr': 'name', 'table_description': 'How far each roll-up (``minute``, ``hour``) has been computed: its buckets before ``upto``.'},
            bases=['Model'],
        ),
        TelemetryTables(),
    ]
