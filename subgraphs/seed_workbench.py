"""首页 / 移动工作台 demo data (issue 19): announcements (通知公告) — one from the province to every
bank, two from the first bank's head office (one to the whole bank, one to its first branch's
heads only), a withdrawn one and a draft — the demo manager having read the province's; and the
demo manager's weekly report of last week (周报), drafted from their activity and submitted to
their branch head; and two teams (团队) in the demo branch, the demo manager in the first. Made by
the domain functions, as through the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from models.marketing import WorkReportPeriod
from resolvers.common.clock import CST
from resolvers.marketing.reports import draft_report, submit_report, update_report
from resolvers.operations.announcements import (
    AnnouncementDraft,
    create_announcement,
    mark_read,
    withdraw_announcement,
)
from resolvers.operations.teams import create_team, set_members
from security.principal import Principal


@dataclass(frozen=True)
class WorkbenchDemo:
    province: Principal  # 省联社管理 (admin)
    head_office: Principal  # 总行业务管理 of the first bank
    manager: Principal  # the demo 客户经理
    root_id: UUID  # the province union (省联社)
    bank_id: UUID  # the first member bank
    branch_id: UUID  # the demo manager's branch
    branch_staff: tuple[UUID, ...]  # its customer managers, the demo manager first


# 团队 of the demo branch: (name, how many of its managers, taken in order; the rest the second).
TEAMS = (("零售营销团队", 2), ("对公营销团队", None))


async def seed_workbench(demo: WorkbenchDemo, now: datetime) -> dict[str, int]:
    province, hq, manager = demo.province, demo.head_office, demo.manager
    notices = [
        await create_announcement(
            province,
            AnnouncementDraft(
                demo.root_id,
                "系统升级维护通知",
                "数字化客户经营平台将于本周六 22:00 至次日 02:00 升级维护，"
                "期间移动工作台暂停使用，请提前安排工作。",
            ),
            True,
            None,
        ),
        await create_announcement(
            hq,
            AnnouncementDraft(
                demo.bank_id,
                "岁末存款旺季营销启动",
                "总行已下达岁末存款旺季精准营销方案，请各支行客户经理按营销工单跟进客户，每周五前提交周报。",
            ),
            True,
            None,
        ),
        await create_announcement(
            hq,
            AnnouncementDraft(
                demo.branch_id,
                "支行负责人：本周业绩检视会",
                "请各支行负责人周四下午参加业绩检视会，提前审阅辖内客户经理周报。",
                ("BRANCH_HEAD",),
            ),
            True,
            None,
        ),
    ]
    withdrawn = await create_announcement(
        hq, AnnouncementDraft(demo.bank_id, "（已撤回）旧版移动工作台停用", "该通知已撤回。"), True, None
    )
    await withdraw_announcement(hq, withdrawn.id)
    await create_announcement(
        hq, AnnouncementDraft(demo.bank_id, "新版工作报告模板（草稿）", "周报增加下周计划栏目。"), False, None
    )
    await mark_read(manager, notices[0].id)  # the province's: read; the bank's: not yet

    last_week = now.astimezone(CST).date() - timedelta(days=7)
    report = await draft_report(manager, WorkReportPeriod.WEEK, last_week)
    await update_report(
        manager,
        report.id,
        "本周电话与走访跟进存量客户，推介定期存款与大额存单，营销工单按时反馈。",
        "下周重点跟进有意向客户的转化，并走访网格内新开户客户。",
    )
    await submit_report(manager, report.id)
    members = await _teams(demo)
    return {
        "announcements": 5,
        "announcement receipts": 1,
        "work reports": 1,
        "teams": 2,
        "team members": members,
    }


async def _teams(demo: WorkbenchDemo) -> int:
    """The demo branch's staff in two teams, made by the head office's business admin."""
    staff, taken = list(demo.branch_staff), 0
    for name, size in TEAMS:
        members = staff[taken : taken + size] if size is not None else staff[taken:]
        team = await create_team(demo.head_office, demo.branch_id, name)
        await set_members(demo.head_office, team.id, members, add=True)
        taken += len(members)
    return taken
