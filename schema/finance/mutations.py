"""Every finance root mutation: parse, call the domain function (resolvers/finance), return."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.finance import catalogue, complaints, handling, orders, supervision
from schema.finance.context import Info
from schema.finance.enums import ReviewVerdict
from schema.finance.inputs import (
    ApplyInput,
    CreditInput,
    OfferInput,
    ProductInput,
    PublishNeedInput,
    SlaPolicyInput,
    SubmitComplaintInput,
)
from schema.finance.types.complaints import Complaint
from schema.finance.types.institutions import Institution, SlaPolicy, WechatBinding
from schema.finance.types.orders import FinancingNeed, Handling, ProductApplication, RiskPrompt
from schema.finance.types.products import FinancialProduct
from security.functions import Function


def _product(row: object) -> FinancialProduct:
    return cast(FinancialProduct, row)  # FinancialProduct reads the row's columns


def _handling(row: object) -> Handling:
    return cast(Handling, row)


def _need(row: object) -> FinancingNeed:
    return cast(FinancingNeed, row)


def _application(row: object) -> ProductApplication:
    return cast(ProductApplication, row)


def _complaint(row: object) -> Complaint:
    return cast(Complaint, row)


@strawberry.type
class Mutation:
    # The catalogue: certification, WeChat, thresholds, the calendar, products (catalogue.py)

    @strawberry.mutation(description="机构认证: certify (or withdraw certification of) an institution")
    async def certify_institution(self, info: Info, id: strawberry.ID, certified: bool) -> Institution:
        principal = info.context.require_principal()
        return cast(Institution, await catalogue.certify_institution(principal, parse_id(id), certified))

    @strawberry.mutation(description="绑定微信: the caller's WeChat identity for order notifications")
    async def bind_wechat(self, info: Info, open_id: str) -> WechatBinding:
        return cast(WechatBinding, await catalogue.bind_wechat(info.context.require_principal(), open_id))

    @strawberry.mutation(description="解绑微信")
    async def unbind_wechat(self, info: Info) -> bool:
        return await catalogue.unbind_wechat(info.context.require_principal())

    @strawberry.mutation(description="设置本机构时限阈值 (FI_ADMIN)")
    async def set_sla_policy(self, info: Info, input: SlaPolicyInput) -> SlaPolicy:
        thresholds = catalogue.SlaThresholds(**vars(input))
        return cast(SlaPolicy, await catalogue.set_sla_policy(info.context.require_principal(), thresholds))

    @strawberry.mutation(description="工作日历: mark a day a holiday or a make-up working day (调休)")
    async def set_calendar_day(self, info: Info, day: date, workday: bool, name: str = "") -> bool:
        return await catalogue.set_calendar_day(info.context.require_principal(), day, workday, name)

    @strawberry.mutation(description="新建产品 (草稿)")
    async def create_product(self, info: Info, input: ProductInput) -> FinancialProduct:
        fields = catalogue.ProductFields(**vars(input))
        return _product(await catalogue.create_product(info.context.require_principal(), fields))

    @strawberry.mutation(description="修改产品 (草稿)")
    async def update_product(self, info: Info, id: strawberry.ID, input: ProductInput) -> FinancialProduct:
        principal = info.context.require_principal()
        fields = catalogue.ProductFields(**vars(input))
        return _product(await catalogue.update_product(principal, parse_id(id), fields))

    @strawberry.mutation(description="提交审核: the institution must be certified")
    async def submit_product(self, info: Info, id: strawberry.ID) -> FinancialProduct:
        return _product(await catalogue.submit_product(info.context.require_principal(), parse_id(id)))

    @strawberry.mutation(description="审核产品: approve (上架) or send back to draft with a comment")
    async def review_product(
        self, info: Info, id: strawberry.ID, approve: bool, comment: str = ""
    ) -> FinancialProduct:
        principal = info.context.require_principal()
        return _product(await catalogue.review_product(principal, parse_id(id), approve, comment))

    @strawberry.mutation(description="下架: by the institution, or by an operator or the regulator")
    async def delist_product(self, info: Info, id: strawberry.ID, reason: str = "") -> FinancialProduct:
        principal = info.context.require_principal()
        return _product(await catalogue.delist_product(principal, parse_id(id), reason))

    @strawberry.mutation(description="注销 (final): a draft or delisted product")
    async def deregister_product(self, info: Info, id: strawberry.ID) -> FinancialProduct:
        return _product(await catalogue.deregister_product(info.context.require_principal(), parse_id(id)))

    @strawberry.mutation(description="评价: 1–5 stars on a disbursed application, once; counts in the rating")
    async def rate_application(self, info: Info, id: strawberry.ID, stars: int) -> ProductApplication:
        principal = info.context.require_principal()
        return _application(await catalogue.rate_application(principal, parse_id(id), stars))

    # Orders and the grab (resolvers/finance/orders.py)

    @strawberry.mutation(description="申请产品: the order goes to the product's institution's pool")
    async def apply_for_product(self, info: Info, input: ApplyInput) -> ProductApplication:
        request = orders.ApplyRequest(**vars(input))
        return _application(await orders.apply_for_product(info.context.require_principal(), request))

    @strawberry.federation.mutation(description="发布融资需求", authenticated=True)
    async def publish_need(self, info: Info, input: PublishNeedInput) -> FinancingNeed:
        principal = info.context.require_principal()
        request = orders.NeedRequest(**vars(input))
        return _need(
            await orders.publish_need(principal, request, info.context.rules.max_institutions_per_need)
        )

    @strawberry.federation.mutation(
        description="抢单 (融资需求): up to N institutions, first grab in each wins, CONFLICT for others",
        # The gateway refuses other roles before any subgraph is asked; the resolver checks again.
        requires_scopes=[[Function.ORDER_GRAB.value]],  # 抢单: the role definitions' (角色管理)
    )
    async def grab_need(self, info: Info, id: strawberry.ID) -> Handling:
        return _handling(await orders.grab_need(info.context.require_principal(), parse_id(id)))

    @strawberry.federation.mutation(
        description="抢单 (产品申请): the first account manager of the product's institution wins",
        requires_scopes=[[Function.ORDER_GRAB.value]],  # 抢单: the role definitions' (角色管理)
    )
    async def grab_application(self, info: Info, id: strawberry.ID) -> Handling:
        return _handling(await orders.grab_application(info.context.require_principal(), parse_id(id)))

    @strawberry.mutation(
        description="查看需求: tells the applicant an institution has looked at it (once per institution)"
    )
    async def mark_need_viewed(self, info: Info, id: strawberry.ID) -> FinancingNeed:
        return _need(await orders.mark_need_viewed(info.context.require_principal(), parse_id(id)))

    @strawberry.mutation(description="撤回融资需求 (before an offer is picked)")
    async def withdraw_need(self, info: Info, id: strawberry.ID) -> FinancingNeed:
        return _need(await orders.withdraw_need(info.context.require_principal(), parse_id(id)))

    @strawberry.mutation(description="撤回产品申请 (before credit is granted)")
    async def withdraw_application(self, info: Info, id: strawberry.ID) -> ProductApplication:
        return _application(await orders.withdraw_application(info.context.require_principal(), parse_id(id)))

    @strawberry.mutation(description="选择预授信: the applicant picks one institution's offer")
    async def select_offer(self, info: Info, offer_id: strawberry.ID) -> Handling:
        principal = info.context.require_principal()
        return _handling(await orders.select_offer(principal, parse_id(offer_id, "offerId")))

    @strawberry.mutation(description="一键重新发布: after failed credit, post the same need again")
    async def republish_need(self, info: Info, id: strawberry.ID) -> FinancingNeed:
        principal = info.context.require_principal()
        n = info.context.rules.max_institutions_per_need
        return _need(await orders.republish_need(principal, parse_id(id), n))

    # Handling an order (resolvers/finance/handling.py)

    @strawberry.mutation(description="电话初审: passed, or rejected with a reason")
    async def pre_review(self, info: Info, id: strawberry.ID, passed: bool, note: str = "") -> Handling:
        principal = info.context.require_principal()
        return _handling(await handling.pre_review(principal, parse_id(id), passed, note))

    @strawberry.mutation(description="预授信: an offer on a need, for the applicant to pick")
    async def make_offer(self, info: Info, id: strawberry.ID, input: OfferInput) -> Handling:
        principal = info.context.require_principal()
        return _handling(
            await handling.make_offer(principal, parse_id(id), handling.OfferTerms(**vars(input)))
        )

    @strawberry.mutation(description="授信: credit granted (guarantor details for guaranteed loans)")
    async def grant_credit(self, info: Info, id: strawberry.ID, input: CreditInput) -> Handling:
        principal = info.context.require_principal()
        terms = handling.CreditTerms(**vars(input))
        return _handling(await handling.grant_credit(principal, parse_id(id), terms))

    @strawberry.mutation(description="授信失败: the applicant of a need may then republish it with one click")
    async def fail_credit(self, info: Info, id: strawberry.ID, reason: str) -> Handling:
        principal = info.context.require_principal()
        return _handling(await handling.fail_credit(principal, parse_id(id), reason))

    @strawberry.mutation(description="放款")
    async def disburse(self, info: Info, id: strawberry.ID, amount: Decimal) -> Handling:
        principal = info.context.require_principal()
        return _handling(await handling.disburse(principal, parse_id(id), amount))

    @strawberry.mutation(
        description="超时原因: the institution explains an overdue order (seen by operations)"
    )
    async def explain_overdue(self, info: Info, id: strawberry.ID, reason: str) -> Handling:
        principal = info.context.require_principal()
        return _handling(await handling.explain_overdue(principal, parse_id(id), reason))

    # Supervision (resolvers/finance/supervision.py)

    @strawberry.mutation(description="催单: the regulator urges the institution (an alert reaches it)")
    async def urge_handling(self, info: Info, id: strawberry.ID, note: str = "") -> Handling:
        principal = info.context.require_principal()
        return _handling(await supervision.urge_handling(principal, parse_id(id), note))

    @strawberry.mutation(description="转单: the regulator moves the order to another certified institution")
    async def transfer_handling(
        self, info: Info, id: strawberry.ID, to_institution_id: strawberry.ID, note: str = ""
    ) -> Handling:
        principal = info.context.require_principal()
        target = parse_id(to_institution_id, "toInstitutionId")
        return _handling(await supervision.transfer_handling(principal, parse_id(id), target, note))

    @strawberry.mutation(description="贷后预警: pushed to the institution that lent")
    async def raise_post_loan_warning(
        self, info: Info, handling_id: strawberry.ID, detail: str
    ) -> RiskPrompt:
        principal = info.context.require_principal()
        prompt = await supervision.raise_post_loan_warning(
            principal, parse_id(handling_id, "handlingId"), detail
        )
        return cast(RiskPrompt, prompt)

    # Complaints (resolvers/finance/complaints.py)

    @strawberry.mutation(description="提交投诉: the applicant, about one of their own handlings")
    async def submit_complaint(self, info: Info, input: SubmitComplaintInput) -> Complaint:
        principal = info.context.require_principal()
        handling_id = parse_id(input.handling_id, "handlingId")
        return _complaint(
            await complaints.submit_complaint(principal, handling_id, input.kind, input.content)
        )

    @strawberry.mutation(
        description="处理投诉: an account manager or admin of the institution complained about"
    )
    async def handle_complaint(self, info: Info, id: strawberry.ID, reply: str) -> Complaint:
        principal = info.context.require_principal()
        return _complaint(await complaints.handle_complaint(principal, parse_id(id), reply))

    @strawberry.mutation(
        description="复核投诉 (监管): the verdict and comment are the result told to both sides"
    )
    async def review_complaint(
        self, info: Info, id: strawberry.ID, verdict: ReviewVerdict, comment: str
    ) -> Complaint:
        principal = info.context.require_principal()
        return _complaint(await complaints.review_complaint(principal, parse_id(id), verdict, comment))
