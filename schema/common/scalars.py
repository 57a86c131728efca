"""Scalars and small helpers shared by every subgraph's types."""

from __future__ import annotations

from uuid import UUID

from schema.common.errors import bad_input


def parse_id(value: str, what: str = "id") -> UUID:
    """An ID argument as a UUID, or a BAD_USER_INPUT error."""
    try:
        return UUID(str(value))
    except ValueError as exc:
        raise bad_input(f"{what} is not a valid id") from exc
