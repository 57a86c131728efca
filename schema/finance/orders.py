"""Orders — product applications (产品申请) and financing needs (融资需求) — and how each
institution handles one (受理单), with pre-credit offers, supervision and risk prompts.

Sensitive fields are full only to the account manager handling the order and to the applicant
(security/masking.py); relations resolve through ``info.context.loaders``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from models.finance import (
    ActionKind,
    ApplicationStatus,
    HandlingStatus,
    NeedStatus,
    OfferStatus,
    OrderKind,
    RiskKind,
    WarningKind,
)
from resolvers.common.values import parse_id
from schema.common.federation import entity
from schema.common.pii import sensitive
from schema.finance.federation import Customer, User
from schema.finance.products import GuaranteeMethodEnum
from security.masking import PiiKind
from security.roles import Scope
from security.scopes import role_scope

if TYPE_CHECKING:
    from schema.finance.institutions import Institution
    from schema.finance.products import FinancialProduct

OrderKindEnum = strawberry.enum(OrderKind, name="OrderKind", description="订单类型")
ApplicationStatusEnum = strawberry.enum(
    ApplicationStatus, name="ApplicationStatus", description="产品申请状态"
)
NeedStatusEnum = strawberry.enum(NeedStatus, name="NeedStatus", description="融资需求状态")
HandlingStatusEnum = strawberry.enum(HandlingStatus, name="HandlingStatus", description="受理状态")
OfferStatusEnum = strawberry.enum(OfferStatus, name="OfferStatus")
WarningKindEnum = strawberry.enum(WarningKind, name="WarningKind", description="督办预警类型")
ActionKindEnum = strawberry.enum(ActionKind, name="SupervisionActionKind", description="督办动作")
RiskKindEnum = strawberry.enum(RiskKind, name="RiskKind", description="风险提示类型")

_Institution = Annotated["Institution", strawberry.lazy("schema.finance.institutions")]
_Product = Annotated["FinancialProduct", strawberry.lazy("schema.finance.products")]


async def _owns(order: Any, info: strawberry.Info, kind: str) -> bool:
    """The applicant, or an account manager who grabbed the order (contact only after grabbing)."""
    me = info.context.require_principal().user_id
    return order.applicant_user_id == me or me in await info.context.loaders.handlers_of(kind).load(order.id)


async def _owns_application(application: Any, info: strawberry.Info) -> bool:
    return await _owns(application, info, "application")


async def _owns_need(need: Any, info: strawberry.Info) -> bool:
    return await _owns(need, info, "need")


async def _handler(handling: Any, info: strawberry.Info) -> bool:
    return handling.handler_id == info.context.require_principal().user_id


@strawberry.federation.type(keys=["id"], description="产品申请 (订单)")
class ProductApplication:
    id: strawberry.ID
    order_no: str = strawberry.field(description="订单号")
    amount: Decimal
    term_months: int
    purpose: str
    project: str = strawberry.field(description="融资项目")
    district: str = strawberry.field(description="区县")
    status: ApplicationStatusEnum
    created_at: datetime
    consented_at: datetime = strawberry.field(description="数据使用授权时间")
    applicant_name: str | None = sensitive(PiiKind.NAME, _owns_application, "申请人")
    id_number: str | None = sensitive(PiiKind.ID_NUMBER, _owns_application, "身份证号/统一社会信用代码")
    contact_phone: str | None = sensitive(PiiKind.PHONE, _owns_application, "联系电话")

    @strawberry.field
    async def product(self, info: strawberry.Info) -> _Product | None:
        return await info.context.loaders.product.load(self.product_id)  # type: ignore[attr-defined]

    @strawberry.field(description="受理记录 (转单后有多条)")
    async def handlings(self, info: strawberry.Info) -> list[Handling]:
        return await info.context.loaders.handlings_of("application").load(self.id)

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> ProductApplication | None:
        return entity(cls, await info.context.loaders.application.load(parse_id(id)))


@strawberry.federation.type(keys=["id"], description="融资需求")
class FinancingNeed:
    id: strawberry.ID
    order_no: str | None = strawberry.field(description="订单号")
    amount: Decimal
    term_months: int
    purpose: str
    project: str = strawberry.field(description="融资项目")
    loan_preference: GuaranteeMethodEnum | None = strawberry.field(description="贷款偏好")
    expected_rate: Decimal | None = strawberry.field(description="期望年化利率 %")
    region: str = strawberry.field(description="区县")
    industry: str
    status: NeedStatusEnum
    max_institutions: int = strawberry.field(description="最多可受理机构数 N")
    grab_count: int = strawberry.field(description="已受理机构数")
    created_at: datetime
    contact_name: str | None = sensitive(PiiKind.NAME, _owns_need, "联系人: full to the grabbers")
    contact_phone: str | None = sensitive(PiiKind.PHONE, _owns_need, "联系电话: full to the grabbers")

    @strawberry.field(description="申请人")
    def applicant(self) -> Customer | None:
        applicant_id = self.applicant_id  # type: ignore[attr-defined]
        return Customer(id=applicant_id) if applicant_id else None

    @strawberry.field(description="已查看的机构数 (被机构查看)")
    async def viewed_by_institutions(self, info: strawberry.Info) -> int:
        return await info.context.loaders.need_views.load(self.id)

    @strawberry.field(description="受理记录: every institution handling it (institution staff see their own)")
    async def handlings(self, info: strawberry.Info) -> list[Handling]:
        return await info.context.loaders.handlings_of("need").load(self.id)

    @strawberry.field(description="预授信: the offers made on this need")
    async def offers(self, info: strawberry.Info) -> list[PreCreditOffer]:
        return await info.context.loaders.offers_of_need.load(self.id)

    @strawberry.field(description="一键重新发布前的需求")
    async def republished_from(self, info: strawberry.Info) -> FinancingNeed | None:
        previous = self.republished_from_id  # type: ignore[attr-defined]
        return await info.context.loaders.need.load(previous) if previous else None

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> FinancingNeed | None:
        return entity(cls, await info.context.loaders.need.load(parse_id(id)))


@strawberry.federation.type(keys=["id"], description="预授信")
class PreCreditOffer:
    id: strawberry.ID
    amount: Decimal
    rate: Decimal = strawberry.field(description="年化利率 %")
    term_months: int
    valid_until: date
    note: str
    status: OfferStatusEnum

    @strawberry.field
    async def institution(self, info: strawberry.Info) -> _Institution | None:
        return await info.context.loaders.institution.load(self.institution_id)  # type: ignore[attr-defined]

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> PreCreditOffer | None:
        return entity(cls, await info.context.loaders.offer.load(parse_id(id)))


@strawberry.type(description="督办预警")
class SupervisionWarning:
    id: strawberry.ID
    kind: WarningKindEnum
    stage: HandlingStatusEnum = strawberry.field(description="超时的环节")
    due_at: datetime
    created_at: datetime

    @strawberry.field
    async def handling(self, info: strawberry.Info) -> Handling | None:
        return await info.context.loaders.handling.load(self.handling_id)  # type: ignore[attr-defined]


@strawberry.type(description="督办记录: 催单, 转单, 超时原因")
class SupervisionAction:
    id: strawberry.ID
    kind: ActionKindEnum
    note: str
    created_at: datetime

    @strawberry.field
    def actor(self) -> User:
        return User(id=self.actor_id)  # type: ignore[attr-defined]

    @strawberry.field(description="转入机构 (转单)")
    async def to_institution(self, info: strawberry.Info) -> _Institution | None:
        target = self.to_institution_id  # type: ignore[attr-defined]
        return await info.context.loaders.institution.load(target) if target else None


@strawberry.type(description="风险提示")
class RiskPrompt:
    id: strawberry.ID
    kind: RiskKindEnum
    detail: str
    created_at: datetime


@strawberry.federation.type(keys=["id"], description="受理单: one institution's handling of one order")
class Handling:
    id: strawberry.ID
    order_kind: OrderKindEnum
    order_no: str
    status: HandlingStatusEnum
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
    def overdue(self) -> bool:
        now = datetime.now(UTC)
        dues = (self.stage_due_at, self.completion_due_at)
        return self.closed_at is None and any(due is not None and due < now for due in dues)  # type: ignore[attr-defined]

    @strawberry.field(description="超时原因: seen by the institution, operations and the regulator")
    def overdue_reason(self, info: strawberry.Info) -> str | None:
        if role_scope(info.context.require_principal()) is Scope.SELF:
            return None  # the applicant sees progress, not the institution's internal explanation
        return self.overdue_reason  # type: ignore[attr-defined]  (the row's column)

    @strawberry.field
    async def institution(self, info: strawberry.Info) -> _Institution | None:
        return await info.context.loaders.institution.load(self.institution_id)  # type: ignore[attr-defined]

    @strawberry.field(description="受理人 (抢单的客户经理)")
    def handler(self) -> User | None:
        handler_id = self.handler_id  # type: ignore[attr-defined]
        return User(id=handler_id) if handler_id else None

    @strawberry.field
    async def application(self, info: strawberry.Info) -> ProductApplication | None:
        order = self.application_id  # type: ignore[attr-defined]
        return await info.context.loaders.application.load(order) if order else None

    @strawberry.field
    async def need(self, info: strawberry.Info) -> FinancingNeed | None:
        order = self.need_id  # type: ignore[attr-defined]
        return await info.context.loaders.need.load(order) if order else None

    @strawberry.field(description="预授信 (融资需求)")
    async def offer(self, info: strawberry.Info) -> PreCreditOffer | None:
        return await info.context.loaders.offer_of_handling.load(self.id)

    @strawberry.field(description="风险提示: for the institution and supervisors")
    async def risk_prompts(self, info: strawberry.Info) -> list[RiskPrompt]:
        return await info.context.loaders.risk_prompts_of.load(self.id)

    @strawberry.field(description="督办预警")
    async def warnings(self, info: strawberry.Info) -> list[SupervisionWarning]:
        return await info.context.loaders.warnings_of.load(self.id)

    @strawberry.field(description="督办记录")
    async def actions(self, info: strawberry.Info) -> list[SupervisionAction]:
        return await info.context.loaders.actions_of.load(self.id)

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Handling | None:
        return entity(cls, await info.context.loaders.handling.load(parse_id(id)))
