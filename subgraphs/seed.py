"""Demo data for all five subgraphs (演示数据).

``await seed(settings)`` fills an empty, migrated database with a small Guizhou world:
the province union (省联社) with its member banks (法人行社), a village bank (村镇银行),
branches (支行) and outlets (网点); staff; grids (网格) and customers; reminders (提醒);
opportunities (商机); the finance marketplace (金融超市: institutions, products, financing
needs and grabs 抢单); and a power-grid company with its service halls (供电营业厅) and devices.

Two kinds of rows. Reference data — orgs and users, customers and their 360 profile rows,
opportunities, institutions, devices — is generated and inserted in bulk: no domain function
creates it (it comes from the bank's and the grid company's own systems), and
``dcms seed --customers 100000`` must stay fast. So are the reminders: they stand for what the
reminder job and the core-banking feed would have sent, from maturities and movements the seed
does not generate. Every row a rule of ours decides is made by that
rule's domain function, called with the principal of the seeded user who would do it
(``World.acting``): tier schemes and their approval, reminder policies, customer groups,
consents (customers); certification, product listing, financing needs with their matches, grabs
and withdrawals (finance). None of those reads the operations tables, so users and orgs are
written last, and no audit record is written (the trail is what users did through the API);
their events go to the outbox.

The bulk rows come from seeded ``random.Random`` instances, ids included, so two runs against
empty databases produce identical rows (timestamps aside: they are relative to "now"); rows the
domain makes get the domain's ids, order numbers and timestamps. The caller must already have
run ``open_database(settings)``.

Each subgraph's bulk rows go in one transaction, each domain call in its own. Operations goes
last: its root org (code ``GZ``) is the "already seeded" marker, so it only exists once every
other subgraph is in.
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction
from tqdm import tqdm

from models.common import blind_index
from models.customers import (
    ConsentPurpose,
    ContactChannel,
    ContactRecord,
    CorporatePerson,
    Customer,
    CustomerKind,
    CustomerTag,
    CustomerTier,
    Grid,
    GroupSource,
    Holding,
    HoldingCategory,
    KeyEvent,
    KeyEventKind,
    PersonRole,
    Reminder,
    ReminderKind,
    RepaymentInstallment,
    TagSource,
    ValueSnapshot,
)
from models.devices import (
    ConfigChange,
    ConfigChangeAction,
    ConfigItem,
    ConfigItemKind,
    ConfigRelation,
    ConfigRelationKind,
    Device,
    DeviceKind,
    DeviceStatus,
    MetricThreshold,
)
from models.finance import (
    FinancialProduct,
    FinancingNeed,
    GuaranteeMethod,
    Institution,
    InstitutionKind,
    NeedMatch,
)
from models.marketing import (
    Audience,
    FeedbackResult,
    FollowUpChannel,
    IndicatorKind,
    IndicatorSplit,
    Opportunity,
    OpportunityFollowUp,
    OpportunityStatus,
    QrCode,
    SchemeIndicator,
    SchemeKind,
    SplitLevel,
    WorkOrder,
)
from models.marketing import ContactChannel as Channel
from models.operations import (
    Alert,
    AlertLevel,
    AlertRoute,
    AlertSilence,
    AlertStatus,
    ApplicantApplication,
    ApplicantKind,
    BackupCheck,
    BackupFrequency,
    BackupJob,
    BackupRun,
    BackupRunStatus,
    ChangeKind,
    ChangeRequest,
    ChangeRisk,
    ChangeStatus,
    ChangeStep,
    DutyStatus,
    HallProfile,
    HallType,
    HallZone,
    IncidentAction,
    IncidentLevel,
    InspectionFrequency,
    InspectionPlan,
    Org,
    OrgKind,
    QualityCategory,
    QueueTicket,
    ServiceQualityRule,
    StaffDuty,
    SupportTier,
    TicketStatus,
    User,
    VisitorCount,
    ZoneKind,
)
from resolvers.common.clock import CST
from resolvers.common.identity_codes import with_check_character
from resolvers.common.rules import Rules
from resolvers.customers.consents import grant_consent
from resolvers.customers.filters import CustomerCriteria
from resolvers.customers.groups import add_customer_group_members, create_customer_group
from resolvers.customers.reminders import set_reminder_policy
from resolvers.customers.reports import generate_month, month_of, previous_month
from resolvers.customers.tiering import (
    TierBand,
    create_tier_scheme,
    request_tier_change,
    review_tier_scheme,
    submit_tier_scheme,
)
from resolvers.devices.rollups import learn_baselines, roll_up
from resolvers.devices.telemetry import Sample, record_telemetry
from resolvers.finance.catalogue import (
    ProductFields,
    certify_institution,
    create_product,
    review_product,
    submit_product,
)
from resolvers.finance.orders import NeedRequest, grab_need, publish_need, withdraw_need
from resolvers.marketing.schemes import (
    IndicatorDraft,
    SchemeDraft,
    create_scheme,
    review_scheme,
    start_scheme,
    submit_scheme,
)
from resolvers.marketing.targets import build_target_lists
from resolvers.marketing.work_orders import Feedback, give_feedback
from resolvers.operations import halls, incidents
from resolvers.operations.alert_policies import pick_roles
from resolvers.operations.identity import principal_for
from resolvers.operations.queues import BUSINESS_TYPES
from security.passwords import hash_password
from security.principal import Principal
from subgraphs.seed_canvas import Demo as CanvasDemo
from subgraphs.seed_canvas import seed_canvas
from subgraphs.seed_content import ContentPeople, seed_content
from subgraphs.seed_performance import Demo as PerformanceDemo
from subgraphs.seed_performance import seed_performance
from subgraphs.seed_workbench import WorkbenchDemo, seed_workbench
from subgraphs.settings import Settings

SEED = 20240917  # change it and every generated row changes with it
BATCH_SIZE = 1000
ROOT_CODE = "GZ"
ROOT_NAME = "贵州省农村信用社联合社"  # 省联社

# The two users documentation and tests log in as.
DEMO_MANAGER = "manager"  # 客户经理 in the first branch
DEMO_GRABBER = "grabber"  # 金融机构客户经理 of the first institution
# 演示密码: every seeded user logs in with it (dev data; it satisfies the password policy). Seeded
# outside dev mode (`dcms seed --demo`), each user must replace it at first login.
DEMO_PASSWORD = "Dcms@2026demo"
DEMO_MANAGER_MIN_CUSTOMERS = 40


# --------------------------------------------------------------------------- org-tree data


@dataclass(frozen=True)
class BranchSpec:
    name: str  # 支行
    region_code: str  # 行政区划代码 of its district (first 6 digits of local ID numbers)
    region: str  # city + district, e.g. 贵阳市观山湖区
    outlets: tuple[str, str]  # 网点 / 分理处
    grid: str  # 网格 served by the branch


@dataclass(frozen=True)
class BankSpec:
    code: str  # 机构号
    name: str  # short name shown everywhere
    kind: OrgKind  # MEMBER_BANK (法人行社) or VILLAGE_BANK (村镇银行)
    weight: int  # share of the generated customers
    branches: tuple[BranchSpec, ...]


BANKS: tuple[BankSpec, ...] = (
    BankSpec(
        "GZ01",
        "贵阳农商银行",
        OrgKind.MEMBER_BANK,
        30,
        (
            BranchSpec(
                "观山湖支行", "520115", "贵阳市观山湖区", ("金阳分理处", "世纪城分理处"), "金阳新区网格"
            ),
            BranchSpec(
                "南明支行", "520102", "贵阳市南明区", ("花果园分理处", "油榨街分理处"), "花果园社区网格"
            ),
            BranchSpec("花溪支行", "520111", "贵阳市花溪区", ("青岩分理处", "溪北分理处"), "青岩古镇网格"),
        ),
    ),
    BankSpec(
        "GZ02",
        "遵义农商银行",
        OrgKind.MEMBER_BANK,
        25,
        (
            BranchSpec("汇川支行", "520303", "遵义市汇川区", ("上海路分理处", "高坪分理处"), "高坪街道网格"),
            BranchSpec(
                "红花岗支行", "520302", "遵义市红花岗区", ("老城分理处", "南门关分理处"), "老城街道网格"
            ),
            BranchSpec("播州支行", "520304", "遵义市播州区", ("南白分理处", "鸭溪分理处"), "南白镇网格"),
        ),
    ),
    BankSpec(
        "GZ03",
        "安顺农商银行",
        OrgKind.MEMBER_BANK,
        18,
        (
            BranchSpec("西秀支行", "520402", "安顺市西秀区", ("东关分理处", "华西分理处"), "东关街道网格"),
            BranchSpec("平坝支行", "520403", "安顺市平坝区", ("夏云分理处", "天龙分理处"), "夏云工业园网格"),
            BranchSpec("普定支行", "520422", "安顺市普定县", ("城关分理处", "马官分理处"), "马官镇网格"),
        ),
    ),
    BankSpec(
        "GZ04",
        "六盘水农商银行",
        OrgKind.MEMBER_BANK,
        20,
        (
            BranchSpec("钟山支行", "520201", "六盘水市钟山区", ("荷城分理处", "大河分理处"), "荷城街道网格"),
            BranchSpec("水城支行", "520204", "六盘水市水城区", ("双水分理处", "董地分理处"), "双水新区网格"),
            BranchSpec("盘州支行", "520281", "六盘水市盘州市", ("红果分理处", "两河分理处"), "红果街道网格"),
        ),
    ),
    BankSpec(
        "GZ05",
        "贵阳白云黔丰村镇银行",
        OrgKind.VILLAGE_BANK,
        7,
        (
            BranchSpec(
                "艳山红支行", "520113", "贵阳市白云区", ("大山洞网点", "龚家寨网点"), "大山洞社区网格"
            ),
            BranchSpec("沙文支行", "520113", "贵阳市白云区", ("沙文网点", "麦架网点"), "沙文科技园网格"),
            BranchSpec("都拉支行", "520113", "贵阳市白云区", ("都拉网点", "牛场网点"), "都拉布依族乡网格"),
        ),
    ),
)
CUSTOMER_MANAGERS_PER_BRANCH = 3

REGULATOR = ("GYJRJ", "贵阳市地方金融监督管理局")  # 政府监管

GRID_COMPANY = ("GZDW", "贵州电网有限责任公司")  # 电网公司
OPS_TEAM = (
    ("ops", SupportTier.TECHNICIAN),  # 技术服务人员: the service desk
    ("ops_engineer", SupportTier.ENGINEER),  # 专业工程师
    ("ops_expert", SupportTier.EXPERT),  # 技术支持专家
    ("ops_pm", SupportTier.PROJECT_MANAGER),  # 服务项目经理
)
HALLS: tuple[str, ...] = (  # 供电营业厅
    "贵阳观山湖供电营业厅",
    "贵阳南明供电营业厅",
    "遵义汇川供电营业厅",
    "安顺西秀供电营业厅",
)


# --------------------------------------------------------------------------- marketplace data


@dataclass(frozen=True)
class ProductSpec:
    name: str
    guarantee: GuaranteeMethod  # 信用 / 抵押 / 担保
    min_wan: int  # amounts in 万元
    max_wan: int
    rate_min: str  # annual %
    rate_max: str
    term_months: int


@dataclass(frozen=True)
class InstitutionSpec:
    code: str
    name: str
    kind: InstitutionKind
    certified: bool  # 平台认证
    products: tuple[ProductSpec, ...]


CREDIT, MORTGAGE, GUARANTEE = GuaranteeMethod.CREDIT, GuaranteeMethod.MORTGAGE, GuaranteeMethod.GUARANTEE
INSTITUTIONS: tuple[InstitutionSpec, ...] = (  # 金融机构
    InstitutionSpec(
        "GYB",
        "贵阳银行",
        InstitutionKind.BANK,
        True,
        (
            ProductSpec("数谷e贷", CREDIT, 1, 300, "3.850", "6.000", 12),
            ProductSpec("小微企业抵押贷", MORTGAGE, 50, 1000, "3.950", "5.200", 36),
            ProductSpec("园区科创贷", GUARANTEE, 10, 500, "4.200", "6.500", 24),
        ),
    ),
    InstitutionSpec(
        "GZB",
        "贵州银行",
        InstitutionKind.BANK,
        True,
        (
            ProductSpec("黔微贷", CREDIT, 1, 100, "4.350", "7.200", 12),
            ProductSpec("税源贷", CREDIT, 5, 200, "4.000", "6.000", 12),
            ProductSpec("黔惠农贷", GUARANTEE, 5, 300, "4.500", "6.800", 36),
            ProductSpec("商铺抵押贷", MORTGAGE, 20, 800, "4.100", "5.600", 60),
        ),
    ),
    InstitutionSpec(
        "QXDB",
        "贵州黔信融资担保有限公司",
        InstitutionKind.GUARANTEE,
        True,
        (
            ProductSpec("助农担保贷", GUARANTEE, 5, 200, "5.500", "8.000", 12),
            ProductSpec("小微企业批量担保", GUARANTEE, 10, 500, "5.000", "7.500", 24),
        ),
    ),
    InstitutionSpec(
        "ZCXD",
        "贵阳筑城小额贷款有限公司",
        InstitutionKind.MICRO_LOAN,
        True,
        (
            ProductSpec("个体工商户经营贷", CREDIT, 1, 50, "8.000", "15.000", 12),
            ProductSpec("农户种养殖贷", GUARANTEE, 1, 30, "7.500", "12.000", 12),
        ),
    ),
    InstitutionSpec(
        "QCZL",
        "贵州黔程融资租赁有限公司",
        InstitutionKind.LEASING,
        True,
        (
            ProductSpec("农机设备融资租赁", MORTGAGE, 10, 500, "6.000", "9.000", 36),
            ProductSpec("冷链车辆融资租赁", MORTGAGE, 20, 300, "6.500", "9.500", 36),
        ),
    ),
    InstitutionSpec(
        "QSBL",
        "贵阳黔商商业保理有限公司",
        InstitutionKind.FACTORING,
        False,  # awaiting certification: may not list or grab yet
        (
            ProductSpec("应收账款保理", CREDIT, 50, 2000, "6.000", "10.000", 6),
            ProductSpec("供应链订单融资", GUARANTEE, 20, 1000, "6.500", "10.500", 12),
            ProductSpec("政府采购贷", CREDIT, 10, 500, "5.500", "8.000", 12),
        ),
    ),
)
FI_ACCOUNT_MANAGERS_PER_INSTITUTION = 3
FINANCING_NEEDS = 50  # 融资需求
GRABBED_NEEDS = 8  # of which already grabbed (抢单); the first three by DEMO_GRABBER's institution
WITHDRAWN_NEEDS = 2

# Industry (国民经济行业门类) → typical purposes of a financing need (融资用途).
INDUSTRY_PURPOSES: dict[str, tuple[str, ...]] = {
    "农、林、牧、渔业": (
        "春耕备耕采购化肥种子",
        "扩建生猪养殖场圈舍",
        "新建蔬菜大棚",
        "茶园提质改造",
        "采购中药材种苗",
    ),
    "制造业": ("购置生产设备", "扩建标准化厂房", "采购高粱等酿酒原料", "补充流动资金采购原材料"),
    "批发和零售业": ("店面装修及进货周转", "旺季备货资金", "支付上游供应商货款"),
    "交通运输、仓储和邮政业": ("购置冷链运输车辆", "建设仓储物流中心", "更新货运车辆"),
    "住宿和餐饮业": ("农家乐装修改造", "民宿扩建", "餐饮门店扩张"),
    "信息传输、软件和信息技术服务业": ("研发投入及人员工资", "数据中心设备采购"),
}

# Corporate customers: <city><brand><suffix>, the suffix fixing the industry.
COMPANY_BRANDS: tuple[str, ...] = tuple(
    "黔丰 筑诚 苗岭 乌江 赤水 梵净 红枫 百里 夜郎 鸿泰 盛源 金穗 云岭 山韵 兴黔 富民 聚宝 鑫达 "
    "汇通 宏远 绿源 天成 瑞丰 恒昌".split()
)
COMPANY_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("商贸有限公司", "批发和零售业"),
    ("农业开发有限公司", "农、林、牧、渔业"),
    ("茶业有限公司", "农、林、牧、渔业"),
    ("食品有限公司", "制造业"),
    ("建材有限公司", "制造业"),
    ("酒业有限公司", "制造业"),
    ("物流有限公司", "交通运输、仓储和邮政业"),
    ("生态旅游开发有限公司", "住宿和餐饮业"),
    ("餐饮管理有限公司", "住宿和餐饮业"),
    ("电子科技有限公司", "信息传输、软件和信息技术服务业"),
    ("中药材种植农民专业合作社", "农、林、牧、渔业"),
    ("生猪养殖农民专业合作社", "农、林、牧、渔业"),
)
CORPORATE_SHARE = 0.10  # 对公客户 share; the rest are 零售客户


# --------------------------------------------------------------------------- people data

# Common surnames, most frequent first (drawn with falling weights); 龙/吴/罗 are frequent in Guizhou.
SURNAMES: tuple[str, ...] = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
SURNAME_WEIGHTS: tuple[float, ...] = tuple(1 / (rank + 8) for rank in range(len(SURNAMES)))
# Characters for given names, by gender (the ID number's 17th digit is odd for men).
MALE_NAME_CHARS = (
    "伟强磊军洋勇杰涛明超平刚华建国志文辉鹏飞宇浩然轩俊思远鸣泽成林波斌宏德福昌贵兴海江山云川亮彬"
)
FEMALE_NAME_CHARS = "芳娜敏静丽艳娟兰霞英红玉晓雪婷欣怡涵萱佳琪嘉秀桂琴燕梅莉荣凤春秋云珍丹黔筑"
# 地址: <city + district><road><number>号, retail customers with building, unit and room.
ROADS: tuple[str, ...] = tuple(
    "人民路 中山路 解放路 延安路 北京路 新华路 滨河路 兴业路 长征路 宝山路 文化路 建设路 富水路 "
    "枣山路 黔灵山路 花溪大道 林城路 长岭路 阳关大道 迎宾大道".split()
)
PHONE_PREFIXES: tuple[str, ...] = tuple(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 157 158 159 "
    "180 181 182 183 185 186 187 188 189".split()
)

# 客户分层 → weight among retail customers, AUM range in 元.
TIERS: tuple[tuple[CustomerTier, int, int, int], ...] = (
    (CustomerTier.ORDINARY, 55, 0, 50_000),
    (CustomerTier.POTENTIAL, 20, 50_000, 200_000),
    (CustomerTier.GROWTH, 15, 200_000, 500_000),
    (CustomerTier.WEALTH, 8, 500_000, 6_000_000),
    (CustomerTier.PRIVATE, 2, 6_000_000, 30_000_000),
)

# --------------------------------------------------------------------------- marketing data

# 商机 product names (贵州农信's brands where it has them).
OPPORTUNITY_PRODUCTS: tuple[str, ...] = (
    "黔农e贷",
    "惠农e贷",
    "黔农云手机银行",
    "黔农卡",
    "定期存款",
    "大额存单",
    "黔农理财",
    "个人住房贷款",
    "农户小额信用贷款",
    "创业担保贷款",
    "第三代社保卡",
    "ETC 记账卡",
)
CORPORATE_OPPORTUNITY_PRODUCTS: tuple[str, ...] = ("代发工资", "聚合收单", "黔农商e贷", "对公结算账户")
# source code → title template (扫码 / 规则 / 模型)
OPPORTUNITY_SOURCES: tuple[tuple[str, str], ...] = (
    # Titles never name the customer: the customer is shown only to who may see it.
    ("QR_SCAN", "扫码意向：{product}"),
    ("RULE", "有意向办理{product}"),
    ("MODEL", "模型推荐：可能需要{product}"),
)
OPPORTUNITY_STATUSES: tuple[tuple[OpportunityStatus, int], ...] = (
    (OpportunityStatus.OPEN, 60),
    (OpportunityStatus.CLAIMED, 25),
    (OpportunityStatus.CONVERTED, 10),
    (OpportunityStatus.CLOSED, 5),
)
REMINDERS_PER_MANAGER = (3, 6)  # inclusive range; DEMO_MANAGER gets the upper bound plus two


# --------------------------------------------------------------------------- devices data


@dataclass(frozen=True)
class DeviceSpec:
    kind: DeviceKind
    abbr: str  # part of the device code
    name: str
    vendor: str
    model: str


HALL_DEVICES: tuple[DeviceSpec, ...] = (  # what every 供电营业厅 gets
    DeviceSpec(DeviceKind.SELF_SERVICE_TERMINAL, "SST", "1号自助服务终端", "广电运通", "GRG-H68"),
    DeviceSpec(DeviceKind.SELF_SERVICE_TERMINAL, "SST", "2号自助服务终端", "新国都", "XGD-K7"),
    DeviceSpec(DeviceKind.PAYMENT_KIOSK, "PAY", "1号自助缴费终端", "新国都", "XGD-P30"),
    DeviceSpec(DeviceKind.GUIDE_SCREEN, "GDS", "智能引导屏", "海康威视", "DS-D6055"),
    DeviceSpec(DeviceKind.LED_SCREEN, "LED", "门头LED屏", "洲明科技", "UTV-P2.5"),
    DeviceSpec(DeviceKind.QUEUE_MACHINE, "QUE", "智能排队机", "广电运通", "GRG-Q20"),
    DeviceSpec(DeviceKind.RATING_DEVICE, "RAT", "柜台服务评价器", "恒银金融", "HY-E10"),
    DeviceSpec(DeviceKind.CCTV, "CAM", "营业厅全景摄像机", "海康威视", "DS-2CD3T47"),
    DeviceSpec(DeviceKind.INTERACTION_UNIT, "GW", "智能互动单元", "华为", "AR502H"),
    DeviceSpec(DeviceKind.PEOPLE_COUNTER, "CNT", "门口客流计数器", "海康威视", "DS-2CD6825G0"),
    DeviceSpec(DeviceKind.VIDEO_ANALYTICS, "VAB", "音视频分析盒", "商汤科技", "SenseNebula-M"),
)
HALL_UNIT = 8  # the index of the hall's 智能互动单元 in HALL_DEVICES: the others report through it
# (hall index, device index) → a status other than ONLINE, so the wall has something to show.
DEVICE_INCIDENTS: dict[tuple[int, int], DeviceStatus] = {
    (1, 2): DeviceStatus.OFFLINE,
    (2, 4): DeviceStatus.FAULT,
    (3, 6): DeviceStatus.MAINTENANCE,
}


# --------------------------------------------------------------------------- in-memory world


@dataclass
class BranchNode:
    bank: BankNode
    spec: BranchSpec
    org: Org
    outlets: list[Org]
    head: User  # 支行行长
    managers: list[User]  # 客户经理
    grid: Grid  # 网格 (customers subgraph row, built here for its id)


@dataclass
class BankNode:
    spec: BankSpec
    org: Org
    branches: list[BranchNode] = field(default_factory=list)


@dataclass
class InstitutionNode:
    spec: InstitutionSpec
    org: Org
    account_managers: list[User]  # 金融机构客户经理


@dataclass
class World:
    """Everything operations owns, plus the cross-subgraph handles other builders need."""

    orgs: list[Org] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    inspection_plans: list[InspectionPlan] = field(default_factory=list)  # 巡检计划
    banks: list[BankNode] = field(default_factory=list)
    institutions: list[InstitutionNode] = field(default_factory=list)
    halls: list[Org] = field(default_factory=list)

    def acting(self, username: str) -> Principal:
        """The principal of a seeded user, as their token would carry it (their first role): what
        the domain functions the seed calls take, so each row is made by the rule and the person
        that would make it through the API. The user need not be written yet."""
        user = next(u for u in self.users if u.username == username)
        return principal_for(user, next(o for o in self.orgs if o.id == user.org_id))


@dataclass(frozen=True, slots=True)
class CustomerRef:
    """What the other subgraphs need to know about a generated customer."""

    id: UUID
    name: str
    kind: CustomerKind
    tenant_id: UUID
    manager_id: UUID
    region: str
    industry: str  # corporate only
    org_path: str = ""  # the customer's org (商机 of its org, for branch heads and statistics)


def _uuid(rng: random.Random) -> UUID:
    """A version-4 UUID from the seeded generator, so re-runs give the same ids."""
    return UUID(int=rng.getrandbits(128), version=4)


def _person(rng: random.Random) -> tuple[str, bool]:
    """A Chinese name and whether the person is male."""
    male = rng.random() < 0.5
    chars = MALE_NAME_CHARS if male else FEMALE_NAME_CHARS
    surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    return surname + "".join(rng.choices(chars, k=rng.choice((1, 2, 2, 2)))), male


def _say(progress: bool, message: str) -> None:
    if progress:
        print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- operations


def _build_world(rng: random.Random) -> World:
    """The org tree and its users (operations subgraph), kept in memory until written."""
    world = World()

    def org(code: str, name: str, kind: OrgKind, parent: Org | None, tenant_id: UUID | None) -> Org:
        id_ = _uuid(rng)
        row = Org(
            id=id_,
            code=code,
            name=name,
            kind=kind,
            parent_id=parent.id if parent else None,
            path=f"{parent.path}/{id_}" if parent else f"/{id_}",
            tenant_id=tenant_id,
        )
        world.orgs.append(row)
        return row

    def own_tenant(code: str, name: str, kind: OrgKind, parent: Org | None) -> Org:
        """A tenant root (法人行社, 村镇银行, 金融机构, 监管, 电网): its tenant is itself."""
        row = org(code, name, kind, parent, None)
        row.tenant_id = row.id
        return row

    def user(username: str, at: Org, *roles: str, display_name: str | None = None) -> User:
        row = User(
            id=_uuid(rng),
            username=username,
            display_name=display_name or _person(rng)[0],
            org_id=at.id,
            roles=list(roles),
            tenant_id=at.tenant_id,
        )
        world.users.append(row)
        return row

    root = org(ROOT_CODE, ROOT_NAME, OrgKind.PROVINCE_UNION, None, None)
    user("admin", root, "PROVINCE_ADMIN")  # 省联社管理
    # 三员分立 (平台管理, docs/operations.md): the province's security, audit and business admins.
    # Fixed ids and names: they draw nothing from ``rng``, so every other seeded value stays as it was.
    for username, role, name in (
        ("secadmin", "SECURITY_ADMIN", "安全管理员"),  # users and their roles
        ("auditor", "AUDIT_ADMIN", "审计管理员"),  # the audit trail and 用户变更历史
        ("platform", "PLATFORM_ADMIN", "平台管理员"),  # orgs and teams
    ):
        world.users.append(
            User(
                id=uuid5(NAMESPACE_URL, f"dcms:seed:{username}"),
                username=username,
                display_name=name,
                org_id=root.id,
                roles=[role],
                tenant_id=root.tenant_id,
            )
        )

    for bank_spec in BANKS:
        bank = BankNode(bank_spec, own_tenant(bank_spec.code, bank_spec.name, bank_spec.kind, root))
        world.banks.append(bank)
        user(f"hq_{bank_spec.code.lower()}", bank.org, "HQ_ADMIN")  # 总行业务管理
        user(f"hr_{bank_spec.code.lower()}", bank.org, "HQ_REVIEWER")  # 总行业务审核
        for number, branch_spec in enumerate(bank_spec.branches, start=1):
            code = f"{bank_spec.code}{number:02d}"
            branch_org = org(code, bank_spec.name + branch_spec.name, OrgKind.BRANCH, bank.org, bank.org.id)
            outlets = [
                org(f"{code}{index:02d}", bank_spec.name + outlet, OrgKind.OUTLET, branch_org, bank.org.id)
                for index, outlet in enumerate(branch_spec.outlets, start=1)
            ]
            head = user(f"bh_{code.lower()}", branch_org, "BRANCH_HEAD")  # 支行行长
            managers = [
                user(f"cm_{code.lower()}_{index}", branch_org, "CUSTOMER_MANAGER")
                for index in range(1, CUSTOMER_MANAGERS_PER_BRANCH + 1)
            ]
            grid = Grid(id=_uuid(rng), tenant_id=bank.org.id, org_id=branch_org.id, name=branch_spec.grid)
            bank.branches.append(BranchNode(bank, branch_spec, branch_org, outlets, head, managers, grid))

    first_branch = world.banks[0].branches[0]
    first_branch.managers.insert(0, user(DEMO_MANAGER, first_branch.org, "CUSTOMER_MANAGER"))
    for bank in world.banks:
        for branch in bank.branches:
            for staff in (branch.head, *branch.managers):
                staff.grid_ids = [str(branch.grid.id)]  # 网格 of their branch

    regulator = own_tenant(*REGULATOR, OrgKind.REGULATOR, None)
    user("regulator", regulator, "REGULATOR")  # 政府监管
    # The finance service platform (金融服务平台) the bureau runs: its operator, and a demo
    # enterprise applicant who posts needs and applies for products.
    user("operator", regulator, "OPERATOR")  # 运营
    user("applicant", regulator, "ENTERPRISE_USER")  # 企业用户
    user("individual", regulator, "INDIVIDUAL", display_name="张晓明")  # 个人用户 (a second applicant)

    for spec in INSTITUTIONS:
        fi_org = own_tenant(spec.code, spec.name, OrgKind.INSTITUTION, None)
        prefix = f"fi_{spec.code.lower()}"
        account_managers = [
            user(f"{prefix}_{index}", fi_org, "FI_ACCOUNT_MANAGER")
            for index in range(1, FI_ACCOUNT_MANAGERS_PER_INSTITUTION + 1)
        ]
        user(f"{prefix}_admin", fi_org, "FI_ADMIN")
        world.institutions.append(InstitutionNode(spec, fi_org, account_managers))
    first_fi = world.institutions[0]
    first_fi.account_managers.insert(0, user(DEMO_GRABBER, first_fi.org, "FI_ACCOUNT_MANAGER"))

    company = own_tenant(*GRID_COMPANY, OrgKind.GRID_COMPANY, None)
    # IT 运维: the service team, one per tier of the confirmation matrix (models/operations/incidents.py)
    for username, tier in OPS_TEAM:
        user(username, company, "OPS_ENGINEER").support_tier = tier
    for index, name in enumerate(HALLS, start=1):
        hall = org(f"{GRID_COMPANY[0]}{index:02d}", name, OrgKind.HALL, company, company.id)
        world.halls.append(hall)
        user(f"hall_{hall.code.lower()}", hall, "HALL_MANAGER")
    return world


# --------------------------------------------------------------------------- customers


def _id_card_number(rng: random.Random, region_code: str, male: bool) -> str:
    """18-digit 居民身份证号码: region, a real birth date, a sequence whose last digit is odd for
    men, and a valid GB 11643 check digit."""
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc(rng: random.Random, region_code: str, cooperative: bool) -> str:
    """统一社会信用代码 (GB 32100): 91 = company, 93 = 农民专业合作社; valid check character."""
    body = ("93" if cooperative else "91") + region_code + "".join(rng.choices(_USCC_CHARS, k=9))
    total = sum(_USCC_CHARS.index(char) * weight for char, weight in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def _phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _address(rng: random.Random, region: str, corporate: bool) -> str:
    """地址 in the branch's district."""
    street = f"{region}{rng.choice(ROADS)}{rng.randrange(1, 400)}号"
    if corporate:
        return street
    building, unit, floor, room = (
        rng.randrange(1, 30),
        rng.randrange(1, 5),
        rng.randrange(1, 33),
        rng.randrange(1, 5),
    )
    return f"{street}{building}栋{unit}单元{floor}{room:02d}室"


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    """A random amount of 元 in [low, high), to the fen."""
    return Decimal(rng.randrange(low * 100, high * 100)).scaleb(-2)


def _scaled(amount: Decimal, low: int, high: int, to_low: int, to_high: int) -> Decimal:
    """``amount`` from [low, high) moved proportionally into [to_low, to_high), to the fen."""
    scaled = to_low + (amount - low) * (to_high - to_low) / (high - low)
    return scaled.quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def _customer(
    rng: random.Random,
    number: int,
    branch: BranchNode,
    manager: User,
    now: datetime,
    addresses: random.Random,
) -> tuple[Customer, CustomerRef]:
    spec = branch.spec
    tenant_id = branch.bank.org.id
    org = rng.choice((branch.org, *branch.outlets, *branch.outlets))  # mostly an outlet's book
    industry = ""
    if rng.random() < CORPORATE_SHARE:  # 对公客户
        suffix, industry = rng.choice(COMPANY_SUFFIXES)
        city = spec.region.split("市")[0]
        name = city + rng.choice(COMPANY_BRANDS) + suffix
        kind = CustomerKind.CORPORATE
        id_number = _uscc(rng, spec.region_code, cooperative="合作社" in suffix)
        tier, _, low, high = rng.choices(TIERS, [5, 25, 35, 25, 10])[0]
        # In its tier's band, as every customer is: the book is what the bank's ACTIVE scheme
        # makes it (a draw as wide as ever, so the later columns stay what they were).
        aum = _scaled(_amount(rng, 100_000, 50_000_000), 100_000, 50_000_000, low, high)
    else:  # 零售客户
        name, male = _person(rng)
        kind = CustomerKind.RETAIL
        id_number = _id_card_number(rng, spec.region_code, male)
        tier, _, low, high = rng.choices(TIERS, [t[1] for t in TIERS])[0]
        aum = _amount(rng, low, high)
    customer = Customer(
        id=_uuid(rng),
        customer_no=f"C{branch.bank.spec.code[-2:]}{number:08d}",  # 客户号: bank number + sequence
        name=name,
        kind=kind,
        tenant_id=tenant_id,
        org_id=org.id,
        org_path=org.path,
        grid_id=branch.grid.id if rng.random() < 0.95 else None,  # a few not yet gridded
        primary_manager_id=manager.id,  # 主办客户经理
        id_number=id_number,
        phone=_phone(rng),
        # Own generator, so the other columns stay what they were before addresses existed.
        address=_address(addresses, spec.region, kind is CustomerKind.CORPORATE),
        tier=tier,
        aum=aum,
        created_at=now - timedelta(days=rng.randrange(1, 365 * 8), seconds=rng.randrange(86_400)),  # 开户
    )
    ref = CustomerRef(customer.id, name, kind, tenant_id, manager.id, spec.region, industry, org.path)
    return customer, ref


def _customer_batches(
    rng: random.Random, world: World, count: int, now: datetime, refs: list[CustomerRef]
) -> Iterator[list[Customer]]:
    """Customers in batches of BATCH_SIZE, appending each one's CustomerRef to ``refs``.

    The first ones belong to DEMO_MANAGER so that login always has a full book (管户);
    the rest spread over banks by weight, then evenly over branches and managers.
    """
    demo_branch = world.banks[0].branches[0]
    demo_manager = demo_branch.managers[0]
    reserved = min(count, max(DEMO_MANAGER_MIN_CUSTOMERS, count // 50))
    bank_weights = [bank.spec.weight for bank in world.banks]
    addresses = random.Random(SEED + 5)
    batch: list[Customer] = []
    for number in range(1, count + 1):
        if number <= reserved:
            branch, manager = demo_branch, demo_manager
        else:
            bank = rng.choices(world.banks, bank_weights)[0]
            branch = rng.choice(bank.branches)
            manager = rng.choice(branch.managers)
        customer, ref = _customer(rng, number, branch, manager, now, addresses)
        batch.append(customer)
        refs.append(ref)
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _reminder_title(rng: random.Random, kind: ReminderKind, name: str, days: int) -> str:
    match kind:
        case ReminderKind.LARGE_TRANSACTION:
            direction = rng.choice(("转入", "转出"))
            return f"客户{name}今日有一笔{rng.randrange(5, 200)}万元大额{direction}"
        case ReminderKind.DEPOSIT_MATURITY:
            return f"客户{name}存款将于{days}日后到期"
        case ReminderKind.LOAN_MATURITY:
            return f"客户{name}贷款将于{days}日后到期, 请提醒按时还款"
        case ReminderKind.ASSET_CHANGE:
            return f"客户{name}金融资产较上月下降{rng.randrange(10, 60)}%"
        case ReminderKind.APPOINTMENT:
            return f"客户{name}预约{days}日后到网点办理业务"
        case ReminderKind.PROSPECT_CONTACT:
            return f"客户{name}需于{days}日后再次联系"
        case _:
            return f"{days}日后走访客户{name}"


def _build_reminders(
    rng: random.Random, refs: Sequence[CustomerRef], demo_manager: UUID, now: datetime
) -> list[Reminder]:
    """提醒: a few per customer manager, about customers in their own book."""
    books: dict[UUID, list[CustomerRef]] = defaultdict(list)
    for ref in refs:
        books[ref.manager_id].append(ref)
    reminders: list[Reminder] = []
    for manager_id, book in books.items():
        low, high = REMINDERS_PER_MANAGER
        count = high + 2 if manager_id == demo_manager else rng.randint(low, high)
        for ref in rng.sample(book, min(count, len(book))):
            kind = rng.choice(list(ReminderKind))
            days = rng.randint(1, 7)
            reminders.append(
                Reminder(
                    id=_uuid(rng),
                    customer_id=ref.id,
                    manager_id=manager_id,
                    tenant_id=ref.tenant_id,
                    kind=kind,
                    title=_reminder_title(rng, kind, ref.name, days),
                    due_at=now + timedelta(days=days, hours=rng.randrange(0, 8)),
                    read=rng.random() < 0.3,
                )
            )
    return reminders


async def _insert(conn: BaseDBAsyncClient, rows: Sequence[Model]) -> int:
    if rows:
        await type(rows[0]).bulk_create(rows, batch_size=BATCH_SIZE, using_db=conn)
    return len(rows)


SYSTEM_TAGS = ("代发工资", "高净值", "有房贷", "活跃手机银行", "理财偏好稳健", "小微企业主")
RETAIL_HOLDINGS = (
    (HoldingCategory.DEPOSIT, "整存整取三年"),
    (HoldingCategory.DEPOSIT, "活期储蓄"),
    (HoldingCategory.WEALTH, "黔农理财·稳盈"),
    (HoldingCategory.FUND, "货币基金"),
    (HoldingCategory.INSURANCE, "分红型年金险"),
    (HoldingCategory.LOAN, "黔农e贷"),
)
CONTACT_SUMMARIES = (
    "电话回访，客户对理财到期转存有意向",
    "上门走访，了解春耕资金需求",
    "微信沟通代发工资业务",
    "短信提醒存款到期",
)


def _build_profiles(rng: random.Random, refs: Sequence[CustomerRef], now: datetime) -> dict[str, list[Model]]:
    """客户画像 blocks for the demo manager's book (the H5 app's morning view); other customers
    have none, so seeding 100k customers stays fast."""
    rows: dict[str, list[Model]] = defaultdict(list)
    today = now.date()
    for ref in refs:
        for name in rng.sample(SYSTEM_TAGS, 2):
            rows["customer_tags"].append(
                CustomerTag(id=_uuid(rng), customer_id=ref.id, name=name, source=TagSource.SYSTEM)
            )
        for category, product in rng.sample(RETAIL_HOLDINGS, 3):
            opened = today - timedelta(days=rng.randrange(30, 1000))
            rows["holdings"].append(
                Holding(
                    id=_uuid(rng),
                    customer_id=ref.id,
                    category=category,
                    product_name=product,
                    amount=Decimal(rng.randrange(1, 100) * 10_000),
                    opened_on=opened,
                    matures_on=opened + timedelta(days=1095) if category is HoldingCategory.DEPOSIT else None,
                )
            )
        month, deposits = today.replace(day=1), rng.randrange(50, 500) * 1_000
        for _ in range(12):  # 价值分析: the last twelve months
            rows["value_snapshots"].append(
                ValueSnapshot(
                    id=_uuid(rng),
                    customer_id=ref.id,
                    month=month,
                    deposits=Decimal(deposits),
                    wealth=Decimal(deposits // 3),
                    inflow=Decimal(rng.randrange(1, 50) * 1_000),
                    outflow=Decimal(rng.randrange(1, 50) * 1_000),
                )
            )
            month, deposits = (
                (month - timedelta(days=1)).replace(day=1),
                max(deposits - rng.randrange(0, 20_000), 1_000),
            )
        rows["key_events"].append(
            KeyEvent(
                id=_uuid(rng),
                customer_id=ref.id,
                kind=KeyEventKind.FIRST_ACCOUNT,
                title="首次开户",
                occurred_at=now - timedelta(days=rng.randrange(400, 3000)),
            )
        )
        rows["contact_records"].append(
            ContactRecord(
                id=_uuid(rng),
                customer_id=ref.id,
                manager_id=ref.manager_id,
                channel=rng.choice(list(ContactChannel)),
                summary=rng.choice(CONTACT_SUMMARIES),
                contacted_at=now - timedelta(days=rng.randrange(1, 60)),
                contact_again_on=today + timedelta(days=rng.randrange(1, 30)),
            )
        )
        if ref.kind is CustomerKind.CORPORATE:
            name, male = _person(rng)
            rows["corporate_people"].append(
                CorporatePerson(
                    id=_uuid(rng),
                    customer_id=ref.id,
                    role=PersonRole.ACTUAL_CONTROLLER,
                    name=name,
                    id_number=_id_card_number(rng, "520102", male),
                )
            )
            for offset in range(0, 180, 30):  # 还款日历: monthly installments
                rows["repayment_installments"].append(
                    RepaymentInstallment(
                        id=_uuid(rng),
                        customer_id=ref.id,
                        loan_no=f"L{ref.id.hex[:8].upper()}",
                        due_on=today + timedelta(days=offset),
                        principal=Decimal(20_000),
                        interest=Decimal(rng.randrange(500, 1500)),
                    )
                )
    return rows


async def _head_office(world: World) -> dict[str, int]:
    """Per member bank, what its head office decides, made by the customers domain as it would be
    through the API: the HQ_ADMIN drafts and submits the 分层方案 (the bands the customers are
    generated in) and the HQ_REVIEWER approves it, and the HQ_ADMIN sets the 提醒参数."""
    counts = {"tier_scheme": 0, "approval_step": 0, "reminder_policy": 0}
    bands = [TierBand(tier, Decimal(low)) for tier, _, low, _ in TIERS]
    for bank in world.banks:
        code = bank.spec.code.lower()
        admin, reviewer = world.acting(f"hq_{code}"), world.acting(f"hr_{code}")
        scheme = await create_tier_scheme(admin, f"{bank.spec.name}零售客户分层方案", bands)
        await submit_tier_scheme(admin, scheme.id)
        await review_tier_scheme(reviewer, scheme.id, approve=True, comment="同意, 按季度复核")
        await set_reminder_policy(admin, Decimal(500_000))
        counts["tier_scheme"] += 1
        counts["approval_step"] += 2  # submitted, approved
        counts["reminder_policy"] += 1
    return counts


async def _demo_book(world: World, refs: Sequence[CustomerRef], now: datetime) -> dict[str, int]:
    """In the demo manager's bank, made by the customers domain: the HQ_ADMIN's system 客群
    (财富及私行) and custom one (重点维护) of the demo manager's retail customers, and the 征信
    consents the demo manager records for a few of their customers."""
    demo = world.banks[0].branches[0].managers[0]
    mine = [r for r in refs if r.manager_id == demo.id]
    retail = [r.id for r in mine if r.kind is CustomerKind.RETAIL][:12]
    admin = world.acting(f"hq_{world.banks[0].spec.code.lower()}")
    wealthy = CustomerCriteria(tiers=[CustomerTier.WEALTH, CustomerTier.PRIVATE])
    await create_customer_group(admin, "财富及私行客户", CustomerKind.RETAIL, GroupSource.SYSTEM, wealthy)
    key = await create_customer_group(admin, "重点维护客户", CustomerKind.RETAIL, GroupSource.CUSTOM)
    if retail:
        await add_customer_group_members(admin, key.id, retail)
    manager = world.acting(DEMO_MANAGER)
    for n, ref in enumerate(mine[:5]):
        evidence = f"授权书 SQ{now:%Y}{n + 1:04d}"
        expires = now + timedelta(days=365)
        await grant_consent(manager, ref.id, ConsentPurpose.CREDIT_REPORT, expires, evidence)
    # 待我审批 for the demo branch head: a tier change the demo manager asks for.
    pending = 0
    for ref in [r for r in mine if r.kind is CustomerKind.RETAIL][-1:]:
        tier = (await Customer.filter(id=ref.id).values_list("tier", flat=True))[0]
        to = CustomerTier.PRIVATE if tier != CustomerTier.PRIVATE else CustomerTier.WEALTH
        await request_tier_change(manager, ref.id, to, "客户近三月金融资产持续增长，申请调整分层")
        pending += 1
    return {
        "customer_group": 2,
        "group_member": len(retail),
        "consent": len(mine[:5]),
        "tier_request": pending,
    }


async def _seed_customers(
    rng: random.Random, world: World, count: int, now: datetime, progress: bool
) -> tuple[dict[str, int], list[CustomerRef]]:
    grids = [branch.grid for bank in world.banks for branch in bank.branches]
    refs: list[CustomerRef] = []
    demo_manager = world.banks[0].branches[0].managers[0].id
    # The schemes are approved before the book is loaded: approval applies a scheme to every
    # customer of the bank (``_apply`` reads them all, ~4 s for 100,000), and the generated
    # customers are in their bands already, so it would move no one.
    office = await _head_office(world)
    # Reference data, inserted in bulk: the customers and their 360 profiles come from the bank's
    # core systems, not from a rule of ours, and no domain function creates them; row by row,
    # `dcms seed --customers 100000` would take minutes. The reminders stand for what the job and
    # the core-banking feed would have sent from inputs the seed does not generate.
    async with in_transaction("customers") as conn:
        counts = {"grids": await _insert(conn, grids), "customers": 0}
        with tqdm(total=count, desc="customers 客户", unit="", file=sys.stderr, disable=not progress) as bar:
            for batch in _customer_batches(rng, world, count, now, refs):
                counts["customers"] += await _insert(conn, batch)
                bar.update(len(batch))
        counts["reminders"] = await _insert(conn, _build_reminders(rng, refs, demo_manager, now))
        for model, rows in _build_profiles(
            rng, [r for r in refs if r.manager_id == demo_manager], now
        ).items():
            counts[model] = await _insert(conn, rows)
    counts |= office | await _demo_book(world, refs, now)
    return counts, refs


# --------------------------------------------------------------------------- marketing


def _build_opportunities(rng: random.Random, refs: Sequence[CustomerRef], now: datetime) -> list[Opportunity]:
    """商机: about one per ten customers; claimed ones by the customer's own manager."""
    statuses = [status for status, _ in OPPORTUNITY_STATUSES]
    weights = [weight for _, weight in OPPORTUNITY_STATUSES]
    opportunities: list[Opportunity] = []
    for ref in rng.sample(refs, len(refs) // 10):
        corporate = ref.kind is CustomerKind.CORPORATE
        product = rng.choice(CORPORATE_OPPORTUNITY_PRODUCTS if corporate else OPPORTUNITY_PRODUCTS)
        source, template = rng.choice(OPPORTUNITY_SOURCES)
        status = rng.choices(statuses, weights)[0]
        opportunities.append(
            Opportunity(
                id=_uuid(rng),
                tenant_id=ref.tenant_id,
                customer_id=ref.id,
                title=template.format(product=product),
                product_name=product,
                source=source,
                rule="DEPOSIT_RENEWAL" if source == "RULE" else "",
                status=status,
                org_path=ref.org_path,
                claimed_by_id=None if status is OpportunityStatus.OPEN else ref.manager_id,
                claimed_org_path="" if status is OpportunityStatus.OPEN else ref.org_path,
                claimed_at=None
                if status is OpportunityStatus.OPEN
                else now - timedelta(days=rng.randrange(1, 5)),
                converted_amount=Decimal(rng.randrange(1, 50) * 10_000)
                if status is OpportunityStatus.CONVERTED
                else None,
                converted_product=product if status is OpportunityStatus.CONVERTED else "",
                close_reason="客户暂无需求" if status is OpportunityStatus.CLOSED else "",
                finished_at=now
                if status in (OpportunityStatus.CONVERTED, OpportunityStatus.CLOSED)
                else None,
                created_at=now - timedelta(days=rng.randrange(5, 60), seconds=rng.randrange(86_400)),
            )
        )
    return opportunities


FOLLOW_UP_NOTES: dict[FollowUpChannel, str] = {
    FollowUpChannel.PHONE: "电话沟通，客户有意向，约本周到网点面谈",
    FollowUpChannel.SMS: "已发送产品介绍短信",
    FollowUpChannel.WECHAT: "微信沟通利率与期限",
    FollowUpChannel.VISIT: "上门走访，客户需和家人商量",
}


def _build_follow_ups(
    rng: random.Random, opportunities: Sequence[Opportunity], now: datetime
) -> list[OpportunityFollowUp]:
    """跟进记录: one or two for each opportunity in hand or finished."""
    follow_ups: list[OpportunityFollowUp] = []
    for opportunity in opportunities:
        if opportunity.claimed_by_id is None:
            continue
        for i in range(rng.randrange(1, 3)):
            channel = rng.choice(list(FollowUpChannel))
            follow_ups.append(
                OpportunityFollowUp(
                    id=_uuid(rng),
                    opportunity_id=opportunity.id,
                    tenant_id=opportunity.tenant_id,
                    manager_id=opportunity.claimed_by_id,
                    channel=channel,
                    note=FOLLOW_UP_NOTES[channel],
                    next_on=(now + timedelta(days=3)).date() if i == 0 else None,
                    created_at=now - timedelta(days=1, hours=i),
                )
            )
    return follow_ups


def _build_qr_codes(rng: random.Random, refs: Sequence[CustomerRef]) -> list[QrCode]:
    """营销二维码: one mass-marketing code per bank, at the first demo customer's branch; its scans
    go to the pool."""
    codes: dict[UUID, QrCode] = {}
    for ref in refs:
        if ref.tenant_id in codes or not ref.org_path:
            continue
        codes[ref.tenant_id] = QrCode(
            id=_uuid(rng),
            tenant_id=ref.tenant_id,
            org_id=UUID(ref.org_path.rsplit("/", 1)[-1]),
            org_path=ref.org_path,
            product_name="黔农e贷",
            label="网点大堂海报：扫码预约黔农e贷",
            token=f"demo-{ref.tenant_id.hex[:12]}",
            created_by=ref.manager_id,
        )
    return list(codes.values())


async def _seed_marketing(rng: random.Random, refs: Sequence[CustomerRef], now: datetime) -> dict[str, int]:
    opportunities = _build_opportunities(rng, refs, now)
    async with in_transaction("marketing") as conn:
        return {
            "opportunities": await _insert(conn, opportunities),
            "opportunity follow-ups": await _insert(conn, _build_follow_ups(rng, opportunities, now)),
            "QR codes": await _insert(conn, _build_qr_codes(rng, refs)),
        }


def _content_people(world: World) -> ContentPeople:
    """Who wrote the demo content: the bureau's operator and regulator, each bank's head office."""
    by_name = {user.username: user for user in world.users}
    operator, reviewer = by_name["operator"], by_name["regulator"]
    assert operator.tenant_id is not None
    banks = tuple((bank.org.id, by_name[f"hq_{bank.spec.code.lower()}"].id) for bank in world.banks)
    return ContentPeople(operator.tenant_id, operator.id, reviewer.id, banks)


# --------------------------------------------------------------------------- marketing schemes


async def _seed_schemes(world: World, refs: Sequence[CustomerRef], now: datetime) -> dict[str, int]:
    """营销方案 in the demo manager's bank, made by the marketing domain as through the API: a
    running precision scheme (the demo manager's customers with a 营销授权 make its list, built by
    the list job; its indicators split to the demo branch and its managers; some work orders with
    feedback), a pending one waiting for the head office reviewer, and a draft mass scheme of the
    demo branch. The splits are inserted as rows: the domain checks orgs and managers against the
    staff directory, which the seed writes last."""
    bank = world.banks[0]
    branch = bank.branches[0]
    code = bank.spec.code.lower()
    admin, reviewer = world.acting(f"hq_{code}"), world.acting(f"hr_{code}")
    manager, head = world.acting(DEMO_MANAGER), world.acting(branch.head.username)
    mine = [r for r in refs if r.manager_id == manager.user_id]
    for n, ref in enumerate(mine[:12]):  # 营销授权 (产品推荐) the demo manager records
        evidence = f"营销授权书 YX{now:%Y}{n + 1:04d}"
        await grant_consent(
            manager, ref.id, ConsentPurpose.RECOMMENDATION, now + timedelta(days=365), evidence
        )
    audience = await Audience.create(
        tenant_id=bank.org.id,
        name="支行授权客户",
        criteria={"orgPath": branch.org.path},
        created_by=admin.user_id,
    )
    today = now.astimezone(CST).date()
    indicators = (
        IndicatorDraft(IndicatorKind.CONTACTS, Decimal(200)),
        IndicatorDraft(IndicatorKind.CONVERSIONS, Decimal(40)),
        IndicatorDraft(IndicatorKind.AMOUNT, Decimal(5_000_000)),
    )
    running = await create_scheme(
        admin,
        SchemeKind.PRECISION,
        SchemeDraft(
            name="岁末存款旺季精准营销",
            description="面向已授权的存量客户，推介定期存款与大额存单，客户经理电话或走访跟进。",
            starts_on=today - timedelta(days=7),
            ends_on=today + timedelta(days=60),
            products=("黔农定期存款", "大额存单"),
            channels=(Channel.PHONE, Channel.VISIT, Channel.MOBILE_BANKING),
            audience_id=audience.id,
            indicators=indicators,
        ),
    )
    await submit_scheme(admin, running.id)
    await review_scheme(reviewer, running.id, approve=True, comment="同意，按季度检视")
    await start_scheme(admin, running.id)
    await build_target_lists()
    splits: list[IndicatorSplit] = []
    for indicator in await SchemeIndicator.filter(scheme_id=running.id):
        total = indicator.total
        splits.append(
            IndicatorSplit(
                indicator_id=indicator.id,
                scheme_id=running.id,
                level=SplitLevel.ORG,
                assignee_id=branch.org.id,
                org_path=branch.org.path,
                target=total * Decimal("0.4"),
            )
        )
        for i, user in enumerate(branch.managers[:3]):
            share = total * Decimal("0.4") * (Decimal("0.5") if i == 0 else Decimal("0.25"))
            splits.append(
                IndicatorSplit(
                    indicator_id=indicator.id,
                    scheme_id=running.id,
                    level=SplitLevel.MANAGER,
                    assignee_id=user.id,
                    org_path=branch.org.path,
                    target=share.quantize(Decimal("0.01")),
                )
            )
    await IndicatorSplit.bulk_create(splits)
    orders = await WorkOrder.filter(scheme_id=running.id, manager_id=manager.user_id).order_by("id")
    feedback = [
        (Channel.PHONE, FeedbackResult.CONVERTED, Decimal(200_000), "已购买三年期定期存款"),
        (Channel.VISIT, FeedbackResult.INTERESTED, Decimal(0), "客户考虑中，下周再联系"),
        (
            Channel.MOBILE_BANKING,
            FeedbackResult.CONVERTED,
            Decimal(50_000),
            "手机银行自助购买大额存单",
        ),
        (Channel.PHONE, FeedbackResult.REFUSED, Decimal(0), "资金另有安排"),
        (Channel.WECHAT, FeedbackResult.CONTACTED, Decimal(0), "已发送产品介绍"),
    ]
    for n, (order, (channel, result, amount, note)) in enumerate(zip(orders, feedback, strict=False)):
        await give_feedback(manager, order.id, f"seed-{n}", Feedback(channel, result, amount, note))
    pending = await create_scheme(
        admin,
        SchemeKind.PRECISION,
        SchemeDraft(
            name="春节理财客户回馈营销",
            description="春节前后向财富客户推介理财产品并赠送积分礼品。",
            starts_on=today + timedelta(days=30),
            ends_on=today + timedelta(days=90),
            products=("黔农理财·稳盈",),
            channels=(Channel.PHONE, Channel.APP),
            audience_id=audience.id,
            indicators=indicators[1:],
        ),
    )
    await submit_scheme(admin, pending.id)
    await create_scheme(
        head,
        SchemeKind.MASS,
        SchemeDraft(
            name="网点扫码办理黔农e贷",
            description="网点张贴二维码，客户扫码登记贷款意向。",
            starts_on=today,
            ends_on=today + timedelta(days=45),
            products=("黔农e贷",),
            channels=(Channel.APP,),
        ),
    )
    return {
        "marketing_scheme": 3,
        "scheme_indicator": len(indicators) + len(indicators[1:]),
        "indicator_split": len(splits),
        "work_order": await WorkOrder.filter(scheme_id=running.id).count(),
        "work_order_feedback": min(len(orders), len(feedback)),
    }


# --------------------------------------------------------------------------- finance


async def _seed_catalogue(
    rng: random.Random, world: World
) -> tuple[list[Institution], list[FinancialProduct]]:
    """The institutions (reference data: an institution is an org, and no domain function makes
    one), certified by the platform operator (平台认证); each one's products drafted and submitted
    by its FI_ADMIN and listed (上架) by the operator — an uncertified institution's stay drafts."""
    institutions = [
        Institution(
            id=_uuid(rng),
            org_id=node.org.id,
            org_path=node.org.path,
            name=node.spec.name,
            kind=node.spec.kind,
            certified=False,
        )
        for node in world.institutions
    ]
    for node, institution in zip(world.institutions, institutions, strict=True):
        for user in world.users:  # FI staff carry their institution into their token
            if user.org_id == node.org.id:
                user.institution_id = institution.id
    async with in_transaction("finance") as conn:
        await _insert(conn, institutions)
    operator = world.acting("operator")
    products: list[FinancialProduct] = []
    for node, institution in zip(world.institutions, institutions, strict=True):
        if node.spec.certified:
            await certify_institution(operator, institution.id, certified=True)
        fi_admin = world.acting(f"fi_{node.spec.code.lower()}_admin")
        for spec in node.spec.products:
            fields = ProductFields(
                name=spec.name,
                guarantee_method=spec.guarantee,
                min_amount=Decimal(spec.min_wan * 10_000),
                max_amount=Decimal(spec.max_wan * 10_000),
                rate_min=Decimal(spec.rate_min),
                rate_max=Decimal(spec.rate_max),
                term_months=spec.term_months,
            )
            product = await create_product(fi_admin, fields)
            if node.spec.certified:
                await submit_product(fi_admin, product.id)
                product = await review_product(operator, product.id, approve=True)
            products.append(product)
    # Demo dressing, not a rule: a 综合评分 as if from past loans (the domain computes it from
    # decided applications and feedback, of which the seed makes none).
    for product in products:
        product.rating = Decimal(rng.randrange(5000, 9500)) / 100
    await FinancialProduct.bulk_update(products, fields=["rating"])
    return institutions, products


async def _seed_needs(
    rng: random.Random,
    world: World,
    refs: Sequence[CustomerRef],
    now: datetime,
    institutions: list[Institution],
    max_institutions: int,
) -> dict[str, int]:
    """融资需求, each posted by the applicant's customer manager for the customer (the domain
    matches it to the certified institutions with a fitting product); a few grabbed (抢单) by an
    account manager of one of them — the first three by DEMO_GRABBER's institution — and a few
    withdrawn by their poster."""
    corporate = [ref for ref in refs if ref.kind is CustomerKind.CORPORATE]
    retail = [ref for ref in refs if ref.kind is CustomerKind.RETAIL]
    staff = {node.org.id: node.account_managers for node in world.institutions}
    users = {user.id: user for user in world.users}
    demo = institutions[0]
    posted: dict[UUID, FinancingNeed] = {}
    counts = {"financing_needs": 0, "need_matches": 0, "handlings": 0}
    for index in range(min(FINANCING_NEEDS, len(refs))):
        pool = corporate if corporate and (rng.random() < 0.7 or not retail) else retail
        applicant = rng.choice(pool)
        industry = applicant.industry or rng.choice(list(INDUSTRY_PURPOSES))
        created = now - timedelta(days=rng.randrange(0, 30), seconds=rng.randrange(86_400))
        request = NeedRequest(
            amount=Decimal(rng.randrange(5, 300) * 10_000),
            term_months=rng.choice((6, 12, 12, 24, 36)),
            purpose=rng.choice(INDUSTRY_PURPOSES[industry]),
            applicant_id=str(applicant.id),
            region=applicant.region,
            industry=industry,
        )
        poster = world.acting(users[applicant.manager_id].username)
        need = await publish_need(poster, request, max_institutions)
        if need.id in posted:  # the very same need drawn twice: the domain returned the first
            continue
        need.created_at = created
        posted[need.id] = need
        matched = set(await NeedMatch.filter(need_id=need.id).values_list("institution_id", flat=True))
        open_to = [i for i in institutions if i.id in matched]  # in the seed's order: deterministic
        counts["need_matches"] += len(open_to)
        if index < GRABBED_NEEDS and open_to:
            institution = demo if index < 3 and demo in open_to else rng.choice(open_to)
            handler = staff[institution.org_id][0 if institution is demo else rng.randrange(3)]
            await grab_need(world.acting(handler.username), need.id)
            counts["handlings"] += 1
        elif index < GRABBED_NEEDS + WITHDRAWN_NEEDS:
            await withdraw_need(poster, need.id)
    # Demo dressing, not a rule: the domain stamps a need posted now; spread them over the past
    # 30 days (one UPDATE) so the pool and the statistics have a history. Grabs keep the domain's
    # moments and deadlines (grabbed now).
    if posted:
        await FinancingNeed.bulk_update(list(posted.values()), fields=["created_at"])
    counts["financing_needs"] = len(posted)
    return counts


async def _seed_finance(
    rng: random.Random, world: World, refs: Sequence[CustomerRef], now: datetime, max_institutions: int
) -> dict[str, int]:
    institutions, products = await _seed_catalogue(rng, world)
    counts = {"institutions": len(institutions), "financial_products": len(products)}
    return counts | await _seed_needs(rng, world, refs, now, institutions, max_institutions)


# --------------------------------------------------------------------------- devices


def _build_devices(rng: random.Random, world: World, now: datetime) -> list[Device]:
    """Hall devices; the few not ONLINE also raise an operations Alert (告警) in ``world``."""
    devices: list[Device] = []
    for hall_index, hall in enumerate(world.halls):
        numbers: dict[str, int] = defaultdict(int)
        unit_id = _uuid(rng)
        for device_index, spec in enumerate(HALL_DEVICES):
            numbers[spec.abbr] += 1
            status = DEVICE_INCIDENTS.get((hall_index, device_index), DeviceStatus.ONLINE)
            online = status is DeviceStatus.ONLINE
            heartbeat = now - (timedelta(seconds=rng.randrange(5, 60)) if online else timedelta(hours=2))
            unit = device_index == HALL_UNIT
            device = Device(
                id=unit_id if unit else _uuid(rng),
                code=f"{hall.code}-{spec.abbr}{numbers[spec.abbr]:02d}",  # 设备编号
                name=spec.name,
                kind=spec.kind,
                vendor=spec.vendor,
                model=spec.model,
                protocol="MQTT" if unit else "RS-485 / 以太网 (经交互单元)",
                firmware=f"V{rng.randint(1, 3)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
                hall_id=hall.id,
                org_path=hall.path,
                tenant_id=hall.tenant_id,
                parent_id=None if unit else unit_id,
                owner_contact=f"{hall.name}值班电话 0851-8{rng.randint(1000000, 9999999)}",
                location=f"{hall.name}{'机房' if unit else '营业大厅'}",
                warranty_until=(now + timedelta(days=rng.randint(90, 1000))).date(),
                status=status,
                status_since=heartbeat,
                last_heartbeat_at=heartbeat,
                offline_after=heartbeat + timedelta(seconds=90) if online else None,
                cpu=round(rng.uniform(5, 65), 1) if online else None,
                memory=round(rng.uniform(20, 70), 1) if online else None,
            )
            devices.append(device)
            if status in (DeviceStatus.OFFLINE, DeviceStatus.FAULT):
                offline = status is DeviceStatus.OFFLINE
                last_seen = f"{heartbeat.astimezone(CST):%Y-%m-%d %H:%M:%S}"
                world.alerts.append(
                    Alert(
                        id=_uuid(rng),
                        org_id=hall.id,
                        org_path=hall.path,
                        level=AlertLevel.WARNING if offline else AlertLevel.CRITICAL,
                        status=AlertStatus.OPEN,
                        title=f"{hall.name}{spec.name}{'离线' if offline else '故障'}",
                        detail=f"设备 {device.code} 最后心跳 {last_seen} (北京时间)",
                        source="device",
                        device_id=device.id,
                        # the key the device alerts job raises and resolves it by
                        dedup_key=f"device-{'offline' if offline else 'fault'}:{device.id}",
                        last_seen_at=heartbeat,
                    )
                )
    return devices


async def _seed_devices(rng: random.Random, world: World, now: datetime) -> dict[str, int]:
    devices = _build_devices(rng, world, now)
    devices.sort(key=lambda d: d.parent_id is not None)  # the units first: the others name them
    world.inspection_plans = _build_inspection_plans(rng, world, devices, now)
    async with in_transaction("devices") as conn:
        counts = {"devices": await _insert(conn, devices)}
        counts |= await _seed_cmdb(conn, random.Random(SEED + 16), world, devices, now)
    return counts | await _seed_telemetry(rng, devices, now)


# --------------------------------------------------------------------------- 配置库 (CMDB)


@dataclass(frozen=True)
class ConfigItemSpec:
    code: str
    kind: ConfigItemKind
    name: str
    vendor: str
    model: str
    location: str
    config: dict[str, Any]


MACHINE_ROOM: tuple[ConfigItemSpec, ...] = (  # the grid company's machine room (信息机房)
    ConfigItemSpec(
        "GZDW-SRV-DB01",
        ConfigItemKind.SERVER,
        "营销数据库服务器",
        "华为",
        "RH2288H V5",
        "信息机房 A03 柜 U12-U13",
        {"os": "CentOS 7.6", "cpu": "2×Xeon Gold 6230", "memory": "256G", "ip": "10.10.1.11"},
    ),
    ConfigItemSpec(
        "GZDW-SRV-APP01",
        ConfigItemKind.SERVER,
        "营业厅应用服务器",
        "浪潮",
        "NF5280M5",
        "信息机房 A03 柜 U15-U16",
        {"os": "CentOS 7.6", "cpu": "2×Xeon Silver 4214", "memory": "128G", "ip": "10.10.1.21"},
    ),
    ConfigItemSpec(
        "GZDW-STO-01",
        ConfigItemKind.STORAGE,
        "核心存储磁盘阵列",
        "华为",
        "OceanStor 5500 V5",
        "信息机房 A04 柜",
        {"raid": "RAID6", "capacity": "120TB", "controllers": 2, "firmware": "V500R007C61"},
    ),
    ConfigItemSpec(
        "GZDW-SAN-01",
        ConfigItemKind.SAN_SWITCH,
        "SAN 光纤交换机",
        "博科",
        "G620",
        "信息机房 A04 柜 U40",
        {"ports": 48, "speed": "32Gb", "zoning": "DB01-STO01, APP01-STO01", "firmware": "v8.2.2"},
    ),
    ConfigItemSpec(
        "GZDW-NET-CORE01",
        ConfigItemKind.NETWORK_DEVICE,
        "核心交换机",
        "华为",
        "CE12804",
        "信息机房 A01 柜",
        {"vlans": "10,20,30", "management_ip": "10.10.0.1", "stack": "CSS"},
    ),
    ConfigItemSpec(
        "GZDW-SEC-FW01",
        ConfigItemKind.SECURITY_DEVICE,
        "边界防火墙",
        "深信服",
        "AF-1000",
        "信息机房 A01 柜 U30",
        {"mode": "路由模式", "policies": 126, "ha": "主备", "signature_version": "2026.11"},
    ),
)
MACHINE_ROOM_RELATIONS = (  # source, kind, target
    ("GZDW-SRV-DB01", ConfigRelationKind.STORES_ON, "GZDW-STO-01"),
    ("GZDW-SRV-DB01", ConfigRelationKind.CONNECTS_TO, "GZDW-SAN-01"),
    ("GZDW-SRV-APP01", ConfigRelationKind.DEPENDS_ON, "GZDW-SRV-DB01"),
    ("GZDW-SRV-APP01", ConfigRelationKind.CONNECTS_TO, "GZDW-NET-CORE01"),
    ("GZDW-STO-01", ConfigRelationKind.CONNECTS_TO, "GZDW-SAN-01"),
    ("GZDW-SEC-FW01", ConfigRelationKind.PROTECTS, "GZDW-NET-CORE01"),
)


async def _seed_cmdb(
    conn: BaseDBAsyncClient, rng: random.Random, world: World, devices: list[Device], now: datetime
) -> dict[str, int]:
    """配置库 of the grid company's machine room (where ``ops`` works): two servers, a storage array,
    a SAN switch, a core switch and a firewall, related to each other and the core switch to the
    first hall's gateway (交互单元网关); each item's creation recorded, and two later changes."""
    ops = next(u for u in world.users if u.username == "ops")
    company = next(o for o in world.orgs if o.id == ops.org_id)
    created = now - timedelta(days=180)
    items = {
        spec.code: ConfigItem(
            id=_uuid(rng),
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            org_id=company.id,
            org_path=company.path,
            vendor=spec.vendor,
            model=spec.model,
            serial_number=f"SN{rng.randrange(10**9, 10**10)}",
            location=spec.location,
            owner_contact="信息运维班 0851-8888 6600",
            warranty_until=(created + timedelta(days=3 * 365)).date(),
            original_config=spec.config,
            config=dict(spec.config),
            created_by=ops.id,
            created_at=created,
        )
        for spec in MACHINE_ROOM
    }
    gateway = next(
        d for d in devices if d.hall_id == world.halls[0].id and d.kind is DeviceKind.INTERACTION_UNIT
    )
    relations = [
        ConfigRelation(
            id=_uuid(rng),
            source_id=items[source].id,
            target_item_id=items[target].id,
            target_key=str(items[target].id),
            kind=kind,
            org_path=company.path,
            created_by=ops.id,
        )
        for source, kind, target in MACHINE_ROOM_RELATIONS
    ]
    core = items["GZDW-NET-CORE01"]
    relations.append(
        ConfigRelation(
            id=_uuid(rng),
            source_id=core.id,
            target_device_id=gateway.id,
            target_key=str(gateway.id),
            kind=ConfigRelationKind.CONNECTS_TO,
            org_path=company.path,
            created_by=ops.id,
        )
    )

    def record(
        item: ConfigItem,
        seq: int,
        action: ConfigChangeAction,
        changes: dict[str, Any],
        reason: str,
        days_ago: int,
    ) -> ConfigChange:
        return ConfigChange(
            id=_uuid(rng),
            item_id=item.id,
            seq=seq,
            org_path=company.path,
            action=action,
            changes=changes,
            reason=reason,
            actor_id=ops.id,
            actor_name=ops.username,
            created_at=now - timedelta(days=days_ago),
        )

    changes = [
        record(item, 1, ConfigChangeAction.CREATED, {}, "原始配置资料整理入库", 180)
        for item in items.values()
    ]
    database = items["GZDW-SRV-DB01"]  # 系统补丁升级, then memory added
    database.config |= {"os": "CentOS 7.9", "memory": "512G"}
    changes.append(
        record(
            database,
            2,
            ConfigChangeAction.UPDATED,
            {
                "config.memory": {"before": "256G", "after": "512G"},
                "config.os": {"before": "CentOS 7.6", "after": "CentOS 7.9"},
            },
            "营销数据库扩容内存并升级操作系统补丁",
            30,
        )
    )
    database.version = 2
    firewall = items["GZDW-SEC-FW01"]  # 特征库升级
    firewall.config |= {"signature_version": "2026.12", "policies": 131}
    changes.append(
        record(
            firewall,
            2,
            ConfigChangeAction.UPDATED,
            {
                "config.policies": {"before": 126, "after": 131},
                "config.signature_version": {"before": "2026.11", "after": "2026.12"},
            },
            "防火墙特征库升级，新增营业厅专线访问策略",
            7,
        )
    )
    firewall.version = 2
    return {
        "config items": await _insert(conn, list(items.values())),
        "config relations": await _insert(conn, relations),
        "config changes": await _insert(conn, changes),
    }


TELEMETRY_DEVICES = 4  # the first hall's first devices get a day of samples (遥测), a minute apart
TELEMETRY_METRICS = {"cpu": (30.0, 15.0), "memory": (55.0, 5.0), "temperature": (36.0, 3.0)}  # mean, swing


async def _seed_telemetry(rng: random.Random, devices: list[Device], now: datetime) -> dict[str, int]:
    """A day of telemetry for a few demo devices so charts have data (about 17,000 samples,
    stored in batches of 2,000), rolled up, with learned baselines; a fixed temperature
    threshold (阈值) on the first two, the first running hot its last ten minutes (越限)."""
    chosen = [d for d in devices if d.status is DeviceStatus.ONLINE][:TELEMETRY_DEVICES]
    rules = Rules()
    start = now - timedelta(hours=rules.telemetry_late_hours) + timedelta(minutes=1)
    samples: list[Sample] = []
    for index, device in enumerate(chosen):
        for minute in range(rules.telemetry_late_hours * 60 - 1):
            at = start + timedelta(minutes=minute)
            phase = math.sin(2 * math.pi * (at.astimezone(CST).hour * 60 + at.minute) / 1440)
            for metric, (mean, swing) in TELEMETRY_METRICS.items():
                value = mean + swing * phase + rng.gauss(0, swing / 10)
                if index == 0 and metric == "temperature" and at > now - timedelta(minutes=10):
                    value = 52.0 + rng.random()
                samples.append(Sample(device.id, metric, at, round(value, 2)))
    async with in_transaction("devices"):
        for device in chosen[:2]:
            await MetricThreshold.create(
                device_id=device.id,
                org_path=device.org_path,
                metric="temperature",
                high=48.0,
                set_by=_uuid(rng),
            )
    stored = 0
    for first in range(0, len(samples), 2000):
        async with in_transaction("devices"):
            stored += await record_telemetry(samples[first : first + 2000], now, rules=rules)
    await roll_up(rules, now)
    await learn_baselines(rules, now)
    return {"telemetry samples": stored}


def _build_inspection_plans(
    rng: random.Random, world: World, devices: list[Device], now: datetime
) -> list[InspectionPlan]:
    """巡检计划 of the first hall, for the grid company's ops engineer: the daily machine-room check,
    the biweekly hardware check of its devices (每两周进行一次现场例行检查), the monthly security
    check. The operations job makes their tasks (resolvers/operations/inspections.py)."""
    hall = world.halls[0]
    ops = next(u for u in world.users if u.username == "ops")
    the_hall = [{"kind": "HALL", "id": str(hall.id)}]
    its_devices = [{"kind": "DEVICE", "id": str(d.id)} for d in devices if d.hall_id == hall.id]
    specs = (
        ("机房日常巡检", InspectionFrequency.DAILY, the_hall, ["温湿度", "UPS 电源", "空调", "消防设施"]),
        (
            "终端硬件例行检查",
            InspectionFrequency.BIWEEKLY,
            its_devices,
            ["外观与连接", "打印机", "读卡器", "网络"],
        ),
        ("月度安全检查", InspectionFrequency.MONTHLY, the_hall, ["门禁与监控", "补丁与杀毒", "账号与口令"]),
    )
    start = now.astimezone(CST).date().replace(day=1)
    return [
        InspectionPlan(
            id=_uuid(rng),
            org_id=hall.id,
            org_path=hall.path,
            name=name,
            frequency=frequency,
            targets=targets,
            checklist=checklist,
            assignee_id=ops.id,
            start_date=start,
        )
        for name, frequency, targets, checklist in specs
    ]


async def _seed_operations(world: World, must_change_password: bool, now: datetime) -> dict[str, int]:
    # One argon2id hash (~50 ms) shared by every demo user: hashing each would cost seconds.
    password_hash = hash_password(DEMO_PASSWORD)
    for user in world.users:
        user.password_hash = password_hash
        user.must_change_password = must_change_password
    routes, silences = _alert_policies(world)
    for alert in world.alerts:  # routed as raise_alert would route them
        alert.routed_roles = pick_roles(routes, alert.org_path, alert.source, AlertLevel(alert.level))
    async with in_transaction("operations") as conn:
        return {
            "orgs": await _insert(conn, world.orgs),  # parents come before children
            "users": await _insert(conn, world.users),
            "alerts": await _insert(conn, world.alerts),
            "alert routes": await _insert(conn, routes),
            "alert silences": await _insert(conn, silences),
            **await _seed_changes_and_backups(conn, world, now),
            "inspection plans": await _insert(conn, world.inspection_plans),
            "applicant applications": await _insert(conn, [_pending_application(password_hash)]),
        }


def _pending_application(password_hash: str) -> ApplicantApplication:
    """注册申请: one enterprise waiting for the operator's approval (运营 → 注册审核), with consent
    to be linked to its bank customer. A fixed id: it draws nothing from ``rng``."""
    phone = "13800000001"
    return ApplicantApplication(
        id=uuid5(NAMESPACE_URL, "dcms:seed:application"),
        kind=ApplicantKind.ENTERPRISE,
        name="贵州黔农数字科技有限公司",
        credit_code=with_check_character("91520115MA6H7K2Q3"),
        phone=phone,
        active_phone=blind_index(ApplicantApplication, "phone", phone),
        username="applicant_pending",
        active_username="applicant_pending",
        password_hash=password_hash,
        link_consent=True,
    )


# Demo incidents (故障事件) at the first halls, each walked by the domain functions as far as its
# state: (hall index, level, title, the steps after the report).
A = IncidentAction
DEMO_INCIDENTS: tuple[tuple[int, IncidentLevel, str, tuple[IncidentAction, ...]], ...] = (
    (0, IncidentLevel.LEVEL_2, "排队叫号系统响应缓慢", ()),
    (1, IncidentLevel.LEVEL_1, "营业厅网络中断，全部终端离线", (A.CONFIRM, A.CLASSIFY, A.TAKE, A.START)),
    (
        2,
        IncidentLevel.LEVEL_3,
        "自助缴费终端打印机卡纸",
        (A.CONFIRM, A.CLASSIFY, A.TAKE, A.START, A.ARRIVE, A.SUBMIT_TEST, A.RESOLVE),
    ),
    (
        3,
        IncidentLevel.LEVEL_4,
        "引导屏播放内容需要调整",
        (A.CONFIRM, A.CLASSIFY, A.TAKE, A.START, A.SUBMIT_TEST, A.RESOLVE, A.CLOSE),
    ),
    (
        0,
        IncidentLevel.LEVEL_3,
        "评价器无法连接",
        (A.CONFIRM, A.CLASSIFY, A.TAKE, A.START, A.SUBMIT_TEST, A.RESOLVE, A.CLOSE, A.ANALYSE),
    ),
)

DEMO_STEP_INPUT: dict[IncidentAction, dict[str, Any]] = {
    A.CLOSE: {"satisfaction": 5, "comment": "处理及时"},
    A.ANALYSE: {"analysis": "设备老化，已更换并纳入巡检"},
}


async def _seed_incidents(world: World) -> dict[str, int]:
    """A few incidents in different states, reported by each hall's manager and worked by the
    service team (the desk confirms, the engineer takes and fixes, the reporter closes)."""
    desk, engineer = world.acting("ops"), world.acting("ops_engineer")
    for index, level, title, steps in DEMO_INCIDENTS:
        hall = world.halls[index % len(world.halls)]
        reporter = world.acting(f"hall_{hall.code.lower()}")
        incident = await incidents.report_incident(reporter, hall.id, title, level)
        for action in steps:
            who = {
                A.TAKE: engineer,
                A.START: engineer,
                A.ARRIVE: engineer,
                A.SUBMIT_TEST: engineer,
                A.CLOSE: reporter,
            }.get(action, desk)
            given = DEMO_STEP_INPUT.get(action, {}) | ({"level": level} if action is A.CLASSIFY else {})
            await incidents.act(who, incident.id, action, **given)
    return {"incidents": len(DEMO_INCIDENTS)}


def _alert_policies(world: World) -> tuple[list[AlertRoute], list[AlertSilence]]:
    """Two routing rules (告警路由) and a planned maintenance window (维护窗口): device alerts
    anywhere in the province go to ops engineers, hall managers and the province's own admins; in
    the first hall the critical ones go to its ops engineers and hall manager alone; that hall's
    device alerts are silenced for tomorrow night's upgrade (docs/operations.md "Alerts")."""
    root, hall = world.orgs[0], world.halls[0]
    province = ["HALL_MANAGER", "OPERATOR", "OPS_ENGINEER", "PROVINCE_ADMIN"]
    routes = [
        AlertRoute(
            org_id=root.id, org_path=root.path, source="device", min_level=AlertLevel.WARNING, roles=province
        ),
        AlertRoute(
            org_id=hall.id,
            org_path=hall.path,
            source="device",
            min_level=AlertLevel.CRITICAL,
            roles=["HALL_MANAGER", "OPS_ENGINEER"],
        ),
    ]
    tonight = datetime.now(CST).replace(hour=22, minute=0, second=0, microsecond=0) + timedelta(days=1)
    silence = AlertSilence(
        org_id=hall.id,
        org_path=hall.path,
        source="device",
        starts_at=tonight,
        ends_at=tonight + timedelta(hours=4),
        reason="自助终端系统升级 (计划维护)",
    )
    return routes, [silence]


async def _seed_changes_and_backups(conn: BaseDBAsyncClient, world: World, now: datetime) -> dict[str, int]:
    """变更 / 备份 of the demo ops org (the grid company ``ops`` works at): one change awaiting
    approval, a daily backup job that ran well last night and a weekly one not yet due."""
    ops = next(u for u in world.users if u.username == "ops")
    company = next(o for o in world.orgs if o.id == ops.org_id)
    start = (now + timedelta(days=7)).astimezone(CST).replace(hour=22, minute=0, second=0, microsecond=0)
    change = ChangeRequest(
        org_id=company.id,
        org_path=company.path,
        kind=ChangeKind.BACKUP_POLICY,
        title="营销数据库备份保留期由 90 天调整为 30 天",
        description="备份数据占用存储空间过多 (备份数据整理): 缩短保留期，月末全量备份另存磁带",
        system="营销数据库",
        planned_start=start,
        planned_end=start + timedelta(hours=2),
        risk=ChangeRisk.LOW,
        rollback_plan="恢复原备份策略配置 (保留期 90 天)",
        status=ChangeStatus.SUBMITTED,
        requested_by=ops.id,
    )
    daily = BackupJob(
        org_id=company.id,
        org_path=company.path,
        name="营销数据库每日全量备份",
        system="营销数据库",
        frequency=BackupFrequency.DAILY,
        at_minute=2 * 60,
        expected_minutes=60,
        grace_minutes=60,
        retention_days=30,
        created_by=ops.id,
    )
    weekly = BackupJob(
        org_id=company.id,
        org_path=company.path,
        name="门户网站每周备份",
        system="门户网站",
        frequency=BackupFrequency.WEEKLY,
        weekday=7,
        at_minute=3 * 60,
        expected_minutes=30,
        grace_minutes=120,
        retention_days=90,
        created_by=ops.id,
    )
    last_night = (now - timedelta(hours=2)).astimezone(CST).replace(hour=2, minute=0, second=0, microsecond=0)
    if last_night > now:
        last_night -= timedelta(days=1)
    daily.last_success_at = last_night
    run = BackupRun(
        job_id=daily.id,
        org_path=company.path,
        started_at=last_night,
        finished_at=last_night + timedelta(minutes=42),
        status=BackupRunStatus.SUCCEEDED,
        size_bytes=37 * 2**30,
        check_result=BackupCheck.VERIFIED,
        check_note="抽样恢复校验通过",
        reported_by=ops.id,
        idempotency_key=f"seed-{last_night.date().isoformat()}",
    )
    steps = [
        ChangeStep(
            change_id=change.id,
            org_path=company.path,
            from_status=None,
            to_status=ChangeStatus.DRAFT,
            actor_id=ops.id,
            actor_name=ops.username,
        ),
        ChangeStep(
            change_id=change.id,
            org_path=company.path,
            from_status=ChangeStatus.DRAFT,
            to_status=ChangeStatus.SUBMITTED,
            actor_id=ops.id,
            actor_name=ops.username,
        ),
    ]
    return {
        "change requests": await _insert(conn, [change]),
        "change steps": await _insert(conn, steps),
        "backup jobs": await _insert(conn, [daily, weekly]),
        "backup runs": await _insert(conn, [run]),
    }


# 营业厅 (halls)
# Every demo hall: a profile (the first half 品牌厅, the rest 生态厅), zones, the five business types,
# today's queue in every state, visitor counts, the hall manager on duty, two service-quality
# events; one rule at the grid company: a 风险预警 raises an alert (via the rule, as the analytics'
# events would). Rows are built and inserted in bulk (fast); the events go through the domain
# function so the rule raises its alerts.
HALL_ZONES: tuple[tuple[str, ZoneKind], ...] = (
    ("业务办理区", ZoneKind.SERVICE),
    ("自助服务区", ZoneKind.SELF_SERVICE),
    ("等候区", ZoneKind.WAITING),
    ("智慧用能体验区", ZoneKind.EXPERIENCE),
)
# (business type, minutes ago issued, status) of each hall's tickets today
DEMO_TICKETS: tuple[tuple[str, int, TicketStatus], ...] = (
    ("PAYMENT", 95, TicketStatus.DONE),
    ("NEW_CONNECTION", 80, TicketStatus.DONE),
    ("PAYMENT", 60, TicketStatus.MISSED),
    ("INVOICE", 45, TicketStatus.SERVING),
    ("CHANGE", 30, TicketStatus.CALLED),
    ("PAYMENT", 22, TicketStatus.ISSUED),
    ("CONSULTING", 15, TicketStatus.ISSUED),
    ("PAYMENT", 8, TicketStatus.ISSUED),
    ("NEW_CONNECTION", 3, TicketStatus.ISSUED),
)


def _demo_tickets(hall: Org, manager: User, now: datetime, index: int) -> list[QueueTicket]:
    """Today's queue of the ``index``-th hall: every hall the same states, the later halls busier
    (more people waiting, and longer), so no two halls look alike on the wall."""
    taken: dict[str, int] = defaultdict(int)
    rows: list[QueueTicket] = []
    busier = tuple(("PAYMENT", 5 + 4 * extra, TicketStatus.ISSUED) for extra in range(index * 2))
    for business, minutes, status in DEMO_TICKETS + busier:
        issued = now - timedelta(minutes=minutes * (1 + index / 4))
        letter = BUSINESS_TYPES[business][0]
        taken[letter] += 1
        moved = status is not TicketStatus.ISSUED
        serving = status in (TicketStatus.SERVING, TicketStatus.DONE)
        closed = status in (TicketStatus.DONE, TicketStatus.MISSED)
        rows.append(
            QueueTicket(
                hall_id=hall.id,
                org_path=hall.path,
                day=issued.astimezone(CST).date(),
                number=f"{letter}{taken[letter]:03d}",
                business_type=business,
                status=status,
                window=f"{1 + len(rows) % 3}号窗口" if moved else "",
                issued_at=issued,
                issued_epoch=int(issued.timestamp()),
                called_at=issued + timedelta(minutes=2) if moved else None,
                called_by=manager.id if moved else None,
                serving_at=issued + timedelta(minutes=3) if serving else None,
                served_by=manager.id if serving else None,
                finished_at=issued + timedelta(minutes=10) if closed else None,
            )
        )
    return rows


async def _seed_halls(world: World, now: datetime) -> dict[str, int]:
    company = next(o for o in world.orgs if o.kind == OrgKind.GRID_COMPANY)
    rows: dict[str, list[Model]] = defaultdict(list)
    for index, hall in enumerate(world.halls):
        manager = next(u for u in world.users if u.username == f"hall_{hall.code.lower()}")
        brand = index < (len(world.halls) + 1) // 2
        rows["hall profiles"].append(
            HallProfile(
                hall_id=hall.id,
                org_path=hall.path,
                hall_type=HallType.BRAND if brand else HallType.ECOSYSTEM,
                address=f"{hall.name.removesuffix('供电营业厅')}区人民大道{index * 12 + 8}号",
                opening_hours="周一至周日 08:30-17:30",
                business_types=list(BUSINESS_TYPES),
            )
        )
        zones = HALL_ZONES if brand else HALL_ZONES[:3]
        rows["hall zones"] += [
            HallZone(hall_id=hall.id, org_path=hall.path, name=n, kind=k) for n, k in zones
        ]
        rows["queue tickets"] += _demo_tickets(hall, manager, now, index)
        for hours in (3, 2, 1):
            period = (now - timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)
            rows["visitor counts"].append(
                VisitorCount(
                    hall_id=hall.id,
                    org_path=hall.path,
                    source="manual",
                    period_start=period,
                    day=period.astimezone(CST).date(),
                    count=18 + 7 * hours + 3 * index,
                )
            )
        rows["staff duty"].append(
            StaffDuty(
                hall_id=hall.id,
                org_path=hall.path,
                user_id=manager.id,
                user_name=manager.username,
                status=DutyStatus.ON_DUTY,
                since=now - timedelta(hours=2),
                current_key=f"{hall.id}:{manager.id}",
            )
        )
    rows["service quality rules"].append(
        ServiceQualityRule(
            org_id=company.id,
            org_path=company.path,
            category=QualityCategory.RISK_WARNING,
            level=AlertLevel.WARNING.value,
            threshold=1,
            window_minutes=60,
        )
    )
    async with in_transaction("operations") as conn:
        counts = {kind: await _insert(conn, batch) for kind, batch in rows.items()}
    for index, hall in enumerate(world.halls):
        at = now - timedelta(minutes=20 + index)
        await halls.record_service_event(
            hall.id,
            QualityCategory.SERVICE_NORM,
            "NO_UNIFORM",
            "柜员未按规范着装",
            at,
            None,
            f"seed-{hall.code}-1",
        )
        await halls.record_service_event(
            hall.id,
            QualityCategory.RISK_WARNING,
            "DISPUTE",
            "等候区客户情绪激动，疑似争执",
            at,
            None,
            f"seed-{hall.code}-2",
        )
    return counts | {"service quality events": 2 * len(world.halls)}


# --------------------------------------------------------------------------- entry point


async def _seed_canvas(world: World, refs: Sequence[CustomerRef]) -> dict[str, int]:
    """营销画布 demo in the first bank (subgraphs/seed_canvas.py): after operations, for the bank's name."""
    demo = world.banks[0].branches[0].managers[0]
    mine = [(r.id, r.tenant_id) for r in refs if r.manager_id == demo.id and r.kind is CustomerKind.RETAIL]
    code = world.banks[0].spec.code.lower()
    return await seed_canvas(
        CanvasDemo(
            world.acting("admin"),
            world.acting(f"hq_{code}"),
            world.acting(DEMO_MANAGER),
            world.banks[0].org.id,
            mine,
        )
    )


async def _seed_reports(now: datetime) -> dict[str, int]:
    """业务报表: last month's reports, as the job (resolvers/customers/jobs.py) makes them after a
    month ends: after operations, for the names of orgs and managers (``force``: the job of a
    server already running may have made the month before these customers existed)."""
    month = previous_month(month_of(now.astimezone(CST).date()))
    return {"report rows": await generate_month(month, force=True)}


async def _seed_performance(world: World) -> dict[str, int]:
    """业绩管理 demo in the first bank (subgraphs/seed_performance.py): after operations, whose
    staff directory the split checks managers against."""
    bank = world.banks[0]
    branch, code = bank.branches[0], bank.spec.code.lower()
    second = bank.branches[1].org.id if len(bank.branches) > 1 else None
    return await seed_performance(
        PerformanceDemo(
            world.acting(f"hq_{code}"),
            world.acting(f"hr_{code}"),
            world.acting(branch.head.username),
            branch.org.id,
            [m.id for m in branch.managers[:3]],
            second,
        )
    )


def _workbench_demo(world: World) -> WorkbenchDemo:
    """Who wrote the workbench demo (subgraphs/seed_workbench.py): after operations, as canvas."""
    bank = world.banks[0]
    root = next(o for o in world.orgs if o.code == ROOT_CODE)
    return WorkbenchDemo(
        world.acting("admin"),
        world.acting(f"hq_{bank.spec.code.lower()}"),
        world.acting(DEMO_MANAGER),
        root.id,
        bank.org.id,
        bank.branches[0].org.id,
        tuple(m.id for m in bank.branches[0].managers),
    )


async def seed(settings: Settings, customers: int = 2000, progress: bool = True) -> dict[str, int]:
    """Fill empty, migrated databases with demo data; returns rows created per kind.

    Does nothing (and returns ``{}``) when the root org ``GZ`` already exists. The connections
    ``settings`` describes must already be open (``open_database(settings)``) and migrated.
    Outside dev mode every demo user must change the published password at first login
    (``dcms seed`` seeds outside dev mode only with ``--demo``).
    """
    if await Org.filter(code=ROOT_CODE).exists():
        _say(progress, f"已有演示数据 (org {ROOT_CODE} exists): nothing to seed")
        return {}
    started = time.perf_counter()
    now = datetime.now(UTC)
    # One generator per subgraph: changing the customer count leaves the org tree's ids alone.
    world = _build_world(random.Random(SEED))
    target = "PostgreSQL" if settings.database_url else f"SQLite in {settings.var_dir}"
    _say(progress, f"生成演示数据 seeding {customers} customers into {target} …")
    counts, refs = await _seed_customers(random.Random(SEED + 1), world, customers, now, progress)
    counts |= await _seed_marketing(random.Random(SEED + 2), refs, now)
    counts |= await _seed_schemes(world, refs, now)
    max_institutions = settings.rules.max_institutions_per_need
    counts |= await _seed_finance(random.Random(SEED + 3), world, refs, now, max_institutions)
    counts |= await seed_content(_content_people(world), now)  # 内容管理 / 产品知识库 (seed_content.py)
    counts |= await _seed_devices(random.Random(SEED + 4), world, now)
    # Last: the root org marks a finished seed.
    counts |= await _seed_operations(world, must_change_password=not settings.dev_mode, now=now)
    counts |= await _seed_incidents(world)
    counts |= await _seed_halls(world, now)
    counts |= await _seed_canvas(world, refs)
    counts |= await _seed_reports(now)
    counts |= await _seed_performance(world)
    counts |= await seed_workbench(_workbench_demo(world), now)  # 通知公告, 周报 (seed_workbench.py)
    summary = ", ".join(f"{kind} {count}" for kind, count in counts.items())
    _say(progress, f"完成 done in {time.perf_counter() - started:.1f}s: {summary}")
    return counts
