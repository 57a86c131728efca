"""Who may act on the marketplace: the role sets of its actions, ``require_role``, and the
caller's certified institution (平台认证) that listing and grabbing need."""

from __future__ import annotations

from uuid import UUID

from models.finance import Institution
from resolvers.common.errors import forbidden
from security.principal import Principal
from security.roles import Role, Scope
from security.scopes import role_scope

APPLICANTS = (Role.ENTERPRISE_USER, Role.INDIVIDUAL)  # 企业 / 个人 applicants
SUPERVISORS = (Role.REGULATOR,)  # 政府监管: urge, transfer, review complaints
REVIEWERS = (Role.OPERATOR, Role.REGULATOR)  # product review, certification, the calendar
COMPLAINT_HANDLERS = (Role.FI_ACCOUNT_MANAGER, Role.FI_ADMIN)  # the complaint's institution handles it


def require_role(principal: Principal, roles: tuple[str, ...], what: str) -> None:
    if not principal.has_role(*roles):
        raise forbidden(f"无权{what} (your role cannot do this)")


def require_institution_staff(principal: Principal, what: str = "操作") -> None:
    if role_scope(principal) is not Scope.INSTITUTION or principal.institution_id is None:
        raise forbidden(f"只有金融机构人员可以{what} (institution staff only)")


def require_institution_admin(principal: Principal) -> None:
    """An administrator (FI_ADMIN) of an institution: manages its products and thresholds."""
    require_role(principal, (Role.FI_ADMIN,), "管理本机构产品")
    if principal.institution_id is None:
        raise forbidden("只有金融机构人员可以操作 (institution staff only)")


def staff_institution(principal: Principal) -> UUID:
    """The id of the caller's institution; FORBIDDEN unless the caller is its staff."""
    require_institution_staff(principal)
    assert principal.institution_id is not None  # require_institution_staff checked it
    return principal.institution_id


def require_certified(certified: bool) -> None:
    """平台认证: an institution lists products and grabs orders only once certified."""
    if not certified:
        raise forbidden("机构尚未通过平台认证 (the institution is not certified)")


async def certified_institution(principal: Principal) -> Institution:
    """The caller's institution, which must be certified (平台认证) before it lists or grabs."""
    institution = await Institution.get_or_none(id=staff_institution(principal))
    require_certified(institution is not None and institution.certified)
    assert institution is not None  # require_certified refused a missing one
    return institution
