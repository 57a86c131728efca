"""Entities of other subgraphs that operations references: the devices ``Device`` an alert names."""

from __future__ import annotations

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet


@strawberry.federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)])
class Device:
    """Owned by the devices subgraph."""

    id: strawberry.ID
