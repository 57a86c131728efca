"""``require_function``: the one check a resolver makes of a function permission (功能权限,
security/functions.py), reading the functions the caller's token carries for its active role."""

from __future__ import annotations

from resolvers.common.errors import forbidden
from security.functions import FUNCTION_LABELS, Function, has_function
from security.principal import Principal


def require_function(principal: Principal, function: Function, message: str | None = None) -> None:
    """FORBIDDEN unless the caller's active role (or an extra grant) carries ``function``."""
    if not has_function(principal, function):
        raise forbidden(message or f"无权{FUNCTION_LABELS[function]} (your role lacks {function})")
