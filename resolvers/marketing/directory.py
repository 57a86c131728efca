"""营销目录: the member banks a canvas template is sent down to (operations ``Org``). Read-only, one
statement per call, plain records, like resolvers/common/customer_directory.py (the products a
campaign promotes are read through resolvers/common/product_directory.py); the marketing process
registers the operations app for it (``consumes`` in subgraphs/marketing.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from models.operations import Org, OrgKind


@dataclass(frozen=True)
class MemberBank:
    id: UUID  # the org id, which is the bank's tenant id
    name: str
    path: str


async def member_banks(ids: Iterable[UUID], under: str) -> dict[UUID, MemberBank]:
    """The member banks (法人行社) among ``ids`` under the org path ``under``; any other id is absent."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = await Org.filter(id__in=wanted, kind=OrgKind.MEMBER_BANK, path__startswith=under.rstrip("/") + "/")
    return {row.id: MemberBank(row.id, row.name, row.path) for row in rows if row.tenant_id == row.id}
