"""The incident checks a job runs every minute (jobs.py ``watch_incidents``), each once across
replicas (``exclusive``), with a constant number of reads whatever the number of incidents, and
writing in transactions of ``CHUNK`` (a backlog never holds many incidents' rows at once):

- ``check_sla``: a respond, on-site or resolve target missed → the incident's BREACH step, its
  event, and an alert (deduplicated: one per incident and clock).
- ``escalate``: the confirmation matrix (确认时间, seed 004): by ``after_minutes`` from the report an
  incident of a level must have been confirmed by someone of a tier (技术服务人员 → 专业工程师 →
  技术支持专家 → 服务项目经理); when nobody of that tier (or higher) has confirmed it, nor was it
  escalated to that tier yet, it is escalated to it. And an incident that has not moved for the
  policy's interval (升级时间, 2 h) is escalated to the next tier. An escalation notifies the staff
  of that tier whose org covers the incident's (the ``incidents`` stream, ``people``) and is a
  step of its history.

Both take ``moment`` (default now) so that tests drive them with a test clock.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from tortoise.expressions import Q

from models.operations import (
    TIERS,
    AlertLevel,
    EscalationStep,
    Incident,
    IncidentAction,
    IncidentLevel,
    ServicePolicy,
    SupportTier,
    User,
)
from resolvers.common.clock import now
from resolvers.common.jobs import exclusive
from resolvers.operations.alerts import raise_system_alert
from resolvers.operations.incidents import rank, record_step
from resolvers.operations.sla import OPEN, SlaKind

SLA_LOCK = 0x5D_C0_51  # pg advisory lock keys: one run of each check at a time across replicas
ESCALATION_LOCK = 0x5D_C0_E5
BATCH = 500  # open incidents looked at per escalation run at most, those standing still longest first
CHUNK = 50  # breaches or escalations written per transaction

# Each clock: its due column, its breach flag, and what stops it besides leaving the open states.
CLOCKS: dict[SlaKind, tuple[str, str, Q]] = {
    SlaKind.RESPOND: ("respond_due_at", "respond_breached", Q(confirmed_at=None)),
    SlaKind.ON_SITE: ("on_site_due_at", "on_site_breached", Q(on_site_at=None)),
    SlaKind.RESOLVE: ("resolve_due_at", "resolve_breached", Q()),
}
CLOCK_NAMES = {SlaKind.RESPOND: "响应超时", SlaKind.ON_SITE: "到场超时", SlaKind.RESOLVE: "排除超时"}
SEVERE = (IncidentLevel.LEVEL_1, IncidentLevel.LEVEL_2)


async def check_sla(moment: datetime | None = None) -> int:
    """Mark each target missed by ``moment`` once, with a BREACH step, an event and an alert, in
    transactions of ``CHUNK`` breaches (a backlog never holds many incidents' rows at once).
    Returns the number of breaches found."""
    moment = moment or now()
    found = 0
    while True:
        async with exclusive("operations", SLA_LOCK) as mine:
            if not mine:
                return found
            chunk = await _breaches(moment, CHUNK)
        found += chunk
        if chunk < CHUNK:
            return found


async def _breaches(moment: datetime, limit: int) -> int:
    """Up to ``limit`` missed targets, each marked, recorded and alerted (in the caller's transaction)."""
    found = 0
    for kind, (due, flag, running) in CLOCKS.items():
        late = Incident.filter(running, status__in=OPEN, **{f"{due}__lt": moment, flag: False})
        for incident in await late.order_by(due).limit(limit - found):
            if not await Incident.filter(id=incident.id, **{flag: False}).update(**{flag: True}):
                continue
            setattr(incident, flag, True)
            what = CLOCK_NAMES[kind]
            detail = {"clock": kind}
            await record_step(
                incident, IncidentAction.BREACH, incident.status, None, None, moment, what, detail
            )
            await raise_system_alert(
                incident.org_id,
                AlertLevel.CRITICAL if incident.level in SEVERE else AlertLevel.WARNING,
                f"SLA {what}：{incident.code} {incident.title}",
                source="sla",
                dedup_key=f"sla:{incident.id}:{kind}",
                detail=f"时限 {getattr(incident, due).isoformat()}",
                moment=moment,
            )
            found += 1
        if found >= limit:
            break
    return found


async def escalate(moment: datetime | None = None) -> int:
    """Escalate each open incident the matrix or its standing still calls for (see the module), in
    transactions of ``CHUNK`` escalations. Returns the number of escalations."""
    moment = moment or now()
    incidents = await Incident.filter(status__in=OPEN).order_by("last_moved_at").limit(BATCH)
    if not incidents:
        return 0
    policy_ids = {i.policy_id for i in incidents}
    policies = {p.id: p for p in await ServicePolicy.filter(id__in=policy_ids)}
    matrix: dict[tuple[object, IncidentLevel], list[EscalationStep]] = defaultdict(list)
    for step in await EscalationStep.filter(policy_id__in=policy_ids):
        matrix[(step.policy_id, step.level)].append(step)
    due = [
        (incident, escalation)
        for incident in incidents
        if (
            escalation := due_escalation(
                incident, matrix[(incident.policy_id, incident.level)], policies[incident.policy_id], moment
            )
        )
    ]
    if not due:
        return 0
    staff = await User.filter(support_tier__isnull=False).select_related("org")
    done = 0
    for start in range(0, len(due), CHUNK):
        async with exclusive("operations", ESCALATION_LOCK) as mine:
            if not mine:
                return done
            for incident, (tier, reason) in due[start : start + CHUNK]:
                done += await _escalate(incident, tier, reason, policies[incident.policy_id], staff, moment)
    return done


async def _escalate(
    incident: Incident,
    tier: SupportTier,
    reason: str,
    policy: ServicePolicy,
    staff: list[User],
    moment: datetime,
) -> int:
    """Escalate ``incident`` to ``tier`` from the state it was read in (1), or leave it for the
    next run when a step or another escalation came first (0)."""
    escalated = await Incident.filter(
        id=incident.id, status=incident.status, escalations=incident.escalations
    ).update(escalated_tier=tier, escalations=incident.escalations + 1, last_moved_at=moment)
    if not escalated:
        return 0
    await incident.refresh_from_db()
    notified = [
        str(u.id) for u in staff if u.support_tier is tier and incident.org_path.startswith(u.org.path)
    ]
    detail = {"tier": tier, "reason": reason, "notified": notified}
    note = "超过确认时限，升级" if reason == "matrix" else f"{policy.stagnation_minutes} 分钟无进展，升级"
    await record_step(incident, IncidentAction.ESCALATE, incident.status, None, tier, moment, note, detail)
    return 1


def due_escalation(
    incident: Incident, matrix: list[EscalationStep], policy: ServicePolicy, moment: datetime
) -> tuple[SupportTier, str] | None:
    """The tier ``incident`` must be escalated to at ``moment`` and why ("matrix": a confirmation
    is late; "stalled": no movement for the policy's interval), or None. No statement."""
    covered = max(rank(incident.confirmed_tier), rank(incident.escalated_tier))
    elapsed = moment - incident.reported_at - timedelta(seconds=incident.paused_seconds)
    required = max(
        (rank(s.tier) for s in matrix if elapsed >= timedelta(minutes=s.after_minutes)), default=-1
    )
    if required > covered:
        return TIERS[required], "matrix"
    stalled = moment - incident.last_moved_at >= timedelta(minutes=policy.stagnation_minutes)
    if stalled and covered < len(TIERS) - 1:
        return TIERS[covered + 1], "stalled"
    return None
