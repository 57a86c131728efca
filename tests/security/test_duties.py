"""Separation of duties (security/duties.py): neither the security nor the audit admin can grant
itself the other's rights, no grant joins audit reading and permission management, and who may
read the audit trail."""

from __future__ import annotations

import uuid

import pytest

from security.duties import DutyConflict, can_read_audit, check_grant
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
