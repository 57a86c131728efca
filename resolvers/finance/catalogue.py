"""The marketplace catalogue: institution certification, WeChat bindings, SLA thresholds, the
working-day calendar, and products through their lifecycle draft → submitted → listed (上架)
→ delisted (下架) → deregistered (注销), reviewed by an operator or the regulator."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from models.finance import (
    ApplicationStatus,
    CalendarDay,
    FinancialProduct,
    GuaranteeMethod,
    Institution,
    LoanMethod,
    ProductApplication,
    ProductStatus,
    SlaPolicy,
    WechatBinding,
)
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.values import parse_id
from resolvers.finance.access import APPLICANTS, REVIEWERS, certified_institution, change, now, require_role
from resolvers.finance.rating import record_feedback
from schema.finance.institutions import Institution as InstitutionType
from schema.finance.institutions import SlaPolicy as SlaPolicyType
from schema.finance.institutions import WechatBinding as WechatBindingType
from schema.finance.orders import ProductApplication as ApplicationType
from schema.finance.products import FinancialProduct as ProductType
from schema.finance.products import ProductInput
from security.principal import Principal
from security.roles import Role, Scope
from security.scopes import role_scope


@strawberry.input(description="时限阈值")
class SlaPolicyInput:
    pre_review_hours: int
    credit_hours: int
    disbursement_hours: int
    credit_loan_days: int = strawberry.field(description="1–3 working days (001)")
    other_loan_days: int = strawberry.field(description="7–13 working days (001)")


def _check_product(input: ProductInput) -> dict[str, object]:
    if not input.name.strip():
        raise bad_input("name must not be empty")
    if not Decimal(0) < input.min_amount <= input.max_amount:
        raise bad_input("amounts must be positive with minAmount ≤ maxAmount")
    if not Decimal(0) < input.rate_min <= input.rate_max < Decimal(100):
        raise bad_input("rates must be percentages with rateMin ≤ rateMax")
    if not 1 <= input.term_months <= 360:
        raise bad_input("termMonths must be between 1 and 360")
    return {
        "name": input.name.strip(),
        "guarantee_method": GuaranteeMethod(input.guarantee_method),
        "loan_method": LoanMethod(input.loan_method),
        "min_amount": input.min_amount,
        "max_amount": input.max_amount,
        "rate_min": input.rate_min,
        "rate_max": input.rate_max,
        "term_months": input.term_months,
        "product_type": input.product_type.strip(),
        "logo_url": input.logo_url.strip(),
        "description": input.description.strip(),
    }


def _institution_admin(principal: Principal) -> None:
    require_role(principal, (Role.FI_ADMIN,), "管理本机构产品")
    if principal.institution_id is None:
        raise forbidden("只有金融机构人员可以操作 (institution staff only)")


async def _own_product(principal: Principal, id: strawberry.ID) -> FinancialProduct:
    product = await FinancialProduct.get_or_none(id=parse_id(id), institution_id=principal.institution_id)
    if product is None:
        raise not_found("product")
    return product


async def _move(
    product: FinancialProduct, leaves: tuple[ProductStatus, ...], to: ProductStatus, **values: object
) -> FinancialProduct:
    if not await FinancialProduct.filter(id=product.id, status__in=leaves).update(status=to, **values):
        raise conflict(f"产品当前状态 {product.status} 不能变为 {to} (not allowed from this state)")
    return await FinancialProduct.get(id=product.id)


@strawberry.type
class CatalogueMutation:
    @strawberry.mutation(description="机构认证: certify (or withdraw certification of) an institution")
    async def certify_institution(
        self, info: strawberry.Info, id: strawberry.ID, certified: bool
    ) -> InstitutionType:
        principal = info.context.require_principal()
        require_role(principal, REVIEWERS, "认证机构")
        institution_id = parse_id(id)
        async with change(info, "Institution", institution_id):
            if not await Institution.exists(id=institution_id):
                raise not_found("institution")
            await Institution.filter(id=institution_id).update(
                certified=certified,
                certified_at=now() if certified else None,
                certified_by_id=principal.user_id if certified else None,
            )
        return await Institution.get(id=institution_id)  # type: ignore[return-value]

    @strawberry.mutation(description="绑定微信: the caller's WeChat identity for order notifications")
    async def bind_wechat(self, info: strawberry.Info, open_id: str) -> WechatBindingType:
        principal = info.context.require_principal()
        if role_scope(principal) is not Scope.INSTITUTION or principal.institution_id is None:
            raise forbidden("只有金融机构人员可以绑定微信 (institution staff only)")
        open_id = open_id.strip()
        if not 6 <= len(open_id) <= 64:
            raise bad_input("openId must be 6–64 characters")
        async with change(info, "WechatBinding", principal.user_id):
            current = await WechatBinding.get_or_none(user_id=principal.user_id, unbound_at=None)
            if current is not None and current.open_id == open_id:
                return current  # type: ignore[return-value]
            if await WechatBinding.exists(open_id=open_id, unbound_at=None):
                raise conflict("该微信已绑定其他账号 (this WeChat is bound to another user)")
            await WechatBinding.filter(user_id=principal.user_id, unbound_at=None).update(unbound_at=now())
            binding = await WechatBinding.create(
                user_id=principal.user_id, institution_id=principal.institution_id, open_id=open_id
            )
        return binding  # type: ignore[return-value]

    @strawberry.mutation(description="解绑微信")
    async def unbind_wechat(self, info: strawberry.Info) -> bool:
        principal = info.context.require_principal()
        async with change(info, "WechatBinding", principal.user_id):
            changed = await WechatBinding.filter(user_id=principal.user_id, unbound_at=None).update(
                unbound_at=now()
            )
        return bool(changed)

    @strawberry.mutation(description="设置本机构时限阈值 (FI_ADMIN)")
    async def set_sla_policy(self, info: strawberry.Info, input: SlaPolicyInput) -> SlaPolicyType:
        principal = info.context.require_principal()
        _institution_admin(principal)
        hours = (input.pre_review_hours, input.credit_hours, input.disbursement_hours)
        if not all(1 <= h <= 720 for h in hours):
            raise bad_input("stage thresholds must be 1–720 hours")
        if not 1 <= input.credit_loan_days <= 3 or not 7 <= input.other_loan_days <= 13:
            raise bad_input("creditLoanDays must be 1–3 and otherLoanDays 7–13 working days (001)")
        values = {
            "pre_review_hours": input.pre_review_hours,
            "credit_hours": input.credit_hours,
            "disbursement_hours": input.disbursement_hours,
            "credit_loan_days": input.credit_loan_days,
            "other_loan_days": input.other_loan_days,
        }
        async with change(info, "SlaPolicy", principal.institution_id):
            policy, _ = await SlaPolicy.update_or_create(values, institution_id=principal.institution_id)
        return policy  # type: ignore[return-value]

    @strawberry.mutation(description="工作日历: mark a day a holiday or a make-up working day (调休)")
    async def set_calendar_day(self, info: strawberry.Info, day: date, workday: bool, name: str = "") -> bool:
        principal = info.context.require_principal()
        require_role(principal, REVIEWERS, "维护工作日历")
        async with change(info, "CalendarDay", day.isoformat()):
            await CalendarDay.update_or_create({"workday": workday, "name": name.strip()[:50]}, day=day)
        return True

    @strawberry.mutation(description="新建产品 (草稿)")
    async def create_product(self, info: strawberry.Info, input: ProductInput) -> ProductType:
        principal = info.context.require_principal()
        _institution_admin(principal)
        values = _check_product(input)
        async with change(info, "FinancialProduct") as audited:
            product = await FinancialProduct.create(institution_id=principal.institution_id, **values)
            audited.id = product.id
        return product  # type: ignore[return-value]

    @strawberry.mutation(description="修改产品 (草稿)")
    async def update_product(
        self, info: strawberry.Info, id: strawberry.ID, input: ProductInput
    ) -> ProductType:
        principal = info.context.require_principal()
        _institution_admin(principal)
        values = _check_product(input)
        async with change(info, "FinancialProduct", parse_id(id)):
            product = await _own_product(principal, id)
            return await _move(product, (ProductStatus.DRAFT,), ProductStatus.DRAFT, **values)  # type: ignore[return-value]

    @strawberry.mutation(description="提交审核: the institution must be certified")
    async def submit_product(self, info: strawberry.Info, id: strawberry.ID) -> ProductType:
        principal = info.context.require_principal()
        _institution_admin(principal)
        async with change(info, "FinancialProduct", parse_id(id)):
            await certified_institution(principal)
            product = await _own_product(principal, id)
            if product.status == ProductStatus.SUBMITTED:
                return product  # type: ignore[return-value]
            return await _move(
                product, (ProductStatus.DRAFT, ProductStatus.DELISTED), ProductStatus.SUBMITTED
            )  # type: ignore[return-value]

    @strawberry.mutation(description="审核产品: approve (上架) or send back to draft with a comment")
    async def review_product(
        self, info: strawberry.Info, id: strawberry.ID, approve: bool, comment: str = ""
    ) -> ProductType:
        principal = info.context.require_principal()
        require_role(principal, REVIEWERS, "审核产品")
        if not approve and not comment.strip():
            raise bad_input("a rejection needs a comment")
        async with change(info, "FinancialProduct", parse_id(id)):
            product = await FinancialProduct.get_or_none(id=parse_id(id)).prefetch_related("institution")
            if product is None:
                raise not_found("product")
            if approve and not product.institution.certified:
                raise conflict("机构尚未通过平台认证，产品不能上架 (the institution is not certified)")
            review = {
                "review_comment": comment.strip()[:200],
                "reviewed_by_id": principal.user_id,
                "reviewed_at": now(),
            }
            to = ProductStatus.LISTED if approve else ProductStatus.DRAFT
            return await _move(product, (ProductStatus.SUBMITTED,), to, **review)  # type: ignore[return-value]

    @strawberry.mutation(description="下架: by the institution, or by an operator or the regulator")
    async def delist_product(self, info: strawberry.Info, id: strawberry.ID, reason: str = "") -> ProductType:
        principal = info.context.require_principal()
        async with change(info, "FinancialProduct", parse_id(id)):
            if principal.has_role(*REVIEWERS):
                product = await FinancialProduct.get_or_none(id=parse_id(id))
                if product is None:
                    raise not_found("product")
            else:
                _institution_admin(principal)
                product = await _own_product(principal, id)
            if product.status == ProductStatus.DELISTED:
                return product  # type: ignore[return-value]
            return await _move(
                product, (ProductStatus.LISTED,), ProductStatus.DELISTED, review_comment=reason.strip()[:200]
            )  # type: ignore[return-value]

    @strawberry.mutation(description="注销 (final): a draft or delisted product")
    async def deregister_product(self, info: strawberry.Info, id: strawberry.ID) -> ProductType:
        principal = info.context.require_principal()
        _institution_admin(principal)
        async with change(info, "FinancialProduct", parse_id(id)):
            product = await _own_product(principal, id)
            if product.status == ProductStatus.DEREGISTERED:
                return product  # type: ignore[return-value]
            leaves = (ProductStatus.DRAFT, ProductStatus.DELISTED)
            return await _move(product, leaves, ProductStatus.DEREGISTERED)  # type: ignore[return-value]

    @strawberry.mutation(description="评价: 1–5 stars on a disbursed application, once; counts in the rating")
    async def rate_application(self, info: strawberry.Info, id: strawberry.ID, stars: int) -> ApplicationType:
        principal = info.context.require_principal()
        require_role(principal, APPLICANTS, "评价")
        if not 1 <= stars <= 5:
            raise bad_input("stars must be 1–5")
        application_id = parse_id(id)
        async with change(info, "ProductApplication", application_id):
            application = await ProductApplication.get_or_none(
                id=application_id, applicant_user_id=principal.user_id
            )
            if application is None:
                raise not_found("product application")
            if not await ProductApplication.filter(
                id=application_id, status=ApplicationStatus.DISBURSED, feedback_stars__isnull=True
            ).update(feedback_stars=stars):
                raise conflict("只能对已放款且未评价的申请评价一次 (rate a disbursed application once)")
            await record_feedback(application.product_id, stars)
        return await ProductApplication.get(id=application_id)  # type: ignore[return-value]
