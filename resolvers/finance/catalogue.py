"""The marketplace catalogue: institution certification, WeChat bindings, SLA thresholds, the
working-day calendar, and products through their lifecycle draft → submitted → listed (上架)
→ delisted (下架) → deregistered (注销), reviewed by an operator or the regulator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.approvals import ApprovalFunction as F
from models.finance import (
    ApplicationStatus,
    CalendarDay,
    FinancialProduct,
    GuaranteeMethod,
    Institution,
    InstitutionKind,
    LoanMethod,
    ProductApplication,
    ProductStatus,
    SlaPolicy,
    WechatBinding,
)
from resolvers.common.approvals import decide_approval, open_approval
from resolvers.common.changes import change, transition
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, check_page_size, decode_cursor, page_of, paginate
from resolvers.common.values import parse_decimal, parse_id
from resolvers.finance.filters import ProductFilter
from resolvers.finance.permissions import (
    APPLICANTS,
    REVIEWERS,
    certified_institution,
    require_institution_admin,
    require_institution_staff,
    require_role,
)
from resolvers.finance.rating import record_feedback
from resolvers.finance.scopes import institution_scope, product_scope
from security.principal import Principal


@dataclass(frozen=True)
class SlaThresholds:
    """时限阈值: hours per stage, working days to finish."""

    pre_review_hours: int
    credit_hours: int
    disbursement_hours: int
    credit_loan_days: int  # 1–3 working days
    other_loan_days: int  # 7–13 working days


@dataclass(frozen=True)
class ProductFields:
    """A product as its institution writes it (a draft)."""

    name: str
    guarantee_method: GuaranteeMethod
    min_amount: Decimal
    max_amount: Decimal
    rate_min: Decimal
    rate_max: Decimal
    term_months: int
    loan_method: LoanMethod = LoanMethod.ONE_OFF
    product_type: str = ""
    logo_url: str = ""
    description: str = ""


async def institutions(
    principal: Principal,
    first: int,
    after: str | None,
    kind: InstitutionKind | None = None,
    certified: bool | None = None,
) -> Page[Institution]:
    queryset = scoped(principal, Institution, institution_scope)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    if certified is not None:
        queryset = queryset.filter(certified=certified)
    return await paginate(queryset, first, after)


async def by_rating(
    queryset: QuerySet[FinancialProduct], first: int, after: str | None
) -> Page[FinancialProduct]:
    """Best rated first (ties by id), keyset-paged on (rating, id): one statement per page."""
    check_page_size(first)
    if after:
        rating, _, last_id = decode_cursor(after).partition("|")
        value = parse_decimal(rating)  # finite and in range, or BAD_USER_INPUT (no NaN to SQL)
        queryset = queryset.filter(Q(rating__lt=value) | Q(rating=value, id__gt=parse_id(last_id, "cursor")))
    rows = await queryset.order_by("-rating", "id").limit(first + 1)
    return page_of(rows, first, key=lambda row: f"{row.rating}|{row.id}")


async def products(
    principal: Principal, first: int, after: str | None, f: ProductFilter
) -> Page[FinancialProduct]:
    """金融超市: listed products (or the caller's own in another state), best rated first."""
    return await by_rating(f.apply(scoped(principal, FinancialProduct, product_scope)), first, after)


async def calendar_days(start: date, end: date) -> list[CalendarDay]:
    """工作日历: holidays and make-up working days in a range."""
    if end < start or (end - start).days > 366:
        raise bad_input("the range must run forwards and span at most a year")
    return await CalendarDay.filter(day__gte=start, day__lte=end).order_by("day")


async def my_wechat_binding(principal: Principal) -> WechatBinding | None:
    return await WechatBinding.get_or_none(user_id=principal.user_id, unbound_at=None)


def _check_product(fields: ProductFields) -> dict[str, Any]:
    if not fields.name.strip():
        raise bad_input("name must not be empty")
    if not Decimal(0) < fields.min_amount <= fields.max_amount:
        raise bad_input("amounts must be positive with minAmount ≤ maxAmount")
    if not Decimal(0) < fields.rate_min <= fields.rate_max < Decimal(100):
        raise bad_input("rates must be percentages with rateMin ≤ rateMax")
    if not 1 <= fields.term_months <= 360:
        raise bad_input("termMonths must be between 1 and 360")
    return {
        "name": fields.name.strip(),
        "guarantee_method": GuaranteeMethod(fields.guarantee_method),
        "loan_method": LoanMethod(fields.loan_method),
        "min_amount": fields.min_amount,
        "max_amount": fields.max_amount,
        "rate_min": fields.rate_min,
        "rate_max": fields.rate_max,
        "term_months": fields.term_months,
        "product_type": fields.product_type.strip(),
        "logo_url": fields.logo_url.strip(),
        "description": fields.description.strip(),
    }


async def _own_product(principal: Principal, id: UUID) -> FinancialProduct:
    product = await FinancialProduct.get_or_none(id=id, institution_id=principal.institution_id)
    if product is None:
        raise not_found("product")
    return product


async def _move(
    product: FinancialProduct, leaves: tuple[ProductStatus, ...], to: ProductStatus, **values: Any
) -> FinancialProduct:
    await transition(
        FinancialProduct,
        product.id,
        leaves,
        f"产品当前状态 {product.status} 不能变为 {to} (not allowed from this state)",
        status=to,
        **values,
    )
    return await FinancialProduct.get(id=product.id)


async def certify_institution(principal: Principal, institution_id: UUID, certified: bool) -> Institution:
    """机构认证: certify (or withdraw certification of) an institution."""
    require_role(principal, REVIEWERS, "认证机构")
    async with change("finance", "Institution", institution_id):
        if not await Institution.exists(id=institution_id):
            raise not_found("institution")
        await Institution.filter(id=institution_id).update(
            certified=certified,
            certified_at=now() if certified else None,
            certified_by_id=principal.user_id if certified else None,
        )
    return await Institution.get(id=institution_id)


async def bind_wechat(principal: Principal, open_id: str) -> WechatBinding:
    """绑定微信: the caller's WeChat identity for order notifications."""
    require_institution_staff(principal, "绑定微信")
    open_id = open_id.strip()
    if not 6 <= len(open_id) <= 64:
        raise bad_input("openId must be 6–64 characters")
    async with change("finance", "WechatBinding", principal.user_id):
        current = await WechatBinding.get_or_none(user_id=principal.user_id, unbound_at=None)
        if current is not None and current.open_id == open_id:
            return current
        if await WechatBinding.exists(open_id=open_id, unbound_at=None):
            raise conflict("该微信已绑定其他账号 (this WeChat is bound to another user)")
        await WechatBinding.filter(user_id=principal.user_id, unbound_at=None).update(unbound_at=now())
        binding = await WechatBinding.create(
            user_id=principal.user_id, institution_id=principal.institution_id, open_id=open_id
        )
    return binding


async def unbind_wechat(principal: Principal) -> bool:
    async with change("finance", "WechatBinding", principal.user_id):
        changed = await WechatBinding.filter(user_id=principal.user_id, unbound_at=None).update(
            unbound_at=now()
        )
    return bool(changed)


async def set_sla_policy(principal: Principal, thresholds: SlaThresholds) -> SlaPolicy:
    """设置本机构时限阈值 (FI_ADMIN)."""
    require_institution_admin(principal)
    hours = (thresholds.pre_review_hours, thresholds.credit_hours, thresholds.disbursement_hours)
    if not all(1 <= h <= 720 for h in hours):
        raise bad_input("stage thresholds must be 1–720 hours")
    if not 1 <= thresholds.credit_loan_days <= 3 or not 7 <= thresholds.other_loan_days <= 13:
        raise bad_input("creditLoanDays must be 1–3 and otherLoanDays 7–13 working days")
    values = {
        "pre_review_hours": thresholds.pre_review_hours,
        "credit_hours": thresholds.credit_hours,
        "disbursement_hours": thresholds.disbursement_hours,
        "credit_loan_days": thresholds.credit_loan_days,
        "other_loan_days": thresholds.other_loan_days,
    }
    async with change("finance", "SlaPolicy", principal.institution_id):
        policy, _ = await SlaPolicy.update_or_create(values, institution_id=principal.institution_id)
    return policy


async def set_calendar_day(principal: Principal, day: date, workday: bool, name: str = "") -> bool:
    """工作日历: mark a day a holiday or a make-up working day (调休)."""
    require_role(principal, REVIEWERS, "维护工作日历")
    async with change("finance", "CalendarDay", day.isoformat()):
        await CalendarDay.update_or_create({"workday": workday, "name": name.strip()[:50]}, day=day)
    return True


async def create_product(principal: Principal, fields: ProductFields) -> FinancialProduct:
    """新建产品 (草稿)."""
    require_institution_admin(principal)
    values = _check_product(fields)
    async with change("finance", "FinancialProduct") as audited:
        product = await FinancialProduct.create(institution_id=principal.institution_id, **values)
        audited.id = product.id
    return product


async def update_product(principal: Principal, product_id: UUID, fields: ProductFields) -> FinancialProduct:
    """修改产品 (草稿)."""
    require_institution_admin(principal)
    values = _check_product(fields)
    async with change("finance", "FinancialProduct", product_id):
        product = await _own_product(principal, product_id)
        return await _move(product, (ProductStatus.DRAFT,), ProductStatus.DRAFT, **values)


async def submit_product(principal: Principal, product_id: UUID) -> FinancialProduct:
    """提交审核: the institution must be certified. The review goes through the approvals engine;
    with product listing approval switched off (审核流程管理) the product is listed at once."""
    require_institution_admin(principal)
    async with change("finance", "FinancialProduct", product_id):
        institution = await certified_institution(principal)
        product = await _own_product(principal, product_id)
        if product.status == ProductStatus.SUBMITTED:
            return product
        product = await _move(product, (ProductStatus.DRAFT, ProductStatus.DELISTED), ProductStatus.SUBMITTED)
        request = await open_approval(
            F.PRODUCT_LISTING,
            product.id,
            tenant_id=principal.tenant_id,
            org_path=institution.org_path,
            created_by=principal.user_id,
            submitted_by=principal.user_id,
            title=f"产品上架：{product.name}",
        )
        if request is None:
            return await _move(product, (ProductStatus.SUBMITTED,), ProductStatus.LISTED)
        return product


async def review_product(
    principal: Principal, product_id: UUID, approve: bool, comment: str = ""
) -> FinancialProduct:
    """审核产品 (the flow's reviewers: an operator or the regulator by default): approve (上架) or
    send back to draft with a comment."""
    async with change("finance", "FinancialProduct", product_id):
        product = await FinancialProduct.get_or_none(id=product_id).prefetch_related("institution")
        if product is None:
            raise not_found("product")
        if approve and product.status == ProductStatus.SUBMITTED and not product.institution.certified:
            raise conflict("机构尚未通过平台认证，产品不能上架 (the institution is not certified)")
        outcome = await decide_approval(principal, F.PRODUCT_LISTING, product_id, approve, comment)
        if not outcome.final or product.status != ProductStatus.SUBMITTED:
            return product  # a step of a longer flow, or a repeat
        review = {
            "review_comment": comment.strip()[:200],
            "reviewed_by_id": principal.user_id,
            "reviewed_at": now(),
        }
        to = ProductStatus.LISTED if outcome.approved else ProductStatus.DRAFT
        return await _move(product, (ProductStatus.SUBMITTED,), to, **review)


async def delist_product(principal: Principal, product_id: UUID, reason: str = "") -> FinancialProduct:
    """下架: by the institution, or by an operator or the regulator."""
    async with change("finance", "FinancialProduct", product_id):
        if principal.has_role(*REVIEWERS):
            found = await FinancialProduct.get_or_none(id=product_id)
            if found is None:
                raise not_found("product")
            product = found
        else:
            require_institution_admin(principal)
            product = await _own_product(principal, product_id)
        if product.status == ProductStatus.DELISTED:
            return product
        return await _move(
            product, (ProductStatus.LISTED,), ProductStatus.DELISTED, review_comment=reason.strip()[:200]
        )


async def deregister_product(principal: Principal, product_id: UUID) -> FinancialProduct:
    """注销 (final): a draft or delisted product."""
    require_institution_admin(principal)
    async with change("finance", "FinancialProduct", product_id):
        product = await _own_product(principal, product_id)
        if product.status == ProductStatus.DEREGISTERED:
            return product
        return await _move(product, (ProductStatus.DRAFT, ProductStatus.DELISTED), ProductStatus.DEREGISTERED)


async def rate_application(principal: Principal, application_id: UUID, stars: int) -> ProductApplication:
    """评价: 1–5 stars on a disbursed application, once; counts in the rating."""
    require_role(principal, APPLICANTS, "评价")
    if not 1 <= stars <= 5:
        raise bad_input("stars must be 1–5")
    async with change("finance", "ProductApplication", application_id):
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
    return await ProductApplication.get(id=application_id)
