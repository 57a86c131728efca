"""综合评分 of a product (our formula over the inputs the marketplace names: loans, approvals,
average credit, feedback):

    rating = 40 × feedback/5 + 30 × approval rate + 20 × min(loans/50, 1)
           + 10 × min(average credit / max amount, 1)

A product with no feedback yet counts as 3 stars. The figures move in the transaction of the
decision that changes them; the rating is then recomputed from them in SQL (a second UPDATE:
an UPDATE's expressions see the row as it was before it; raw, as Tortoise's update() would
convert an expression for a decimal column as if it were a value)."""

from __future__ import annotations

from decimal import Decimal

from tortoise.expressions import F

from models.finance import FinancialProduct, Handling

_RATING_SQL = """
UPDATE financial_product SET rating = ROUND(
    40 * (CASE WHEN feedback_count > 0 THEN 1.0 * feedback_total / feedback_count ELSE 3 END) / 5
  + 30 * (CASE WHEN applications_count > 0 THEN 1.0 * approvals_count / applications_count ELSE 0 END)
  + 20 * (CASE WHEN loans_count >= 50 THEN 1 ELSE loans_count / 50.0 END)
  + 10 * (CASE WHEN approvals_count = 0 OR max_amount <= 0 THEN 0
               WHEN credited_total / approvals_count >= max_amount THEN 1
               ELSE credited_total / approvals_count / max_amount END), 2)
WHERE id = {placeholder}
"""


async def refresh_rating(product_id: object) -> None:
    db = FinancialProduct._meta.db
    placeholder = "$1" if db.capabilities.dialect == "postgres" else "?"
    await db.execute_query(_RATING_SQL.format(placeholder=placeholder), [str(product_id)])


async def record_decision(handling: Handling, credited: bool, amount: Decimal | None = None) -> None:
    """A credit decision on an application counts towards its product's approval figures."""
    if handling.product_id is None:
        return
    changes: dict[str, object] = {"applications_count": F("applications_count") + 1}
    if credited:
        changes |= {
            "approvals_count": F("approvals_count") + 1,
            "credited_total": F("credited_total") + (amount or 0),
        }
    await FinancialProduct.filter(id=handling.product_id).update(**changes)
    await refresh_rating(handling.product_id)


async def record_loan(handling: Handling) -> None:
    if handling.product_id is None:
        return
    await FinancialProduct.filter(id=handling.product_id).update(loans_count=F("loans_count") + 1)
    await refresh_rating(handling.product_id)


async def record_feedback(product_id: object, stars: int) -> None:
    await FinancialProduct.filter(id=product_id).update(
        feedback_count=F("feedback_count") + 1, feedback_total=F("feedback_total") + stars
    )
    await refresh_rating(product_id)
