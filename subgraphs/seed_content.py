"""Demo content (issue 17): the bureau's portal (贵阳市地方金融监督管理局, the finance service
platform it runs) — about twenty published articles across the categories, one article in each
other state, the recommendation slots — and each member bank's product knowledge base. Called by
subgraphs/seed.py once the finance catalogue exists; the same vocabulary makes the articles of
loadtest/bench_search.py (``generated_article``)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.transactions import in_transaction

from models.finance import FinancialProduct, ProductStatus
from models.marketing import (
    Article,
    ArticleEvent,
    ArticleStatus,
    KnowledgeEntry,
    KnowledgeKind,
    RecommendationSlot,
    SearchKind,
)
from models.marketing.content import category_id
from resolvers.marketing.search import document, index

# (category, title, body): the portal's published articles.
PUBLISHED: tuple[tuple[str, str, str], ...] = (
    (
        "POLICY_NATIONAL",
        "中国人民银行决定下调金融机构存款准备金率",
        "为巩固经济回升向好基础，中国人民银行决定下调金融机构存款准备金率0.5个百分点，"
        "释放长期资金约一万亿元，支持实体经济和小微企业发展。",
    ),
    (
        "POLICY_NATIONAL",
        "关于做好普惠金融高质量发展工作的指导意见",
        "意见提出，进一步扩大普惠金融覆盖面，提升小微企业、个体工商户和农户的首贷率、续贷率和信用贷款占比。",
    ),
    (
        "POLICY_NATIONAL",
        "贷款市场报价利率（LPR）保持不变",
        "本月一年期贷款市场报价利率为3.45%，五年期以上为3.95%，与上月持平。",
    ),
    (
        "POLICY_PROVINCIAL",
        "贵州省支持乡村振兴金融服务十条措施",
        "全省金融机构加大对乡村振兴重点领域的信贷投放，推广惠农贷款和农户小额信用贷款，落实政府性融资担保降费。",
    ),
    (
        "POLICY_PROVINCIAL",
        "贵州省小微企业无还本续贷政策实施细则",
        "符合条件的小微企业贷款到期后可申请无还本续贷，金融机构应提前一个月开展续贷审查。",
    ),
    (
        "POLICY_CITY",
        "贵阳市金融服务实体经济专项行动方案",
        "通过金融超市平台对接融资需求，推动银行机构为科技型企业和制造业企业提供中长期贷款。",
    ),
    (
        "POLICY_CITY",
        "贵阳市创业担保贷款贴息政策问答",
        "个人创业担保贷款最高额度30万元，小微企业最高300万元，财政按规定给予贴息。",
    ),
    (
        "POLICY_COUNTY",
        "修文县猕猴桃产业金融支持办法",
        "县内农商银行推出猕猴桃种植专项贷款，采用信用方式发放，期限最长三年。",
    ),
    (
        "POLICY_COUNTY",
        "开阳县农户信用评级工作通知",
        "开展农户信用等级评定，评定为信用户的农户可获得免抵押免担保的信用贷款。",
    ),
    (
        "NEWS",
        "金融服务平台上线一周年 累计撮合融资超百亿元",
        "平台入驻金融机构四十余家，上架金融产品两百余款，累计为三千余家企业解决融资需求。",
    ),
    (
        "NEWS",
        "市地方金融监管局召开银企对接会",
        "会上二十余家银行与重点企业现场签约，意向融资金额达十五亿元。",
    ),
    (
        "NEWS",
        "贵阳农商银行推出“黔农e贷”线上信用贷款",
        "客户通过手机银行即可申请黔农e贷，最快三分钟审批放款，额度最高三十万元。",
    ),
    (
        "NEWS",
        "普惠金融宣传月活动在全市启动",
        "活动期间，各金融机构走进社区、乡村和企业，开展金融知识宣传和反诈骗教育。",
    ),
    (
        "FINANCE_EDUCATION",
        "如何识别和防范电信网络诈骗",
        "凡是自称公检法要求转账到安全账户的都是诈骗，凡是刷单返利的都是诈骗，请牢记反诈口诀。",
    ),
    (
        "FINANCE_EDUCATION",
        "个人征信报告怎么查？",
        "可通过中国人民银行征信中心网站、商业银行网点或手机银行查询个人信用报告，每年有两次免费查询机会。",
    ),
    (
        "FINANCE_EDUCATION",
        "存款保险制度保护您的存款安全",
        "存款保险实行限额偿付，最高偿付限额为人民币50万元，同一存款人在同一家银行的存款合并计算。",
    ),
    (
        "FINANCE_EDUCATION",
        "理财产品不等于存款：投资需谨慎",
        "理财产品不保本不保收益，购买前请认真阅读产品说明书，了解风险等级与自身风险承受能力是否匹配。",
    ),
    ("BANNER", "金融超市：一站式融资服务", "在线比较贷款产品，一键发布融资需求，银行抢单快速响应。"),
    ("BANNER", "普惠金融宣传月", "金融知识进万家，守好钱袋子。"),
    ("FRIEND_LINK", "中国人民银行", "中国人民银行官方网站"),
    ("FRIEND_LINK", "国家金融监督管理总局", "国家金融监督管理总局官方网站"),
)
LINKS = {"中国人民银行": "https://www.pbc.gov.cn/", "国家金融监督管理总局": "https://www.nfra.gov.cn/"}
# One article in each other state: (status, category, title, comment).
OTHER_STATES: tuple[tuple[ArticleStatus, str, str, str], ...] = (
    (ArticleStatus.DRAFT, "NEWS", "（草稿）金融服务平台第二季度运行情况", ""),
    (ArticleStatus.PENDING, "POLICY_CITY", "（待审核）贵阳市科技金融支持政策", ""),
    (ArticleStatus.REJECTED, "NEWS", "（已驳回）某银行理财产品收益率排行", "涉及具体产品收益承诺，不予发布"),
    (ArticleStatus.RECYCLED, "FINANCE_EDUCATION", "（回收站）过期的征信查询指南", ""),
)
# 产品知识库 of every member bank: (kind, title, product, body).
KNOWLEDGE: tuple[tuple[KnowledgeKind, str, str, str], ...] = (
    (
        KnowledgeKind.PRODUCT_NEWS,
        "黔农e贷额度上调至三十万元",
        "黔农e贷",
        "自本月起，黔农e贷单户最高额度由二十万元上调至三十万元，利率执行优惠定价。",
    ),
    (
        KnowledgeKind.MARKETING_GUIDE,
        "代发工资客户营销指引",
        "代发工资",
        "重点关注代发工资企业员工，结合手机银行开通和定期存款产品开展交叉营销，首次接触以电话预约为主。",
    ),
    (
        KnowledgeKind.MARKETING_GUIDE,
        "个体工商户聚合收单营销要点",
        "聚合收单",
        "面向个体工商户推广聚合收单码牌，强调资金实时到账和零手续费，可搭配经营贷款一并营销。",
    ),
    (
        KnowledgeKind.FAQ,
        "客户问：大额存单可以提前支取吗？",
        "大额存单",
        "可以部分或全部提前支取，提前支取部分按支取日挂牌活期利率计息。",
    ),
    (
        KnowledgeKind.FAQ,
        "客户问：农户小额信用贷款需要担保吗？",
        "农户小额信用贷款",
        "评定为信用户的农户无需抵押和担保，凭信用等级在授信额度内随借随还。",
    ),
)

# The seed's words, for generated articles (loadtest/bench_search.py).
PLACES = (
    "贵阳",
    "遵义",
    "六盘水",
    "安顺",
    "毕节",
    "铜仁",
    "黔东南",
    "黔南",
    "黔西南",
    "修文",
    "开阳",
    "息烽",
)
SUBJECTS = ("小微企业", "个体工商户", "农户", "新市民", "科技型企业", "制造业企业", "乡村振兴", "普惠金融")
PRODUCTS = ("黔农e贷", "创业担保贷款", "信用贷款", "续贷", "首贷", "大额存单", "代发工资", "聚合收单")
ACTIONS = ("加大信贷投放", "降低融资成本", "优化审批流程", "开展金融知识宣传", "推广线上服务", "落实降费政策")
FIGURES = ("一万亿元", "三十万元", "0.5个百分点", "3.45%", "百亿元", "两百余款")


def generated_article(rng: random.Random) -> tuple[str, str, str]:
    """(category, title, body): a plausible article made of the seed's words."""
    place, subject, product = rng.choice(PLACES), rng.choice(SUBJECTS), rng.choice(PRODUCTS)
    title = f"{place}{rng.choice(('推进', '支持', '服务'))}{subject}{product}工作"
    sentences = [
        f"{place}金融机构围绕{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}，累计发放{rng.choice(PRODUCTS)}"
        f"{rng.choice(FIGURES)}。"
        for _ in range(rng.randint(3, 8))
    ]
    return rng.choice([c for c, _, _ in PUBLISHED[:17]]), title, "".join(sentences)


@dataclass(frozen=True)
class ContentPeople:
    portal: UUID  # the bureau's org (its own tenant)
    operator: UUID  # 运营: writes
    reviewer: UUID  # 政府监管: publishes
    banks: tuple[tuple[UUID, UUID], ...]  # (member bank tenant, its HQ_ADMIN)


async def seed_content(people: ContentPeople, now: datetime) -> dict[str, int]:
    """Idempotent: does nothing when the portal has articles already."""
    if await Article.filter(tenant_id=people.portal).exists():
        return {}
    listed = await FinancialProduct.filter(status=ProductStatus.LISTED).order_by("-rating", "id").limit(8)
    async with in_transaction("marketing"):
        for days, (category, title, body) in enumerate(PUBLISHED):
            at = now - timedelta(days=days * 3 + 1)
            article = await Article.create(
                tenant_id=people.portal,
                category_id=category_id(category),
                title=title,
                summary=body[:60],
                body=body,
                link_url=LINKS.get(title, ""),
                status=ArticleStatus.PUBLISHED,
                published_at=at,
                pinned=days == 0,
                created_by_id=people.operator,
                submitted_by_id=people.operator,
                reviewed_by_id=people.reviewer,
                reviewed_at=at,
            )
            for action, actor, before, after in (
                ("CREATE", people.operator, "", ArticleStatus.DRAFT),
                ("SUBMIT", people.operator, ArticleStatus.DRAFT, ArticleStatus.PENDING),
                ("PUBLISH", people.reviewer, ArticleStatus.PENDING, ArticleStatus.PUBLISHED),
            ):
                await ArticleEvent.create(
                    article_id=article.id, action=action, actor_id=actor, from_status=before, to_status=after
                )
            await index(
                document(
                    SearchKind.ARTICLE,
                    article.id,
                    people.portal,
                    title,
                    f"{article.summary}\n{body}",
                    category_id=article.category_id,
                    published_at=at,
                )
            )
        for status, category, title, comment in OTHER_STATES:
            await Article.create(
                tenant_id=people.portal,
                category_id=category_id(category),
                title=title,
                body=title,
                status=status,
                created_by_id=people.operator,
                submitted_by_id=people.operator if status is not ArticleStatus.DRAFT else None,
                reviewed_by_id=people.reviewer if status is ArticleStatus.REJECTED else None,
                review_comment=comment,
            )
        slots = (("HOME", "首页推荐", listed[:4]), ("POLICY", "政策页推荐", listed[4:8]))
        for code, name, products in slots:
            await RecommendationSlot.create(
                tenant_id=people.portal,
                code=code,
                name=name,
                product_ids=[str(p.id) for p in products],
                updated_by_id=people.operator,
            )
        entries = 0
        for bank, hq in people.banks:
            for kind, title, product, body in KNOWLEDGE:
                entry = await KnowledgeEntry.create(
                    tenant_id=bank, kind=kind, title=title, body=body, product_name=product, created_by_id=hq
                )
                await index(
                    document(
                        SearchKind.KNOWLEDGE,
                        entry.id,
                        bank,
                        title,
                        f"{product}\n{body}",
                        facet=str(kind),
                        published_at=now,
                    )
                )
                entries += 1
    return {
        "articles": len(PUBLISHED) + len(OTHER_STATES),
        "recommendation_slots": len(slots),
        "knowledge_entries": entries,
    }
