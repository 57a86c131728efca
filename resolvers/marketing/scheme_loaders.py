"""Loaders of schemes (营销方案) and work orders (营销工单), one statement per batch; the marketing
registry (resolvers/marketing/dataloaders.py) hands them out per request."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from strawberry.dataloader import DataLoader

from resolvers.marketing.work_orders import SchemeFigures, scheme_figures
from security.conditions import Cond


def figures_by_scheme(scope: Cond) -> DataLoader[UUID, SchemeFigures]:
    """Each scheme's work-order figures within the caller's scope: one grouped statement a batch."""

    async def load(ids: Sequence[UUID]) -> list[SchemeFigures]:
        figures = await scheme_figures(scope, ids)
        return [figures[id] for id in ids]

    return DataLoader(load_fn=load)
