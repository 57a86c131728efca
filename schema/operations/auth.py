"""Types of login and session mutations (resolvers/operations/auth.py)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.operations.types import User


@strawberry.type(description="登录结果: tokens of one login session")
class AuthPayload:
    access_token: str = strawberry.field(description="access token (ES256 JWT, 15 minutes)")
    refresh_token: str = strawberry.field(description="one-use refresh token; sessions end 8 h after login")
    expires_at: datetime = strawberry.field(description="when the access token expires")
    refresh_expires_at: datetime = strawberry.field(description="when the session (refresh token) ends")
    role: str = strawberry.field(description="the active role the tokens carry")
    user: User
