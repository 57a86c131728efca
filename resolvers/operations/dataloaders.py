"""Operations loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from uuid import UUID

from strawberry.dataloader import DataLoader

from models.operations import (
    Alert,
    AlertAction,
    Announcement,
    AnnouncementRead,
    BackupJob,
    BackupRun,
    ChangeRequest,
    ChangeStep,
    EscalationStep,
    HallProfile,
    HallZone,
    Incident,
    IncidentStep,
    InspectionPhoto,
    InspectionPlan,
    InspectionRecord,
    InspectionTask,
    Org,
    ServicePolicy,
    ServiceTarget,
    TeamMember,
    User,
)
from resolvers.common.loading import LoaderRegistry
from resolvers.operations.announcements import Receipts, receipts
from resolvers.operations.halls import HallFigures, hall_status
from resolvers.operations.scopes import (
    alert_action_scope,
    alert_scope,
    announcement_read_scope,
    announcement_scope,
    backup_scope,
    change_scope,
    hall_data_scope,
    incident_scope,
    inspection_scope,
    org_scope,
    own_read_scope,
    through_parent,
    user_scope,
)


class OperationsLoaders(LoaderRegistry):
    @property
    def org(self) -> DataLoader[UUID, Org | None]:
        return self.entity(Org, org_scope)

    @property
    def user(self) -> DataLoader[UUID, User | None]:
        return self.entity(User, user_scope)

    @property
    def team_members(self) -> DataLoader[UUID, list[TeamMember]]:
        """团队成员 by team (the team already read in scope; the users load through ``user``)."""
        return self.children(TeamMember, "team_id", through_parent, order=("user_id",))

    @property
    def alert(self) -> DataLoader[UUID, Alert | None]:
        return self.entity(Alert, alert_scope)

    @property
    def incident(self) -> DataLoader[UUID, Incident | None]:
        return self.entity(Incident, incident_scope)

    @property
    def incident_steps(self) -> DataLoader[UUID, list[IncidentStep]]:
        return self.children(IncidentStep, "incident_id", through_parent, order=("at", "created_at"))

    @property
    def service_policy(self) -> DataLoader[UUID, ServicePolicy | None]:
        return self.entity(ServicePolicy, through_parent)

    @property
    def service_targets(self) -> DataLoader[UUID, list[ServiceTarget]]:
        return self.children(ServiceTarget, "policy_id", through_parent, order=("level", "calendar"))

    @property
    def escalation_matrix(self) -> DataLoader[UUID, list[EscalationStep]]:
        return self.children(EscalationStep, "policy_id", through_parent, order=("level", "after_minutes"))

    # -- alert lifecycle (issue 15) -----------------------------------------------------------------
    @property
    def alert_history(self) -> DataLoader[UUID, list[AlertAction]]:
        """An alert's steps, oldest first (告警处理记录)."""
        return self.children(AlertAction, "alert_id", alert_action_scope)

    # -- issue 15: changes and backups (变更 / 备份) ---------------------------------------------------
    @property
    def change_request(self) -> DataLoader[UUID, ChangeRequest | None]:
        return self.entity(ChangeRequest, change_scope)

    @property
    def change_steps(self) -> DataLoader[UUID, list[ChangeStep]]:
        return self.children(ChangeStep, "change_id", change_scope)

    @property
    def backup_job(self) -> DataLoader[UUID, BackupJob | None]:
        return self.entity(BackupJob, backup_scope)

    @property
    def backup_runs(self) -> DataLoader[UUID, list[BackupRun]]:
        """A job's runs newest first, whole (a page is cut from them: pagination.py ``page_in``)."""
        return self.children(BackupRun, "job_id", backup_scope, order=("-created_at", "-id"))

    # -- 巡检 (inspections): each relation in one statement per request, in the caller's scope ----

    # Photo contents read in this request: at most one (schema/operations/types/inspections.py),
    # so no list of records can pull every photo's bytes into one response.
    photo_contents_read = 0

    @property
    def inspection_plan(self) -> DataLoader[UUID, InspectionPlan | None]:
        return self.entity(InspectionPlan, inspection_scope)

    @property
    def inspection_task(self) -> DataLoader[UUID, InspectionTask | None]:
        return self.entity(InspectionTask, inspection_scope)

    @property
    def inspection_record(self) -> DataLoader[UUID, InspectionRecord | None]:
        return self.entity(InspectionRecord, inspection_scope)

    @property
    def inspection_photo(self) -> DataLoader[UUID, InspectionPhoto | None]:
        return self.entity(InspectionPhoto, inspection_scope)

    def plan_tasks(self, first: int) -> DataLoader[UUID, list[InspectionTask]]:
        """A plan's latest ``first`` tasks, newest period first."""
        return self.latest(InspectionTask, "plan_id", inspection_scope, ("-period_start", "-id"), first)

    @property
    def task_records(self) -> DataLoader[UUID, list[InspectionRecord]]:
        return self.children(InspectionRecord, "task_id", inspection_scope)

    @property
    def record_photos(self) -> DataLoader[UUID, list[InspectionPhoto]]:
        return self.children(InspectionPhoto, "record_id", inspection_scope)

    @property
    def hall_profile(self) -> DataLoader[UUID, list[HallProfile]]:
        """A hall's profile (a list of at most one), by hall id."""
        return self.children(HallProfile, "hall_id", hall_data_scope)

    @property
    def hall_zones(self) -> DataLoader[UUID, list[HallZone]]:
        return self.children(HallZone, "hall_id", hall_data_scope, order=("name", "id"))

    @property
    def hall_zone(self) -> DataLoader[UUID, HallZone | None]:
        return self.entity(HallZone, hall_data_scope)

    @property
    def hall_status(self) -> DataLoader[UUID, HallFigures]:
        """Each hall's live figures (halls.py ``hall_status``: four statements per batch). The keys
        are halls the caller was shown already (read through ``hall_scope``)."""
        return self._get(("hall_status",), lambda: DataLoader(load_fn=hall_status))

    # -- 通知公告 (announcements, issue 19) --------------------------------------------------------------
    @property
    def announcement(self) -> DataLoader[UUID, Announcement | None]:
        return self.entity(Announcement, announcement_scope)

    @property
    def my_announcement_reads(self) -> DataLoader[UUID, list[AnnouncementRead]]:
        """The caller's own receipt of each announcement (a list of at most one)."""
        return self.children(AnnouncementRead, "announcement_id", own_read_scope)

    @property
    def announcement_reads(self) -> DataLoader[UUID, list[AnnouncementRead]]:
        """Every receipt of an announcement the caller manages, oldest first (已读回执)."""
        return self.children(AnnouncementRead, "announcement_id", announcement_read_scope)

    @property
    def announcement_receipts(self) -> DataLoader[Announcement, Receipts]:
        """Audience and read counts (announcements.py ``receipts``: two statements per batch)."""
        return self._get(
            ("announcement_receipts",),
            lambda: DataLoader(load_fn=receipts, cache_key_fn=lambda row: row.id),
        )
