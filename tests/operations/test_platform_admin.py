"""平台管理 (resolvers/operations/users.py, orgs.py, teams.py; security/duties.py): users created,
edited, disabled, unlocked and reset by the security admin only, their change history read by the
audit admin only, orgs and teams managed by the business admin only, each within its reach; an org
moved takes its subtree's path copies along, an org closed hands its users and (through the
``org.closed`` event the customers subgraph consumes) its customers on. In process, on both storages;
the gateway side (a race, a live subscription ended by disabling) is test_platform_admin_gateway.py."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from models.customers import Customer, Prospect
from models.operations import Alert, AlertLevel, Org, OrgKind, Team, TeamMember, User, UserChange
from resolvers.customers.org_events import CONSUMER, on_org_event
from subgraphs.settings import Settings
from testkit.factories import make_customer, make_org, make_user, token_for
from testkit.inprocess import codes, consume_latest_org_event, execute, sessions
from testkit.sqlcount import counted

pytestmark = pytest.mark.integration

CREATE_USER = """mutation($i: CreateUserInput!) {
  createUser(input: $i) { temporaryPassword user { id username displayName roles disabled mustChangePassword org { id } } }
}"""
UPDATE_USER = "mutation($i: UpdateUserInput!) { updateUser(input: $i) { id displayName roles org { id } } }"
LOGIN = """mutation($u: String!, $p: String!, $n: String) {
  login(username: $u, password: $p, newPassword: $n) { accessToken role }
}"""
HISTORY = """query($u: ID!, $after: String) { userChanges(userId: $u, first: 2, after: $after) {
  nodes { seq action before after actorId actor { username } } pageInfo { hasNextPage endCursor } } }"""
CREATE_ORG = "mutation($i: CreateOrgInput!) { createOrg(input: $i) { id path tenantId parent { id } } }"
MOVE_ORG = "mutation($id: ID!, $p: ID!) { moveOrg(id: $id, parentId: $p) { id path } }"
CLOSE_ORG = (
    "mutation($id: ID!, $s: ID) { closeOrg(id: $id, successorId: $s) { id closedAt successor { id } } }"
)


@dataclass
class Bank:
    settings: Settings
    root: Org
    bank: Org
    branch: Org
    outlet: Org
    security: User  # 安全管理员 of the bank
    auditor: User  # 审计管理员 of the bank
    admin: User  # 总行业务管理 (the business admin)
    staff: User  # a customer manager of the branch
    other_bank: Org
    tokens: dict[str, str]

    async def run(self, who: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        result = await execute("operations", query, variables or {}, self.tokens[who], settings=self.settings)
        for error in result.errors or []:  # every refusal is a coded one
            if (error.extensions or {}).get("code") in (None, "INTERNAL_SERVER_ERROR"):
                raise AssertionError(f"{error} {error.original_error!r}")
        return result


async def _bank(settings: Settings) -> Bank:
    root = await make_org("管理测试省联社", OrgKind.PROVINCE_UNION)
    bank = await make_org("管理测试农商银行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    branch = await make_org("管理测试支行", OrgKind.BRANCH, bank)
    outlet = await make_org("管理测试网点", OrgKind.OUTLET, branch)
    security = await make_user(bank, ("SECURITY_ADMIN",), "安全管理员")
    auditor = await make_user(bank, ("AUDIT_ADMIN",), "审计管理员")
    admin = await make_user(bank, ("HQ_ADMIN",), "总行业务管理")
    staff = await make_user(branch, ("CUSTOMER_MANAGER",), "客户经理")
    other_bank = await make_org("管理测试另一银行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    foreign = await make_user(other_bank, ("SECURITY_ADMIN",), "他行安全管理员")
    foreign_admin = await make_user(other_bank, ("HQ_ADMIN",), "他行业务管理")
    tokens = {
        "security": token_for(security, bank, settings),
        "auditor": token_for(auditor, bank, settings),
        "admin": token_for(admin, bank, settings),
        "staff": token_for(staff, branch, settings),
        "foreign security": token_for(foreign, other_bank, settings),
        "foreign admin": token_for(foreign_admin, other_bank, settings),
    }
    return Bank(settings, root, bank, branch, outlet, security, auditor, admin, staff, other_bank, tokens)


def _new_user(bank: Bank, roles: list[str], username: str | None = None) -> dict[str, Any]:
    name = username or f"u{uuid.uuid4().hex[:10]}"
    return {"i": {"username": name, "displayName": "新员工", "orgId": str(bank.branch.id), "roles": roles}}


def _new_outlet(bank: Bank) -> dict[str, Any]:
    return {
        "i": {
            "parentId": str(bank.branch.id),
            "code": uuid.uuid4().hex[:12],
            "name": "网点",
            "kind": "OUTLET",
        }
    }


async def test_a_created_user_logs_in_with_its_temporary_password_and_must_change_it(
    database: Settings,
) -> None:
    bank = await _bank(database)
    created = (await bank.run("security", CREATE_USER, _new_user(bank, ["CUSTOMER_MANAGER"]))).data[
        "createUser"
    ]
    user, password = created["user"], created["temporaryPassword"]
    assert user["mustChangePassword"] is True and user["disabled"] is False
    assert user["org"] == {"id": str(bank.branch.id)} and user["roles"] == ["CUSTOMER_MANAGER"]
    first = await execute("operations", LOGIN, {"u": user["username"], "p": password}, settings=database)
    assert codes(first) == ["PASSWORD_CHANGE_REQUIRED"]
    changed = await execute(
        "operations", LOGIN, {"u": user["username"], "p": password, "n": "Fresh@pass2026"}, settings=database
    )
    assert changed.errors is None and changed.data["login"]["role"] == "CUSTOMER_MANAGER"
    # The same username again is CONFLICT; the history holds the creation and the password change.
    again = await bank.run("security", CREATE_USER, _new_user(bank, ["CUSTOMER_MANAGER"], user["username"]))
    assert codes(again) == ["CONFLICT"]
    actions = [c.action for c in await UserChange.filter(user_id=user["id"]).order_by("seq")]
    assert actions == ["CREATED", "PASSWORD_CHANGED"]


async def test_two_creates_of_one_username_at_once_make_one_user(database: Settings) -> None:
    bank = await _bank(database)
    variables = _new_user(bank, ["CUSTOMER_MANAGER"])
    results = await asyncio.gather(*(bank.run("security", CREATE_USER, variables) for _ in range(2)))
    assert sorted(codes(r)[0] if r.errors else "OK" for r in results) == ["CONFLICT", "OK"]
    assert await User.filter(username=variables["i"]["username"]).count() == 1


async def test_edits_are_recorded_with_before_and_after_and_read_by_the_audit_admin_only(
    database: Settings,
) -> None:
    bank = await _bank(database)
    created = (await bank.run("security", CREATE_USER, _new_user(bank, ["CUSTOMER_MANAGER"]))).data[
        "createUser"
    ]
    user_id = created["user"]["id"]
    edit = {"i": {"id": user_id, "displayName": "改名员工", "roles": ["CUSTOMER_MANAGER", "BRANCH_HEAD"]}}
    edited = (await bank.run("security", UPDATE_USER, edit)).data["updateUser"]
    assert edited["displayName"] == "改名员工" and edited["roles"] == ["CUSTOMER_MANAGER", "BRANCH_HEAD"]
    again = await bank.run("security", UPDATE_USER, edit)  # the same values: nothing to record
    assert again.errors is None
    move = {"i": {"id": user_id, "orgId": str(bank.outlet.id)}}
    assert (await bank.run("security", UPDATE_USER, move)).data["updateUser"]["org"] == {
        "id": str(bank.outlet.id)
    }
    reset = "mutation($id: ID!) { resetUserPassword(id: $id) { temporaryPassword } }"
    assert (await bank.run("security", reset, {"id": user_id})).data["resetUserPassword"]["temporaryPassword"]

    page = (await bank.run("auditor", HISTORY, {"u": user_id})).data["userChanges"]
    assert [n["action"] for n in page["nodes"]] == ["PASSWORD_RESET", "UPDATED"]  # newest first, 2 a page
    moved = page["nodes"][1]
    assert json.loads(moved["before"]) == {"orgId": str(bank.branch.id)}
    assert json.loads(moved["after"]) == {"orgId": str(bank.outlet.id)}
    assert moved["actor"] == {"username": bank.security.username}
    rest = (await bank.run("auditor", HISTORY, {"u": user_id, "after": page["pageInfo"]["endCursor"]})).data
    nodes = rest["userChanges"]["nodes"]
    assert [n["action"] for n in nodes] == ["UPDATED", "CREATED"] and [n["seq"] for n in nodes] == [2, 1]
    assert json.loads(nodes[0]["after"]) == {
        "displayName": "改名员工",
        "roles": ["CUSTOMER_MANAGER", "BRANCH_HEAD"],
    }
    for row in await UserChange.filter(user_id=user_id):  # never a password or its hash
        assert "password" not in json.dumps([row.before, row.after]).lower().replace("mustchangepassword", "")
    # The security admin (whose work it records), the business admin and another bank read nothing.
    for who in ("security", "admin", "foreign security"):
        assert (await bank.run(who, HISTORY, {"u": user_id})).data["userChanges"]["nodes"] == []


async def test_separation_of_duties(database: Settings) -> None:
    bank = await _bank(database)
    # Only the security admin manages users: not the business admin, the auditor or the staff.
    for who in ("admin", "auditor", "staff"):
        assert codes(await bank.run(who, CREATE_USER, _new_user(bank, ["CUSTOMER_MANAGER"]))) == ["FORBIDDEN"]
    # Nobody grants themselves anything, and a security admin is never also an audit admin.
    own = {"i": {"id": str(bank.security.id), "roles": ["SECURITY_ADMIN", "AUDIT_ADMIN"]}}
    assert codes(await bank.run("security", UPDATE_USER, own)) == ["FORBIDDEN"]
    both = _new_user(bank, ["SECURITY_ADMIN", "AUDIT_ADMIN"])
    assert codes(await bank.run("security", CREATE_USER, both)) == ["FORBIDDEN"]
    to_auditor = {"i": {"id": str(bank.auditor.id), "roles": ["AUDIT_ADMIN", "SECURITY_ADMIN"]}}
    assert codes(await bank.run("security", UPDATE_USER, to_auditor)) == ["FORBIDDEN"]
    # A bank's security admin cannot make a role that sees every tenant.
    assert codes(await bank.run("security", CREATE_USER, _new_user(bank, ["PROVINCE_ADMIN"]))) == [
        "FORBIDDEN"
    ]
    # Only the business admin manages orgs: not the security admin.
    org = _new_outlet(bank)
    assert codes(await bank.run("security", CREATE_ORG, org)) == ["FORBIDDEN"]
    assert (await bank.run("admin", CREATE_ORG, org)).errors is None


async def test_ids_out_of_reach_are_refused(database: Settings) -> None:
    bank = await _bank(database)
    # Another bank's admins: the user and the org are as absent, whatever the mutation.
    target = str(bank.staff.id)
    for mutation in ("disableUser", "enableUser", "unlockUser", "resetUserPassword"):
        result = await bank.run(
            "foreign security",
            f"mutation($id: ID!) {{ {mutation}(id: $id) {{ __typename }} }}",
            {"id": target},
        )
        assert codes(result) == ["NOT_FOUND"], mutation
    edit = {"i": {"id": target, "displayName": "x"}}
    assert codes(await bank.run("foreign security", UPDATE_USER, edit)) == ["NOT_FOUND"]
    # An org of another bank named in an input: NOT_FOUND (a user into it, an org under it).
    into = {"i": {**_new_user(bank, ["CUSTOMER_MANAGER"])["i"], "orgId": str(bank.branch.id)}}
    assert codes(await bank.run("foreign security", CREATE_USER, into)) == ["NOT_FOUND"]
    org = _new_outlet(bank)
    assert codes(await bank.run("foreign admin", CREATE_ORG, org)) == ["NOT_FOUND"]
    close = await bank.run("foreign admin", CLOSE_ORG, {"id": str(bank.outlet.id)})
    assert codes(close) == ["NOT_FOUND"]
    move = await bank.run("foreign admin", MOVE_ORG, {"id": str(bank.outlet.id), "p": str(bank.bank.id)})
    assert codes(move) == ["NOT_FOUND"]
    # The bank's own security admin moving a user into another bank's org: NOT_FOUND too.
    foreign_org = await make_org("他行支行", OrgKind.BRANCH, bank.other_bank)
    away = {"i": {"id": target, "orgId": str(foreign_org.id)}}
    assert codes(await bank.run("security", UPDATE_USER, away)) == ["NOT_FOUND"]
    # The users list of another bank's security admin does not hold this bank's users.
    listed = await bank.run("foreign security", "{ users(first: 100) { nodes { id } } }")
    assert target not in {n["id"] for n in listed.data["users"]["nodes"]}


async def test_disable_enable_and_unlock(database: Settings) -> None:
    bank = await _bank(database)
    created = (await bank.run("security", CREATE_USER, _new_user(bank, ["CUSTOMER_MANAGER"]))).data[
        "createUser"
    ]
    username, password = created["user"]["username"], created["temporaryPassword"]
    await execute(
        "operations", LOGIN, {"u": username, "p": password, "n": "Fresh@pass2026"}, settings=database
    )
    disable = "mutation($id: ID!) { disableUser(id: $id) { disabled } }"
    assert (await bank.run("security", disable, {"id": created["user"]["id"]})).data["disableUser"][
        "disabled"
    ]
    refused = await execute("operations", LOGIN, {"u": username, "p": "Fresh@pass2026"}, settings=database)
    assert codes(refused) == ["FORBIDDEN"]
    enable = "mutation($id: ID!) { enableUser(id: $id) { disabled } }"
    assert (await bank.run("security", enable, {"id": created["user"]["id"]})).data["enableUser"][
        "disabled"
    ] is False
    # Locked out by wrong passwords, from two addresses; the unlock clears every one.
    store = sessions(database)
    for address in ("10.0.0.1", "10.0.0.2"):
        for _ in range(6):
            await store.record_failure(username, address)
        assert await store.locked_for(username, address) > 0
    unlock = "mutation($id: ID!) { unlockUser(id: $id) { id } }"
    assert (await bank.run("security", unlock, {"id": created["user"]["id"]})).errors is None
    assert [await store.locked_for(username, a) for a in ("10.0.0.1", "10.0.0.2")] == [0, 0]
    actions = [c.action for c in await UserChange.filter(user_id=created["user"]["id"]).order_by("seq")]
    assert actions == ["CREATED", "PASSWORD_CHANGED", "DISABLED", "ENABLED", "UNLOCKED"]


async def test_a_bank_keeps_its_last_security_and_business_admins(database: Settings) -> None:
    """Disabling a bank's last enabled business admin, or taking its role away, is refused
    (CONFLICT, reason LAST_ADMIN): nobody in the bank could manage its orgs again. With a second
    one, the first may go; then the second is the last. The same holds for security admins (the
    province's may not disable the bank's last one)."""
    bank = await _bank(database)
    disable = "mutation($id: ID!) { disableUser(id: $id) { disabled } }"
    demote = {"i": {"id": str(bank.admin.id), "roles": ["CUSTOMER_MANAGER"]}}
    for refused in (
        await bank.run("security", disable, {"id": str(bank.admin.id)}),
        await bank.run("security", UPDATE_USER, demote),
    ):
        assert codes(refused) == ["CONFLICT"]
        assert refused.errors[0].extensions["reason"] == "LAST_ADMIN"
    assert (await User.get(id=bank.admin.id)).disabled_at is None
    second = (await bank.run("security", CREATE_USER, _new_user(bank, ["PLATFORM_ADMIN"]))).data["createUser"]
    assert (await bank.run("security", UPDATE_USER, demote)).errors is None  # 业务管理员: the second stays
    assert codes(await bank.run("security", disable, {"id": second["user"]["id"]})) == ["CONFLICT"]
    other = (await bank.run("security", CREATE_USER, _new_user(bank, ["SECURITY_ADMIN"]))).data["createUser"]
    assert (await bank.run("security", disable, {"id": other["user"]["id"]})).errors is None
    province = await make_user(bank.root, ("SECURITY_ADMIN",), "省联社安全管理员")
    bank.tokens["province security"] = token_for(province, bank.root, database)
    last = await bank.run("province security", disable, {"id": str(bank.security.id)})
    assert codes(last) == ["CONFLICT"]  # the bank's last security admin
    assert (await User.get(id=bank.security.id)).disabled_at is None


async def test_an_org_moves_with_its_subtree_and_its_path_copies(database: Settings) -> None:
    bank = await _bank(database)
    other_branch = await make_org("管理测试另一支行", OrgKind.BRANCH, bank.bank)
    deep = await make_org("网点下的营业厅", OrgKind.HALL, bank.outlet)
    alert = await Alert.create(org=deep, org_path=deep.path, level=AlertLevel.INFO, title="移动测试")
    customer = await make_customer(deep, bank.staff, "移动客户")
    moved = await bank.run("admin", MOVE_ORG, {"id": str(bank.outlet.id), "p": str(other_branch.id)})
    assert moved.errors is None
    new_outlet = f"{other_branch.path}/{bank.outlet.id}"
    assert moved.data["moveOrg"]["path"] == new_outlet
    assert (await Org.get(id=deep.id)).path == f"{new_outlet}/{deep.id}"
    assert (await Alert.get(id=alert.id)).org_path == f"{new_outlet}/{deep.id}"  # operations' own copy
    # Customers copy it too: the customers subgraph rewrites them from the org.moved event.
    await _consume_latest("org.moved", bank.outlet.id)
    assert (await Customer.get(id=customer.id)).org_path == f"{new_outlet}/{deep.id}"
    # Never under its own subtree, never into another tenant; a repeat is harmless.
    under_self = await bank.run("admin", MOVE_ORG, {"id": str(other_branch.id), "p": str(deep.id)})
    assert codes(under_self) == ["BAD_USER_INPUT"]
    elsewhere = await make_org("管理测试村镇银行", OrgKind.VILLAGE_BANK, bank.root, own_tenant=True)
    admin_everywhere = await make_user(bank.root, ("PLATFORM_ADMIN",), "省平台管理员")
    token = token_for(admin_everywhere, bank.root, database)
    across = await execute(
        "operations", MOVE_ORG, {"id": str(bank.outlet.id), "p": str(elsewhere.id)}, token, settings=database
    )
    assert codes(across) == ["BAD_USER_INPUT"]
    repeat = await bank.run("admin", MOVE_ORG, {"id": str(bank.outlet.id), "p": str(other_branch.id)})
    assert repeat.data["moveOrg"]["path"] == new_outlet


async def _consume_latest(event_type: str, org_id: uuid.UUID) -> None:
    await consume_latest_org_event("customers", CONSUMER, on_org_event, event_type, org_id)


async def test_a_closed_org_hands_its_users_and_customers_on(database: Settings) -> None:
    bank = await _bank(database)
    successor = await make_org("承接网点", OrgKind.OUTLET, bank.branch)
    clerk = await make_user(bank.outlet, ("CUSTOMER_MANAGER",), "网点员工")
    customer = await make_customer(bank.outlet, clerk, "网点客户")
    prospect = await Prospect.create(
        tenant_id=bank.bank.id,
        org_id=bank.outlet.id,
        org_path=bank.outlet.path,
        manager_id=clerk.id,
        name="潜客",
    )
    refused = await bank.run("admin", CLOSE_ORG, {"id": str(bank.outlet.id)})
    assert codes(refused) == ["BAD_USER_INPUT"]  # users and customers need a successor
    not_parent = await bank.run("admin", CLOSE_ORG, {"id": str(bank.branch.id), "s": str(bank.bank.id)})
    assert codes(not_parent) == ["BAD_USER_INPUT"]  # it still has open child orgs
    closed = await bank.run("admin", CLOSE_ORG, {"id": str(bank.outlet.id), "s": str(successor.id)})
    assert closed.errors is None and closed.data["closeOrg"]["successor"] == {"id": str(successor.id)}
    assert (await User.get(id=clerk.id)).org_id == successor.id  # in the same transaction
    [handover] = await UserChange.filter(user_id=clerk.id)
    assert (handover.before, handover.after) == ({"orgId": str(bank.outlet.id)}, {"orgId": str(successor.id)})
    await _consume_latest("org.closed", bank.outlet.id)
    for row in (await Customer.get(id=customer.id), await Prospect.get(id=prospect.id)):
        assert (row.org_id, row.org_path) == (successor.id, successor.path)
    again = await bank.run("admin", CLOSE_ORG, {"id": str(bank.outlet.id), "s": str(successor.id)})
    assert again.errors is None  # a retry
    into_closed = {"i": {**_new_user(bank, ["CUSTOMER_MANAGER"])["i"], "orgId": str(bank.outlet.id)}}
    assert codes(await bank.run("security", CREATE_USER, into_closed)) == ["BAD_USER_INPUT"]


async def test_teams(database: Settings) -> None:
    bank = await _bank(database)
    create = "mutation($o: ID!, $n: String!) { createTeam(orgId: $o, name: $n) { id name org { id } } }"
    team = (await bank.run("admin", create, {"o": str(bank.branch.id), "n": "营销一队"})).data["createTeam"]
    assert codes(await bank.run("admin", create, {"o": str(bank.branch.id), "n": "营销一队"})) == ["CONFLICT"]
    assert codes(await bank.run("security", create, {"o": str(bank.branch.id), "n": "安全队"})) == [
        "FORBIDDEN"
    ]
    add = "mutation($t: ID!, $u: [ID!]!) { addTeamMembers(teamId: $t, userIds: $u) { members { id } } }"
    added = await bank.run("admin", add, {"t": team["id"], "u": [str(bank.staff.id)]})
    assert added.data["addTeamMembers"]["members"] == [{"id": str(bank.staff.id)}]
    again = await bank.run("admin", add, {"t": team["id"], "u": [str(bank.staff.id)]})
    assert again.data["addTeamMembers"]["members"] == [{"id": str(bank.staff.id)}]  # a retry adds nobody
    outsider = await bank.run("admin", add, {"t": team["id"], "u": [str(bank.admin.id)]})  # not of the branch
    assert codes(outsider) == ["BAD_USER_INPUT"]
    rename = "mutation($t: ID!, $n: String!) { renameTeam(id: $t, name: $n) { name } }"
    assert (await bank.run("admin", rename, {"t": team["id"], "n": "营销二队"})).data["renameTeam"][
        "name"
    ] == "营销二队"
    remove = "mutation($t: ID!, $u: [ID!]!) { removeTeamMembers(teamId: $t, userIds: $u) { members { id } } }"
    assert (await bank.run("admin", remove, {"t": team["id"], "u": [str(bank.staff.id)]})).data[
        "removeTeamMembers"
    ]["members"] == []
    assert codes(await bank.run("foreign admin", rename, {"t": team["id"], "n": "x"})) == ["NOT_FOUND"]


async def test_lists_cost_the_same_statements_for_n_and_10n_rows(database: Settings) -> None:
    """users, orgs, teams (with members) and userChanges: statements at 3 and 30 rows equal."""
    costs: list[list[int]] = []
    for n in (3, 30):
        bank = await _bank(database)
        parent = await make_org("计数支行", OrgKind.BRANCH, bank.bank)
        team_org = await make_org("计数团队支行", OrgKind.BRANCH, bank.bank)
        staff = [await make_user(parent, ("CUSTOMER_MANAGER",)) for _ in range(n)]
        for _ in range(n):
            await make_org("计数网点", OrgKind.OUTLET, parent)
        for index in range(n):
            team = await Team.create(
                org=team_org, name=f"队{index}", tenant_id=bank.bank.id, org_path=team_org.path
            )
            await TeamMember.create(team=team, user=staff[index])
        subject = staff[0]
        await UserChange.bulk_create(
            [
                UserChange(
                    user_id=subject.id,
                    seq=i + 1,
                    actor_id=bank.security.id,
                    action="UPDATED",
                    org_path=parent.path,
                )
                for i in range(n)
            ]
        )
        queries = [
            (
                "security",
                "query($o: ID!) { users(orgId: $o, first: 100) { nodes { id username org { name } } } }",
                {"o": str(parent.id)},
            ),
            (
                "admin",
                "query($p: ID!) { orgs(parentId: $p, first: 100) { nodes { id name parent { name } successor { id } } } }",
                {"p": str(parent.id)},
            ),
            ("admin", "{ teams(first: 100) { nodes { id name org { name } members { id username } } } }", {}),
            (
                "auditor",
                "query($u: ID!) { userChanges(userId: $u, first: 100) { nodes { seq actor { username } } } }",
                {"u": str(subject.id)},
            ),
        ]
        row: list[int] = []
        for who, query, variables in queries:
            statements, data = await counted(
                "operations", query, variables, bank.tokens[who], settings=database
            )
            assert len(next(iter(data.values()))["nodes"]) >= n
            row.append(statements)
        costs.append(row)
    print("statements at 3 and 30 rows (users, orgs, teams, userChanges):", costs)
    assert costs[0] == costs[1], costs
