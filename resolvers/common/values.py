"""Plain values checked once, below the GraphQL layer: ids and decimals (BAD_USER_INPUT otherwise)."""

from __future__ import annotations

import decimal
from uuid import UUID

from resolvers.common.errors import bad_input

DECIMAL_DIGITS = 16  # integer digits of NUMERIC(18, 2), the widest money column
DECIMAL_PLACES = 10


def parse_id(value: str, what: str = "id") -> UUID:
    """An ID argument as a UUID, or a BAD_USER_INPUT error."""
    try:
        return UUID(str(value))
    except ValueError as exc:
        raise bad_input(f"{what} is not a valid id") from exc


def parse_decimal(value: object) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise bad_input("Decimal 须为数字或数字字符串 (a Decimal is a number or a numeric string)")
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.DecimalException as exc:
        raise bad_input(f"not a Decimal: {str(value)[:40]!r}") from exc
    if not number.is_finite():
        raise bad_input("a Decimal must be a finite number (no NaN or Infinity)")
    # From the digits and exponent, not by arithmetic: `abs(Decimal("1e999999999"))` overflows the
    # context and raises.
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    if not any(digits):
        return decimal.Decimal(0)  # "0E-999999999" is zero, but no column could hold its exponent
    if number.adjusted() >= DECIMAL_DIGITS:
        raise bad_input(f"a Decimal must be less than 1e{DECIMAL_DIGITS} in magnitude")
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if -(exponent + trailing_zeros) > DECIMAL_PLACES:
        raise bad_input(f"a Decimal may have at most {DECIMAL_PLACES} decimal places")
    return number
