"""营销目录: what the canvas checks names against in other subgraphs — the member banks a template
is sent down to (operations ``Org``) and the products a campaign promotes (finance marketplace
``FinancialProduct``, listed ones). Read-only, one statement per call, plain records, like
resolvers/common/customer_directory.py; the marketing process registers those apps for it
(``consumes`` in subgraphs/marketing.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from models.finance import FinancialProduct, ProductStatus
from models.operations import Org, OrgKind


@dataclass(frozen=True)
class MemberBank:
    id: UUID  # the org id, which is the bank's tenant id
    name: str
    path: str


@dataclass(frozen=True)
class ListedProduct:
    id: UUID
    name: str


async def member_banks(ids: Iterable[UUID], under: str) -> dict[UUID, MemberBank]:
    """The member banks (法人行社) among ``ids`` under the org path ``under``; any other id is absent."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = await Org.filter(id__in=wanted, kind=OrgKind.MEMBER_BANK, path__startswith=under.rstrip("/") + "/")
    return {row.id: MemberBank(row.id, row.name, row.path) for row in rows if row.tenant_id == row.id}


async def listed_products(ids: Iterable[UUID]) -> dict[UUID, ListedProduct]:
    """The products among ``ids`` listed on the marketplace (上架); a draft or unknown one is absent."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = await FinancialProduct.filter(id__in=wanted, status=ProductStatus.LISTED).values_list("id", "name")
    return {UUID(str(id)): ListedProduct(UUID(str(id)), str(name)) for id, name in rows}
