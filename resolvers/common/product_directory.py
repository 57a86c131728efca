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
    """The LISTED products among ``ids``, with their institution's name; any other id is absent.
    One statement (a join)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = await FinancialProduct.filter(id__in=wanted, status=ProductStatus.LISTED).values(
        "id",
        "name",
        "product_type",
        "logo_url",
        "rate_min",
        "rate_max",
        "max_amount",
        "term_months",
        institution_name="institution__name",
    )
    return {
        row["id"]: ListedProduct(**{**row, "institution_name": row["institution_name"] or ""}) for row in rows
    }
