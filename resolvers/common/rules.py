"""Platform parameters the domain reads, each from ``DCMS_<NAME>`` at start-up (subgraphs/settings.py
reads them; resolvers never read the environment). A GraphQL field finds them as
``info.context.rules``; a job is given them when it starts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rules:
    max_institutions_per_need: int = 3  # N: institutions that may each grab one financing need (多家机构)
    maturity_notice_days: int = 7  # a deposit or loan's reminder goes out this many days before it matures
    deadline_check_seconds: float = 60.0  # how often each finance process checks SLA deadlines
    reminder_job_seconds: float = 60.0  # how often each customers process generates due reminders
    # 业务报表 (resolvers/customers/reports.py): how often each customers process checks that last
    # month's reports are generated (the run itself happens once, after the month ends).
    report_job_seconds: float = 3600.0
    incident_check_seconds: float = 60.0  # how often each operations process checks SLAs and escalations
    # 告警升级: an unacknowledged critical alert becomes an incident after this many minutes
    # (resolvers/operations/jobs.py escalate_stale_alerts), checked every alert_escalation_seconds.
    alert_incident_minutes: int = 15
    alert_escalation_seconds: float = 60.0
    backup_check_seconds: float = 300.0  # how often each operations process checks for missing backups
    # 巡检 (resolvers/operations/inspections.py): how often each operations process makes the due
    # inspection tasks, and the limits on a record's photos (stored in the database).
    inspection_job_seconds: float = 300.0
    inspection_photo_max_bytes: int = 2 * 1024 * 1024  # 2 MiB a photo
    inspection_photos_per_record: int = 6
    # 设备 (resolvers/devices/jobs.py): how often each devices process marks silent devices offline
    # and unanswered commands timed out.
    device_check_seconds: float = 15.0
    # 遥测与基准线 (resolvers/devices/telemetry.py, rollups.py): how long raw samples, the
    # 1-minute and the 1-hour roll-ups are kept; the days a baseline (基准线) learns from, its k·σ
    # band and the hours of history it needs; how often the jobs run; how late a sample may arrive.
    telemetry_retention_days: int = 30
    telemetry_minute_retention_days: int = 90
    telemetry_hour_retention_days: int = 730
    telemetry_late_hours: int = 24  # a sample older than this is dropped (its partition may be gone)
    telemetry_partitions_ahead: int = 3  # PostgreSQL: daily partitions made this many days ahead
    telemetry_rollup_seconds: float = 60.0
    telemetry_maintenance_seconds: float = 3600.0
    baseline_days: int = 7
    baseline_k: float = 3.0
    baseline_min_hours: int = 24
    baseline_job_seconds: float = 3600.0
    # 商机规则 (resolvers/marketing/rules.py): how often each marketing process runs the system rules
    # over customer data, how far ahead a maturing deposit raises a renewal opportunity, and the
    # amount of one incoming transaction that raises a wealth-allocation opportunity.
    opportunity_rule_seconds: float = 3600.0
    opportunity_maturity_days: int = 30
    opportunity_large_inflow: int = 500_000
    # 日志保存 (resolvers/operations/logs.py ``purge_logs``): how long the login log (登录日志) and the
    # operation log (操作日志, page views) are kept, in days from when each row was recorded — never
    # less than 180 (网络安全法 第二十一条: network logs kept at least six months, 不少于六个月) — how
    # many rows one delete takes and how many deletes one run makes at most, and how often it runs.
    login_log_retention_days: int = 365
    page_view_retention_days: int = 180
    log_retention_batch: int = 5000
    log_retention_batches: int = 100
    log_retention_seconds: float = 3600.0
