"""Who is asking: the identity every resolver sees, read from the token."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID


@dataclass(frozen=True)
class Principal:
    user_id: UUID
    username: str
    roles: tuple[str, ...]  # every role the user holds; `role` is the one acting now (switchRole)
    org_id: UUID
    org_path: str  # materialised path of org ids, "/"-separated, root first
    tenant_id: UUID | None = None
    institution_id: UUID | None = None  # FI staff: their finance Institution
    token_id: str = field(default="")
    role: str = ""  # the active role; defaults to the first of `roles`
    grid_ids: tuple[UUID, ...] = ()  # 网格 the user is mapped to
    permissions: frozenset[str] = frozenset()  # extra grants on top of the role's (see security/roles.py)
    session_id: str = ""  # the login session (refresh-token family) the token belongs to; logout revokes it
    issued_at: float = 0.0  # the token's iat: a password change refuses tokens issued before it
    expires_at: float = 0.0  # the token's exp (epoch seconds): open subscriptions end then
    # The active role's definition when the token was issued (角色管理, security/functions.py): its
    # functions and data scope. None: not issued from a definition; the code defaults apply.
    functions: frozenset[str] | None = None
    data_scope: str | None = None

    @property
    def active_role(self) -> str:
        return self.role or (self.roles[0] if self.roles else "")

    def has_role(self, *roles: str) -> bool:
        return self.active_role in roles
