"""Orders — product applications (产品申请) and financing needs (融资需求) — and how each
institution handles one (受理单), with pre-credit offers, supervision and risk prompts.

Sensitive fields are full only to the account manager handling the order and to the applicant
(security/masking.py); relations resolve through ``info.context.loaders``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry

from models import finance as rows
from resolvers.common.values import parse_id
from schema.common.federation import entity
from schema.common.pii import sensitive
from schema.finance.context import Info
from schema.finance.enums import (
    ActionKind,
    ApplicationStatus,
    GuaranteeMethod,
    HandlingStatus,
    NeedStatus,
    OfferStatus,
    OrderKind,
    RiskKind,
    WarningKind,
)
from schema.finance.federation import Customer, User
from security.masking import PiiKind
from security.roles import Scope
from security.scopes import role_scope

if TYPE_CHECKING:
    from schema.finance.types.institutions import Institution
    from schema.finance.types.products import FinancialProduct

_Institution = Annotated["Institution", strawberry.lazy("schema.finance.types.institutions")]
_Product = Annotated["FinancialProduct", strawberry.lazy("schema.finance.types.products")]


async def _owns(order: Any, info: Info, kind: str) -> bool:
    """The applicant, or an account manager who grabbed the order (contact only after grabbing)."""
    me = info.context.require_principal().user_id
    return order.applicant_user_id == me or me in await info.context.loaders.handlers_of(kind).load(order.id)


async def _owns_application(application: Any, info: Info) -> bool:
    return await _owns(application, info, "application")


async def _owns_need(need: Any, info: Info) -> bool:
    return await _owns(need, info, "need")


async def _handler(handling: Any, info: Info) -> bool:
    return bool(handling.handler_id == info.context.require_principal().user_id)


@strawberry.federation.type(keys=["id"], description="产品申请 (订单)")
class ProductApplication:
    id: strawberry.ID
    order_no: str = strawberry.field(description="订单号")
    amount: Decimal
    term_months: int
    purpose: str
    project: str = strawberry.field(description="融资项目")
    district: str = strawberry.field(description="区县")
    status: ApplicationStatus
    created_at: datetime
    consented_at: datetime = strawberry.field(description="数据使用授权时间")
    feedback_stars: int | None = strawberry.field(description="评价星级 1–5 (null until rated)")
    applicant_name: str | None = sensitive(PiiKind.NAME, _owns_application, "申请人")
    id_number: str | None = sensitive(PiiKind.ID_NUMBER, _owns_application, "身份证号/统一社会信用代码")
    contact_phone: str | None = sensitive(PiiKind.PHONE, _owns_application, "联系电话")

    @strawberry.field
    @staticmethod
    async def product(parent: strawberry.Parent[rows.ProductApplication], info: Info) -> _Product | None:
        return cast("FinancialProduct | None", await info.context.loaders.product.load(parent.product_id))

    @strawberry.field(description="受理记录 (转单后有多条)")
    @staticmethod
    async def handlings(parent: strawberry.Parent[rows.ProductApplication], info: Info) -> list[Handling]:
        return cast(list[Handling], await info.context.loaders.handlings_of("application").load(parent.id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> ProductApplication | None:
        return entity(cls, await info.context.loaders.application.load(parse_id(id)))


@strawberry.federation.type(keys=["id"], description="融资需求")
class FinancingNeed:
    id: strawberry.ID
    order_no: str | None = strawberry.field(description="订单号")
    amount: Decimal
    term_months: int
    purpose: str
    project: str = strawberry.field(description="融资项目")
    loan_preference: GuaranteeMethod | None = strawberry.field(description="贷款偏好")
    expected_rate: Decimal | None = strawberry.field(description="期望年化利率 %")
    region: str = strawberry.field(description="区县")
    industry: str
    status: NeedStatus
    max_institutions: int = strawberry.field(description="最多可受理机构数 N")
    grab_count: int = strawberry.field(description="已受理机构数")
    created_at: datetime
    contact_name: str | None = sensitive(PiiKind.NAME, _owns_need, "联系人: full to the grabbers")
    contact_phone: str | None = sensitive(PiiKind.PHONE, _owns_need, "联系电话: full to the grabbers")

    @strawberry.field(description="申请人")
    @staticmethod
    def applicant(parent: strawberry.Parent[rows.FinancingNeed]) -> Customer | None:
        applicant_id = parent.applicant_id
        return Customer(id=strawberry.ID(str(applicant_id))) if applicant_id else None

    @strawberry.field(description="已查看的机构数 (被机构查看)")
    @staticmethod
    async def viewed_by_institutions(parent: strawberry.Parent[rows.FinancingNeed], info: Info) -> int:
        return await info.context.loaders.need_views.load(parent.id)

    @strawberry.field(description="受理记录: every institution handling it (institution staff see their own)")
    @staticmethod
    async def handlings(parent: strawberry.Parent[rows.FinancingNeed], info: Info) -> list[Handling]:
        return cast(list[Handling], await info.context.loaders.handlings_of("need").load(parent.id))

    @strawberry.field(description="预授信: the offers made on this need")
    @staticmethod
    async def offers(parent: strawberry.Parent[rows.FinancingNeed], info: Info) -> list[PreCreditOffer]:
        return cast(list[PreCreditOffer], await info.context.loaders.offers_of_need.load(parent.id))

    @strawberry.field(description="一键重新发布前的需求")
    @staticmethod
    async def republished_from(
        parent: strawberry.Parent[rows.FinancingNeed], info: Info
    ) -> FinancingNeed | None:
        previous = parent.republished_from_id
        return cast(
            FinancingNeed | None, await info.context.loaders.need.load(previous) if previous else None
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> FinancingNeed | None:
        return entity(cls, await info.context.loaders.need.load(parse_id(id)))


@strawberry.federation.type(keys=["id"], description="预授信")
class PreCreditOffer:
    id: strawberry.ID
    amount: Decimal
    rate: Decimal = strawberry.field(description="年化利率 %")
    term_months: int
    valid_until: date
    note: str
    status: OfferStatus

    @strawberry.field
    @staticmethod
    async def institution(parent: strawberry.Parent[rows.PreCreditOffer], info: Info) -> _Institution | None:
        return cast("Institution | None", await info.context.loaders.institution.load(parent.institution_id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> PreCreditOffer | None:
        return entity(cls, await info.context.loaders.offer.load(parse_id(id)))


@strawberry.type(description="督办预警")
class SupervisionWarning:
    id: strawberry.ID
    kind: WarningKind
    stage: HandlingStatus = strawberry.field(description="超时的环节")
    due_at: datetime
    created_at: datetime

    @strawberry.field
    @staticmethod
    async def handling(parent: strawberry.Parent[rows.SupervisionWarning], info: Info) -> Handling | None:
        return cast(Handling | None, await info.context.loaders.handling.load(parent.handling_id))


@strawberry.type(description="督办记录: 催单, 转单, 超时原因")
class SupervisionAction:
    id: strawberry.ID
    kind: ActionKind
    note: str
    created_at: datetime

    @strawberry.field
    @staticmethod
    def actor(parent: strawberry.Parent[rows.SupervisionAction]) -> User:
        return User(id=strawberry.ID(str(parent.actor_id)))

    @strawberry.field(description="转入机构 (转单)")
    @staticmethod
    async def to_institution(
        parent: strawberry.Parent[rows.SupervisionAction], info: Info
    ) -> _Institution | None:
        target = parent.to_institution_id
        return cast(
            "Institution | None", await info.context.loaders.institution.load(target) if target else None
        )


@strawberry.type(description="风险提示")
class RiskPrompt:
    id: strawberry.ID
    kind: RiskKind
    detail: str
    created_at: datetime


@strawberry.federation.type(keys=["id"], description="受理单: one institution's handling of one order")
class Handling:
    id: strawberry.ID
    order_kind: OrderKind
    order_no: str
    status: HandlingStatus
    amount: Decimal
    district: str
    created_at: datetime
    grabbed_at: datetime | None
    pre_reviewed_at: datetime | None
    credited_at: datetime | None
    disbursed_at: datetime | None
    stage_due_at: datetime | None = strawberry.field(description="当前环节时限")
    completion_due_at: datetime | None = strawberry.field(description="办结时限 (工作日)")
    pre_review_passed: bool | None = strawberry.field(description="电话初审结果")
    credit_amount: Decimal | None = strawberry.field(description="授信金额")
    credit_rate: Decimal | None
    disbursed_amount: Decimal | None = strawberry.field(description="放款金额")
    reject_reason: str
    urge_count: int = strawberry.field(description="被催单次数")
    guarantor_name: str | None = sensitive(PiiKind.NAME, _handler, "担保人")
    guarantor_id_number: str | None = sensitive(PiiKind.ID_NUMBER, _handler, "担保人证件号")
    guarantor_phone: str | None = sensitive(PiiKind.PHONE, _handler, "担保人电话")

    @strawberry.field(description="是否已超时 (当前环节或办结时限)")
    @staticmethod
    def overdue(parent: strawberry.Parent[rows.Handling]) -> bool:
        now = datetime.now(UTC)
        dues = (parent.stage_due_at, parent.completion_due_at)
        return parent.closed_at is None and any(due is not None and due < now for due in dues)

    @strawberry.field(description="超时原因: seen by the institution, operations and the regulator")
    @staticmethod
    def overdue_reason(parent: strawberry.Parent[rows.Handling], info: Info) -> str | None:
        if role_scope(info.context.require_principal()) is Scope.SELF:
            return None  # the applicant sees progress, not the institution's internal explanation
        return parent.overdue_reason

    @strawberry.field
    @staticmethod
    async def institution(parent: strawberry.Parent[rows.Handling], info: Info) -> _Institution | None:
        return cast("Institution | None", await info.context.loaders.institution.load(parent.institution_id))

    @strawberry.field(description="受理人 (抢单的客户经理)")
    @staticmethod
    def handler(parent: strawberry.Parent[rows.Handling]) -> User | None:
        handler_id = parent.handler_id
        return User(id=strawberry.ID(str(handler_id))) if handler_id else None

    @strawberry.field
    @staticmethod
    async def application(parent: strawberry.Parent[rows.Handling], info: Info) -> ProductApplication | None:
        order = parent.application_id
        return cast(
            ProductApplication | None, await info.context.loaders.application.load(order) if order else None
        )

    @strawberry.field
    @staticmethod
    async def need(parent: strawberry.Parent[rows.Handling], info: Info) -> FinancingNeed | None:
        order = parent.need_id
        return cast(FinancingNeed | None, await info.context.loaders.need.load(order) if order else None)

    @strawberry.field(description="预授信 (融资需求)")
    @staticmethod
    async def offer(parent: strawberry.Parent[rows.Handling], info: Info) -> PreCreditOffer | None:
        return cast(PreCreditOffer | None, await info.context.loaders.offer_of_handling.load(parent.id))

    @strawberry.field(description="风险提示: for the institution and supervisors")
    @staticmethod
    async def risk_prompts(parent: strawberry.Parent[rows.Handling], info: Info) -> list[RiskPrompt]:
        return cast(list[RiskPrompt], await info.context.loaders.risk_prompts_of.load(parent.id))

    @strawberry.field(description="督办预警")
    @staticmethod
    async def warnings(parent: strawberry.Parent[rows.Handling], info: Info) -> list[SupervisionWarning]:
        return cast(list[SupervisionWarning], await info.context.loaders.warnings_of.load(parent.id))

    @strawberry.field(description="督办记录")
    @staticmethod
    async def actions(parent: strawberry.Parent[rows.Handling], info: Info) -> list[SupervisionAction]:
        return cast(list[SupervisionAction], await info.context.loaders.actions_of.load(parent.id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Handling | None:
        return entity(cls, await info.context.loaders.handling.load(parse_id(id)))
