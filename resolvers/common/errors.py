"""Coded errors: plain exceptions the domain raises (NOT_FOUND, CONFLICT, …).

They know nothing of GraphQL. GraphQL-core copies ``extensions`` from the exception it wraps,
so a coded error raised in a resolver reaches the client with its code; errors raised before
execution are turned into GraphQL errors in one place, ``schema/common/errors.py``."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"  # too many failed logins (security/sessions.py)
    PASSWORD_CHANGE_REQUIRED = "PASSWORD_CHANGE_REQUIRED"  # log in again with newPassword (demo users)
    SLOW_CONSUMER = "SLOW_CONSUMER"  # a subscriber fell too far behind: resubscribe with `after`
    CURSOR_EXPIRED = "CURSOR_EXPIRED"  # `after` names no event still kept: reload, then subscribe
    CONSENT_REQUIRED = "CONSENT_REQUIRED"  # a read that needs the customer's live 授权 (consent)
    # A document that does not parse, or does not validate against the schema (the gateway's own
    # codes for the same; a subgraph called straight codes them alike: schema/common/inputs.py).
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    # The database, or Redis for what needs the session store, is unreachable: retry later.
    # The message names the dependency, never its host (security/outage.py).
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    # Too many operations in flight in the process (or the gateway): retry after `Retry-After`
    # seconds (subgraphs/admission.py, gateway/admission.ts).
    OVERLOADED = "OVERLOADED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class CodedError(Exception):
    """Raise anywhere below the GraphQL layer: the message and code reach the client unmasked.
    ``extensions`` holds the code and anything else the client should see (``limit``, ``reason``)."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extensions: dict[str, object] = {"code": code.value}


def unauthenticated(message: str = "请先登录 (authentication required)") -> CodedError:
    return CodedError(ErrorCode.UNAUTHENTICATED, message)


def forbidden(message: str = "无权访问 (forbidden)") -> CodedError:
    return CodedError(ErrorCode.FORBIDDEN, message)


def not_found(what: str) -> CodedError:
    return CodedError(ErrorCode.NOT_FOUND, f"{what} not found")


def conflict(message: str, reason: str | None = None) -> CodedError:
    """``reason``: a stable ``extensions.reason`` a client switches on (the message is for people)."""
    error = CodedError(ErrorCode.CONFLICT, message)
    if reason is not None:
        error.extensions["reason"] = reason
    return error


def bad_input(message: str) -> CodedError:
    return CodedError(ErrorCode.BAD_USER_INPUT, message)


def service_unavailable(name: str) -> CodedError:
    """The database, or Redis for what needs the session store, is gone: the message names the
    dependency only (the raw errors carry internal addresses, ``Error 111 connecting to …``)."""
    message = f"服务暂不可用，请稍后重试 ({name} unavailable, retry later)"
    return CodedError(ErrorCode.SERVICE_UNAVAILABLE, message)


def consent_required(purpose: str) -> CodedError:
    return CodedError(ErrorCode.CONSENT_REQUIRED, f"需要客户有效授权 (a live {purpose} consent is required)")
