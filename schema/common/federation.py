"""Federation helpers."""

from __future__ import annotations

from typing import Any, TypeVar

import strawberry

from resolvers.common.errors import not_found

T = TypeVar("T")


def entity(cls: type[T], obj: Any) -> T:
    """Mark a loaded row as ``cls`` so the ``_Entity`` union can tell its type.

    A reference the caller may not see (or that does not exist) is NOT_FOUND at its index of
    ``_entities``, not a silent null: the gateway puts that error on the link that named it (an
    opportunity's ``customer``, a need's ``applicant``, which are nullable), where a bare null
    made every selected non-null field of the entity an internal error."""
    if obj is None:
        raise not_found(cls.__name__)
    return strawberry.cast(cls, obj)
