"""The field extension that applies security/masking.py to a sensitive field.

Only sensitive fields carry it (a per-field extension costs time on every value it wraps)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension

from resolvers.common import audit
from resolvers.common.errors import forbidden
from security.masking import PiiKind, Visibility, mask, visibility

OwnerCheck = Callable[[Any, strawberry.Info], Awaitable[bool]]


class Sensitive(FieldExtension):
    def __init__(self, kind: PiiKind, is_owner: OwnerCheck) -> None:
        self.kind = kind
        self.is_owner = is_owner

    async def resolve_async(
        self, next_: Callable[..., Any], source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        value = next_(source, info, **kwargs)
        if inspect.isawaitable(value):
            value = await value
        if not value:
            return value
        principal = info.context.require_principal()
        seen = visibility(principal, await self.is_owner(source, info))
        if seen is Visibility.HIDDEN:
            raise forbidden("无权查看该字段 (this field is not visible to your role)")
        if seen is Visibility.MASKED:
            return mask(self.kind, value)
        # an unmasked read: appended to the audit trail with the result (resolvers/common/audit.py)
        audit.record_pii_read(audit.Target(type(source).__name__, source.id), [info.field_name])
        return value


def sensitive(kind: PiiKind, is_owner: OwnerCheck, description: str) -> Any:
    # @authenticated: the gateway refuses anonymous reads before any subgraph is asked.
    return strawberry.federation.field(
        description=description, extensions=[Sensitive(kind, is_owner)], authenticated=True
    )
