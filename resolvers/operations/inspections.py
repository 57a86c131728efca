"""巡检 (routine inspections, seed 004): plans for a user unit (用户单位), the due tasks a job makes
of them once per period, the records of each inspected target (with photos), the monthly report
(《月度巡检报告》) the unit signs (审批签署), and statistics of tasks due / done / missed.

Periods and months are CST (resolvers/common/clock.py). A task is due at the end of its period;
past due and not done it is MISSED: the job marks it, and every read derives the same before the
job has run (``effective_status``), so a report never depends on when the job last ran."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from models.operations import (
    InspectionFrequency,
    InspectionPhoto,
    InspectionPhotoContent,
    InspectionPlan,
    InspectionRecord,
    InspectionResult,
    InspectionSignoff,
    InspectionTargetKind,
    InspectionTask,
    InspectionTaskStatus,
    Org,
    User,
)
from resolvers.common.changes import change, transition
from resolvers.common.clock import CST, now
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.jobs import exclusive
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.common.rules import Rules
from resolvers.operations.directory import devices_at
from resolvers.operations.permissions import require_inspection_manager, require_report_signer
from resolvers.operations.scopes import inspection_scope, org_scope, user_scope
from security.principal import Principal

INSPECTION_LOCK = 0x5D_C0_15  # pg advisory lock key: one due-task run at a time across replicas
MAX_TARGETS = 100
MAX_CHECKLIST = 30
MAX_TEXT = 2000
S = InspectionTaskStatus

# Magic bytes of the photo types accepted; the type stored is the one the bytes show.
_MAGIC: tuple[tuple[bytes, str], ...] = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


# -- periods ----------------------------------------------------------------------------------------


def period_of(frequency: InspectionFrequency, start: date, day: date) -> tuple[date, date]:
    """The period of a plan starting on ``start`` that holds ``day`` (CST dates): its first day and
    the day after its last. Two-week periods count from the plan's start date; the others are the
    calendar's."""
    if frequency is InspectionFrequency.DAILY:
        return day, day + timedelta(days=1)
    if frequency is InspectionFrequency.BIWEEKLY:
        first = start + timedelta(days=(day - start).days // 14 * 14)
        return first, first + timedelta(days=14)
    if frequency is InspectionFrequency.MONTHLY:
        first = day.replace(day=1)
        return first, next_month(first)
    if frequency is InspectionFrequency.QUARTERLY:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return first, next_month(next_month(next_month(first)))
    first = date(day.year, 1, 1)
    return first, date(day.year + 1, 1, 1)


def next_month(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def cst_midnight(day: date) -> datetime:
    """00:00 CST of ``day``: the moment a period ending the day before is due."""
    return datetime.combine(day, time(), tzinfo=CST)


YEARS = range(2000, 2101)  # the dates plans, reports and statistics may name


def month_of(value: date) -> date:
    """The first day of ``value``'s month; a year out of ``YEARS`` is BAD_USER_INPUT (date
    arithmetic near year 9999 or 1 would overflow)."""
    if value.year not in YEARS:
        raise bad_input(f"a month between {YEARS.start} and {YEARS.stop - 1}")
    return value.replace(day=1)


def effective_status(task: Any, moment: datetime | None = None) -> InspectionTaskStatus:
    """MISSED once past due and not done, whether or not the job has marked it yet."""
    status = InspectionTaskStatus(task.status)
    if status is S.PENDING and task.due_at <= (moment or now()):
        return S.MISSED
    return status


# -- the job ----------------------------------------------------------------------------------------


async def create_due_tasks(moment: datetime | None = None) -> int:
    """Mark tasks past due MISSED, and make the task of the current period (CST) for each active
    plan that has none yet, once across replicas (``exclusive``; the unique (plan, period_start)
    is the last guard). Periods while no run happened are not made up afterwards. Returns the
    number of tasks made."""
    moment = moment or now()
    today = moment.astimezone(CST).date()
    async with exclusive("operations", INSPECTION_LOCK) as mine:
        if not mine:
            return 0
        await InspectionTask.filter(status=S.PENDING, due_at__lte=moment).update(status=S.MISSED)
        plans = await InspectionPlan.filter(active=True, start_date__lte=today)
        if not plans:
            return 0
        due = {plan.id: period_of(plan.frequency, plan.start_date, today) for plan in plans}
        existing = set(
            await InspectionTask.filter(
                plan_id__in=list(due), period_start__in=list({start for start, _ in due.values()})
            ).values_list("plan_id", "period_start")
        )
        fresh = [
            InspectionTask(
                plan_id=plan.id,
                org_id=plan.org_id,
                org_path=plan.org_path,
                period_start=start,
                period_end=end,
                due_at=cst_midnight(end),
                targets=plan.targets,
            )
            for plan in plans
            for start, end in (due[plan.id],)
            if (plan.id, start) not in existing
        ]
        if fresh:
            await InspectionTask.bulk_create(fresh, ignore_conflicts=True)
        return len(fresh)


# -- plans ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kind: InspectionTargetKind
    id: UUID

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind.value, "id": str(self.id)}


async def _unit(principal: Principal, org_id: UUID) -> Org:
    """The user unit ``org_id`` when the caller sees its inspections, else NOT_FOUND."""
    org = await scoped(principal, Org, org_scope).get_or_none(id=org_id)
    if org is None or not inspection_scope(principal).test(SimpleNamespace(org_path=org.path)):
        raise not_found("org")
    return org


async def _check_targets(principal: Principal, unit: Org, targets: list[Target]) -> list[dict[str, str]]:
    """The targets as stored, each a hall at or under the unit or a device there the caller sees;
    any other id (another unit's, out of scope, unknown) is NOT_FOUND, as raiseAlert's device."""
    if not 1 <= len(targets) <= MAX_TARGETS:
        raise bad_input(f"targets: 1 to {MAX_TARGETS}")
    if len(set(targets)) != len(targets):
        raise bad_input("targets: each once")
    halls = {t.id for t in targets if t.kind is InspectionTargetKind.HALL}
    devices = {t.id for t in targets if t.kind is InspectionTargetKind.DEVICE}
    if halls:
        found = scoped(principal, Org, org_scope).filter(id__in=list(halls), path__startswith=unit.path)
        if {UUID(str(row)) for row in await found.values_list("id", flat=True)} != halls:
            raise not_found("target hall (at or under the unit)")
    if devices and await devices_at(principal, devices, unit.path) != devices:
        raise not_found("target device (at or under the unit)")
    return [t.as_json() for t in targets]


def _checklist(items: list[str]) -> list[str]:
    if len(items) > MAX_CHECKLIST or any(not 1 <= len(item.strip()) <= 200 for item in items):
        raise bad_input(f"checklist: at most {MAX_CHECKLIST} items of 1 to 200 characters")
    return [item.strip() for item in items]


def _name(name: str) -> str:
    if not 1 <= len(name.strip()) <= 100:
        raise bad_input("name: 1 to 100 characters")
    return name.strip()


async def _assignee(principal: Principal, user_id: UUID | None) -> UUID | None:
    if user_id is not None and not await scoped(principal, User, user_scope).filter(id=user_id).exists():
        raise not_found("assignee")
    return user_id


async def create_plan(
    principal: Principal,
    org_id: UUID,
    name: str,
    frequency: InspectionFrequency,
    targets: list[Target],
    checklist: list[str],
    start_date: date,
    assignee_id: UUID | None = None,
) -> InspectionPlan:
    """A plan for a unit the caller manages inspections of (permissions.py)."""
    unit = await _unit(principal, org_id)
    require_inspection_manager(principal, unit.path)
    if start_date.year not in YEARS:
        raise bad_input(f"startDate: a date between {YEARS.start} and {YEARS.stop - 1}")
    stored = await _check_targets(principal, unit, targets)
    name, checklist = _name(name), _checklist(checklist)
    assignee_id = await _assignee(principal, assignee_id)
    async with change("operations", "InspectionPlan") as audited:
        plan = await InspectionPlan.create(
            org=unit,
            org_path=unit.path,
            frequency=frequency,
            targets=stored,
            start_date=start_date,
            created_by=principal.user_id,
            name=name,
            checklist=checklist,
            assignee_id=assignee_id,
        )
        audited.id = plan.id
    return plan


async def update_plan(
    principal: Principal,
    plan_id: UUID,
    *,
    name: str | None = None,
    targets: list[Target] | None = None,
    checklist: list[str] | None = None,
    assignee_id: UUID | None = None,
    clear_assignee: bool = False,
    active: bool | None = None,
) -> InspectionPlan:
    """Edit a plan, or deactivate it (``active=False``: no more tasks; those made stay). Edits
    apply to the periods after; a task keeps the targets it was made with."""
    plan = await scoped(principal, InspectionPlan, inspection_scope).get_or_none(id=plan_id)
    if plan is None:
        raise not_found("inspection plan")
    require_inspection_manager(principal, plan.org_path)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = _name(name)
    if targets is not None:
        unit = await Org.get(id=plan.org_id)
        values["targets"] = await _check_targets(principal, unit, targets)
    if checklist is not None:
        values["checklist"] = _checklist(checklist)
    if assignee_id is not None or clear_assignee:
        values["assignee_id"] = await _assignee(principal, assignee_id)
    if active is not None:
        values["active"] = active
    async with change("operations", "InspectionPlan", plan.id):
        if values:
            await InspectionPlan.filter(id=plan.id).update(**values)
    return await InspectionPlan.get(id=plan.id)


async def list_plans(
    principal: Principal, first: int, after: str | None, org_id: UUID | None = None
) -> Page[InspectionPlan]:
    queryset = scoped(principal, InspectionPlan, inspection_scope)
    if org_id is not None:
        queryset = queryset.filter(org_id=org_id)
    return await paginate(queryset, first, after, newest_first=True)


async def list_tasks(
    principal: Principal,
    first: int,
    after: str | None,
    plan_id: UUID | None = None,
    status: InspectionTaskStatus | None = None,
) -> Page[InspectionTask]:
    """Tasks newest first; ``status`` as ``effective_status`` reads it (PENDING past due is MISSED)."""
    queryset = scoped(principal, InspectionTask, inspection_scope)
    if plan_id is not None:
        queryset = queryset.filter(plan_id=plan_id)
    moment = now()
    if status is S.MISSED:
        queryset = queryset.filter(Q(status=S.MISSED) | Q(status=S.PENDING, due_at__lte=moment))
    elif status is S.PENDING:
        queryset = queryset.filter(status=S.PENDING, due_at__gt=moment)
    elif status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset, first, after, newest_first=True)


# -- records and photos -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoUpload:
    file_name: str
    content_base64: str


@dataclass(frozen=True)
class Photo:
    file_name: str
    content_type: str
    content: bytes


def check_photos(uploads: list[PhotoUpload], already: int, rules: Rules) -> list[Photo]:
    """Decoded and checked before anything is written: at most ``rules.inspection_photos_per_record``
    on the record, each at most ``rules.inspection_photo_max_bytes``, JPEG, PNG or WebP by its
    magic bytes; anything else BAD_USER_INPUT."""
    limit = rules.inspection_photos_per_record
    if already + len(uploads) > limit:
        raise bad_input(f"at most {limit} photos per record")
    photos = []
    for upload in uploads:
        if len(upload.content_base64) > (rules.inspection_photo_max_bytes + 2) // 3 * 4 + 4:
            raise bad_input(f"a photo is at most {rules.inspection_photo_max_bytes} bytes")
        try:
            content = base64.b64decode(upload.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise bad_input("contentBase64 is not base64") from exc
        if not 0 < len(content) <= rules.inspection_photo_max_bytes:
            raise bad_input(f"a photo is 1 to {rules.inspection_photo_max_bytes} bytes")
        photos.append(Photo(upload.file_name[:200], _image_type(content), content))
    return photos


def _image_type(content: bytes) -> str:
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    raise bad_input("a photo must be JPEG, PNG or WebP")


async def _store_photos(record: InspectionRecord, photos: list[Photo]) -> None:
    for photo in photos:
        row = await InspectionPhoto.create(
            record=record,
            org_path=record.org_path,
            file_name=photo.file_name,
            content_type=photo.content_type,
            size=len(photo.content),
            sha256=hashlib.sha256(photo.content).hexdigest(),
        )
        await InspectionPhotoContent.create(id=row.id, content=photo.content)


@dataclass(frozen=True)
class RecordInput:
    task_id: UUID
    target: Target
    result: InspectionResult
    unit_name: str = ""
    symptom: str = ""
    expected_resolution_at: datetime | None = None
    note: str = ""
    photos: list[PhotoUpload] = field(default_factory=list)


async def record_inspection(principal: Principal, rules: Rules, given: RecordInput) -> InspectionRecord:
    """The record of one target of a pending task; the last target's record marks the task DONE.
    A repeat for the same target (a retry) returns the first record and writes nothing."""
    task = await scoped(principal, InspectionTask, inspection_scope).get_or_none(id=given.task_id)
    if task is None:
        raise not_found("inspection task")
    require_inspection_manager(principal, task.org_path)
    if given.target.as_json() not in task.targets:
        raise bad_input("target is not one of the task's targets")
    if any(len(text) > MAX_TEXT for text in (given.unit_name, given.symptom, given.note)):
        raise bad_input(f"unitName, symptom and note: at most {MAX_TEXT} characters")
    photos = check_photos(given.photos, 0, rules)
    moment = now()
    async with change("operations", "InspectionRecord") as audited:
        # The task's row lock: of two recorders of its last targets, the second sees the first's record.
        locked = await InspectionTask.select_for_update().get(id=task.id)
        first = await InspectionRecord.get_or_none(
            task_id=task.id, target_kind=given.target.kind, target_id=given.target.id
        )
        if first is not None:
            audited.id = first.id
            audited.detail["repeated"] = True
            return first
        if effective_status(locked, moment) is not S.PENDING:
            if locked.status == S.DONE:
                raise conflict("巡检任务已完成 (the task is DONE)")
            raise conflict("巡检任务已逾期 (the task is MISSED)")
        record = await InspectionRecord.create(
            task_id=task.id,
            org_path=task.org_path,
            target_kind=given.target.kind,
            target_id=given.target.id,
            result=given.result,
            unit_name=given.unit_name,
            symptom=given.symptom,
            expected_resolution_at=given.expected_resolution_at,
            note=given.note,
            recorded_by=principal.user_id,
        )
        audited.id = record.id
        await _store_photos(record, photos)
        if await InspectionRecord.filter(task_id=task.id).count() >= len(task.targets):
            await transition(InspectionTask, task.id, S.PENDING, None, status=S.DONE, completed_at=moment)
    return record


async def add_photos(
    principal: Principal, rules: Rules, record_id: UUID, uploads: list[PhotoUpload]
) -> InspectionRecord:
    """More photos on a record, within the per-record limit."""
    record = await scoped(principal, InspectionRecord, inspection_scope).get_or_none(id=record_id)
    if record is None:
        raise not_found("inspection record")
    require_inspection_manager(principal, record.org_path)
    if not uploads:
        raise bad_input("photos: at least one")
    async with change("operations", "InspectionRecord", record.id):
        await InspectionRecord.select_for_update().get(id=record.id)  # counts and adds one at a time
        photos = check_photos(uploads, await InspectionPhoto.filter(record_id=record.id).count(), rules)
        await _store_photos(record, photos)
    return record


async def photo_content(photo_id: UUID) -> bytes:
    """A photo's bytes; the caller's GraphQL field holds the photo, loaded in scope."""
    row = await InspectionPhotoContent.get(id=photo_id)
    return bytes(row.content)


# -- the monthly report and its sign-off ------------------------------------------------------------


@dataclass
class InspectionReport:
    """《月度巡检报告》 of a unit: the tasks due in the month (their period ends in it), the unit's
    and those of halls under it."""

    org: Org
    month: date
    tasks: list[InspectionTask]
    records: list[InspectionRecord]
    signoff: InspectionSignoff | None
    statuses: dict[UUID, InspectionTaskStatus]

    def count(self, status: InspectionTaskStatus) -> int:
        return sum(1 for task in self.tasks if self.statuses[task.id] is status)

    @property
    def issues(self) -> int:
        return sum(1 for record in self.records if record.result == InspectionResult.ISSUE)


def _due_in(month: date) -> Q:
    """Tasks due in ``month``: a period ending on its last day is due at 00:00 CST the day after."""
    return Q(due_at__gt=cst_midnight(month), due_at__lte=cst_midnight(next_month(month)))


async def inspection_report(principal: Principal, org_id: UUID, month: date) -> InspectionReport:
    unit = await _unit(principal, org_id)
    month = month_of(month)
    due = InspectionTask.filter(_due_in(month), org_path__startswith=unit.path)
    tasks = await due.order_by("due_at", "id")
    records = await InspectionRecord.filter(task_id__in=[t.id for t in tasks]).order_by("created_at", "id")
    signoff = await InspectionSignoff.get_or_none(org_id=unit.id, month=month)
    moment = now()
    statuses = {task.id: effective_status(task, moment) for task in tasks}
    return InspectionReport(unit, month, tasks, records if tasks else [], signoff, statuses)


async def sign_report(principal: Principal, org_id: UUID, month: date, note: str = "") -> InspectionSignoff:
    """The unit's sign-off of a month's report, once the month is over (CST), by someone of the
    unit or over it who is not its inspector (permissions.py). One per unit and month: a repeat,
    by anyone allowed, returns the first."""
    unit = await _unit(principal, org_id)
    require_report_signer(principal, unit.path)
    month = month_of(month)
    if cst_midnight(next_month(month)) > now():
        raise conflict("月份未结束，不能签署 (the month is not over)")
    if len(note) > MAX_TEXT:
        raise bad_input(f"note: at most {MAX_TEXT} characters")
    async with change("operations", "InspectionSignoff") as audited:
        first = await InspectionSignoff.get_or_none(org_id=unit.id, month=month)
        if first is None:
            try:
                async with in_transaction("operations"):  # a savepoint: a concurrent signer may win
                    signoff = await InspectionSignoff.create(
                        org=unit, org_path=unit.path, month=month, signed_by=principal.user_id, note=note
                    )
            except IntegrityError:
                first = await InspectionSignoff.get(org_id=unit.id, month=month)
        if first is not None:
            audited.id = first.id
            audited.detail["repeated"] = True
            return first
        audited.id = signoff.id
    return signoff


# -- statistics ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitStatistics:
    org_id: UUID
    due: int
    done: int
    missed: int

    @property
    def pending(self) -> int:
        return self.due - self.done - self.missed


async def inspection_statistics(
    principal: Principal, month: date, moment: datetime | None = None
) -> list[UnitStatistics]:
    """Tasks due in ``month`` per unit in the caller's scope: one statement, whatever the plans."""
    moment = moment or now()
    missed = Q(status=S.MISSED) | Q(status=S.PENDING, due_at__lte=moment)
    rows = (
        await scoped(principal, InspectionTask, inspection_scope)
        .filter(_due_in(month_of(month)))
        .annotate(
            due=Count("id"),
            done=Count("id", _filter=Q(status=S.DONE)),
            missed=Count("id", _filter=missed),
        )
        .group_by("org_id")
        .order_by("org_id")
        .values("org_id", "due", "done", "missed")
    )
    return [UnitStatistics(UUID(str(r["org_id"])), r["due"], r["done"], r["missed"]) for r in rows]
