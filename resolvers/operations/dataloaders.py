"""Operations loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from uuid import UUID

from strawberry.dataloader import DataLoader

from models.operations import Alert, AlertAction, Org, User
from resolvers.common.loading import LoaderRegistry
from resolvers.operations.scopes import alert_action_scope, alert_scope, org_scope, user_scope


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

    # -- alert lifecycle (issue 15) -----------------------------------------------------------------
    @property
    def alert_history(self) -> DataLoader[UUID, list[AlertAction]]:
        """An alert's steps, oldest first (告警处理记录)."""
        return self.children(AlertAction, "alert_id", alert_action_scope)
