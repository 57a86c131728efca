"""Federation helpers."""

from __future__ import annotations

from typing import Any, TypeVar

import strawberry

T = TypeVar("T")


def entity(cls: type[T], obj: Any) -> T | None:
    """Mark a loaded row as ``cls`` so the ``_Entity`` union can tell its type (None stays None)."""
    return None if obj is None else strawberry.cast(cls, obj)
