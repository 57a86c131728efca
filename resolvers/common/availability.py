"""Dependencies going away degrade, they do not leak.

An error that shows the database or Redis unreachable reaches the client as a coded
``SERVICE_UNAVAILABLE`` naming the dependency only (the raw errors carry internal addresses,
``Error 111 connecting to 127.0.0.1:…``), and the log gets one line when the outage starts and
one when it ends (security/outage.py) instead of a traceback per request.

What works without Redis: every operation that needs no session store (reads, and mutations
other than login, refreshToken, logout, switchRole, changePassword), with revocations checked
against those this process made or heard of (security/sessions.py). What needs the store
answers SERVICE_UNAVAILABLE. Without the database nothing works: every operation answers it.
"""

from __future__ import annotations

from graphql import GraphQLError

from schema.common.errors import CodedError, ErrorCode
from security.outage import unavailable


def service_unavailable(name: str) -> CodedError:
    message = f"服务暂不可用，请稍后重试 ({name} unavailable, retry later)"
    return CodedError(ErrorCode.SERVICE_UNAVAILABLE, message)


def degrade(error: GraphQLError) -> GraphQLError:
    """``error`` as SERVICE_UNAVAILABLE when it shows a dependency gone, else unchanged."""
    if isinstance(error.original_error, CodedError):
        return error
    outage = unavailable(error.original_error)
    if outage is None:
        return error
    coded = service_unavailable(outage.name)
    return GraphQLError(
        coded.message, error.nodes, error.source, error.positions, error.path, coded, coded.extensions
    )
