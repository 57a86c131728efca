"""遥测 (telemetry) of the devices: fixed thresholds (阈值) set by staff, baselines (基准线) learned
from the hourly roll-ups, and each (device, metric)'s breach state.

The samples and their roll-ups are not Tortoise models: the raw table is partitioned by day on
PostgreSQL (a primary key holding the partition key, which Tortoise cannot describe), and every
write to them is one multi-row statement. Their tables are made by the migration
``0006_telemetry`` (SQL in ``models/devices/telemetry_sql.py``) and read and written by
resolvers/devices/telemetry.py.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.common import Entity


class MetricThreshold(Entity):
    """A fixed threshold (固定阈值) on one metric of one device: wins over the baseline when set."""

    device_id = fields.UUIDField(db_index=True)
    org_path = fields.CharField(max_length=400, db_index=True)  # the device's hall, for scope
    metric = fields.CharField(max_length=40)
    high = fields.FloatField(null=True)  # breached above
    low = fields.FloatField(null=True)  # breached below
    set_by = fields.UUIDField()

    class Meta:
        table = "metric_threshold"
        unique_together = (("device_id", "metric"),)


class MetricBaseline(Model):
    """基准线: a metric's mean and standard deviation over the last ``baseline_days`` of hourly
    roll-ups, learned by a job (rollups.py ``learn_baselines``)."""

    id = fields.UUIDField(primary_key=True)
    device_id = fields.UUIDField(db_index=True)
    metric = fields.CharField(max_length=40)
    mean = fields.FloatField()
    stddev = fields.FloatField()
    samples = fields.BigIntField()  # raw samples behind it
    hours = fields.IntField()  # hourly buckets behind it: no breach by baseline below the minimum
    learned_at = fields.DatetimeField()

    class Meta:
        table = "metric_baseline"
        unique_together = (("device_id", "metric"),)


class MetricState(Model):
    """Each (device, metric)'s latest sample and whether it is breached: a breach and its clearing
    are conditional UPDATEs of ``breached`` here, so each transition is published once."""

    id = fields.UUIDField(primary_key=True)
    device_id = fields.UUIDField(db_index=True)
    metric = fields.CharField(max_length=40)
    last_value = fields.FloatField()
    last_at = fields.DatetimeField()
    breached = fields.BooleanField(default=False)
    changed_at = fields.DatetimeField(null=True)  # the last transition

    class Meta:
        table = "metric_state"
        unique_together = (("device_id", "metric"),)


class TelemetryWatermark(Model):
    """How far each roll-up (``minute``, ``hour``) has been computed: its buckets before ``upto``."""

    name = fields.CharField(max_length=20, primary_key=True)
    upto = fields.DatetimeField()

    class Meta:
        table = "telemetry_watermark"
