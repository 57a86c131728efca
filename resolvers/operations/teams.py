"""团队 (teams within an org): the business admin (security/duties.py ``may_manage_orgs``) creates
and renames them and adds or removes members, users of the team's org, all within its reach
(orgs.py ``org_to_manage``). Read by whom sees the org's work (scopes.py ``team_scope``)."""

from __future__ import annotations

from uuid import UUID

from tortoise.exceptions import IntegrityError

from models.operations import Team, TeamMember, User
from resolvers.common.changes import change
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.operations.orgs import org_to_manage, require_org_admin
from resolvers.operations.scopes import team_scope
from security.principal import Principal

MAX_TEAM_NAME = 64
MAX_MEMBERS_PER_CALL = 100


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= MAX_TEAM_NAME:
        raise bad_input(f"团队名称须为1–{MAX_TEAM_NAME}个字符 (team name: 1–{MAX_TEAM_NAME} characters)")
    return name


async def list_teams(
    principal: Principal, first: int, after: str | None, org_id: UUID | None = None
) -> Page[Team]:
    queryset = scoped(principal, Team, team_scope)
    if org_id is not None:
        queryset = queryset.filter(org_id=org_id)
    return await paginate(queryset, first, after)


async def _team_to_manage(principal: Principal, team_id: UUID) -> Team:
    require_org_admin(principal)
    team = await scoped(principal, Team, team_scope).filter(id=team_id).first()
    if team is None:
        raise not_found("Team")
    await org_to_manage(principal, team.org_id)
    return team


async def create_team(principal: Principal, org_id: UUID, name: str) -> Team:
    """新增团队; its name is unique within the org (a second create with it: CONFLICT)."""
    name = _check_name(name)
    org = await org_to_manage(principal, org_id)
    try:
        async with change("operations", "Team") as audited:
            team = await Team.create(org=org, name=name, tenant_id=org.tenant_id, org_path=org.path)
            audited.id = team.id
            return team
    except IntegrityError:
        raise conflict("该机构已有同名团队 (a team of that name exists in the org)") from None


async def rename_team(principal: Principal, team_id: UUID, name: str) -> Team:
    name = _check_name(name)
    team = await _team_to_manage(principal, team_id)
    if team.name == name:
        return team
    try:
        async with change("operations", "Team", team_id):
            await Team.filter(id=team.id).update(name=name)
            team.name = name
            return team
    except IntegrityError:
        raise conflict("该机构已有同名团队 (a team of that name exists in the org)") from None


async def set_members(principal: Principal, team_id: UUID, user_ids: list[UUID], add: bool) -> Team:
    """Add (``add``) or remove members: users of the team's org. Adding a member already there, or
    removing one who is not, changes nothing (a retry is harmless)."""
    if not 1 <= len(user_ids) <= MAX_MEMBERS_PER_CALL:
        raise bad_input(f"userIds: 1–{MAX_MEMBERS_PER_CALL} users")
    team = await _team_to_manage(principal, team_id)
    wanted = set(user_ids)
    if add:
        found = set(await User.filter(id__in=list(wanted), org_id=team.org_id).values_list("id", flat=True))
        if missing := wanted - found:
            raise bad_input(
                f"不是该团队所属机构的用户 (not users of the team's org): {sorted(map(str, missing))}"
            )
    async with change("operations", "Team", team_id):
        if add:
            present = set(
                await TeamMember.filter(team_id=team.id, user_id__in=list(wanted)).values_list(
                    "user_id", flat=True
                )
            )
            new = [TeamMember(team_id=team.id, user_id=u) for u in wanted if u not in present]
            await TeamMember.bulk_create(new, ignore_conflicts=True)
        else:
            await TeamMember.filter(team_id=team.id, user_id__in=list(wanted)).delete()
    return team
