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
