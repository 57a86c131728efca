"""产品目录 (product directory): the finance marketplace's LISTED products (金融超市, 已上架) that
marketing's recommendation slots (产品推荐位) name and show on the public portals.

Products belong to the finance subgraph. Marketing reads them here and nowhere else, read-only,
one statement per call, on the finance connection alone (its app is registered by marketing's
``consumes``, subgraphs/marketing.py). Only LISTED products are answered: a draft, delisted or
deregistered product, and an id that does not exist, are alike absent — a slot naming one shows
it no more, and a mutation naming one refuses it. The answers are plain frozen records (what a
portal visitor may see of a listed product), so the slot's reader needs no login and no call to
the finance subgraph (whose ``_entities`` are for signed-in callers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from models.finance.institutions import Institution
from models.finance.products import FinancialProduct, ProductStatus


@dataclass(frozen=True)
class ListedProduct:
    id: UUID
    name: str
    product_type: str
    logo_url: str
    institution_name: str
    rate_min: Decimal
    rate_max: Decimal
    max_amount: Decimal
    term_months: int


async def listed_products(ids: Iterable[UUID]) -> dict[UUID, ListedProduct]:
    """The LISTED products among ``ids``; any other id is absent. Two statements at most."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = await FinancialProduct.filter(id__in=wanted, status=ProductStatus.LISTED).values(
        "id",
        "name",
        "product_type",
        "logo_url",
        "institution_id",
        "rate_min",
        "rate_max",
        "max_amount",
        "term_months",
    )
    institutions = (
        dict(
            await Institution.filter(id__in={row["institution_id"] for row in rows}).values_list("id", "name")
        )
        if rows
        else {}
    )
    return {
        row["id"]: ListedProduct(
            id=row["id"],
            name=row["name"],
            product_type=row["product_type"],
            logo_url=row["logo_url"],
            institution_name=str(institutions.get(row["institution_id"], "")),
            rate_min=row["rate_min"],
            rate_max=row["rate_max"],
            max_amount=row["max_amount"],
            term_months=row["term_months"],
        )
        for row in rows
    }
