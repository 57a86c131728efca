"""Orders from the applicant's side and the grab (抢单): apply for a product, post a need, grab,
view, withdraw, pick an offer, republish.

Every transition is one conditional UPDATE on the state it leaves (``filter(status=...).update``):
of two racing requests exactly one changes the row, the other gets CONFLICT. Repeating one's
own successful request is safe: it returns the same result.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import strawberry
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from models.finance import (
    ApplicationStatus,
    FinancialProduct,
    FinancingNeed,
    GuaranteeMethod,
    Handling,
    HandlingStatus,
    NeedMatch,
    NeedStatus,
    OfferStatus,
    OrderKind,
    PreCreditOffer,
    ProductApplication,
    ProductStatus,
)
from resolvers.common.customer_directory import DirectoryCustomer, visible_customer
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.values import parse_id
from resolvers.finance import notify
from resolvers.finance.access import (
    APPLICANTS,
    certified_institution,
    change,
    district_of,
    in_scope,
    max_institutions_per_need,
    new_order_no,
    now,
    periods,
    require_role,
)
from resolvers.finance.deadlines import completion_due, policy_of, stage_due, stage_due_at
from resolvers.finance.risk import flag_duplicate_financing
from resolvers.finance.scopes import application_scope, need_scope, offer_scope
from schema.finance.orders import FinancingNeed as NeedType
from schema.finance.orders import Handling as HandlingType
from schema.finance.orders import ProductApplication as ApplicationType
from schema.finance.products import GuaranteeMethodEnum
from security.principal import Principal
from security.roles import Role, Scope
from security.scopes import role_scope

OPEN_NEED = (NeedStatus.OPEN, NeedStatus.HANDLING)  # the applicant may still withdraw or pick
TAKEN_BY_COLLEAGUE = "本机构已有客户经理抢到该需求 (already grabbed by your institution)"
FINAL = (
    HandlingStatus.DISBURSED,
    HandlingStatus.REJECTED,
    HandlingStatus.NOT_SELECTED,
    HandlingStatus.TRANSFERRED,
    HandlingStatus.WITHDRAWN,
)


@strawberry.input(description="产品申请")
class ApplyInput:
    product_id: strawberry.ID
    amount: Decimal
    term_months: int
    purpose: str
    consent: bool = strawberry.field(description="授权平台及机构使用申请数据 (required)")
    applicant_name: str
    id_number: str = strawberry.field(description="身份证号 / 统一社会信用代码")
    contact_phone: str
    project: str = ""
    district: str = ""
    applicant_id: strawberry.ID | None = strawberry.field(default=None, description="客户 (when known)")


@strawberry.input(description="融资需求")
class PublishNeedInput:
    amount: Decimal
    term_months: int
    purpose: str
    applicant_id: strawberry.ID | None = None
    project: str = ""
    loan_preference: GuaranteeMethodEnum | None = None
    expected_rate: Decimal | None = None
    region: str = ""
    industry: str = ""
    contact_name: str = ""
    contact_phone: str = ""


async def _applicant(principal: Principal, applicant_id: strawberry.ID | None) -> DirectoryCustomer | None:
    """The customer an order is posted for (``applicantId``): one the poster may see by the customers
    subgraph's own rule — bank staff their customers (a manager those they manage, a branch head
    their subtree's, head office the bank's), the province, regulator and operators any. An
    applicant (企业 / 个人) sees no customer: no user is linked to a customer record, so they post as
    themselves and name none. Any other id: NOT_FOUND, exactly as for one that does not exist."""
    if applicant_id is None:
        return None
    customer = await visible_customer(principal, parse_id(applicant_id, "applicantId"))
    if customer is None:
        raise not_found("customer (applicantId)")
    return customer


def _check_order(amount: Decimal, term_months: int, purpose: str) -> None:
    if amount <= 0:
        raise bad_input("amount must be positive")
    if not 1 <= term_months <= 360:
        raise bad_input("termMonths must be between 1 and 360")
    if not purpose.strip():
        raise bad_input("purpose must not be empty")


async def _match(need: FinancingNeed) -> list[UUID]:
    """The certified institutions with a listed product that fits the need (our matching rule:
    amount within range, term long enough, and the preferred guarantee method when one is given)."""
    products = FinancialProduct.filter(
        status=ProductStatus.LISTED,
        institution__certified=True,
        min_amount__lte=need.amount,
        max_amount__gte=need.amount,
        term_months__gte=need.term_months,
    )
    if need.loan_preference:
        products = products.filter(guarantee_method=need.loan_preference)
    institutions = list(dict.fromkeys(await products.values_list("institution_id", flat=True)))
    await NeedMatch.bulk_create([NeedMatch(need_id=need.id, institution_id=i) for i in institutions])
    return institutions


async def _start_handling(handling: Handling, handler_id: UUID) -> None:
    """A grab: the handler, the pre-review threshold and the working-day completion deadline."""
    moment = now()
    policy = await policy_of(handling.institution_id)
    handling.handler_id = handler_id
    handling.status = HandlingStatus.GRABBED
    handling.grabbed_at = moment
    handling.stage_due_at = stage_due(HandlingStatus.GRABBED, moment, policy)
    handling.completion_due_at = await completion_due(handling, moment, policy)


def new_handling(
    order: ProductApplication | FinancingNeed, institution_id: UUID, method: GuaranteeMethod | None
) -> Handling:
    """The order reaching an institution's pool (ASSIGNED): posted, or transferred (转单) to it."""
    week, month = periods(now())
    kind = OrderKind.NEED if isinstance(order, FinancingNeed) else OrderKind.APPLICATION
    return Handling(
        order_kind=kind,
        order_no=order.order_no,
        application_id=order.id if kind is OrderKind.APPLICATION else None,
        need_id=order.id if kind is OrderKind.NEED else None,
        product_id=getattr(order, "product_id", None),
        institution_id=institution_id,
        applicant_user_id=order.applicant_user_id,
        status=HandlingStatus.ASSIGNED,
        guarantee_method=method,
        amount=order.amount,
        district=district_of(order),
        project=order.project,
        week=week,
        month=month,
    )


async def _claim(handling: Handling, handler_id: UUID) -> Handling | None:
    """Take an ASSIGNED handling (an application, or a need transferred in): one UPDATE decides.
    ``handling`` is the caller's copy of the row, filled in as the grab left it when it won."""
    await _start_handling(handling, handler_id)
    won = await Handling.filter(id=handling.id, status=HandlingStatus.ASSIGNED).update(
        handler_id=handler_id,
        status=HandlingStatus.GRABBED,
        grabbed_at=handling.grabbed_at,
        stage_due_at=handling.stage_due_at,
        completion_due_at=handling.completion_due_at,
    )
    return handling if won else None


@strawberry.type
class OrderMutation:
    @strawberry.mutation(description="申请产品: the order goes to the product's institution's pool")
    async def apply_for_product(self, info: strawberry.Info, input: ApplyInput) -> ApplicationType:
        principal = info.context.require_principal()
        require_role(principal, APPLICANTS, "申请产品")
        _check_order(input.amount, input.term_months, input.purpose)
        if not input.consent:
            raise bad_input("申请需授权数据使用 (consent is required)")
        if not (input.applicant_name.strip() and input.id_number.strip() and input.contact_phone.strip()):
            raise bad_input("applicantName, idNumber and contactPhone are required")
        product = await FinancialProduct.get_or_none(
            id=parse_id(input.product_id, "productId"), status=ProductStatus.LISTED
        )
        if product is None:
            raise not_found("listed product")
        if not product.min_amount <= input.amount <= product.max_amount:
            raise bad_input(f"amount must be between {product.min_amount} and {product.max_amount}")
        if input.term_months > product.term_months:
            raise bad_input(f"termMonths must be at most {product.term_months}")
        applicant = await _applicant(principal, input.applicant_id)
        # A repeated submission (same applicant, product and amount, still open) returns the first.
        existing = await ProductApplication.filter(
            applicant_user_id=principal.user_id,
            product_id=product.id,
            amount=input.amount,
            status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.HANDLING),
        ).first()
        if existing is not None:
            return existing  # type: ignore[return-value]
        async with change(info, "ProductApplication") as audited:
            application = await ProductApplication.create(
                order_no=new_order_no("A"),
                product=product,
                applicant_user_id=principal.user_id,
                applicant_id=applicant.id if applicant else None,
                tenant_id=applicant.tenant_id if applicant else principal.tenant_id,
                amount=input.amount,
                term_months=input.term_months,
                purpose=input.purpose.strip(),
                project=input.project.strip(),
                district=input.district.strip(),
                applicant_name=input.applicant_name.strip(),
                id_number=input.id_number.strip(),
                contact_phone=input.contact_phone.strip(),
                consented_at=now(),
            )
            audited.id = application.id
            await new_handling(application, product.institution_id, product.guarantee_method).save()
            await notify.pool("application.published", application, [product.institution_id])
            await notify.my_order("SUBMITTED", application)
        return application  # type: ignore[return-value]

    @strawberry.federation.mutation(description="发布融资需求", authenticated=True)
    async def publish_need(self, info: strawberry.Info, input: PublishNeedInput) -> NeedType:
        principal = info.context.require_principal()
        if need_scope(principal).is_nothing or role_scope(principal) is Scope.INSTITUTION:
            raise forbidden("无权发布融资需求 (your role cannot publish needs)")
        _check_order(input.amount, input.term_months, input.purpose)
        if input.expected_rate is not None and not Decimal(0) < input.expected_rate < Decimal(100):
            raise bad_input("expectedRate must be a percentage between 0 and 100")
        applicant = await _applicant(principal, input.applicant_id)
        applicant_id = applicant.id if applicant else None
        # A repeated submission (the same need from the same poster, still open) returns the first.
        existing = await FinancingNeed.filter(
            applicant_user_id=principal.user_id,
            applicant_id=applicant_id,
            project=input.project.strip(),
            amount=input.amount,
            term_months=input.term_months,
            purpose=input.purpose.strip(),
            region=input.region.strip(),
            industry=input.industry.strip(),
            status=NeedStatus.OPEN,
        ).first()
        if existing is not None:
            return existing  # type: ignore[return-value]
        async with change(info, "FinancingNeed") as audited:
            need = await FinancingNeed.create(
                order_no=new_order_no("N"),
                applicant_user_id=principal.user_id,
                applicant_id=applicant_id,
                # The applicant's bank: its staff see the need (need_scope), whoever posted it.
                tenant_id=applicant.tenant_id if applicant else principal.tenant_id,
                amount=input.amount,
                term_months=input.term_months,
                purpose=input.purpose.strip(),
                project=input.project.strip(),
                loan_preference=GuaranteeMethod(input.loan_preference) if input.loan_preference else None,
                expected_rate=input.expected_rate,
                region=input.region.strip(),
                industry=input.industry.strip(),
                contact_name=input.contact_name.strip(),
                contact_phone=input.contact_phone.strip(),
                max_institutions=max_institutions_per_need(),
            )
            audited.id = need.id
            await notify.pool("need.published", need, await _match(need))
            await notify.my_order("SUBMITTED", need)
        return need  # type: ignore[return-value]

    @strawberry.federation.mutation(
        description="抢单 (融资需求): up to N institutions, first grab in each wins, CONFLICT for others",
        # The gateway refuses other roles before any subgraph is asked; the resolver checks again.
        requires_scopes=[["FI_ACCOUNT_MANAGER"]],
    )
    async def grab_need(self, info: strawberry.Info, id: strawberry.ID) -> HandlingType:
        principal = info.context.require_principal()
        require_role(principal, (Role.FI_ACCOUNT_MANAGER,), "抢单")
        need_id = parse_id(id)
        async with change(info, "FinancingNeed", need_id) as audited:
            institution = await certified_institution(principal)
            mine = await Handling.get_or_none(need_id=need_id, institution_id=institution.id)
            if mine is not None and mine.handler_id == principal.user_id:
                audited.detail["repeated"] = True
                return mine  # type: ignore[return-value]  # a repeat of one's own grab
            if mine is not None and mine.status != HandlingStatus.ASSIGNED:
                raise conflict(TAKEN_BY_COLLEAGUE)
            if not await NeedMatch.exists(need_id=need_id, institution_id=institution.id):
                raise not_found("financing need")
            if mine is not None:  # transferred to this institution (转单): its slot is already counted
                handling = await _claim(mine, principal.user_id)
                if handling is None:
                    raise conflict(TAKEN_BY_COLLEAGUE)
                need = await FinancingNeed.get(id=need_id)
            else:
                # One UPDATE takes a slot and locks the need row, so grabs of one need run in turn.
                taken = await FinancingNeed.filter(
                    id=need_id, status=NeedStatus.OPEN, grab_count__lt=F("max_institutions")
                ).update(grab_count=F("grab_count") + 1)
                if not taken:
                    raise conflict("该需求已被抢完或已关闭 (no place left on this need)")
                need = await FinancingNeed.get(id=need_id)
                handling = new_handling(need, institution.id, need.loan_preference)
                await _start_handling(handling, principal.user_id)
                try:
                    await handling.save()
                except IntegrityError:  # a colleague's grab committed first: the slot goes back
                    raise conflict(TAKEN_BY_COLLEAGUE) from None
                if need.grab_count >= need.max_institutions and await FinancingNeed.filter(
                    id=need_id, status=NeedStatus.OPEN
                ).update(status=NeedStatus.HANDLING):
                    need.status = NeedStatus.HANDLING  # the last slot: it leaves every pool
            await flag_duplicate_financing(handling)
            await notify.need_pool("need.grabbed", need, institution.id)
            await notify.my_order("GRABBED", need, handling)
        return handling  # type: ignore[return-value]

    @strawberry.federation.mutation(
        description="抢单 (产品申请): the first account manager of the product's institution wins",
        requires_scopes=[["FI_ACCOUNT_MANAGER"]],
    )
    async def grab_application(self, info: strawberry.Info, id: strawberry.ID) -> HandlingType:
        principal = info.context.require_principal()
        require_role(principal, (Role.FI_ACCOUNT_MANAGER,), "抢单")
        application_id = parse_id(id)
        async with change(info, "ProductApplication", application_id) as audited:
            institution = await certified_institution(principal)
            mine = await Handling.get_or_none(application_id=application_id, institution_id=institution.id)
            if mine is None:
                raise not_found("product application")
            if mine.handler_id == principal.user_id:
                audited.detail["repeated"] = True
                return mine  # type: ignore[return-value]
            handling = await _claim(mine, principal.user_id)
            if handling is None:
                raise conflict("该申请已被抢单 (already grabbed)")
            await ProductApplication.filter(id=application_id, status=ApplicationStatus.SUBMITTED).update(
                status=ApplicationStatus.HANDLING
            )
            application = await ProductApplication.get(id=application_id)
            await flag_duplicate_financing(handling)
            await notify.pool("application.grabbed", application, [institution.id], institution.id, True)
            await notify.my_order("GRABBED", application, handling)
        return handling  # type: ignore[return-value]

    @strawberry.mutation(
        description="查看需求: tells the applicant an institution has looked at it (once per institution)"
    )
    async def mark_need_viewed(self, info: strawberry.Info, id: strawberry.ID) -> NeedType:
        principal = info.context.require_principal()
        need_id = parse_id(id)
        async with change(info, "FinancingNeed", need_id):
            institution = await certified_institution(principal)
            need = await FinancingNeed.get_or_none(id=need_id)
            if need is None or not await NeedMatch.exists(need_id=need_id, institution_id=institution.id):
                raise not_found("financing need")
            first = await NeedMatch.filter(
                need_id=need_id, institution_id=institution.id, viewed_at__isnull=True
            ).update(viewed_at=now())
            if first:
                await notify.my_order("VIEWED", need)
        return need  # type: ignore[return-value]

    @strawberry.mutation(description="撤回融资需求 (before an offer is picked)")
    async def withdraw_need(self, info: strawberry.Info, id: strawberry.ID) -> NeedType:
        principal = info.context.require_principal()
        need_id = parse_id(id)
        async with change(info, "FinancingNeed", need_id):
            need = await in_scope(
                info,
                FinancingNeed,
                need_scope,
                need_id,
                "financing need",
                applicant_user_id=principal.user_id,
            )
            if need.status == NeedStatus.WITHDRAWN:
                return need  # type: ignore[return-value]
            if not await FinancingNeed.filter(id=need_id, status__in=OPEN_NEED).update(
                status=NeedStatus.WITHDRAWN
            ):
                raise conflict(f"需求当前状态 {need.status} 不能撤回 (cannot withdraw now)")
            await _close_handlings(need_id=need_id, status=HandlingStatus.WITHDRAWN)
            need = await FinancingNeed.get(id=need_id)
            await notify.need_pool("need.withdrawn", need)
            await notify.my_order("WITHDRAWN", need)
        return need  # type: ignore[return-value]

    @strawberry.mutation(description="撤回产品申请 (before credit is granted)")
    async def withdraw_application(self, info: strawberry.Info, id: strawberry.ID) -> ApplicationType:
        principal = info.context.require_principal()
        application_id = parse_id(id)
        async with change(info, "ProductApplication", application_id):
            application = await in_scope(
                info,
                ProductApplication,
                application_scope,
                application_id,
                "product application",
                applicant_user_id=principal.user_id,
            )
            if application.status == ApplicationStatus.WITHDRAWN:
                return application  # type: ignore[return-value]
            open_states = (ApplicationStatus.SUBMITTED, ApplicationStatus.HANDLING)
            if not await ProductApplication.filter(id=application_id, status__in=open_states).update(
                status=ApplicationStatus.WITHDRAWN
            ):
                raise conflict(f"申请当前状态 {application.status} 不能撤回 (cannot withdraw now)")
            institutions = await _close_handlings(
                application_id=application_id, status=HandlingStatus.WITHDRAWN
            )
            application = await ProductApplication.get(id=application_id)
            await notify.pool("application.withdrawn", application, institutions, closed=True)
            await notify.my_order("WITHDRAWN", application)
        return application  # type: ignore[return-value]

    @strawberry.mutation(description="选择预授信: the applicant picks one institution's offer")
    async def select_offer(self, info: strawberry.Info, offer_id: strawberry.ID) -> HandlingType:
        principal = info.context.require_principal()
        require_role(principal, APPLICANTS, "选择预授信")
        offer_pk = parse_id(offer_id, "offerId")
        async with change(info, "PreCreditOffer", offer_pk):
            # An applicant's scope holds only the offers on their own needs.
            offer = await in_scope(info, PreCreditOffer, offer_scope, offer_pk, "pre-credit offer")
            if offer.status == OfferStatus.ACCEPTED:
                return await Handling.get(id=offer.handling_id)  # type: ignore[return-value]
            if offer.valid_until < date.today():
                raise conflict("该预授信已过期 (the offer has expired)")
            if not await FinancingNeed.filter(id=offer.need_id, status__in=OPEN_NEED).update(
                status=NeedStatus.SELECTED
            ):
                raise conflict("该需求已选定机构或已关闭 (an offer was already picked)")
            # The offer and its handling must both still stand (not transferred away, not closed):
            # otherwise CONFLICT, and the transaction undoes the need's change above.
            due = await stage_due_at(HandlingStatus.SELECTED, now(), offer.institution_id)
            if not await PreCreditOffer.filter(id=offer.id, status=OfferStatus.OFFERED).update(
                status=OfferStatus.ACCEPTED
            ) or not await Handling.filter(id=offer.handling_id, status=HandlingStatus.OFFERED).update(
                status=HandlingStatus.SELECTED, stage_due_at=due
            ):
                raise conflict("该预授信已失效 (the offer no longer stands)")
            await PreCreditOffer.filter(need_id=offer.need_id, status=OfferStatus.OFFERED).update(
                status=OfferStatus.NOT_ACCEPTED
            )
            await _close_handlings(
                need_id=offer.need_id, status=HandlingStatus.NOT_SELECTED, keep=offer.handling_id
            )
            handling = await Handling.get(id=offer.handling_id)
            need = await FinancingNeed.get(id=offer.need_id)
            await notify.need_pool("need.closed", need)
            await notify.my_order("SELECTED", need, handling)
        return handling  # type: ignore[return-value]

    @strawberry.mutation(description="一键重新发布: after failed credit, post the same need again")
    async def republish_need(self, info: strawberry.Info, id: strawberry.ID) -> NeedType:
        principal = info.context.require_principal()
        need_id = parse_id(id)
        async with change(info, "FinancingNeed", need_id):
            old = await in_scope(
                info,
                FinancingNeed,
                need_scope,
                need_id,
                "financing need",
                applicant_user_id=principal.user_id,
            )
            if old.status == NeedStatus.REPUBLISHED:  # a repeat: the copy made the first time
                return await FinancingNeed.get(republished_from_id=need_id)  # type: ignore[return-value]
            if not await FinancingNeed.filter(id=need_id, status=NeedStatus.CREDIT_FAILED).update(
                status=NeedStatus.REPUBLISHED
            ):
                raise conflict("只有授信失败的需求可以重新发布 (only a need whose credit failed)")
            fields = {name: getattr(old, name) for name in _COPIED}
            need = await FinancingNeed.create(
                **fields,
                order_no=new_order_no("N"),
                max_institutions=max_institutions_per_need(),
                republished_from_id=old.id,
            )
            await notify.pool("need.published", need, await _match(need))
            await notify.my_order("SUBMITTED", need)
        return need  # type: ignore[return-value]


_COPIED = (
    "applicant_user_id",
    "applicant_id",
    "tenant_id",
    "amount",
    "term_months",
    "purpose",
    "project",
    "loan_preference",
    "expected_rate",
    "region",
    "industry",
    "contact_name",
    "contact_phone",
)


async def _close_handlings(status: HandlingStatus, keep: UUID | None = None, **order: UUID) -> list[UUID]:
    """End an order's handlings still in progress (but ``keep``), and the offers they made; the
    institutions they were at."""
    active = Handling.filter(**order).exclude(status__in=FINAL)
    if keep is not None:
        active = active.exclude(id=keep)
    rows = await active.values_list("id", "institution_id")
    await active.update(status=status, closed_at=now(), stage_due_at=None, completion_due_at=None)
    await close_offers([handling_id for handling_id, _ in rows])
    return [institution_id for _, institution_id in rows]


async def close_offers(handling_ids: list[UUID]) -> None:
    """The standing offers of handlings that ended (closed, transferred away): no longer pickable."""
    if handling_ids:
        await PreCreditOffer.filter(handling_id__in=handling_ids, status=OfferStatus.OFFERED).update(
            status=OfferStatus.NOT_ACCEPTED
        )
