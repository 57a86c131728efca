"""`dcms seed` fills an empty database once, and `dcms token` logs in as its demo users."""

from __future__ import annotations

import asyncio
import sys

import pytest

from models.customers import Customer
from models.marketing import (
    Article,
    ArticleStatus,
    SearchDocument,
    WorkReport,
    WorkReportPeriod,
    WorkReportStatus,
)
from models.operations import (
    Alert,
    Announcement,
    AnnouncementRead,
    AnnouncementStatus,
    HallProfile,
    Incident,
    Org,
    QueueTicket,
    SupportTier,
    Team,
    TeamMember,
    TicketStatus,
    User,
)
from resolvers.operations.halls import hall_status
from security.tokens import read_token
from subgraphs.seed import seed
from testkit.factories import token_keys
from tests.support.stack import subprocess_env

pytestmark = pytest.mark.integration


async def test_seed_is_idempotent_and_tokens_work(database) -> None:
    first = await seed(database, customers=300, progress=False)
    assert first["customers"] == 300 and first["orgs"] > 10 and first["devices"] > 0
    # 变更 / 备份 of the demo ops org: one change, two backup jobs, one with a good run.
    assert (first["change requests"], first["backup jobs"], first["backup runs"]) == (1, 2, 1)
    assert first["inspection plans"] == 3  # 巡检: the first hall's daily, biweekly and monthly checks
    assert first["telemetry samples"] > 10_000  # 遥测: a day of a few devices' metrics
    # 配置库: the grid company's machine room: 6 items, 7 relations, 8 changes recorded
    assert (first["config items"], first["config relations"], first["config changes"]) == (6, 7, 8)
    # 营销方案: a running precision scheme with work orders and feedback, a pending one, a mass draft
    assert (first["marketing_scheme"], first["work_order_feedback"]) == (3, 5) and first["work_order"] >= 5
    # 营销画布: a template sent down, a campaign whose first wave ran, points earned and spent
    assert (first["campaign_template"], first["campaign"], first["outbound_message"]) == (2, 1, 20)
    assert first["points_entry"] == 21
    assert first["report rows"] > 0  # 业务报表: last month's, by org and by manager
    assert first["applicant applications"] == 1  # 注册审核: one enterprise awaiting the operator
    assert await seed(database, customers=300, progress=False) == {}
    # 内容管理: the bureau's portal, ~20 published articles and one in each other state, its slots
    # and each bank's knowledge base, all searchable (subgraphs/seed_content.py)
    assert (first["articles"], first["recommendation_slots"]) == (25, 2) and first["knowledge_entries"] >= 5
    portal = (await User.get(username="operator")).tenant_id
    published = await Article.filter(tenant_id=portal, status="PUBLISHED").count()
    assert published == await SearchDocument.filter(tenant_id=portal, kind="ARTICLE").count() == 21
    assert {a.status for a in await Article.filter(tenant_id=portal)} == set(ArticleStatus)

    root = await Org.get(code="GZ")
    assert await Customer.filter(org_path__startswith=root.path).count() == 300
    manager = await User.get(username="manager").prefetch_related("org")
    assert manager.org.path.startswith(root.path) and "CUSTOMER_MANAGER" in manager.roles
    assert await Customer.filter(primary_manager_id=manager.id).count() >= 30
    # 工作台 (subgraphs/seed_workbench.py): announcements in every state, one read by the demo
    # manager, and their weekly report submitted to the branch head
    assert (first["announcements"], first["announcement receipts"], first["work reports"]) == (5, 1, 1)
    statuses = {a.status for a in await Announcement.filter(org_path__startswith=root.path)}
    assert statuses == set(AnnouncementStatus)
    assert await AnnouncementRead.filter(user_id=manager.id).count() == 1
    report = await WorkReport.get(user_id=manager.id)
    assert (report.period, report.status) == (WorkReportPeriod.WEEK, WorkReportStatus.SUBMITTED)
    # 团队: two teams of the demo branch, the demo manager in the first, every manager in one
    assert (first["teams"], first["team members"]) == (2, 4)
    teams = await Team.filter(org_id=manager.org_id).order_by("name")
    assert len(teams) == 2
    in_teams = await TeamMember.filter(team_id__in=[t.id for t in teams]).values_list("user_id", flat=True)
    assert sorted(map(str, in_teams)) == sorted({str(u) for u in in_teams}) and manager.id in in_teams
    # IT operations: a service team with every tier, and incidents in different states
    assert {u.support_tier for u in await User.filter(username__startswith="ops")} == set(SupportTier)
    company = await Org.get(code="GZDW")
    states = {i.status for i in await Incident.filter(org_path__startswith=company.path)}
    assert {"REPORTED", "IN_PROGRESS", "PENDING_CONFIRMATION", "CLOSED", "ANALYSED"} <= states
    # 营业厅 (halls): profiles, zones, today's queue in every state, figures, a rule's alerts
    hall_ids = [h.id for h in await Org.filter(kind="HALL", path__startswith=company.path)]
    assert {p.hall_id for p in await HallProfile.filter(hall_id__in=hall_ids)} == set(hall_ids)
    assert {t.status for t in await QueueTicket.filter(hall_id=hall_ids[0])} == set(TicketStatus)
    figures = await hall_status(hall_ids)
    assert all(f.queue_length > 0 and f.staff_on_duty == 1 for f in figures)
    assert await Alert.filter(source="hall_quality", org_id__in=hall_ids).count() == len(hall_ids)  # 风险预警

    cli = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "subgraphs.cli",
        "token",
        "--username",
        "manager",
        env={**subprocess_env(database), "DCMS_DEV": "1"},  # dev tokens exist only in dev mode
        stdout=asyncio.subprocess.PIPE,
    )
    token, _ = await cli.communicate()
    assert cli.returncode == 0
    principal = read_token(token.decode().strip(), token_keys(database))
    assert (principal.user_id, principal.org_path) == (manager.id, manager.org.path)
