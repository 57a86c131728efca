"""Operations loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from uuid import UUID

from strawberry.dataloader import DataLoader

from models.operations import Alert, BackupJob, BackupRun, ChangeRequest, ChangeStep, Org, User
from resolvers.common.loading import LoaderRegistry
from resolvers.operations.scopes import alert_scope, backup_scope, change_scope, org_scope, user_scope


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
