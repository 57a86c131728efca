"""Separation of duties (security/duties.py): neither the security nor the audit admin can grant
itself the other's rights, no grant joins audit reading and permission management, and who may
read the audit trail."""

from __future__ import annotations

import uuid

import pytest

from security.duties import (
    DutyConflict,
    can_read_audit,
    check_grant,
    check_user_change,
    may_manage_orgs,
    may_manage_users,
    may_read_user_history,
)
from security.principal import Principal

pytestmark = pytest.mark.unit


def person(*roles: str, permissions: frozenset[str] = frozenset()) -> Principal:
    return Principal(
        user_id=uuid.uuid4(),
        username="p",
        roles=roles,
        org_id=uuid.uuid4(),
        org_path="/x",
        permissions=permissions,
    )


def test_neither_admin_can_grant_itself_the_others_rights() -> None:
    security, auditor = person("SECURITY_ADMIN"), person("AUDIT_ADMIN")
    with pytest.raises(DutyConflict, match="themselves"):
        check_grant(security, security.user_id, security.roles, add_roles=["AUDIT_ADMIN"])
    with pytest.raises(DutyConflict, match="themselves"):
        check_grant(security, security.user_id, security.roles, add_permissions=["AUDIT_READ"])
    with pytest.raises(DutyConflict, match="may change permissions"):
        check_grant(auditor, auditor.user_id, auditor.roles, add_roles=["SECURITY_ADMIN"])
    with pytest.raises(DutyConflict, match="may change permissions"):
        check_grant(auditor, auditor.user_id, auditor.roles, add_permissions=["MANAGE_PERMISSIONS"])
    with pytest.raises(DutyConflict, match="may change permissions"):
        check_grant(auditor, uuid.uuid4(), ("CUSTOMER_MANAGER",), add_permissions=["PII_FULL"])


def test_no_grant_may_join_audit_reading_and_permission_management() -> None:
    security = person("SECURITY_ADMIN")
    clerk = uuid.uuid4()
    check_grant(security, clerk, ("CUSTOMER_MANAGER",), add_roles=["AUDIT_ADMIN"])  # a separate person: fine
    with pytest.raises(DutyConflict, match="separation of duties"):
        check_grant(security, clerk, ("SECURITY_ADMIN",), add_roles=["AUDIT_ADMIN"])
    with pytest.raises(DutyConflict, match="separation of duties"):
        check_grant(security, clerk, ("AUDIT_ADMIN",), add_permissions=["MANAGE_PERMISSIONS"])
    with pytest.raises(DutyConflict, match="separation of duties"):
        check_grant(security, clerk, ("PLATFORM_ADMIN",), add_roles=["AUDIT_ADMIN"])
    with pytest.raises(DutyConflict, match="audit reader"):  # a security admin who somehow reads the audit
        check_grant(person("SECURITY_ADMIN", permissions=frozenset({"AUDIT_READ"})), clerk, ())
    with pytest.raises(DutyConflict, match="unknown"):
        check_grant(security, clerk, (), add_roles=["ROOT"])


def test_who_may_read_the_audit_trail() -> None:
    assert can_read_audit(person("AUDIT_ADMIN"))
    assert not can_read_audit(None)
    assert not can_read_audit(person("SECURITY_ADMIN"))
    assert not can_read_audit(person("PLATFORM_ADMIN"))
    assert not can_read_audit(person("CUSTOMER_MANAGER"))
    assert not can_read_audit(person("AUDIT_ADMIN", "SECURITY_ADMIN"))  # holding both is never enough
    assert not can_read_audit(person("SECURITY_ADMIN", permissions=frozenset({"AUDIT_READ"})))


def test_who_administers_users_orgs_and_the_history() -> None:
    """三员分立 for platform administration: users by the security admin only, orgs and teams by the
    business admin only, the change history by the audit admin only."""
    assert may_manage_users(person("SECURITY_ADMIN"))
    for roles in (("PLATFORM_ADMIN",), ("HQ_ADMIN",), ("AUDIT_ADMIN",), ("PROVINCE_ADMIN",)):
        assert not may_manage_users(person(*roles)), roles
    assert not may_manage_users(person("SECURITY_ADMIN", permissions=frozenset({"AUDIT_READ"})))
    assert may_manage_orgs(person("PLATFORM_ADMIN")) and may_manage_orgs(person("HQ_ADMIN"))
    assert not may_manage_orgs(person("SECURITY_ADMIN")) and not may_manage_orgs(person("AUDIT_ADMIN"))
    assert may_read_user_history(person("AUDIT_ADMIN"))
    assert not may_read_user_history(person("SECURITY_ADMIN")) and not may_read_user_history(
        person("HQ_ADMIN")
    )


def test_user_changes_keep_the_duties_apart() -> None:
    security, clerk = person("SECURITY_ADMIN"), uuid.uuid4()
    check_user_change(security, clerk, (), ("CUSTOMER_MANAGER", "BRANCH_HEAD"))  # several roles: fine
    check_user_change(security, clerk, ("AUDIT_ADMIN",), ("CUSTOMER_MANAGER",))  # taking a role away: fine
    with pytest.raises(DutyConflict, match="own account"):
        check_user_change(security, security.user_id, ("SECURITY_ADMIN",), ("SECURITY_ADMIN",))
    with pytest.raises(DutyConflict, match="separation of duties"):
        check_user_change(security, clerk, ("SECURITY_ADMIN",), ("SECURITY_ADMIN", "AUDIT_ADMIN"))
    with pytest.raises(DutyConflict, match="only the security admin"):
        check_user_change(person("PLATFORM_ADMIN"), clerk, (), ("CUSTOMER_MANAGER",))
    tenant_admin = Principal(
        user_id=uuid.uuid4(),
        username="s",
        roles=("SECURITY_ADMIN",),
        org_id=uuid.uuid4(),
        org_path="/x",
        tenant_id=uuid.uuid4(),
    )
    with pytest.raises(DutyConflict, match="every tenant"):
        check_user_change(tenant_admin, clerk, (), ("PROVINCE_ADMIN",))
    check_user_change(security, clerk, (), ("PROVINCE_ADMIN",))  # an admin of no tenant may
