"""提醒 generated from what happens to customers, pushed live on ``reminders``:

- 大额动账: a single movement in or out of at least the member bank's threshold
  (``ReminderPolicy``), as soon as the core banking feed records it (reminders.py) and again by
  the job for movements loaded some other way;
- 存款到期 / 贷款到期: maturities within ``rules.maturity_notice_days`` (``DCMS_MATURITY_NOTICE_DAYS``, 7);
- 潜客下次联系: a prospect's next-contact date, on the day, to the manager keeping it;
- 日程: a manager's schedule item at its reminder time.

Each source is a list of ``Draft``s, delivered as every reminder is (reminders.py ``deliver``:
never sent twice). The job reads what is due, then delivers it in one transaction, once across
replicas (resolvers/common/jobs.py), every ``rules.reminder_job_seconds`` (``DCMS_REMINDER_JOB_SECONDS``, 60).

业务报表 (``watch_reports``): after a month ends, its snapshots and report rows (reports.py).
``org_changes``: the org tree's changes (operations' ``operations.orgs`` stream), applied here by a
durable consumer (org_events.py): paths rewritten after a move, a closed org's customers handed on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from models.customers import (
    AccountMovement,
    ConsumerCursor,
    Holding,
    HoldingCategory,
    Prospect,
    ProspectStatus,
    Reminder,
    ReminderKind,
    ReminderPolicy,
    ScheduleItem,
)
from realtime.broker import ONBOARDING, ORG_CHANGES
from realtime.consumer import consume
from realtime.hub import Realtime
from resolvers.common.clock import CST
from resolvers.common.jobs import every, exclusive
from resolvers.common.rules import Rules
from resolvers.customers import applicant_events
from resolvers.customers.org_events import CONSUMER, on_org_event
from resolvers.customers.reminders import DEFAULT_LARGE_TRANSACTION, Draft, addressees, deliver, large_drafts
from resolvers.customers.reports import generate_due

REMINDER_LOCK = 0x5D_C0_60  # pg advisory lock key: one reminder run at a time across replicas
MATURITIES = {
    HoldingCategory.DEPOSIT: ReminderKind.DEPOSIT_MATURITY,
    HoldingCategory.LOAN: ReminderKind.LOAN_MATURITY,
}
# The job looks this far back for movements, schedule items and prospects it may have missed
# (a server down over the moment); older ones are history, not news.
CATCH_UP = timedelta(days=1)


# -- sources ----------------------------------------------------------------------------------------


async def maturity_drafts(today: date, notice_days: int) -> list[Draft]:
    holdings = await Holding.filter(
        closed_on__isnull=True,
        category__in=list(MATURITIES),
        matures_on__gte=today,
        matures_on__lte=today + timedelta(days=notice_days),
    )
    to = await addressees(h.customer_id for h in holdings)
    drafts = []
    for holding in holdings:
        matures_on = holding.matures_on
        assert matures_on is not None  # filtered on it
        kind = MATURITIES[HoldingCategory(holding.category)]
        what = "存款" if kind is ReminderKind.DEPOSIT_MATURITY else "贷款"
        customer = to[holding.customer_id]
        drafts.append(
            Draft(
                key=f"holding:{holding.id}:{matures_on.isoformat()}",
                kind=kind,
                title=f"{customer.name}的{what}「{holding.product_name}」{matures_on:%m月%d日}到期",
                due_at=datetime.combine(matures_on, time(9, 0), tzinfo=CST),
                tenant_id=customer.tenant_id,
                managers=customer.managers,
                customer_id=holding.customer_id,
            )
        )
    return drafts


async def recent_movement_drafts(now: datetime) -> list[Draft]:
    thresholds = dict(await ReminderPolicy.all().values_list("tenant_id", "large_transaction_threshold"))
    smallest = min([DEFAULT_LARGE_TRANSACTION, *thresholds.values()])
    movements = await AccountMovement.filter(occurred_at__gte=now - CATCH_UP, amount__gte=smallest)
    return await large_drafts(movements, thresholds)


async def prospect_drafts(today: date) -> list[Draft]:
    prospects = await Prospect.filter(
        status=ProspectStatus.OPEN, next_contact_on__gte=today - CATCH_UP, next_contact_on__lte=today
    )
    drafts = []
    for p in prospects:
        on = p.next_contact_on
        assert on is not None  # filtered on it
        drafts.append(
            Draft(
                key=f"prospect:{p.id}:{on.isoformat()}",
                kind=ReminderKind.PROSPECT_CONTACT,
                title=f"今天联系潜在客户{p.name}",
                due_at=datetime.combine(on, time(9, 0), tzinfo=CST),
                tenant_id=p.tenant_id,
                managers=frozenset({p.manager_id}),
            )
        )
    return drafts


async def schedule_drafts(now: datetime) -> list[Draft]:
    items = await ScheduleItem.filter(remind_at__lte=now, remind_at__gte=now - CATCH_UP)
    return [
        Draft(
            key=f"schedule:{item.id}:{item.remind_at.isoformat()}",
            kind=ReminderKind.SCHEDULE,
            title=f"日程: {item.title} ({item.starts_at.astimezone(CST):%m月%d日 %H:%M})",
            due_at=item.starts_at,
            tenant_id=item.tenant_id,
            managers=frozenset({item.manager_id}),
            customer_id=item.customer_id,
        )
        for item in items
    ]


async def generate_reminders(now: datetime | None = None, rules: Rules = Rules()) -> list[Reminder]:
    """Every reminder due by ``now`` that no run has sent yet."""
    now = now or datetime.now(UTC)
    today = now.astimezone(CST).date()
    drafts = [  # read outside the lock; deliver re-checks what was sent, under it
        *await maturity_drafts(today, rules.maturity_notice_days),
        *await recent_movement_drafts(now),
        *await prospect_drafts(today),
        *await schedule_drafts(now),
    ]
    if not drafts:
        return []
    async with exclusive("customers", REMINDER_LOCK) as mine:
        return await deliver(drafts) if mine else []


async def watch_reminders(realtime: Realtime, rules: Rules) -> None:
    """Every ``rules.reminder_job_seconds`` (60), generate what is due."""
    await every(
        realtime,
        "customers",
        rules.reminder_job_seconds,
        lambda: generate_reminders(rules=rules),
        name="generate_reminders",
    )


async def watch_reports(realtime: Realtime, rules: Rules) -> None:
    """业务报表: every ``rules.report_job_seconds`` (3600), generate last month's reports unless done
    (reports.py ``generate_due``: once across replicas, resumable chunk by chunk)."""
    await every(realtime, "customers", rules.report_job_seconds, generate_due, name="generate_reports")


async def org_changes(realtime: Realtime, rules: Rules) -> None:
    """The org tree's changes (operations' ``operations.orgs``): paths rewritten after a move, a
    closed org's customers handed on (org_events.py). A durable consumer: each event once."""
    await consume(realtime, CONSUMER, ORG_CHANGES, on_org_event, ConsumerCursor)


async def applicant_links(realtime: Realtime, rules: Rules) -> None:
    """客户关联: the applicants operations approves with consent (``operations.onboarding``), linked
    to the customers that are them (applicant_events.py). A durable consumer: each event once."""
    await consume(
        realtime, applicant_events.CONSUMER, ONBOARDING, applicant_events.on_onboarding_event, ConsumerCursor
    )
