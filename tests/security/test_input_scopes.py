"""The permission matrix's input half: every id a mutation's arguments or input fields name — the
customer an order, an opportunity or a contact is about, the manager, org, grid or device it points
at — tried through the real gateway by callers out of scope (another bank's staff, a colleague
who does not manage the customer, another branch, another hall, an applicant) and by one in scope.

Each case: every refused attempt gets its coded error (an id out of scope is answered like an
unknown one: NOT_FOUND, or BAD_USER_INPUT where the mutation treats a target that way) and leaves
the rows it would have written exactly as they were; then the caller in scope, with the same
request but for the id, succeeds and the rows change. docs/security.md "Roles and data scopes"."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from models.customers import (
    AccountMovement,
    ContactRecord,
    Customer,
    CustomerAssignment,
    CustomerGroup,
    Grid,
    GridOrg,
    GroupMember,
    GroupSource,
    MarketingExclusion,
    Prospect,
    Reminder,
    ScheduleItem,
    TierChangeRequest,
)
from models.customers import Consent as ConsentModel
from models.devices import (
    ConfigChange,
    ConfigItem,
    ConfigItemKind,
    ConfigRelation,
    ConfigRelationKind,
    Device,
    DeviceCommand,
    DeviceCredential,
    DeviceKind,
    DeviceStatus,
    MetricThreshold,
)
from models.finance import FinancialProduct, FinancingNeed, Handling, ProductApplication, ProductStatus
from models.marketing import (
    Article,
    ArticleStatus,
    Audience,
    Campaign,
    CampaignTemplate,
    InboxMessage,
    KnowledgeEntry,
    KnowledgeKind,
    Opportunity,
    OpportunityFollowUp,
    OpportunityStatus,
    PointsEntry,
    PointsKind,
    QrCode,
    RecommendationSlot,
)
from models.marketing.content import category_id as content_category
from models.operations import (
    Alert,
    AlertLevel,
    AlertRoute,
    AlertSilence,
    AlertStatus,
    ApprovalFlow,
    BackupJob,
    BackupRun,
    ChangeRequest,
    HallZone,
    Incident,
    InspectionFrequency,
    InspectionPhoto,
    InspectionPlan,
    InspectionRecord,
    InspectionResult,
    InspectionSignoff,
    InspectionTargetKind,
    InspectionTask,
    Org,
    OrgKind,
    QueueTicket,
    ServicePolicy,
    ServiceQualityEvent,
    ServiceQualityRule,
    StaffDuty,
    TicketStatus,
    User,
    VisitorCount,
    ZoneKind,
)
from resolvers.common.clock import CST
from testkit.factories import Tenant, make_customer, make_org, make_tenant, make_user, token_for
from tests.support.marketplace import apply_input, codes, make_bank, need_input, ok
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

NOT_FOUND, BAD_INPUT, FORBIDDEN = "NOT_FOUND", "BAD_USER_INPUT", "FORBIDDEN"


@dataclass
class World:
    """Bank a (the one in scope) and bank b (another bank), each with its province, hall and device."""

    a: Tenant
    b: Tenant
    colleague: User  # another customer manager of a's branch: manages none of a's customers
    branch2: Org  # a second branch of bank a
    tokens: dict[str, str]
    other_hall_device: Device  # a device of another hall of a's province

    @property
    def customer(self) -> Customer:
        return self.a.customers[0]  # a's manager's own customer

    @property
    def theirs(self) -> Customer:
        return self.b.customers[0]  # bank b's customer


async def make_world(stack: Stack) -> World:
    settings = stack.settings
    a = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    b = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    root = await Org.get(id=a.bank.parent_id)
    colleague = await make_user(a.branch, ("CUSTOMER_MANAGER",), "同网点客户经理")
    branch2 = await make_org("第二支行", OrgKind.BRANCH, a.bank)
    far_head = await make_user(branch2, ("BRANCH_HEAD",), "第二支行行长")
    people = await make_org("测试金融服务平台", OrgKind.REGULATOR)
    hall2 = await make_org("第二供电营业厅", OrgKind.HALL, root, tenant_id=root.id)
    users: dict[str, tuple[User, Org]] = {
        "colleague": (colleague, a.branch),
        "far head": (far_head, branch2),
        "hq a": (await make_user(a.bank, ("HQ_ADMIN",), "总行管理"), a.bank),
        "hq b": (await make_user(b.bank, ("HQ_ADMIN",), "他行总行管理"), b.bank),
        "province": (await make_user(root, ("PROVINCE_ADMIN",), "省联社管理"), root),
        "applicant": (await make_user(people, ("ENTERPRISE_USER",), "企业用户"), people),
    }
    tokens = {name: token_for(user, org, settings) for name, (user, org) in users.items()}
    tokens |= {
        "manager a": a.manager_token,
        "manager b": b.manager_token,
        "hall a": a.hall_token,
        "hall b": b.hall_token,
    }
    device = await Device.create(
        code=f"D{uuid.uuid4().hex[:10]}",
        name="2号自助缴费终端",
        kind=DeviceKind.PAYMENT_KIOSK,
        hall_id=hall2.id,
        org_path=hall2.path,
        status=DeviceStatus.ONLINE,
    )
    return World(a, b, colleague, branch2, tokens, device)


@dataclass
class Case:
    query: str
    allowed: tuple[str, dict[str, Any]]  # who (a key of World.tokens) and the variables
    refused: list[tuple[str, dict[str, Any], str]]  # who, the variables, the code
    state: Callable[[], Awaitable[Any]]  # what a refused attempt must leave as it was
    then: Callable[[], Awaitable[None]] | None = field(default=None)  # more checks once allowed


CaseBuilder = Callable[[Stack, World], Awaitable[Case]]
CASES: dict[str, CaseBuilder] = {}


def case(name: str) -> Callable[[CaseBuilder], CaseBuilder]:
    def register(builder: CaseBuilder) -> CaseBuilder:
        CASES[name] = builder
        return builder

    return register


def _in(days: int = 1) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


# -- finance: the customer an order is posted for -------------------------------------------------

PUBLISH = "mutation($i: PublishNeedInput!) { publishNeed(input: $i) { id } }"
APPLY = "mutation($i: ApplyInput!) { applyForProduct(input: $i) { id } }"


@case("publishNeed.applicantId")
async def _publish_need(stack: Stack, w: World) -> Case:
    project = f"厂房-{uuid.uuid4().hex[:8]}"

    def need(customer: Customer) -> dict[str, Any]:
        return {"i": need_input(project=project, applicantId=str(customer.id))}

    async def then() -> None:
        posted = await FinancingNeed.get(project=project)
        assert (posted.applicant_id, posted.tenant_id) == (w.customer.id, w.a.bank.id)

    return Case(
        PUBLISH,
        allowed=("manager a", need(w.customer)),
        refused=[
            ("manager b", need(w.customer), NOT_FOUND),  # the issue's case: another bank's manager
            ("colleague", need(w.customer), NOT_FOUND),  # same branch, not their customer
            ("far head", need(w.customer), NOT_FOUND),  # another branch's head
            ("applicant", need(w.customer), NOT_FOUND),  # no customer is theirs to name
            ("manager a", need(w.theirs), NOT_FOUND),
        ],
        state=lambda: FinancingNeed.filter(project=project).count(),
        then=then,
    )


async def _listed_product(w: World) -> FinancialProduct:
    return await FinancialProduct.get(institution_id=w.a.institution.id, status=ProductStatus.LISTED)


@case("applyForProduct.applicantId")
async def _apply_applicant(stack: Stack, w: World) -> Case:
    product = str((await _listed_product(w)).id)
    project = f"基地-{uuid.uuid4().hex[:8]}"
    named = {"i": apply_input(product, project=project, applicantId=str(w.customer.id))}
    return Case(
        APPLY,
        allowed=("applicant", {"i": apply_input(product, project=project)}),  # as themselves
        refused=[("applicant", named, NOT_FOUND)],
        state=lambda: ProductApplication.filter(project=project).count(),
    )


@case("applyForProduct.productId")
async def _apply_product(stack: Stack, w: World) -> Case:
    listed = await _listed_product(w)
    draft = await FinancialProduct.create(
        institution_id=w.a.institution.id,
        name="未上架产品",
        guarantee_method=listed.guarantee_method,
        min_amount=Decimal("1000"),
        max_amount=Decimal("5000000"),
        rate_min=Decimal("3.9"),
        rate_max=Decimal("5.5"),
        term_months=60,
        status=ProductStatus.DRAFT,
    )
    project = f"基地-{uuid.uuid4().hex[:8]}"
    return Case(
        APPLY,
        allowed=("applicant", {"i": apply_input(str(listed.id), project=project)}),
        refused=[("applicant", {"i": apply_input(str(draft.id), project=project)}, NOT_FOUND)],
        state=lambda: ProductApplication.filter(project=project).count(),
    )


@case("transferHandling.toInstitutionId")
async def _transfer_handling(stack: Stack, w: World) -> Case:
    settings = stack.settings
    grabbing, receiving = await make_bank(settings, managers=1), await make_bank(settings, managers=0)
    uncertified = await make_bank(settings, managers=0, certified=False, name="未认证银行")
    people = await make_org("测试金融监管局", OrgKind.REGULATOR)
    w.tokens["regulator"] = token_for(await make_user(people, ("REGULATOR",)), people, settings)
    need = (await ok(stack, PUBLISH, {"i": need_input()}, w.tokens["applicant"]))["publishNeed"]["id"]
    grab = "mutation($id: ID!) { grabNeed(id: $id) { id } }"
    handling = (await ok(stack, grab, {"id": need}, grabbing.managers[0][1]))["grabNeed"]["id"]
    query = "mutation($id: ID!, $to: ID!) { transferHandling(id: $id, toInstitutionId: $to) { id } }"

    async def state() -> list[Any]:
        return await Handling.filter(need_id=need).order_by("id").values_list("institution_id", "status")

    return Case(
        query,
        allowed=("regulator", {"id": handling, "to": str(receiving.institution.id)}),
        refused=[
            ("regulator", {"id": handling, "to": str(uncertified.institution.id)}, NOT_FOUND),
            ("regulator", {"id": handling, "to": str(uuid.uuid4())}, NOT_FOUND),
        ],
        state=state,
    )


# -- marketing -------------------------------------------------------------------------------------


@case("createOpportunity.customerId")
async def _opportunity(stack: Stack, w: World) -> Case:
    title = f"有意向办理黔农e贷-{uuid.uuid4().hex[:6]}"
    query = "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { id } }"

    def about(customer: Customer) -> dict[str, Any]:
        return {"i": {"customerId": str(customer.id), "title": title}}

    async def then() -> None:
        made = await Opportunity.get(title=title)
        assert (made.customer_id, made.tenant_id) == (w.customer.id, w.a.bank.id)
        assert made.org_path == w.customer.org_path  # its branch head's (辖内) and the statistics' org

    return Case(
        query,
        allowed=("manager a", about(w.customer)),
        refused=[
            ("manager b", about(w.customer), NOT_FOUND),
            ("colleague", about(w.customer), NOT_FOUND),
            ("manager a", about(w.theirs), NOT_FOUND),
            ("manager a", {"i": {"customerId": str(uuid.uuid4()), "title": title}}, NOT_FOUND),
        ],
        state=lambda: Opportunity.filter(title=title).count(),
        then=then,
    )


AUDIENCE = "mutation($i: CreateAudienceInput!) { createAudience(input: $i) { id } }"


@case("createAudience.criteria.gridIds")
async def _audience_grid(stack: Stack, w: World) -> Case:
    name = f"网格客群-{uuid.uuid4().hex[:6]}"
    ours = await Grid.create(tenant_id=w.a.bank.id, org_id=w.a.branch.id, name="本行网格")
    theirs = await Grid.create(tenant_id=w.b.bank.id, org_id=w.b.branch.id, name="他行网格")

    def named(grid: Any) -> dict[str, Any]:
        return {"i": {"name": name, "criteria": {"gridIds": [str(grid)]}}}

    return Case(
        AUDIENCE,
        allowed=("hq a", named(ours.id)),
        refused=[
            ("hq a", named(theirs.id), NOT_FOUND),
            ("hq a", named(uuid.uuid4()), NOT_FOUND),
            ("hq b", named(ours.id), NOT_FOUND),
            ("manager a", named(ours.id), "FORBIDDEN"),
        ],
        state=lambda: Audience.filter(name=name).count(),
    )


@case("createAudience.criteria.orgPath")
async def _audience_org(stack: Stack, w: World) -> Case:
    name = f"辖内客群-{uuid.uuid4().hex[:6]}"

    def within(path: str) -> dict[str, Any]:
        return {"i": {"name": name, "criteria": {"orgPath": path}}}

    return Case(
        AUDIENCE,
        allowed=("hq a", within(w.branch2.path)),
        refused=[
            ("far head", within(w.a.branch.path), NOT_FOUND),  # another branch of the same bank
            ("hq b", within(w.branch2.path), NOT_FOUND),  # another bank's org
        ],
        state=lambda: Audience.filter(name=name).count(),
    )


CAMPAIGN = "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }"
SPEND = """mutation($c: ID!, $k: String!) { spendPoints(customerId: $c, amount: 10, reason: "兑换礼品",
  idempotencyKey: $k) { id } }"""


def _canvas(start: dict[str, Any], product: str | None = None) -> dict[str, Any]:
    nodes = [{"id": "a", "kind": "AUDIENCE", **start}, {"id": "end", "kind": "END"}]
    edges = [{"from": "a", "to": "end"}]
    if product is not None:
        nodes.insert(1, {"id": "p", "kind": "PRODUCT", "productIds": [product]})
        edges = [{"from": "a", "to": "p"}, {"from": "p", "to": "end"}]
    return {"nodes": nodes, "edges": edges}


@case("sendDownCampaignTemplate.tenantIds")
async def _send_down(stack: Stack, w: World) -> Case:
    template = await CampaignTemplate.create(
        tenant_id=None, org_path="/", name="省联社模板", graph={}, contents=[], created_by=uuid.uuid4()
    )
    query = "mutation($t: ID!, $b: [ID!]!) { sendDownCampaignTemplate(templateId: $t, tenantIds: $b) { id } }"

    def to(*banks: Any) -> dict[str, Any]:
        return {"t": str(template.id), "b": [str(b) for b in banks]}

    return Case(
        query,
        allowed=("province", to(w.a.bank.id)),
        refused=[
            ("province", to(w.b.bank.id), NOT_FOUND),  # another province's member bank
            ("province", to(w.a.branch.id), NOT_FOUND),  # not a member bank
            ("province", to(uuid.uuid4()), NOT_FOUND),
            ("hq a", to(w.a.bank.id), "FORBIDDEN"),  # only the province union sends down
        ],
        state=lambda: CampaignTemplate.filter(source_id=template.id).count(),
    )


@case("createCampaign.graph.audienceId")
async def _campaign_audience(stack: Stack, w: World) -> Case:
    name = f"画布活动-{uuid.uuid4().hex[:6]}"
    ours = await Audience.create(tenant_id=w.a.bank.id, name="本行客群", criteria={}, created_by=uuid.uuid4())
    theirs = await Audience.create(
        tenant_id=w.b.bank.id, name="他行客群", criteria={}, created_by=uuid.uuid4()
    )

    def using(audience: Any) -> dict[str, Any]:
        return {"i": {"name": name, "graph": _canvas({"audienceId": str(audience)})}}

    return Case(
        CAMPAIGN,
        allowed=("hq a", using(ours.id)),
        refused=[
            ("hq a", using(theirs.id), NOT_FOUND),
            ("hq a", using(uuid.uuid4()), NOT_FOUND),
            ("hq b", using(ours.id), NOT_FOUND),
            ("manager a", using(ours.id), "FORBIDDEN"),
        ],
        state=lambda: Campaign.filter(name=name).count(),
    )


@case("createCampaign.graph.productIds")
async def _campaign_products(stack: Stack, w: World) -> Case:
    name = f"产品活动-{uuid.uuid4().hex[:6]}"
    listed = await _listed_product(w)
    draft = await FinancialProduct.create(
        institution_id=w.a.institution.id,
        name="未上架的贷款",
        guarantee_method=listed.guarantee_method,
        min_amount=Decimal("1000"),
        max_amount=Decimal("5000"),
        rate_min=Decimal("3.9"),
        rate_max=Decimal("5.5"),
        term_months=12,
        status=ProductStatus.DRAFT,
    )

    def promoting(product: Any) -> dict[str, Any]:
        return {"i": {"name": name, "graph": _canvas({"criteria": {"tags": ["代发工资"]}}, str(product))}}

    return Case(
        CAMPAIGN,
        allowed=("hq a", promoting(listed.id)),
        refused=[("hq a", promoting(draft.id), NOT_FOUND), ("hq a", promoting(uuid.uuid4()), NOT_FOUND)],
        state=lambda: Campaign.filter(name=name).count(),
    )


@case("spendPoints.customerId")
async def _spend_points(stack: Stack, w: World) -> Case:
    for customer in (w.customer, w.theirs):
        await PointsEntry.create(
            tenant_id=customer.tenant_id,
            customer_id=customer.id,
            kind=PointsKind.EARN,
            amount=100,
            key=f"test:{uuid.uuid4()}",
        )
    key = uuid.uuid4().hex

    def spending(customer: Customer) -> dict[str, Any]:
        return {"c": str(customer.id), "k": key}

    return Case(
        SPEND,
        allowed=("manager a", spending(w.customer)),
        refused=[
            ("manager b", spending(w.customer), NOT_FOUND),
            ("colleague", spending(w.customer), NOT_FOUND),
            ("manager a", spending(w.theirs), NOT_FOUND),
            ("hall a", spending(w.customer), "FORBIDDEN"),
        ],
        state=lambda: PointsEntry.filter(
            customer_id__in=[w.customer.id, w.theirs.id], kind=PointsKind.SPEND
        ).count(),
    )


@case("markInboxMessageRead.id")
async def _inbox_read(stack: Stack, w: World) -> Case:
    note = await InboxMessage.create(
        tenant_id=w.a.bank.id, recipient_id=w.a.manager.id, title="营销任务", key=f"test:{uuid.uuid4()}"
    )
    query = "mutation($id: ID!) { markInboxMessageRead(id: $id) { id } }"

    async def state() -> Any:
        return (await InboxMessage.get(id=note.id)).read_at

    return Case(
        query,
        allowed=("manager a", {"id": str(note.id)}),
        refused=[
            ("colleague", {"id": str(note.id)}, NOT_FOUND),
            ("hq a", {"id": str(note.id)}, NOT_FOUND),
            ("manager b", {"id": str(note.id)}, NOT_FOUND),
        ],
        state=state,
    )


# -- operations and devices ------------------------------------------------------------------------

RAISE = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id } }"


@case("raiseAlert.deviceId")
async def _alert_device(stack: Stack, w: World) -> Case:
    title = f"设备告警-{uuid.uuid4().hex[:6]}"

    def alert(device: Device) -> dict[str, Any]:
        return {
            "i": {"orgId": str(w.a.hall.id), "level": "WARNING", "title": title, "deviceId": str(device.id)}
        }

    async def then() -> None:
        assert (await Alert.get(title=title)).device_id == w.a.device.id

    return Case(
        RAISE,
        allowed=("hall a", alert(w.a.device)),
        refused=[
            ("hall a", alert(w.b.device), NOT_FOUND),  # another tenant's hall
            ("hall a", alert(w.other_hall_device), NOT_FOUND),  # another hall of the same province
        ],
        state=lambda: Alert.filter(title=title).count(),
        then=then,
    )


@case("raiseAlert.orgId")
async def _alert_org(stack: Stack, w: World) -> Case:
    title = f"营业厅告警-{uuid.uuid4().hex[:6]}"

    def alert(org: Org) -> dict[str, Any]:
        return {"i": {"orgId": str(org.id), "level": "WARNING", "title": title}}

    return Case(
        RAISE,
        allowed=("hall a", alert(w.a.hall)),
        refused=[("hall a", alert(w.b.hall), NOT_FOUND)],
        state=lambda: Alert.filter(title=title).count(),
    )


# -- operations: where an incident happens, who works it, which org a policy times -----------------

REPORT = "mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { id } }"


@case("reportIncident.orgId")
async def _incident_org(stack: Stack, w: World) -> Case:
    title = f"故障-{uuid.uuid4().hex[:6]}"

    def report(org: Org) -> dict[str, Any]:
        return {"i": {"orgId": str(org.id), "level": "LEVEL_3", "title": title}}

    return Case(
        REPORT,
        allowed=("hall a", report(w.a.hall)),
        refused=[("hall a", report(w.b.hall), NOT_FOUND)],
        state=_count(Incident, title=title),
    )


@case("assignIncident.assigneeId")
async def _incident_assignee(stack: Stack, w: World) -> Case:
    engineers = {}
    for name, tenant in (("ops a", w.a), ("ops a2", w.a), ("ops b", w.b)):
        engineers[name] = await make_user(tenant.hall, ("OPS_ENGINEER",), "运维工程师")
        w.tokens[name] = token_for(engineers[name], tenant.hall, stack.settings)
    reported = await ok(
        stack,
        REPORT,
        {"i": {"orgId": str(w.a.hall.id), "level": "LEVEL_3", "title": "待派单"}},
        w.tokens["hall a"],
    )
    id_ = reported["reportIncident"]["id"]
    await ok(stack, "mutation($id: ID!) { confirmIncident(id: $id) { id } }", {"id": id_}, w.tokens["ops a"])
    classify = "mutation($id: ID!) { classifyIncident(id: $id, level: LEVEL_3) { id } }"
    await ok(stack, classify, {"id": id_}, w.tokens["ops a"])
    query = "mutation($id: ID!, $who: ID!) { assignIncident(id: $id, assigneeId: $who) { id } }"

    async def state() -> Any:
        return (await Incident.get(id=id_)).assignee_id

    return Case(
        query,
        allowed=("ops a", {"id": id_, "who": str(engineers["ops a2"].id)}),
        refused=[("ops a", {"id": id_, "who": str(engineers["ops b"].id)}, NOT_FOUND)],
        state=state,
    )


@case("assignServicePolicy.orgId")
async def _policy_org(stack: Stack, w: World) -> Case:
    admin = await make_user(w.a.hall, ("PLATFORM_ADMIN",), "平台管理员")
    w.tokens["admin a"] = token_for(admin, w.a.hall, stack.settings)
    policy = await ServicePolicy.get(code="PORTAL_003")
    await ServicePolicy.filter(id=policy.id).update(org_id=None)
    query = "mutation($p: ID!, $o: ID) { assignServicePolicy(policyId: $p, orgId: $o) { id } }"

    async def state() -> Any:
        return (await ServicePolicy.get(id=policy.id)).org_id

    return Case(
        query,
        allowed=("admin a", {"p": str(policy.id), "o": str(w.a.hall.id)}),
        refused=[("admin a", {"p": str(policy.id), "o": str(w.b.hall.id)}, NOT_FOUND)],
        state=state,
    )


@case("reportHeartbeat.deviceId")
async def _heartbeat(stack: Stack, w: World) -> Case:
    query = "mutation($i: HeartbeatInput!) { reportHeartbeat(input: $i) { id } }"
    devices = (w.a.device, w.b.device, w.other_hall_device)

    async def state() -> list[Any]:
        rows = await Device.filter(id__in=[d.id for d in devices]).order_by("id")
        return [(row.status, row.last_heartbeat_at) for row in rows]

    def beat(device: Device) -> dict[str, Any]:
        return {"i": {"deviceId": str(device.id), "status": "FAULT", "cpu": 99}}

    return Case(
        query,
        allowed=("hall a", beat(w.a.device)),
        refused=[("hall a", beat(w.b.device), NOT_FOUND), ("hall a", beat(w.other_hall_device), NOT_FOUND)],
        state=state,
    )


# -- customers: the customer a record is about -------------------------------------------------------


def _count(model: Any, **where: Any) -> Callable[[], Awaitable[int]]:
    return lambda: model.filter(**where).count()


@case("recordContact.customerId")
async def _contact(stack: Stack, w: World) -> Case:
    query = "mutation($i: ContactInput!) { recordContact(input: $i) { id } }"

    def contact(customer: Customer) -> dict[str, Any]:
        return {"i": {"customerId": str(customer.id), "channel": "PHONE", "summary": "电话回访，有贷款意向"}}

    return Case(
        query,
        allowed=("manager a", contact(w.customer)),
        refused=[
            ("manager b", contact(w.customer), NOT_FOUND),
            ("colleague", contact(w.customer), NOT_FOUND),
            ("manager a", contact(w.theirs), NOT_FOUND),
        ],
        state=_count(ContactRecord, customer_id__in=[w.customer.id, w.theirs.id]),
    )


@case("addReminder.customerId")
async def _reminder(stack: Stack, w: World) -> Case:
    query = "mutation($i: AddReminderInput!) { addReminder(input: $i) { id } }"

    def remind(customer: Customer) -> dict[str, Any]:
        return {"i": {"customerId": str(customer.id), "kind": "SCHEDULE", "title": "回访"}}

    return Case(
        query,
        allowed=("manager a", remind(w.customer)),
        refused=[("manager b", remind(w.customer), NOT_FOUND), ("manager a", remind(w.theirs), NOT_FOUND)],
        state=_count(Reminder, customer_id__in=[w.customer.id, w.theirs.id]),
    )


@case("addScheduleItem.customerId")
async def _schedule(stack: Stack, w: World) -> Case:
    query = "mutation($i: ScheduleItemInput!) { addScheduleItem(input: $i) { id } }"
    title = f"拜访-{uuid.uuid4().hex[:6]}"

    def item(customer: Customer) -> dict[str, Any]:
        return {"i": {"title": title, "startsAt": _in(), "customerId": str(customer.id)}}

    return Case(
        query,
        allowed=("manager a", item(w.customer)),
        refused=[("manager b", item(w.customer), NOT_FOUND), ("colleague", item(w.customer), NOT_FOUND)],
        state=_count(ScheduleItem, title=title),
    )


@case("requestTierChange.customerId")
async def _tier_request(stack: Stack, w: World) -> Case:
    query = """mutation($c: ID!) { requestTierChange(customerId: $c, toTier: WEALTH, reason: "资产增长") { id } }"""
    mine = {"c": str(w.customer.id)}
    return Case(
        query,
        allowed=("manager a", mine),
        refused=[
            ("manager b", mine, NOT_FOUND),
            ("colleague", mine, NOT_FOUND),
            ("far head", mine, NOT_FOUND),
            ("manager a", {"c": str(w.theirs.id)}, NOT_FOUND),
        ],
        state=_count(TierChangeRequest, customer_id__in=[w.customer.id, w.theirs.id]),
    )


@case("grantConsent.customerId")
async def _consent(stack: Stack, w: World) -> Case:
    query = "mutation($i: ConsentInput!) { grantConsent(input: $i) { id } }"

    def consent(customer: Customer) -> dict[str, Any]:
        evidence = f"SQ-{uuid.uuid4().hex[:6]}"
        return {
            "i": {
                "customerId": str(customer.id),
                "purpose": "DATA_USE",
                "expiresAt": _in(30),
                "evidence": evidence,
            }
        }

    return Case(
        query,
        allowed=("manager a", consent(w.customer)),
        refused=[("hq b", consent(w.customer), NOT_FOUND), ("manager a", consent(w.theirs), NOT_FOUND)],
        state=_count(ConsentModel, customer_id__in=[w.customer.id, w.theirs.id]),
    )


@case("excludeFromMarketing.customerId")
async def _exclude(stack: Stack, w: World) -> Case:
    query = 'mutation($c: ID!) { excludeFromMarketing(customerId: $c, reason: "客户要求不再营销") { id } }'
    return Case(
        query,
        allowed=("manager a", {"c": str(w.customer.id)}),
        refused=[
            ("manager b", {"c": str(w.customer.id)}, NOT_FOUND),
            ("colleague", {"c": str(w.customer.id)}, NOT_FOUND),
            ("manager a", {"c": str(w.theirs.id)}, NOT_FOUND),
        ],
        state=_count(MarketingExclusion, customer_id__in=[w.customer.id, w.theirs.id]),
    )


@case("updateProspect.customerId")
async def _prospect(stack: Stack, w: World) -> Case:
    create = """mutation { createProspect(input: {name: "王小二", phone: "13900001111"}) { id } }"""
    prospect = (await ok(stack, create, {}, w.tokens["manager a"]))["createProspect"]["id"]
    query = """mutation($id: ID!, $c: ID!) {
      updateProspect(id: $id, input: {status: CONVERTED, customerId: $c}) { id } }"""

    async def state() -> tuple[str, Any]:
        row = await Prospect.get(id=prospect)
        return row.status, row.customer_id

    return Case(
        query,
        allowed=("manager a", {"id": prospect, "c": str(w.customer.id)}),
        refused=[("manager a", {"id": prospect, "c": str(w.theirs.id)}, NOT_FOUND)],
        state=state,
    )


@case("recordAccountMovements.customerId")
async def _movements(stack: Stack, w: World) -> Case:
    query = "mutation($m: [AccountMovementInput!]!) { recordAccountMovements(movements: $m) { recorded } }"
    reference = f"R{uuid.uuid4().hex[:16]}"

    def feed(customer: Customer) -> dict[str, Any]:
        movement = {
            "reference": reference,
            "customerId": str(customer.id),
            "direction": "IN",
            "amount": "100.00",
            "occurredAt": datetime.now(UTC).isoformat(),
        }
        return {"m": [movement]}

    return Case(
        query,
        allowed=("hq a", feed(w.customer)),
        refused=[("hq a", feed(w.theirs), NOT_FOUND), ("hq b", feed(w.customer), NOT_FOUND)],
        state=_count(AccountMovement, reference=reference),
    )


# -- customers: grids and groups ---------------------------------------------------------------------


async def _grid_of(tenant: Tenant) -> Grid:
    return await Grid.get(tenant_id=tenant.bank.id)


@case("setCustomerGrid.customerId")
async def _set_grid_customer(stack: Stack, w: World) -> Case:
    query = "mutation($c: ID!, $g: ID) { setCustomerGrid(customerId: $c, gridId: $g) { id } }"
    grid_b = await _grid_of(w.b)
    return Case(
        query,
        allowed=("hq a", {"c": str(w.customer.id), "g": None}),
        refused=[("hq b", {"c": str(w.customer.id), "g": str(grid_b.id)}, NOT_FOUND)],
        state=lambda: Customer.filter(id=w.customer.id).values_list("grid_id", flat=True),
    )


@case("setCustomerGrid.gridId")
async def _set_grid_grid(stack: Stack, w: World) -> Case:
    query = "mutation($c: ID!, $g: ID) { setCustomerGrid(customerId: $c, gridId: $g) { id } }"
    another = await Grid.create(tenant_id=w.a.bank.id, org_id=w.a.branch.id, name="第二网格")
    grid_b = await _grid_of(w.b)
    return Case(
        query,
        allowed=("hq a", {"c": str(w.customer.id), "g": str(another.id)}),
        refused=[("hq a", {"c": str(w.customer.id), "g": str(grid_b.id)}, NOT_FOUND)],
        state=lambda: Customer.filter(id=w.customer.id).values_list("grid_id", flat=True),
    )


MAP = "mutation($g: ID!, $o: ID!) { mapGridToOrg(gridId: $g, orgId: $o) { id } }"


@case("mapGridToOrg.gridId")
async def _map_grid(stack: Stack, w: World) -> Case:
    grid = await _grid_of(w.a)
    return Case(
        MAP,
        allowed=("hq a", {"g": str(grid.id), "o": str(w.a.branch.id)}),
        refused=[("hq b", {"g": str(grid.id), "o": str(w.b.branch.id)}, NOT_FOUND)],
        state=_count(GridOrg, grid_id=grid.id),
    )


@case("mapGridToOrg.orgId")
async def _map_org(stack: Stack, w: World) -> Case:
    grid = await _grid_of(w.a)
    return Case(
        MAP,
        allowed=("hq a", {"g": str(grid.id), "o": str(w.branch2.id)}),
        refused=[("hq a", {"g": str(grid.id), "o": str(w.b.branch.id)}, BAD_INPUT)],
        state=_count(GridOrg, grid_id=grid.id),
    )


GROUP = "mutation($i: CustomerGroupInput!) { createCustomerGroup(input: $i) { id } }"


def _system_group(name: str, **rule: Any) -> dict[str, Any]:
    return {"i": {"name": name, "kind": "RETAIL", "source": "SYSTEM", "rule": rule}}


@case("createCustomerGroup.rule.gridIds")
async def _group_grid(stack: Stack, w: World) -> Case:
    name = f"网格客群-{uuid.uuid4().hex[:6]}"
    mine, theirs = await _grid_of(w.a), await _grid_of(w.b)
    return Case(
        GROUP,
        allowed=("hq a", _system_group(name, gridIds=[str(mine.id)])),
        refused=[
            ("hq a", _system_group(name, gridIds=[str(theirs.id)]), NOT_FOUND),
            ("hq a", _system_group(name, gridIds=[str(mine.id), str(uuid.uuid4())]), NOT_FOUND),
        ],
        state=_count(CustomerGroup, name=name),
    )


@case("createCustomerGroup.rule.managerId")
async def _group_manager(stack: Stack, w: World) -> Case:
    name = f"管户客群-{uuid.uuid4().hex[:6]}"
    return Case(
        GROUP,
        allowed=("hq a", _system_group(name, managerId=str(w.a.manager.id))),
        refused=[
            ("hq a", _system_group(name, managerId=str(w.b.manager.id)), BAD_INPUT),
            ("hq a", _system_group(name, managerId=str(w.a.hall_manager.id)), BAD_INPUT),  # not a manager
        ],
        state=_count(CustomerGroup, name=name),
    )


ADD_MEMBERS = "mutation($g: ID!, $c: [ID!]!) { addCustomerGroupMembers(groupId: $g, customerIds: $c) { id } }"


async def _custom_group(w: World) -> CustomerGroup:
    return await CustomerGroup.create(
        tenant_id=w.a.bank.id,
        name="重点客户",
        kind="RETAIL",
        source=GroupSource.CUSTOM,
        created_by=uuid.uuid4(),
    )


@case("addCustomerGroupMembers.customerIds")
async def _members_customers(stack: Stack, w: World) -> Case:
    group = await _custom_group(w)
    return Case(
        ADD_MEMBERS,
        allowed=("hq a", {"g": str(group.id), "c": [str(w.customer.id)]}),
        refused=[("hq a", {"g": str(group.id), "c": [str(w.customer.id), str(w.theirs.id)]}, NOT_FOUND)],
        state=_count(GroupMember, group_id=group.id),
    )


@case("addCustomerGroupMembers.groupId")
async def _members_group(stack: Stack, w: World) -> Case:
    group = await _custom_group(w)
    return Case(
        ADD_MEMBERS,
        allowed=("hq a", {"g": str(group.id), "c": [str(w.customer.id)]}),
        refused=[("hq b", {"g": str(group.id), "c": [str(w.theirs.id)]}, NOT_FOUND)],
        state=_count(GroupMember, group_id=group.id),
    )


# -- customers: ownership targets (客户关系管理) ----------------------------------------------------


def _ownership(customer: Customer) -> Callable[[], Awaitable[Any]]:
    async def state() -> Any:
        row = await Customer.get(id=customer.id)
        assignments = await CustomerAssignment.filter(customer_id=customer.id).count()
        return row.org_id, row.primary_manager_id, assignments

    return state


async def _unmanaged(w: World) -> Customer:
    return await make_customer(w.a.branch, w.a.manager, "待分配客户", primary_manager_id=None)


ALLOCATE = """mutation($c: [ID!]!, $m: ID, $o: ID) {
  allocateCustomers(customerIds: $c, managerId: $m, orgId: $o) { id } }"""


@case("allocateCustomers.customerIds")
async def _allocate_customers(stack: Stack, w: World) -> Case:
    waiting = await _unmanaged(w)
    to = {"c": [str(waiting.id)], "m": str(w.a.manager.id), "o": None}
    return Case(ALLOCATE, allowed=("hq a", to), refused=[("hq b", to, NOT_FOUND)], state=_ownership(waiting))


@case("allocateCustomers.managerId")
async def _allocate_manager(stack: Stack, w: World) -> Case:
    waiting = await _unmanaged(w)
    return Case(
        ALLOCATE,
        allowed=("hq a", {"c": [str(waiting.id)], "m": str(w.a.manager.id), "o": None}),
        refused=[("hq a", {"c": [str(waiting.id)], "m": str(w.b.manager.id), "o": None}, BAD_INPUT)],
        state=_ownership(waiting),
    )


@case("allocateCustomers.orgId")
async def _allocate_org(stack: Stack, w: World) -> Case:
    waiting = await _unmanaged(w)
    outlet = await make_org("测试网点", OrgKind.OUTLET, w.a.branch)
    return Case(
        ALLOCATE,
        allowed=("hq a", {"c": [str(waiting.id)], "m": None, "o": str(outlet.id)}),
        refused=[("hq a", {"c": [str(waiting.id)], "m": None, "o": str(w.b.branch.id)}, BAD_INPUT)],
        state=_ownership(waiting),
    )


@case("handOverCustomers.toManagerId")
async def _hand_over(stack: Stack, w: World) -> Case:
    query = """mutation($c: [ID!]!, $m: ID!) {
      handOverCustomers(customerIds: $c, toManagerId: $m, reason: "岗位调整") { id } }"""
    to = {"c": [str(w.customer.id)]}
    return Case(
        query,
        allowed=("hq a", to | {"m": str(w.colleague.id)}),
        refused=[
            ("hq a", to | {"m": str(w.b.manager.id)}, BAD_INPUT),
            ("hq b", to | {"m": str(w.b.manager.id)}, NOT_FOUND),
        ],
        state=_ownership(w.customer),
    )


@case("transferCustomers.toOrgId")
async def _transfer(stack: Stack, w: World) -> Case:
    query = """mutation($c: [ID!]!, $o: ID!) {
      transferCustomers(customerIds: $c, toOrgId: $o, reason: "迁居") { id } }"""
    to = {"c": [str(w.customer.id)]}
    return Case(
        query,
        allowed=("hq a", to | {"o": str(w.branch2.id)}),
        refused=[("hq a", to | {"o": str(w.b.branch.id)}, BAD_INPUT)],
        state=_ownership(w.customer),
    )


@case("startCustody.custodianId")
async def _custody(stack: Stack, w: World) -> Case:
    query = """mutation($c: [ID!]!, $m: ID!, $e: DateTime!) {
      startCustody(customerIds: $c, custodianId: $m, endsAt: $e, reason: "休假") { id } }"""
    to = {"c": [str(w.customer.id)], "e": _in(7)}
    return Case(
        query,
        allowed=("manager a", to | {"m": str(w.colleague.id)}),
        refused=[("manager a", to | {"m": str(w.b.manager.id)}, BAD_INPUT)],
        state=_ownership(w.customer),
    )


@case("addAssistingManager.managerId")
async def _assisting(stack: Stack, w: World) -> Case:
    query = "mutation($c: ID!, $m: ID!) { addAssistingManager(customerId: $c, managerId: $m) { id } }"
    return Case(
        query,
        allowed=("hq a", {"c": str(w.customer.id), "m": str(w.colleague.id)}),
        refused=[
            ("hq a", {"c": str(w.customer.id), "m": str(w.b.manager.id)}, BAD_INPUT),
            ("far head", {"c": str(w.customer.id), "m": str(w.colleague.id)}, NOT_FOUND),
        ],
        state=_ownership(w.customer),
    )


# -- alert lifecycle, routing and silences (issue 15) ---------------------------------------------


async def _hall_alert(tenant: Tenant, status: AlertStatus = AlertStatus.OPEN) -> Alert:
    hall = tenant.hall
    return await Alert.create(
        org=hall, org_path=hall.path, level=AlertLevel.WARNING, title="机房告警", status=status
    )


def _alert_step(name: str, status: AlertStatus) -> CaseBuilder:
    async def build(stack: Stack, w: World) -> Case:
        alert = await _hall_alert(w.b, status)
        query = f"mutation($id: ID!) {{ {name}(id: $id) {{ id }} }}"

        async def state() -> Any:
            return (await Alert.get(id=alert.id)).status

        return Case(
            query,
            allowed=("hall b", {"id": str(alert.id)}),
            refused=[
                ("hall a", {"id": str(alert.id)}, NOT_FOUND),
                ("applicant", {"id": str(alert.id)}, NOT_FOUND),
            ],
            state=state,
        )

    return build


case("acknowledgeAlert.id")(_alert_step("acknowledgeAlert", AlertStatus.OPEN))
case("resolveAlert.id")(_alert_step("resolveAlert", AlertStatus.ACKNOWLEDGED))
case("reopenAlert.id")(_alert_step("reopenAlert", AlertStatus.RESOLVED))


@case("createAlertRoute.orgId")
async def _alert_route(stack: Stack, w: World) -> Case:
    query = "mutation($i: AlertRouteInput!) { createAlertRoute(input: $i) { id } }"

    def route(org: Org) -> dict[str, Any]:
        return {"i": {"orgId": str(org.id), "roles": ["OPS_ENGINEER"]}}

    return Case(
        query,
        allowed=("hq a", route(w.a.bank)),
        refused=[("hq b", route(w.a.bank), NOT_FOUND), ("hq a", route(w.b.bank), NOT_FOUND)],
        state=_count(AlertRoute, org_id=w.a.bank.id),
    )


@case("deleteAlertRoute.id")
async def _alert_route_delete(stack: Stack, w: World) -> Case:
    bank = w.a.bank
    route = await AlertRoute.create(org=bank, org_path=bank.path, roles=["OPS_ENGINEER"])
    return Case(
        "mutation($id: ID!) { deleteAlertRoute(id: $id) }",
        allowed=("hq a", {"id": str(route.id)}),
        refused=[("hq b", {"id": str(route.id)}, NOT_FOUND), ("hall a", {"id": str(route.id)}, NOT_FOUND)],
        state=_count(AlertRoute, id=route.id),
    )


SILENCE = "mutation($i: AlertSilenceInput!) { createAlertSilence(input: $i) { id } }"


def _silence(org: Org, reason: str, device: Device | None = None) -> dict[str, Any]:
    window = {"orgId": str(org.id), "startsAt": _in(0), "endsAt": _in(1), "reason": reason}
    return {"i": window | ({"deviceId": str(device.id)} if device else {})}


@case("createAlertSilence.orgId")
async def _alert_silence_org(stack: Stack, w: World) -> Case:
    reason = f"维护-{uuid.uuid4().hex[:6]}"
    return Case(
        SILENCE,
        allowed=("hall a", _silence(w.a.hall, reason)),
        refused=[
            ("hall a", _silence(w.b.hall, reason), NOT_FOUND),
            ("applicant", _silence(w.a.hall, reason), NOT_FOUND),
        ],
        state=_count(AlertSilence, reason=reason),
    )


@case("createAlertSilence.deviceId")
async def _alert_silence_device(stack: Stack, w: World) -> Case:
    reason = f"终端维护-{uuid.uuid4().hex[:6]}"
    return Case(
        SILENCE,
        allowed=("hall a", _silence(w.a.hall, reason, w.a.device)),
        refused=[
            ("hall a", _silence(w.a.hall, reason, w.b.device), NOT_FOUND),  # another tenant's hall
            ("hall a", _silence(w.a.hall, reason, w.other_hall_device), NOT_FOUND),  # another hall
        ],
        state=_count(AlertSilence, reason=reason),
    )


@case("endAlertSilence.id")
async def _alert_silence_end(stack: Stack, w: World) -> Case:
    hall = w.a.hall
    now = datetime.now(UTC)
    silence = await AlertSilence.create(
        org=hall, org_path=hall.path, starts_at=now, ends_at=now + timedelta(days=1), reason="维护"
    )

    async def state() -> Any:
        return (await AlertSilence.get(id=silence.id)).ends_at

    return Case(
        "mutation($id: ID!) { endAlertSilence(id: $id) { id } }",
        allowed=("hall a", {"id": str(silence.id)}),
        refused=[
            ("hall b", {"id": str(silence.id)}, NOT_FOUND),
            ("applicant", {"id": str(silence.id)}, NOT_FOUND),
        ],
        state=state,
    )


# -- changes and backups (变更 / 备份) -------------------------------------------------------
CHANGE = "mutation($i: CreateChangeRequestInput!) { createChangeRequest(input: $i) { id } }"
ADVANCE = "mutation($i: AdvanceChangeRequestInput!) { advanceChangeRequest(input: $i) { id } }"
BACKUP_JOB = "mutation($i: CreateBackupJobInput!) { createBackupJob(input: $i) { id } }"
BACKUP_RUN = "mutation($i: ReportBackupRunInput!) { reportBackupRun(input: $i) { id } }"
BACKUP_ACTIVE = "mutation($id: ID!) { setBackupJobActive(id: $id, active: false) { id } }"


def _change(org: Org, title: str, **extra: Any) -> dict[str, Any]:
    window = {"plannedStart": _in(1), "plannedEnd": _in(2)}
    fields = {"kind": "CONFIGURATION", "risk": "LOW", "rollbackPlan": "恢复原配置", **window}
    return {"i": {"orgId": str(org.id), "title": title, **fields, **extra}}


@case("createChangeRequest.orgId")
async def _change_org(stack: Stack, w: World) -> Case:
    title = f"配置变更-{uuid.uuid4().hex[:6]}"
    return Case(
        CHANGE,
        allowed=("hall a", _change(w.a.hall, title)),
        refused=[
            ("hall a", _change(w.b.hall, title), NOT_FOUND),
            ("applicant", _change(w.a.hall, title), NOT_FOUND),
        ],
        state=_count(ChangeRequest, title=title),
    )


@case("createChangeRequest.deviceId")
async def _change_device(stack: Stack, w: World) -> Case:
    title = f"设备变更-{uuid.uuid4().hex[:6]}"
    return Case(
        CHANGE,
        allowed=("hall a", _change(w.a.hall, title, deviceId=str(w.a.device.id))),
        refused=[
            ("hall a", _change(w.a.hall, title, deviceId=str(w.b.device.id)), NOT_FOUND),
            ("hall a", _change(w.a.hall, title, deviceId=str(w.other_hall_device.id)), NOT_FOUND),
        ],
        state=_count(ChangeRequest, title=title),
    )


@case("advanceChangeRequest.id")
async def _change_step(stack: Stack, w: World) -> Case:
    title = f"待提交变更-{uuid.uuid4().hex[:6]}"
    created = await ok(stack, CHANGE, _change(w.a.hall, title), w.tokens["hall a"])
    submit = {"i": {"id": created["createChangeRequest"]["id"], "action": "SUBMIT"}}

    async def state() -> str:
        return str((await ChangeRequest.get(title=title)).status)

    return Case(
        ADVANCE,
        allowed=("hall a", submit),
        refused=[
            ("hall b", submit, NOT_FOUND),
            ("applicant", submit, NOT_FOUND),
            ("manager a", submit, NOT_FOUND),
        ],
        state=state,
    )


def _backup_job(org: Org, name: str, **extra: Any) -> dict[str, Any]:
    schedule = {"frequency": "DAILY", "at": "02:00"}
    fields = {"system": "核心数据库", "expectedMinutes": 60, "graceMinutes": 30, "retentionDays": 30}
    return {"i": {"orgId": str(org.id), "name": name, "schedule": schedule, **fields, **extra}}


@case("createBackupJob.orgId")
async def _backup_org(stack: Stack, w: World) -> Case:
    name = f"全量备份-{uuid.uuid4().hex[:6]}"
    return Case(
        BACKUP_JOB,
        allowed=("hall a", _backup_job(w.a.hall, name)),
        refused=[
            ("hall a", _backup_job(w.b.hall, name), NOT_FOUND),
            ("hq b", _backup_job(w.a.hall, name), NOT_FOUND),
        ],
        state=_count(BackupJob, name=name),
    )


@case("createBackupJob.deviceId")
async def _backup_device(stack: Stack, w: World) -> Case:
    name = f"终端备份-{uuid.uuid4().hex[:6]}"
    return Case(
        BACKUP_JOB,
        allowed=("hall a", _backup_job(w.a.hall, name, deviceId=str(w.a.device.id))),
        refused=[
            ("hall a", _backup_job(w.a.hall, name, deviceId=str(w.b.device.id)), NOT_FOUND),
            ("hall a", _backup_job(w.a.hall, name, deviceId=str(w.other_hall_device.id)), NOT_FOUND),
        ],
        state=_count(BackupJob, name=name),
    )


async def _hall_a_job(stack: Stack, w: World) -> str:
    created = await ok(
        stack, BACKUP_JOB, _backup_job(w.a.hall, f"日备-{uuid.uuid4().hex[:6]}"), w.tokens["hall a"]
    )
    return str(created["createBackupJob"]["id"])


@case("reportBackupRun.jobId")
async def _backup_run(stack: Stack, w: World) -> Case:
    job_id = await _hall_a_job(stack, w)
    started = datetime.now(UTC) - timedelta(hours=1)
    run = {
        "i": {
            "jobId": job_id,
            "startedAt": started.isoformat(),
            "finishedAt": (started + timedelta(minutes=30)).isoformat(),
            "status": "SUCCEEDED",
            "idempotencyKey": str(uuid.uuid4()),
        }
    }
    return Case(
        BACKUP_RUN,
        allowed=("hall a", run),
        refused=[("hall b", run, NOT_FOUND), ("applicant", run, NOT_FOUND), ("hq a", run, NOT_FOUND)],
        state=_count(BackupRun, job_id=job_id),
    )


@case("setBackupJobActive.id")
async def _backup_active(stack: Stack, w: World) -> Case:
    job_id = await _hall_a_job(stack, w)

    async def state() -> bool:
        return (await BackupJob.get(id=job_id)).active

    return Case(
        BACKUP_ACTIVE,
        allowed=("hall a", {"id": job_id}),
        refused=[("hall b", {"id": job_id}, NOT_FOUND), ("manager a", {"id": job_id}, NOT_FOUND)],
        state=state,
    )


# -- operations: 巡检 (inspections): the unit of a plan, its targets and assignee, a plan, a task, a
# record, and the unit whose monthly report is signed --------------------------------------------

PLAN = "mutation($i: CreateInspectionPlanInput!) { createInspectionPlan(input: $i) { id } }"


def _plan_input(name: str, unit: Org, **more: Any) -> dict[str, Any]:
    targets = [{"kind": "HALL", "id": str(unit.id)}]
    return {
        "i": {"orgId": str(unit.id), "name": name, "frequency": "MONTHLY", "targets": targets}
        | {"startDate": "2026-01-01", "checklist": ["UPS"]}
        | more
    }


async def _inspection_task(w: World) -> InspectionTask:
    """A plan of hall a with the task of a period not yet due."""
    plan = await InspectionPlan.create(
        org=w.a.hall,
        org_path=w.a.hall.path,
        name="例行巡检",
        frequency=InspectionFrequency.MONTHLY,
        targets=[{"kind": "HALL", "id": str(w.a.hall.id)}],
        start_date=date(2026, 1, 1),
    )
    return await InspectionTask.create(
        plan=plan,
        org_id=w.a.hall.id,
        org_path=w.a.hall.path,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 2, 1),
        due_at=datetime.now(UTC) + timedelta(days=7),
        targets=plan.targets,
    )


@case("createInspectionPlan.orgId")
async def _plan_org(stack: Stack, w: World) -> Case:
    name = f"巡检计划-{uuid.uuid4().hex[:6]}"
    return Case(
        PLAN,
        allowed=("hall a", _plan_input(name, w.a.hall)),
        refused=[
            ("hall a", _plan_input(name, w.b.hall), NOT_FOUND),  # another tenant's hall
            ("applicant", _plan_input(name, w.a.hall), NOT_FOUND),
        ],
        state=lambda: InspectionPlan.filter(name=name).count(),
    )


@case("createInspectionPlan.targets")
async def _plan_targets(stack: Stack, w: World) -> Case:
    name = f"巡检计划-{uuid.uuid4().hex[:6]}"

    def target(kind: str, id: uuid.UUID) -> dict[str, Any]:
        return _plan_input(name, w.a.hall, targets=[{"kind": kind, "id": str(id)}])

    return Case(
        PLAN,
        allowed=("hall a", target("DEVICE", w.a.device.id)),
        refused=[
            ("hall a", target("HALL", w.b.hall.id), NOT_FOUND),  # a hall not under the unit
            ("hall a", target("DEVICE", w.b.device.id), NOT_FOUND),  # another tenant's device
            ("hall a", target("DEVICE", w.other_hall_device.id), NOT_FOUND),  # another hall's
        ],
        state=lambda: InspectionPlan.filter(name=name).count(),
    )


@case("createInspectionPlan.assigneeId")
async def _plan_assignee(stack: Stack, w: World) -> Case:
    name = f"巡检计划-{uuid.uuid4().hex[:6]}"
    return Case(
        PLAN,
        allowed=("hall a", _plan_input(name, w.a.hall, assigneeId=str(w.a.hall_manager.id))),
        refused=[("hall a", _plan_input(name, w.a.hall, assigneeId=str(w.b.hall_manager.id)), NOT_FOUND)],
        state=lambda: InspectionPlan.filter(name=name).count(),
    )


@case("updateInspectionPlan.planId")
async def _plan_update(stack: Stack, w: World) -> Case:
    query = "mutation($id: ID!, $i: UpdateInspectionPlanInput!) { updateInspectionPlan(id: $id, input: $i) { id } }"
    plan_id = (await _inspection_task(w)).plan_id
    change = {"id": str(plan_id), "i": {"name": "改名", "active": False}}
    return Case(
        query,
        allowed=("hall a", change),
        refused=[("hall b", change, NOT_FOUND), ("applicant", change, NOT_FOUND)],
        state=lambda: InspectionPlan.filter(id=plan_id).values_list("name", "active"),
    )


@case("recordInspection.taskId")
async def _record_task(stack: Stack, w: World) -> Case:
    query = "mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id } }"
    task = await _inspection_task(w)
    given = {
        "i": {"taskId": str(task.id), "target": {"kind": "HALL", "id": str(w.a.hall.id)}, "result": "OK"}
    }
    return Case(
        query,
        allowed=("hall a", given),
        refused=[("hall b", given, NOT_FOUND), ("applicant", given, NOT_FOUND)],
        state=lambda: InspectionRecord.filter(task_id=task.id).count(),
    )


@case("addInspectionPhotos.recordId")
async def _record_photos(stack: Stack, w: World) -> Case:
    query = (
        "mutation($r: ID!, $p: [PhotoUploadInput!]!) { addInspectionPhotos(recordId: $r, photos: $p) { id } }"
    )
    task = await _inspection_task(w)
    record = await InspectionRecord.create(
        task=task,
        org_path=task.org_path,
        target_kind=InspectionTargetKind.HALL,
        target_id=w.a.hall.id,
        result=InspectionResult.OK,
        recorded_by=w.a.hall_manager.id,
    )
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()
    given = {"r": str(record.id), "p": [{"fileName": "a.png", "contentBase64": png}]}
    return Case(
        query,
        allowed=("hall a", given),
        refused=[("hall b", given, NOT_FOUND), ("applicant", given, NOT_FOUND)],
        state=lambda: InspectionPhoto.filter(record_id=record.id).count(),
    )


@case("signInspectionReport.orgId")
async def _sign_report(stack: Stack, w: World) -> Case:
    query = "mutation($o: ID!, $m: Date!) { signInspectionReport(orgId: $o, month: $m) { id } }"
    month = date(2025, 6, 1)
    given = {"o": str(w.a.hall.id), "m": month.isoformat()}
    return Case(
        query,
        allowed=("hall a", given),
        refused=[
            ("hall b", given, NOT_FOUND),
            ("manager a", given, NOT_FOUND),
            ("applicant", given, NOT_FOUND),
        ],
        state=lambda: InspectionSignoff.filter(org_id=w.a.hall.id, month=month).count(),
    )


# -- issue 16: devices (credentials, maintenance, commands) -------------------------------------------


def _device_rows(w: World, *columns: str) -> Callable[[], Awaitable[list[Any]]]:
    devices = (w.a.device, w.b.device, w.other_hall_device)
    return lambda: Device.filter(id__in=[d.id for d in devices]).order_by("id").values_list(*columns)


@case("issueDeviceCredential.deviceId")
async def _device_credential(stack: Stack, w: World) -> Case:
    query = "mutation($d: ID!) { issueDeviceCredential(deviceId: $d) { fingerprint } }"
    devices = (w.a.device, w.b.device, w.other_hall_device)
    return Case(
        query,
        allowed=("hall a", {"d": str(w.a.device.id)}),
        refused=[("hall a", {"d": str(d.id)}, NOT_FOUND) for d in devices[1:]],
        state=lambda: DeviceCredential.filter(device_id__in=[d.id for d in devices]).count(),
    )


@case("setDeviceMaintenance.deviceId")
async def _device_maintenance(stack: Stack, w: World) -> Case:
    query = "mutation($d: ID!) { setDeviceMaintenance(deviceId: $d, on: true) { status } }"
    return Case(
        query,
        allowed=("hall a", {"d": str(w.a.device.id)}),
        refused=[("hall a", {"d": str(d.id)}, NOT_FOUND) for d in (w.b.device, w.other_hall_device)],
        state=_device_rows(w, "status"),
    )


@case("issueDeviceCommand.deviceId")
async def _device_command(stack: Stack, w: World) -> Case:
    query = "mutation($i: DeviceCommandInput!) { issueDeviceCommand(input: $i) { id } }"

    def command(device: Device) -> dict[str, Any]:
        return {"i": {"commandId": str(uuid.uuid4()), "deviceId": str(device.id), "action": "RESTART"}}

    devices = (w.a.device, w.b.device, w.other_hall_device)
    return Case(
        query,
        allowed=("hall a", command(w.a.device)),
        refused=[("hall a", command(d), NOT_FOUND) for d in devices[1:]],
        state=lambda: DeviceCommand.filter(device_id__in=[d.id for d in devices]).count(),
    )


@case("registerDevice.hallId")
async def _register_device(stack: Stack, w: World) -> Case:
    query = "mutation($i: RegisterDeviceInput!) { registerDevice(input: $i) { id } }"
    code = f"T-{uuid.uuid4().hex[:10]}"

    def register(hall: Org) -> dict[str, Any]:
        return {
            "i": {"code": code, "kind": "LED_SCREEN", "hallId": str(hall.id), "fields": {"name": "门头屏"}}
        }

    return Case(
        query,
        allowed=("hall a", register(w.a.hall)),
        refused=[("hall a", register(w.b.hall), NOT_FOUND), ("hall a", register(w.a.branch), NOT_FOUND)],
        state=_count(Device, code=code),
    )


@case("updateDevice.parentId")
async def _update_device_parent(stack: Stack, w: World) -> Case:
    query = "mutation($d: ID!, $f: DeviceFieldsInput!) { updateDevice(deviceId: $d, fields: $f) { id } }"
    unit = await Device.create(
        code=f"U-{uuid.uuid4().hex[:10]}",
        name="智能互动单元",
        kind=DeviceKind.INTERACTION_UNIT,
        hall_id=w.a.hall.id,
        org_path=w.a.hall.path,
        tenant_id=w.a.hall.tenant_id,
    )
    theirs = await Device.create(
        code=f"U-{uuid.uuid4().hex[:10]}",
        name="智能互动单元",
        kind=DeviceKind.INTERACTION_UNIT,
        hall_id=w.b.hall.id,
        org_path=w.b.hall.path,
        tenant_id=w.b.hall.tenant_id,
    )

    def parent(device: Device) -> dict[str, Any]:
        return {"d": str(w.a.device.id), "f": {"parentId": str(device.id)}}

    return Case(
        query,
        allowed=("hall a", parent(unit)),
        refused=[("hall a", parent(theirs), NOT_FOUND), ("hall a", parent(w.other_hall_device), NOT_FOUND)],
        state=_device_rows(w, "parent_id"),
    )


# -- issue 16: telemetry thresholds --


@case("setMetricThreshold.deviceId")
async def _metric_threshold(stack: Stack, w: World) -> Case:
    query = "mutation($i: MetricThresholdInput!) { setMetricThreshold(input: $i) { id high } }"
    devices = (w.a.device, w.b.device, w.other_hall_device)

    def limit(device: Device) -> dict[str, Any]:
        return {"i": {"deviceId": str(device.id), "metric": "temperature", "high": 60.0}}

    return Case(
        query,
        allowed=("hall a", limit(w.a.device)),
        refused=[
            ("hall a", limit(w.b.device), NOT_FOUND),
            ("hall a", limit(w.other_hall_device), NOT_FOUND),
            ("hall b", limit(w.a.device), NOT_FOUND),
            ("manager a", limit(w.a.device), NOT_FOUND),
            ("applicant", limit(w.a.device), NOT_FOUND),
        ],
        state=lambda: MetricThreshold.filter(device_id__in=[d.id for d in devices]).count(),
    )


# -- issue 16: the configuration library (配置库) ---------------------------------------------------
CONFIG_CREATE = "mutation($i: CreateConfigItemInput!) { createConfigItem(input: $i) { id } }"
CONFIG_UPDATE = "mutation($i: UpdateConfigItemInput!) { updateConfigItem(input: $i) { id } }"
CONFIG_RELATE = "mutation($i: RelateConfigItemInput!) { relateConfigItem(input: $i) { id } }"
CONFIG_UNRELATE = "mutation($i: UnrelateConfigItemInput!) { unrelateConfigItem(input: $i) { id } }"
CONFIG_RETIRE = "mutation($i: RetireConfigItemInput!) { retireConfigItem(input: $i) { id } }"


def _config_input(org: Org, code: str, **extra: Any) -> dict[str, Any]:
    return {"i": {"orgId": str(org.id), "code": code, "name": "应用服务器", "kind": "SERVER", **extra}}


async def _config_item(org: Org, name: str = "核心交换机") -> ConfigItem:
    return await ConfigItem.create(
        code=f"CI{uuid.uuid4().hex[:10]}",
        name=name,
        kind=ConfigItemKind.NETWORK_DEVICE,
        org_id=org.id,
        org_path=org.path,
        config={"vlan": 10},
        original_config={"vlan": 10},
        created_by=uuid.uuid4(),
    )


@case("createConfigItem.orgId")
async def _config_create_org(stack: Stack, w: World) -> Case:
    code = f"CI{uuid.uuid4().hex[:10]}"
    return Case(
        CONFIG_CREATE,
        allowed=("hall a", _config_input(w.a.hall, code)),
        refused=[
            ("hall a", _config_input(w.b.hall, code), NOT_FOUND),
            ("manager a", _config_input(w.a.hall, code), NOT_FOUND),
            ("applicant", _config_input(w.a.hall, code), NOT_FOUND),
        ],
        state=_count(ConfigItem, code=code),
    )


@case("createConfigItem.deviceId")
async def _config_create_device(stack: Stack, w: World) -> Case:
    code = f"CI{uuid.uuid4().hex[:10]}"

    def given(device: Device) -> dict[str, Any]:
        return _config_input(w.a.hall, code, deviceId=str(device.id))

    return Case(
        CONFIG_CREATE,
        allowed=("hall a", given(w.a.device)),
        refused=[("hall a", given(w.b.device), NOT_FOUND), ("hall a", given(w.other_hall_device), NOT_FOUND)],
        state=_count(ConfigItem, code=code),
    )


@case("updateConfigItem.id")
async def _config_update(stack: Stack, w: World) -> Case:
    item = await _config_item(w.a.hall)
    given = {"i": {"id": str(item.id), "name": "核心交换机-改", "config": {"vlan": 20}}}
    return Case(
        CONFIG_UPDATE,
        allowed=("hall a", given),
        refused=[
            ("hall b", given, NOT_FOUND),
            ("manager a", given, NOT_FOUND),
            ("applicant", given, NOT_FOUND),
        ],
        state=lambda: ConfigItem.filter(id=item.id).values_list("name", "config", "version"),
    )


@case("updateConfigItem.changeRequestId")
async def _config_update_change(stack: Stack, w: World) -> Case:
    item = await _config_item(w.a.hall)
    ours = await ok(stack, CHANGE, _change(w.a.hall, "配置变更"), w.tokens["hall a"])
    theirs = await ok(stack, CHANGE, _change(w.b.hall, "配置变更"), w.tokens["hall b"])

    def given(change: dict[str, Any]) -> dict[str, Any]:
        return {
            "i": {"id": str(item.id), "name": "改名", "changeRequestId": change["createChangeRequest"]["id"]}
        }

    return Case(
        CONFIG_UPDATE,
        allowed=("hall a", given(ours)),
        refused=[("hall a", given(theirs), NOT_FOUND)],
        state=lambda: ConfigChange.filter(item_id=item.id).count(),
    )


@case("relateConfigItem.targetItemId")
async def _config_relate_item(stack: Stack, w: World) -> Case:
    source, ours, theirs = (
        await _config_item(w.a.hall),
        await _config_item(w.a.hall),
        await _config_item(w.b.hall),
    )

    def given(target: ConfigItem) -> dict[str, Any]:
        return {"i": {"sourceId": str(source.id), "kind": "CONNECTS_TO", "targetItemId": str(target.id)}}

    return Case(
        CONFIG_RELATE,
        allowed=("hall a", given(ours)),
        refused=[("hall a", given(theirs), NOT_FOUND), ("hall b", given(theirs), NOT_FOUND)],
        state=_count(ConfigRelation, source_id=source.id),
    )


@case("relateConfigItem.targetDeviceId")
async def _config_relate_device(stack: Stack, w: World) -> Case:
    source = await _config_item(w.a.hall)

    def given(device: Device) -> dict[str, Any]:
        return {"i": {"sourceId": str(source.id), "kind": "RUNS_ON", "targetDeviceId": str(device.id)}}

    return Case(
        CONFIG_RELATE,
        allowed=("hall a", given(w.a.device)),
        refused=[("hall a", given(w.b.device), NOT_FOUND), ("hall a", given(w.other_hall_device), NOT_FOUND)],
        state=_count(ConfigRelation, source_id=source.id),
    )


@case("unrelateConfigItem.relationId")
async def _config_unrelate(stack: Stack, w: World) -> Case:
    source, target = await _config_item(w.a.hall), await _config_item(w.a.hall)
    relation = await ConfigRelation.create(
        source_id=source.id,
        target_item_id=target.id,
        target_key=str(target.id),
        kind=ConfigRelationKind.CONNECTS_TO,
        org_path=source.org_path,
        created_by=uuid.uuid4(),
    )
    given = {"i": {"relationId": str(relation.id)}}
    return Case(
        CONFIG_UNRELATE,
        allowed=("hall a", given),
        refused=[("hall b", given, NOT_FOUND), ("applicant", given, NOT_FOUND)],
        state=_count(ConfigRelation, id=relation.id),
    )


@case("retireConfigItem.id")
async def _config_retire(stack: Stack, w: World) -> Case:
    item = await _config_item(w.a.hall)
    given = {"i": {"id": str(item.id), "reason": "到期下线"}}
    return Case(
        CONFIG_RETIRE,
        allowed=("hall a", given),
        refused=[("hall b", given, NOT_FOUND), ("manager a", given, NOT_FOUND)],
        state=lambda: ConfigItem.filter(id=item.id).values_list("status", flat=True),
    )


# -- issue 16: halls (营业厅): the hall, ticket, zone, device and user every hall input names ---------

ISSUE_TICKET = "mutation($i: IssueQueueTicketInput!) { issueQueueTicket(input: $i) { id } }"


def _tickets(*halls: Org) -> Callable[[], Awaitable[int]]:
    return lambda: QueueTicket.filter(hall_id__in=[h.id for h in halls]).count()


async def _ticket(hall: Org, status: TicketStatus = TicketStatus.ISSUED, **values: Any) -> QueueTicket:
    moment = datetime.now(UTC)
    return await QueueTicket.create(
        hall=hall,
        org_path=hall.path,
        day=moment.astimezone(CST).date(),
        number=f"Z{uuid.uuid4().hex[:6]}",
        business_type="PAYMENT",
        status=status,
        issued_at=moment,
        issued_epoch=int(moment.timestamp()),
        **values,
    )


async def _zone(hall: Org) -> HallZone:
    return await HallZone.create(
        hall=hall, org_path=hall.path, name=f"等候区{uuid.uuid4().hex[:4]}", kind=ZoneKind.WAITING
    )


@case("issueQueueTicket.hallId")
async def _issue_ticket(stack: Stack, w: World) -> Case:
    def issue(hall: Org) -> dict[str, Any]:
        return {"i": {"hallId": str(hall.id), "businessType": "PAYMENT"}}

    return Case(
        ISSUE_TICKET,
        allowed=("hall a", issue(w.a.hall)),
        refused=[("hall a", issue(w.b.hall), NOT_FOUND), ("applicant", issue(w.a.hall), NOT_FOUND)],
        state=_tickets(w.a.hall, w.b.hall),
    )


@case("callNextTicket.hallId")
async def _call_next(stack: Stack, w: World) -> Case:
    ticket = await _ticket(w.a.hall)
    given = {"i": {"hallId": str(w.a.hall.id), "window": "1号窗口"}}
    return Case(
        "mutation($i: CallNextTicketInput!) { callNextTicket(input: $i) { id } }",
        allowed=("hall a", given),
        refused=[("hall b", given, NOT_FOUND), ("manager a", given, NOT_FOUND)],
        state=lambda: QueueTicket.get(id=ticket.id).values_list("status", flat=True),
    )


def _ticket_case(query: str, given: dict[str, Any], ticket: QueueTicket) -> Case:
    return Case(
        query,
        allowed=("hall a", given),
        refused=[("hall b", given, NOT_FOUND), ("applicant", given, NOT_FOUND)],
        state=lambda: QueueTicket.get(id=ticket.id).values_list("status", flat=True),
    )


@case("callTicket.id")
async def _call_ticket(stack: Stack, w: World) -> Case:
    ticket = await _ticket(w.a.hall)
    query = "mutation($i: CallTicketInput!) { callTicket(input: $i) { id } }"
    return _ticket_case(query, {"i": {"id": str(ticket.id), "window": "2号窗口"}}, ticket)


@case("startServingTicket.id")
async def _start_ticket(stack: Stack, w: World) -> Case:
    ticket = await _ticket(w.a.hall, TicketStatus.CALLED, window="1")
    return _ticket_case(
        "mutation($id: ID!) { startServingTicket(id: $id) { id } }", {"id": str(ticket.id)}, ticket
    )


@case("finishTicket.id")
async def _finish_ticket(stack: Stack, w: World) -> Case:
    ticket = await _ticket(w.a.hall, TicketStatus.SERVING, window="1")
    return _ticket_case("mutation($id: ID!) { finishTicket(id: $id) { id } }", {"id": str(ticket.id)}, ticket)


@case("markTicketMissed.id")
async def _miss_ticket(stack: Stack, w: World) -> Case:
    ticket = await _ticket(w.a.hall, TicketStatus.CALLED, window="1")
    return _ticket_case(
        "mutation($id: ID!) { markTicketMissed(id: $id) { id } }", {"id": str(ticket.id)}, ticket
    )


VISITORS = "mutation($i: RecordVisitorCountInput!) { recordVisitorCount(input: $i) { id } }"


def _visitors(hall: Org, **extra: Any) -> dict[str, Any]:
    period = (datetime.now(UTC) - timedelta(minutes=30)).replace(second=0, microsecond=0)
    return {"i": {"hallId": str(hall.id), "periodStart": period.isoformat(), "count": 7, **extra}}


@case("recordVisitorCount.hallId")
async def _visitors_hall(stack: Stack, w: World) -> Case:
    return Case(
        VISITORS,
        allowed=("hall a", _visitors(w.a.hall)),
        refused=[("hall a", _visitors(w.b.hall), NOT_FOUND), ("applicant", _visitors(w.a.hall), NOT_FOUND)],
        state=_count(VisitorCount, hall_id__in=[w.a.hall.id, w.b.hall.id]),
    )


@case("recordVisitorCount.deviceId+zoneId")
async def _visitors_device_zone(stack: Stack, w: World) -> Case:
    mine, theirs = await _zone(w.a.hall), await _zone(w.b.hall)
    return Case(
        VISITORS,
        allowed=("hall a", _visitors(w.a.hall, deviceId=str(w.a.device.id), zoneId=str(mine.id))),
        refused=[
            ("hall a", _visitors(w.a.hall, deviceId=str(w.b.device.id)), NOT_FOUND),
            ("hall a", _visitors(w.a.hall, deviceId=str(w.other_hall_device.id)), NOT_FOUND),
            ("hall a", _visitors(w.a.hall, zoneId=str(theirs.id)), NOT_FOUND),
        ],
        state=_count(VisitorCount, hall_id=w.a.hall.id),
    )


DUTY = "mutation($i: SetDutyStatusInput!) { setDutyStatus(input: $i) { id } }"


@case("setDutyStatus.hallId+userId")
async def _duty(stack: Stack, w: World) -> Case:
    def duty(hall: Org, user: User) -> dict[str, Any]:
        return {"i": {"hallId": str(hall.id), "status": "ON_DUTY", "userId": str(user.id)}}

    return Case(
        DUTY,
        allowed=("hall a", duty(w.a.hall, w.a.hall_manager)),
        refused=[
            ("hall a", duty(w.b.hall, w.a.hall_manager), NOT_FOUND),
            ("hall a", duty(w.a.hall, w.b.hall_manager), NOT_FOUND),
            ("applicant", duty(w.a.hall, w.a.hall_manager), NOT_FOUND),
        ],
        state=_count(StaffDuty, hall_id__in=[w.a.hall.id, w.b.hall.id]),
    )


SERVICE_EVENT = "mutation($i: ReportServiceEventInput!) { reportServiceEvent(input: $i) { id } }"


@case("reportServiceEvent.hallId+zoneId+deviceId")
async def _service_event(stack: Stack, w: World) -> Case:
    theirs = await _zone(w.b.hall)
    code = f"T{uuid.uuid4().hex[:8]}"

    def event(hall: Org, **extra: Any) -> dict[str, Any]:
        return {"i": {"hallId": str(hall.id), "category": "SERVICE_NORM", "typeCode": code, **extra}}

    return Case(
        SERVICE_EVENT,
        allowed=("hall a", event(w.a.hall, deviceId=str(w.a.device.id))),
        refused=[
            ("hall a", event(w.b.hall), NOT_FOUND),
            ("hall a", event(w.a.hall, zoneId=str(theirs.id)), NOT_FOUND),
            ("hall a", event(w.a.hall, deviceId=str(w.b.device.id)), NOT_FOUND),
            ("applicant", event(w.a.hall), NOT_FOUND),
        ],
        state=_count(ServiceQualityEvent, type_code=code),
    )


@case("setServiceQualityRule.orgId")
async def _quality_rule(stack: Stack, w: World) -> Case:
    code = f"T{uuid.uuid4().hex[:8]}"
    given = {
        "i": {
            "orgId": str(w.a.hall.id),
            "category": "RISK_WARNING",
            "typeCode": code,
            "level": "WARNING",
            "threshold": 3,
            "windowMinutes": 30,
        }
    }
    return Case(
        "mutation($i: ServiceQualityRuleInput!) { setServiceQualityRule(input: $i) { id } }",
        allowed=("province", given),
        refused=[("hall b", given, NOT_FOUND), ("hq b", given, NOT_FOUND), ("applicant", given, NOT_FOUND)],
        state=_count(ServiceQualityRule, type_code=code),
    )


# -- marketing: 内容管理 / 产品推荐位 / 产品知识库 (issue 17) ---------------------------------------


async def _portal_staff(stack: Stack, w: World) -> Org:
    """A bureau's portal (its own tenant) with two operators; an operator of another portal."""
    portal = await make_org("测试门户", OrgKind.REGULATOR, own_tenant=True)
    other = await make_org("另一门户", OrgKind.REGULATOR, own_tenant=True)
    for name, org in (("operator", portal), ("operator 2", portal), ("other operator", other)):
        w.tokens[name] = token_for(await make_user(org, ("OPERATOR",), name), org, stack.settings)
    return portal


@case("createArticle.categoryId")
async def _article_category(stack: Stack, w: World) -> Case:
    await _portal_staff(stack, w)
    title = f"政策解读-{uuid.uuid4().hex[:6]}"
    query = "mutation($i: ArticleInput!) { createArticle(input: $i) { id } }"

    def about(category: uuid.UUID) -> dict[str, Any]:
        return {"i": {"categoryId": str(category), "title": title}}

    return Case(
        query,
        allowed=("operator", about(content_category("NEWS"))),
        refused=[
            ("operator", about(uuid.uuid4()), NOT_FOUND),
            ("manager a", about(content_category("NEWS")), "FORBIDDEN"),
            ("hq a", about(content_category("NEWS")), "FORBIDDEN"),
        ],
        state=_count(Article, title=title),
    )


@case("reviewArticle.id")
async def _article_review(stack: Stack, w: World) -> Case:
    portal = await _portal_staff(stack, w)
    author = await make_user(portal, ("OPERATOR",), "作者")
    w.tokens["author"] = token_for(author, portal, stack.settings)
    article = await Article.create(
        tenant_id=portal.id,
        category_id=content_category("NEWS"),
        title="待审核稿件",
        status=ArticleStatus.PENDING,
        created_by_id=author.id,
        submitted_by_id=author.id,
    )
    query = "mutation($id: ID!) { reviewArticle(id: $id, approve: true) { status } }"
    given = {"id": str(article.id)}

    async def state() -> Any:
        return (await Article.get(id=article.id)).status

    return Case(
        query,
        allowed=("operator", given),
        refused=[
            ("author", given, "FORBIDDEN"),  # four eyes
            ("other operator", given, NOT_FOUND),  # another portal
            ("hq a", given, NOT_FOUND),
            ("operator", {"id": str(uuid.uuid4())}, NOT_FOUND),
        ],
        state=state,
    )


@case("setRecommendationSlot.productIds")
async def _slot_products(stack: Stack, w: World) -> Case:
    portal = await _portal_staff(stack, w)
    listed = await _listed_product(w)
    draft = await FinancialProduct.create(
        institution_id=listed.institution_id,
        name="未上架产品",
        guarantee_method=listed.guarantee_method,
        min_amount=listed.min_amount,
        max_amount=listed.max_amount,
        rate_min=listed.rate_min,
        rate_max=listed.rate_max,
        term_months=listed.term_months,
        status=ProductStatus.DRAFT,
    )
    query = 'mutation($ids: [ID!]!) { setRecommendationSlot(code: "HOME", name: "首页", productIds: $ids) { id } }'
    return Case(
        query,
        allowed=("operator", {"ids": [str(listed.id)]}),
        refused=[
            ("operator", {"ids": [str(draft.id)]}, NOT_FOUND),  # not LISTED
            ("operator", {"ids": [str(uuid.uuid4())]}, NOT_FOUND),
            ("operator", {"ids": ["not-an-id"]}, BAD_INPUT),
            ("hq a", {"ids": [str(listed.id)]}, "FORBIDDEN"),
        ],
        state=_count(RecommendationSlot, tenant_id=portal.id),
    )


@case("updateKnowledgeEntry.id")
async def _knowledge_entry(stack: Stack, w: World) -> Case:
    entry = await KnowledgeEntry.create(
        tenant_id=w.a.bank.id, kind=KnowledgeKind.FAQ, title="常见问题", created_by_id=uuid.uuid4()
    )
    query = "mutation($id: ID!, $i: KnowledgeEntryInput!) { updateKnowledgeEntry(id: $id, input: $i) { id } }"
    given = {"id": str(entry.id), "i": {"kind": "FAQ", "title": "常见问题（修订）"}}

    async def state() -> Any:
        return (await KnowledgeEntry.get(id=entry.id)).title

    return Case(
        query,
        allowed=("hq a", given),
        refused=[
            ("hq b", given, NOT_FOUND),  # another bank's
            ("manager a", given, "FORBIDDEN"),  # staff read, head office writes
            ("hq a", {**given, "id": str(uuid.uuid4())}, NOT_FOUND),
        ],
        state=state,
    )


@case("setApprovalFlow.tenantId")
async def _approval_flow(stack: Stack, w: World) -> Case:
    admin = await make_user(w.a.bank, ("PLATFORM_ADMIN",), "平台管理员")
    w.tokens["platform a"] = token_for(admin, w.a.bank, stack.settings)
    given = {
        "i": {
            "function": "BRANCH_TARGET",
            "enabled": True,
            "steps": [{"name": "总行审核", "roles": ["HQ_REVIEWER"]}],
            "tenantId": str(w.b.bank.id),
        }
    }
    return Case(
        "mutation($i: SetApprovalFlowInput!) { setApprovalFlow(input: $i) { function } }",
        allowed=("province", given),
        refused=[
            ("platform a", given, NOT_FOUND),
            ("hq b", given, FORBIDDEN),
            ("applicant", given, FORBIDDEN),
        ],
        state=_count(ApprovalFlow, tenant_key=str(w.b.bank.id)),
    )


# -- marketing: schemes (营销方案) and work orders (营销工单) -----------------------------------------


async def _running_scheme(w: World, name: str) -> Any:
    """A running head-office scheme of bank a with a CONTACTS indicator of 100."""
    from datetime import date

    from models.marketing import MarketingScheme, SchemeIndicator, SchemeKind, SchemeStatus

    scheme = await MarketingScheme.create(
        tenant_id=w.a.bank.id,
        org_id=w.a.bank.id,
        org_path=w.a.bank.path,
        kind=SchemeKind.PRECISION,
        name=name,
        status=SchemeStatus.RUNNING,
        starts_on=date(2026, 12, 1),
        ends_on=date(2027, 1, 31),
        created_by=w.a.manager.id,
        list_complete=True,
    )
    await SchemeIndicator.create(scheme=scheme, kind="CONTACTS", total=Decimal(100))
    return scheme


@case("createMarketingScheme.audienceId")
async def _scheme_audience(stack: Stack, w: World) -> Case:
    from models.marketing import MarketingScheme

    name = f"精准营销-{uuid.uuid4().hex[:6]}"
    ours = await Audience.create(
        tenant_id=w.a.bank.id, name="本行客群", criteria={}, created_by=w.a.manager.id
    )
    theirs = await Audience.create(
        tenant_id=w.b.bank.id, name="他行客群", criteria={}, created_by=w.b.manager.id
    )
    query = "mutation($i: CreateSchemeInput!) { createMarketingScheme(input: $i) { id } }"

    def scheme(audience: Any) -> dict[str, Any]:
        return {
            "i": {"name": name, "startsOn": "2026-12-01", "endsOn": "2027-01-31", "audienceId": str(audience)}
        }

    return Case(
        query,
        allowed=("hq a", scheme(ours.id)),
        refused=[
            ("hq a", scheme(theirs.id), NOT_FOUND),
            ("hq b", scheme(ours.id), NOT_FOUND),
            ("hq a", scheme(uuid.uuid4()), NOT_FOUND),
        ],
        state=lambda: MarketingScheme.filter(name=name).count(),
    )


@case("submitMarketingScheme.id")
async def _scheme_id(stack: Stack, w: World) -> Case:
    from datetime import date

    from models.marketing import MarketingScheme, SchemeKind

    scheme = await MarketingScheme.create(
        tenant_id=w.a.bank.id,
        org_id=w.a.bank.id,
        org_path=w.a.bank.path,
        kind=SchemeKind.MASS,
        name="大众营销",
        starts_on=date(2026, 12, 1),
        ends_on=date(2027, 1, 31),
        created_by=w.a.manager.id,
    )
    query = "mutation($id: ID!) { submitMarketingScheme(id: $id) { id } }"
    return Case(
        query,
        allowed=("hq a", {"id": str(scheme.id)}),
        refused=[
            ("hq b", {"id": str(scheme.id)}, NOT_FOUND),
            ("hall a", {"id": str(scheme.id)}, NOT_FOUND),
            ("hq a", {"id": str(uuid.uuid4())}, NOT_FOUND),
        ],
        state=lambda: MarketingScheme.filter(id=scheme.id).values_list("status", flat=True),
    )


@case("splitSchemeIndicator.shares.assigneeId")
async def _split_orgs(stack: Stack, w: World) -> Case:
    from models.marketing import IndicatorSplit

    scheme = await _running_scheme(w, "分解指标")
    query = "mutation($i: SplitIndicatorInput!) { splitSchemeIndicator(input: $i) { id } }"

    def split(org: Any, level: str = "ORG") -> dict[str, Any]:
        shares = [{"assigneeId": str(org), "target": "60"}]
        return {"i": {"schemeId": str(scheme.id), "kind": "CONTACTS", "level": level, "shares": shares}}

    return Case(
        query,
        allowed=("hq a", split(w.a.branch.id)),
        refused=[
            ("hq a", split(w.b.branch.id), NOT_FOUND),  # another bank's branch
            ("hq a", split(w.a.hall.id), NOT_FOUND),  # not in the bank
            ("hq b", split(w.a.branch.id), NOT_FOUND),  # another bank's scheme
            ("far head", split(w.a.manager.id, "MANAGER"), "BAD_USER_INPUT"),  # no share for branch2 yet
        ],
        state=lambda: IndicatorSplit.filter(scheme_id=scheme.id).count(),
    )


@case("allocateSchemeTargets.customerId+managerId")
async def _allocate(stack: Stack, w: World) -> Case:
    from models.marketing import SchemeTarget, WorkOrder

    scheme = await _running_scheme(w, "名单分配")
    head = await make_user(w.a.branch, ("BRANCH_HEAD",), "支行行长")
    w.tokens["head a"] = token_for(head, w.a.branch, stack.settings)
    unmanaged = await make_customer(w.a.branch, w.a.manager, "无管户客户")
    await Customer.filter(id=unmanaged.id).update(primary_manager_id=None)
    await SchemeTarget.create(scheme=scheme, customer_id=unmanaged.id, org_path=w.a.branch.path)
    await SchemeTarget.create(scheme=scheme, customer_id=w.theirs.id, org_path=w.b.branch.path)
    query = "mutation($i: AllocateTargetsInput!) { allocateSchemeTargets(input: $i) }"

    def allocate(customer: Any, manager: Any) -> dict[str, Any]:
        pair = {"customerId": str(customer), "managerId": str(manager)}
        return {"i": {"schemeId": str(scheme.id), "allocations": [pair]}}

    return Case(
        query,
        allowed=("head a", allocate(unmanaged.id, w.colleague.id)),
        refused=[
            ("far head", allocate(unmanaged.id, w.colleague.id), NOT_FOUND),  # another branch's customer
            ("head a", allocate(unmanaged.id, w.b.manager.id), NOT_FOUND),  # another bank's manager
            ("head a", allocate(w.theirs.id, w.colleague.id), NOT_FOUND),  # not in the head's subtree
            ("head a", allocate(uuid.uuid4(), w.colleague.id), NOT_FOUND),
        ],
        state=lambda: WorkOrder.filter(scheme_id=scheme.id).count(),
    )


@case("giveWorkOrderFeedback.workOrderId")
async def _feedback(stack: Stack, w: World) -> Case:
    from models.marketing import WorkOrder, WorkOrderFeedback

    scheme = await _running_scheme(w, "工单反馈")
    order = await WorkOrder.create(
        scheme=scheme,
        tenant_id=w.a.bank.id,
        manager_id=w.a.manager.id,
        customer_id=w.customer.id,
        org_path=w.a.branch.path,
    )
    query = "mutation($i: WorkOrderFeedbackInput!) { giveWorkOrderFeedback(input: $i) { id } }"

    def feedback(id: Any) -> dict[str, Any]:
        return {"i": {"workOrderId": str(id), "clientId": "c-1", "channel": "PHONE", "result": "CONTACTED"}}

    return Case(
        query,
        allowed=("manager a", feedback(order.id)),
        refused=[
            ("colleague", feedback(order.id), NOT_FOUND),
            ("manager b", feedback(order.id), NOT_FOUND),
            ("hq a", feedback(order.id), NOT_FOUND),  # head office monitors, never feeds back
            ("manager a", feedback(uuid.uuid4()), NOT_FOUND),
        ],
        state=lambda: WorkOrderFeedback.filter(work_order_id=order.id).count(),
    )


@case("startWorkOrder.id")
async def _start_work_order(stack: Stack, w: World) -> Case:
    from models.marketing import WorkOrder

    scheme = await _running_scheme(w, "工单处理")
    order = await WorkOrder.create(
        scheme=scheme,
        tenant_id=w.a.bank.id,
        manager_id=w.a.manager.id,
        customer_id=w.customer.id,
        org_path=w.a.branch.path,
    )
    query = "mutation($id: ID!) { startWorkOrder(id: $id) { id status } }"
    return Case(
        query,
        allowed=("manager a", {"id": str(order.id)}),
        refused=[
            ("colleague", {"id": str(order.id)}, NOT_FOUND),
            ("manager b", {"id": str(order.id)}, NOT_FOUND),
            ("hq a", {"id": str(order.id)}, NOT_FOUND),  # head office monitors, never processes
            ("manager a", {"id": str(uuid.uuid4())}, NOT_FOUND),
        ],
        state=lambda: WorkOrder.filter(id=order.id).values_list("status", flat=True),
    )


# -- marketing: the opportunity pool (商机池) and QR codes (二维码) ------------------------------------


@case("createQrCode.orgId")
async def _qr_org(stack: Stack, w: World) -> Case:
    label = f"网点海报-{uuid.uuid4().hex[:6]}"
    query = "mutation($i: CreateQrCodeInput!) { createQrCode(input: $i) { id } }"

    def at(org_id: Any) -> dict[str, Any]:
        return {"i": {"productName": "黔农e贷", "label": label, "orgId": str(org_id)}}

    return Case(
        query,
        allowed=("manager a", at(w.a.branch.id)),
        refused=[
            ("manager a", at(w.b.branch.id), NOT_FOUND),
            ("manager a", at(w.branch2.id), NOT_FOUND),  # another branch of the same bank
            ("manager a", at(uuid.uuid4()), NOT_FOUND),
        ],
        state=lambda: QrCode.filter(label=label).count(),
    )


@case("createQrCode.managerId")
async def _qr_manager(stack: Stack, w: World) -> Case:
    label = f"总行海报-{uuid.uuid4().hex[:6]}"
    query = "mutation($i: CreateQrCodeInput!) { createQrCode(input: $i) { id } }"

    def to(manager_id: Any, org_id: Any) -> dict[str, Any]:
        return {
            "i": {
                "productName": "黔农e贷",
                "label": label,
                "orgId": str(org_id),
                "managerId": str(manager_id),
            }
        }

    return Case(
        query,
        allowed=("hq a", to(w.a.manager.id, w.a.branch.id)),
        refused=[
            ("hq a", to(w.b.manager.id, w.a.branch.id), NOT_FOUND),
            ("far head", to(w.a.manager.id, w.branch2.id), NOT_FOUND),
            ("hq a", to(uuid.uuid4(), w.a.branch.id), NOT_FOUND),
        ],
        state=lambda: QrCode.filter(label=label).count(),
    )


async def _pool_opportunity(w: World, claimed: bool) -> Opportunity:
    return await Opportunity.create(
        tenant_id=w.a.bank.id,
        customer_id=w.customer.id,
        title="存款到期续存",
        org_path=w.a.branch.path,
        status=OpportunityStatus.CLAIMED if claimed else OpportunityStatus.OPEN,
        claimed_by_id=w.a.manager.id if claimed else None,
        claimed_org_path=w.a.branch.path if claimed else "",
    )


def _status_of(opportunity: Opportunity) -> Callable[[], Awaitable[Any]]:
    async def state() -> Any:
        return (await Opportunity.get(id=opportunity.id)).status

    return state


@case("claimOpportunity.id")
async def _claim(stack: Stack, w: World) -> Case:
    target = await _pool_opportunity(w, claimed=False)
    query = "mutation($id: ID!) { claimOpportunity(id: $id) { id } }"
    return Case(
        query,
        allowed=("manager a", {"id": str(target.id)}),
        refused=[
            ("manager b", {"id": str(target.id)}, NOT_FOUND),
            ("manager a", {"id": str(uuid.uuid4())}, NOT_FOUND),
        ],
        state=_status_of(target),
    )


@case("releaseOpportunity.id")
async def _release(stack: Stack, w: World) -> Case:
    target = await _pool_opportunity(w, claimed=True)
    query = "mutation($id: ID!) { releaseOpportunity(id: $id) { id } }"
    return Case(
        query,
        allowed=("manager a", {"id": str(target.id)}),
        refused=[
            ("manager b", {"id": str(target.id)}, NOT_FOUND),
            ("colleague", {"id": str(target.id)}, NOT_FOUND),  # not the claimer
            ("far head", {"id": str(target.id)}, NOT_FOUND),  # not the branch head above it
        ],
        state=_status_of(target),
    )


@case("closeOpportunity.id")
async def _close(stack: Stack, w: World) -> Case:
    target = await _pool_opportunity(w, claimed=True)
    query = 'mutation($id: ID!) { closeOpportunity(id: $id, reason: "客户无意向") { id } }'
    return Case(
        query,
        allowed=("manager a", {"id": str(target.id)}),
        refused=[
            ("manager b", {"id": str(target.id)}, NOT_FOUND),
            ("colleague", {"id": str(target.id)}, NOT_FOUND),
        ],
        state=_status_of(target),
    )


@case("followUpOpportunity.opportunityId")
async def _follow_up(stack: Stack, w: World) -> Case:
    target = await _pool_opportunity(w, claimed=True)
    query = "mutation($i: FollowUpInput!) { followUpOpportunity(input: $i) { id } }"
    about = {"i": {"opportunityId": str(target.id), "channel": "VISIT", "note": "上门走访"}}
    return Case(
        query,
        allowed=("manager a", about),
        refused=[("manager b", about, NOT_FOUND), ("colleague", about, NOT_FOUND)],
        state=lambda: OpportunityFollowUp.filter(opportunity_id=target.id).count(),
    )


@case("convertOpportunity.opportunityId")
async def _convert(stack: Stack, w: World) -> Case:
    target = await _pool_opportunity(w, claimed=True)
    query = "mutation($i: ConvertOpportunityInput!) { convertOpportunity(input: $i) { id } }"
    about = {"i": {"opportunityId": str(target.id), "amount": "100000"}}
    return Case(
        query,
        allowed=("manager a", about),
        refused=[("manager b", about, NOT_FOUND), ("colleague", about, NOT_FOUND)],
        state=_status_of(target),
    )


# -- marketing: 业绩管理 (performance targets) --------------------------------------------------------


async def _performance_indicator(w: World, bank: Tenant, code: str) -> Any:
    from models.marketing import MeasureKind, PerformanceIndicator

    return await PerformanceIndicator.create(
        tenant_id=bank.bank.id,
        code=code,
        name="客户接触",
        category="客户类",
        unit="次",
        measure=MeasureKind.CONTACTS,
        weight=Decimal(50),
        created_by=bank.manager.id,
        updated_by=bank.manager.id,
    )


async def _branch_target(w: World, code: str, **values: Any) -> Any:
    from models.marketing import PerformanceTarget, PeriodKind, TargetLevel, TargetStatus

    indicator = await _performance_indicator(w, w.a, code)
    defaults: dict[str, Any] = {
        "target": Decimal(100),
        "status": TargetStatus.APPROVED,
        "created_by": w.a.manager.id,
    }
    return await PerformanceTarget.create(
        tenant_id=w.a.bank.id,
        indicator=indicator,
        level=TargetLevel.ORG,
        assignee_id=w.a.branch.id,
        org_path=w.a.branch.path,
        period="2031-06",
        period_kind=PeriodKind.MONTH,
        **(defaults | values),
    )


@case("setBranchTarget.indicatorId+orgId")
async def _set_branch_target(stack: Stack, w: World) -> Case:
    from models.marketing import PerformanceTarget

    ours = await _performance_indicator(w, w.a, "SCOPE_SET_A")
    theirs = await _performance_indicator(w, w.b, "SCOPE_SET_B")

    def given(indicator: Any, org: Any) -> dict[str, Any]:
        return {"i": {"indicatorId": str(indicator), "orgId": str(org), "period": "2031-06", "target": "100"}}

    return Case(
        "mutation($i: BranchTargetInput!) { setBranchTarget(input: $i) { id } }",
        allowed=("hq a", given(ours.id, w.a.branch.id)),
        refused=[
            ("hq a", given(theirs.id, w.a.branch.id), NOT_FOUND),  # another bank's indicator
            ("hq a", given(ours.id, w.b.branch.id), NOT_FOUND),  # another bank's branch
            ("hq a", given(ours.id, w.a.bank.id), NOT_FOUND),  # the bank itself is not a branch
            ("hq b", given(ours.id, w.a.branch.id), NOT_FOUND),
            ("manager a", given(ours.id, w.a.branch.id), FORBIDDEN),
        ],
        state=lambda: PerformanceTarget.filter(indicator_id__in=[ours.id, theirs.id]).count(),
    )


@case("reviewBranchTarget.id")
async def _review_branch_target(stack: Stack, w: World) -> Case:
    from models.approvals import ApprovalFunction
    from models.marketing import TargetStatus
    from resolvers.common.approvals import open_approval

    proposer = await make_user(w.a.bank, ("HQ_ADMIN",), "下达人")
    target = await _branch_target(
        w,
        "SCOPE_REVIEW",
        target=None,
        proposed=Decimal(80),
        status=TargetStatus.PENDING,
        created_by=proposer.id,
    )
    await open_approval(
        ApprovalFunction.BRANCH_TARGET,
        target.id,
        tenant_id=w.a.bank.id,
        org_path=target.org_path,
        created_by=proposer.id,
        submitted_by=proposer.id,
        title="目标审批",
    )
    for name, bank in (("reviewer a", w.a), ("reviewer b", w.b)):
        reviewer = await make_user(bank.bank, ("HQ_REVIEWER",), "总行审核")
        w.tokens[name] = token_for(reviewer, bank.bank, stack.settings)
    query = 'mutation($id: ID!) { reviewBranchTarget(id: $id, approve: true, comment: "同意") { id } }'
    return Case(
        query,
        allowed=("reviewer a", {"id": str(target.id)}),
        refused=[
            ("reviewer b", {"id": str(target.id)}, NOT_FOUND),  # another bank's target
            ("manager a", {"id": str(target.id)}, NOT_FOUND),  # not their own target
            ("reviewer a", {"id": str(uuid.uuid4())}, NOT_FOUND),
        ],
        state=lambda: type(target).filter(id=target.id).values_list("status", "target"),
    )


@case("splitBranchTarget.targetId+staffId")
async def _split_branch_target(stack: Stack, w: World) -> Case:
    from models.marketing import PerformanceTarget

    target = await _branch_target(w, "SCOPE_SPLIT")
    head = await make_user(w.a.branch, ("BRANCH_HEAD",), "支行行长")
    w.tokens["perf head a"] = token_for(head, w.a.branch, stack.settings)
    far_manager = await make_user(w.branch2, ("CUSTOMER_MANAGER",), "第二支行客户经理")

    def given(target_id: Any, staff: Any) -> dict[str, Any]:
        return {"i": {"targetId": str(target_id), "shares": [{"staffId": str(staff), "target": "60"}]}}

    return Case(
        "mutation($i: SplitBranchTargetInput!) { splitBranchTarget(input: $i) { id } }",
        allowed=("perf head a", given(target.id, w.a.manager.id)),
        refused=[
            ("far head", given(target.id, w.a.manager.id), NOT_FOUND),  # not their branch's target
            ("perf head a", given(target.id, w.b.manager.id), NOT_FOUND),  # another bank's manager
            ("perf head a", given(target.id, far_manager.id), NOT_FOUND),  # another branch's manager
            ("perf head a", given(uuid.uuid4(), w.a.manager.id), NOT_FOUND),
        ],
        state=lambda: PerformanceTarget.filter(parent_id=target.id).count(),
    )


@pytest.mark.parametrize("name", list(CASES))
async def test_an_input_id_out_of_scope_is_refused_and_writes_nothing(stack: Stack, name: str) -> None:
    world = await make_world(stack)
    spec = await CASES[name](stack, world)
    before = await spec.state()
    for who, variables, code in spec.refused:
        assert await codes(stack, spec.query, variables, world.tokens[who]) == [code], (who, variables)
        assert await spec.state() == before, (who, variables)
    who, variables = spec.allowed
    await ok(stack, spec.query, variables, world.tokens[who])  # the same request, in scope
    assert await spec.state() != before
    if spec.then is not None:
        await spec.then()


async def test_a_need_posted_for_a_customer_belongs_to_the_customers_bank(stack: Stack) -> None:
    """The province sees every customer, so it may post for any; the need goes to the customer's
    bank (its staff see it, need_scope), not to the poster's tenant."""
    world = await make_world(stack)
    project = f"省联社代发-{uuid.uuid4().hex[:8]}"
    variables = {"i": need_input(project=project, applicantId=str(world.theirs.id))}
    await ok(stack, PUBLISH, variables, world.tokens["province"])
    need = await FinancingNeed.get(project=project)
    assert (need.applicant_id, need.tenant_id) == (world.theirs.id, world.b.bank.id)
    listed = "{ financingNeeds(first: 100) { nodes { id } } }"
    seen = (await ok(stack, listed, {}, world.tokens["hq b"]))["financingNeeds"]["nodes"]
    assert {"id": str(need.id)} in seen
    assert {"id": str(need.id)} not in (await ok(stack, listed, {}, world.tokens["hq a"]))["financingNeeds"][
        "nodes"
    ]
