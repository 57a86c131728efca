"""Operations loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from uuid import UUID

from strawberry.dataloader import DataLoader

from models.operations import (
    Alert,
    InspectionPhoto,
    InspectionPlan,
    InspectionRecord,
    InspectionTask,
    Org,
    User,
)
from resolvers.common.loading import LoaderRegistry
from resolvers.operations.scopes import alert_scope, inspection_scope, org_scope, user_scope


class OperationsLoaders(LoaderRegistry):
    @property
    def org(self) -> DataLoader[UUID, Org | None]:
        return self.entity(Org, org_scope)

    @property
    def user(self) -> DataLoader[UUID, User | None]:
        return self.entity(User, user_scope)

    @property
    def alert(self) -> DataLoader[UUID, Alert | None]:
        return self.entity(Alert, alert_scope)

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
