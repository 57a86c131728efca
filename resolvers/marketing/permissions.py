"""Who may act on the marketing side. The row scope (scopes.py ``opportunity_scope``) says who sees
the opportunity pool; this says who may add to it and claim from it."""

from __future__ import annotations

from models.marketing import Article
from resolvers.common.errors import forbidden
from resolvers.marketing.scopes import CONTENT_EDITORS, opportunity_scope, qr_code_scope
from security.principal import Principal
from security.roles import Role

# 认领: the front line of a member bank (a branch head may take one for themself too).
CLAIMERS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD)
# 二维码: made for a mass-marketing campaign (大众营销) by the bank's marketing staff.
QR_MAKERS = (Role.HQ_ADMIN, Role.BRANCH_HEAD, Role.CUSTOMER_MANAGER)


def require_opportunity_recorder(principal: Principal) -> None:
    """FORBIDDEN unless the caller sees an opportunity pool and belongs to a tenant (a member bank's
    staff): one records opportunities only into a pool one works in."""
    if opportunity_scope(principal).is_nothing or principal.tenant_id is None:
        raise forbidden("无权登记商机 (your role cannot record opportunities)")


# -- 内容管理 / 产品推荐位 / 产品知识库 (issue 17) ---------------------------------------------------
# Authors: the portal's 运营 (OPERATOR). Reviewers (审核发布): another 运营 of the same portal, or the
# bureau's 政府监管 (REGULATOR), who runs the platform the portal belongs to — never the author or
# the submitter of the article (四眼原则). Editors (recycle, restore, purge, pin, slots): both.
ARTICLE_AUTHORS = frozenset({"OPERATOR"})
ARTICLE_REVIEWERS = CONTENT_EDITORS  # the same people: who edits a portal reviews it
# Head office writes the product knowledge base (产品知识库) of its bank.
KNOWLEDGE_AUTHORS = frozenset({"HQ_ADMIN"})


def require_article_author(principal: Principal) -> None:
    if principal.active_role not in ARTICLE_AUTHORS or principal.tenant_id is None:
        raise forbidden("仅运营人员可撰写文章 (only operators write articles)")


def require_article_editor(principal: Principal) -> None:
    if principal.active_role not in ARTICLE_REVIEWERS or principal.tenant_id is None:
        raise forbidden("无权管理门户内容 (your role does not manage the portal's content)")


def require_article_reviewer(principal: Principal, article: Article) -> None:
    """FORBIDDEN unless the caller reviews content and neither wrote nor submitted ``article``."""
    require_article_editor(principal)
    if principal.user_id in (article.created_by_id, article.submitted_by_id):
        raise forbidden("不能审核自己撰写或提交的文章 (four eyes: someone else reviews)")


def require_knowledge_author(principal: Principal) -> None:
    if principal.active_role not in KNOWLEDGE_AUTHORS or principal.tenant_id is None:
        raise forbidden("仅总行人员可维护产品知识库 (only head office writes the knowledge base)")


AUDIENCE_EDITORS = (Role.HQ_ADMIN, Role.BRANCH_HEAD)


def require_audience_editor(principal: Principal) -> None:
    """FORBIDDEN unless head office (HQ_ADMIN) or a branch head of a member bank: they define the
    bank's target groups (目标客群) and preview them."""
    if principal.tenant_id is None or not principal.has_role(*AUDIENCE_EDITORS):
        raise forbidden("无权定义目标客群 (only head office or a branch head defines audiences)")


def require_claimer(principal: Principal) -> None:
    """FORBIDDEN unless the caller, acting as a customer manager or branch head of a member bank,
    may claim from its pool."""
    if principal.active_role not in CLAIMERS or principal.tenant_id is None:
        raise forbidden("无权认领商机 (only customer managers and branch heads claim)")


def require_qr_maker(principal: Principal) -> None:
    if (
        principal.active_role not in QR_MAKERS
        or principal.tenant_id is None
        or qr_code_scope(principal).is_nothing
    ):
        raise forbidden("无权制作营销二维码 (your role cannot make QR codes)")


TEMPLATE_MAKERS = (Role.PROVINCE_ADMIN, Role.HQ_ADMIN)
CAMPAIGN_MAKERS = (Role.HQ_ADMIN, Role.BRANCH_HEAD)
POINTS_SPENDERS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN)


def require_template_maker(principal: Principal) -> None:
    """FORBIDDEN unless the province union (省联社) or a head office admin: they make templates."""
    if not principal.has_role(*TEMPLATE_MAKERS):
        raise forbidden("无权制作营销画布模板 (only the province union or head office makes templates)")


def require_campaign_maker(principal: Principal) -> None:
    """FORBIDDEN unless head office or a branch head of a member bank: they run canvas campaigns."""
    if principal.tenant_id is None or not principal.has_role(*CAMPAIGN_MAKERS):
        raise forbidden("无权操作营销活动 (only head office or a branch head runs campaigns)")


def require_points_spender(principal: Principal) -> None:
    """FORBIDDEN unless a member bank's manager, branch head or head office (积分兑换)."""
    if principal.tenant_id is None or not principal.has_role(*POINTS_SPENDERS):
        raise forbidden("无权使用客户积分 (your role cannot spend a customer's points)")


# -- 业绩管理 (resolvers/marketing/performance.py) ------------------------------------------------
# Head office defines indicators and sets branch targets; HQ_REVIEWER approves them (the
# BRANCH_TARGET flow of the approvals engine); a branch head splits them to their staff.
PERFORMANCE_ADMINS = (Role.HQ_ADMIN,)
TARGET_SPLITTERS = (Role.BRANCH_HEAD,)


def require_performance_admin(principal: Principal) -> None:
    if principal.tenant_id is None or not principal.has_role(*PERFORMANCE_ADMINS):
        raise forbidden("仅总行可维护指标和下达机构目标 (only head office manages indicators and targets)")


def require_target_splitter(principal: Principal) -> None:
    if principal.tenant_id is None or not principal.has_role(*TARGET_SPLITTERS):
        raise forbidden("仅支行负责人可分解目标到个人 (only a branch head splits targets to staff)")
