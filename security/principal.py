"""Who is asking: the identity every resolver sees, read from the token."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID


@dataclass(frozen=True)
class Principal:
    user_id: UUID
    username: str
    roles: tuple[str, ...]
    org_id: UUID
    org_path: str  # materialised path of org ids, "/"-separated, root first
    tenant_id: UUID | None = None
    institution_id: UUID | None = None  # FI staff: their finance Institution
    token_id: str = field(default="")

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)
