"""用户变更历史: every change of a user, recorded in the transaction that makes it (users.py for the
security admin's changes, auth.py for a user's own password change), and read by the audit admin
(scopes.py ``user_change_scope``): who, when, what, the changed fields before and after. Never a
password or its hash: a password change or reset shows only as its action."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tortoise.functions import Max

from models.operations import Org, User, UserChange
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.operations.scopes import user_change_scope
from security.principal import Principal


class UserAction:
    """What a ``UserChange`` records (its ``action``)."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DISABLED = "DISABLED"
    ENABLED = "ENABLED"
    UNLOCKED = "UNLOCKED"
    PASSWORD_RESET = "PASSWORD_RESET"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"  # by the user (changePassword, or at a forced change)


def snapshot(user: User) -> dict[str, Any]:
    """The fields of a user a change history shows: no password, no hash."""
    return {
        "username": user.username,
        "displayName": user.display_name,
        "orgId": str(user.org_id),
        "roles": list(user.roles),
        "permissions": list(user.permissions or ()),
        "disabled": user.disabled_at is not None,
        "mustChangePassword": user.must_change_password,
    }


async def record_change(
    user: User,
    org_path: str,
    actor_id: UUID | None,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> UserChange:
    """One history row, inside the caller's transaction: only the fields that changed (all of them
    for a new user). The user's row is locked or new, so its numbering cannot race."""
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    last = await UserChange.filter(user_id=user.id).order_by("-seq").first()
    return await UserChange.create(
        user_id=user.id,
        seq=last.seq + 1 if last is not None else 1,
        actor_id=actor_id,
        action=action,
        before={k: before[k] for k in changed if k in before},
        after={k: after[k] for k in changed},
        org_path=org_path,
    )


async def user_changes(
    principal: Principal, user_id: UUID, first: int, after: str | None
) -> Page[UserChange]:
    """用户变更历史 of one user, newest first, paged: the audit admin's (scopes.py user_change_scope)."""
    queryset = scoped(principal, UserChange, user_change_scope).filter(user_id=user_id)
    return await paginate(queryset, first, after, newest_first=True)


async def record_handover(user_ids: list[UUID], actor_id: UUID | None, before_org: str, after: Org) -> None:
    """The users of a closed org moved to its successor (orgs.py ``close_org``): one history row
    each, in three statements whatever their number."""
    if not user_ids:
        return
    rows = UserChange.filter(user_id__in=user_ids).group_by("user_id").annotate(last=Max("seq"))
    last = {str(user_id): seq for user_id, seq in await rows.values_list("user_id", "last")}
    await UserChange.bulk_create(
        [
            UserChange(
                user_id=user_id,
                seq=int(last.get(str(user_id)) or 0) + 1,
                actor_id=actor_id,
                action=UserAction.UPDATED,
                before={"orgId": before_org},
                after={"orgId": str(after.id)},
                org_path=after.path,
            )
            for user_id in user_ids
        ]
    )
