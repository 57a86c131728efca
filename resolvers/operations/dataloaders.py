"""Operations loaders, one per relation; a fresh registry per request."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader

from models.operations import Alert, Org, User
from resolvers.common.loading import LoaderRegistry, by_id


class OperationsLoaders(LoaderRegistry):
    @cached_property
    def org(self) -> DataLoader[Any, Org | None]:
        return by_id(Org)

    @cached_property
    def user(self) -> DataLoader[Any, User | None]:
        return by_id(User)

    @cached_property
    def alert(self) -> DataLoader[Any, Alert | None]:
        return by_id(Alert)
