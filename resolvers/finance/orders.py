"""Orders from the applicant's side and the grab (抢单): apply for a product, post a need, grab,
view, withdraw, pick an offer, republish; and the lists of orders and of the grab pool.

Every transition is one conditional UPDATE on the state it leaves (``transition``): of two racing
requests exactly one changes the row, the other gets CONFLICT. Repeating one's own successful
request is safe: it returns the same result.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, cast
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

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
from resolvers.common import audit
from resolvers.common.changes import change, transition
from resolvers.common.clock import CST, now
from resolvers.common.customer_directory import DirectoryCustomer, visible_customer
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.functions import require_function
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, check_page_size, page_of, paginate
from resolvers.common.values import parse_id
from resolvers.finance import notify
from resolvers.finance.deadlines import completion_due, policy_of, stage_due, stage_due_at
from resolvers.finance.filters import PoolFilter, district_of
from resolvers.finance.permissions import (
    APPLICANTS,
    certified_institution,
    require_certified,
    require_role,
    staff_institution,
)
from resolvers.finance.risk import duplicate_financing, flag_duplicate_financing
from resolvers.finance.scopes import application_scope, grab_pool, in_scope, need_scope, offer_scope
from resolvers.finance.statistics import periods
from security.functions import Function
from security.principal import Principal
from security.roles import Scope
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


def new_order_no(prefix: str) -> str:
    """订单号: kind letter, CST date, 8 random hex digits (A20261123-1F2E3D4C)."""
    return f"{prefix}{datetime.now(CST):%Y%m%d}-{secrets.token_hex(4).upper()}"


@dataclass(frozen=True)
class ApplyRequest:
    """产品申请, as given (ids as strings: read in the order the rules check them)."""

    product_id: str
    amount: Decimal
    term_months: int
    purpose: str
    consent: bool
    applicant_name: str
    id_number: str
    contact_phone: str
    project: str = ""
    district: str = ""
    applicant_id: str | None = None


@dataclass(frozen=True)
class NeedRequest:
    """融资需求, as given."""

    amount: Decimal
    term_months: int
    purpose: str
    applicant_id: str | None = None
    project: str = ""
    loan_preference: GuaranteeMethod | None = None
    expected_rate: Decimal | None = None
    region: str = ""
    industry: str = ""
    contact_name: str = ""
    contact_phone: str = ""


async def applications(
    principal: Principal, first: int, after: str | None, status: ApplicationStatus | None
) -> Page[ProductApplication]:
    queryset = scoped(principal, ProductApplication, application_scope)
    if status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset, first, after, newest_first=True)


async def needs(
    principal: Principal, first: int, after: str | None, status: NeedStatus | None
) -> Page[FinancingNeed]:
    queryset = scoped(principal, FinancingNeed, need_scope)
    if status is not None:
        queryset = queryset.filter(status=NeedStatus(status))
    return await paginate(queryset, first, after, newest_first=True)


async def pool_needs(
    principal: Principal, first: int, after: str | None, f: PoolFilter
) -> Page[FinancingNeed]:
    """抢单池: the open needs the caller's institution may still grab (scopes.grab_pool)."""
    pool = grab_pool(principal)
    if pool is None:
        return page_of([], check_page_size(first))  # only institution staff have a pool
    return await paginate(f.apply(pool), first, after, newest_first=True)


async def _applicant(principal: Principal, applicant_id: str | None) -> DirectoryCustomer | None:
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
    ids = cast(list[UUID], await products.values_list("institution_id", flat=True))  # flat: one column
    institutions = list(dict.fromkeys(ids))
    await NeedMatch.bulk_create([NeedMatch(need_id=need.id, institution_id=i) for i in institutions])
    return institutions


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


async def apply_for_product(principal: Principal, request: ApplyRequest) -> ProductApplication:
    """申请产品: the order goes to the product's institution's pool."""
    require_role(principal, APPLICANTS, "申请产品")
    _check_order(request.amount, request.term_months, request.purpose)
    if not request.consent:
        raise bad_input("申请需授权数据使用 (consent is required)")
    if not (request.applicant_name.strip() and request.id_number.strip() and request.contact_phone.strip()):
        raise bad_input("applicantName, idNumber and contactPhone are required")
    product = await FinancialProduct.get_or_none(
        id=parse_id(request.product_id, "productId"), status=ProductStatus.LISTED
    )
    if product is None:
        raise not_found("listed product")
    if not product.min_amount <= request.amount <= product.max_amount:
        raise bad_input(f"amount must be between {product.min_amount} and {product.max_amount}")
    if request.term_months > product.term_months:
        raise bad_input(f"termMonths must be at most {product.term_months}")
    applicant = await _applicant(principal, request.applicant_id)
    # A repeated submission (same applicant, product and amount, still open) returns the first.
    existing = await ProductApplication.filter(
        applicant_user_id=principal.user_id,
        product_id=product.id,
        amount=request.amount,
        status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.HANDLING),
    ).first()
    if existing is not None:
        return existing
    async with change("finance", "ProductApplication") as audited:
        application = await ProductApplication.create(
            order_no=new_order_no("A"),
            product=product,
            applicant_user_id=principal.user_id,
            applicant_id=applicant.id if applicant else None,
            tenant_id=applicant.tenant_id if applicant else principal.tenant_id,
            amount=request.amount,
            term_months=request.term_months,
            purpose=request.purpose.strip(),
            project=request.project.strip(),
            district=request.district.strip(),
            applicant_name=request.applicant_name.strip(),
            id_number=request.id_number.strip(),
            contact_phone=request.contact_phone.strip(),
            consented_at=now(),
        )
        audited.id = application.id
        await new_handling(application, product.institution_id, product.guarantee_method).save()
        await notify.pool("application.published", application, [product.institution_id])
        await notify.my_order("SUBMITTED", application)
    return application


async def publish_need(principal: Principal, request: NeedRequest, max_institutions: int) -> FinancingNeed:
    """发布融资需求: up to ``max_institutions`` (N, a platform rule) may each grab it."""
    if need_scope(principal).is_nothing or role_scope(principal) is Scope.INSTITUTION:
        raise forbidden("无权发布融资需求 (your role cannot publish needs)")
    _check_order(request.amount, request.term_months, request.purpose)
    if request.expected_rate is not None and not Decimal(0) < request.expected_rate < Decimal(100):
        raise bad_input("expectedRate must be a percentage between 0 and 100")
    applicant = await _applicant(principal, request.applicant_id)
    applicant_id = applicant.id if applicant else None
    # A repeated submission (the same need from the same poster, still open) returns the first.
    existing = await FinancingNeed.filter(
        applicant_user_id=principal.user_id,
        applicant_id=applicant_id,
        project=request.project.strip(),
        amount=request.amount,
        term_months=request.term_months,
        purpose=request.purpose.strip(),
        region=request.region.strip(),
        industry=request.industry.strip(),
        status=NeedStatus.OPEN,
    ).first()
    if existing is not None:
        return existing
    async with change("finance", "FinancingNeed") as audited:
        need = await FinancingNeed.create(
            order_no=new_order_no("N"),
            applicant_user_id=principal.user_id,
            applicant_id=applicant_id,
            # The applicant's bank: its staff see the need (need_scope), whoever posted it.
            tenant_id=applicant.tenant_id if applicant else principal.tenant_id,
            amount=request.amount,
            term_months=request.term_months,
            purpose=request.purpose.strip(),
            project=request.project.strip(),
            loan_preference=GuaranteeMethod(request.loan_preference) if request.loan_preference else None,
            expected_rate=request.expected_rate,
            region=request.region.strip(),
            industry=request.industry.strip(),
            contact_name=request.contact_name.strip(),
            contact_phone=request.contact_phone.strip(),
            max_institutions=max_institutions,
        )
        audited.id = need.id
        await notify.pool("need.published", need, await _match(need))
        await notify.my_order("SUBMITTED", need)
    return need


# A lost grab is CONFLICT with the constant's name as extensions.reason (the grab client switches on it).
NO_PLACE = "该需求已被抢完或已关闭 (no place left on this need)"
APPLICATION_TAKEN = "该申请已被抢单 (already grabbed)"


@dataclass(frozen=True)
class _Terms:
    """A grab's moment and thresholds, worked out before its transaction (they read only the
    institution's policy and the calendar)."""

    moment: datetime
    stage_due_at: datetime | None
    completion_due_at: datetime


async def _terms(institution_id: UUID, method: GuaranteeMethod | None) -> _Terms:
    moment = now()
    policy = await policy_of(institution_id)
    handling = Handling(guarantee_method=method)  # what completion_due looks at
    return _Terms(
        moment,
        stage_due(HandlingStatus.GRABBED, moment, policy),
        await completion_due(handling, moment, policy),
    )


def _apply(handling: Handling, handler_id: UUID, terms: _Terms) -> None:
    handling.handler_id = handler_id
    handling.status = HandlingStatus.GRABBED
    handling.grabbed_at = terms.moment
    handling.stage_due_at = terms.stage_due_at
    handling.completion_due_at = terms.completion_due_at


def _dialect(conn: BaseDBAsyncClient, sql: str) -> str:
    """A statement written with PostgreSQL's numbered placeholders ($1), for ``conn``'s dialect
    (SQLite numbers them ?1)."""
    return sql if conn.capabilities.dialect == "postgres" else sql.replace("$", "?")


def _param(conn: BaseDBAsyncClient, value: UUID) -> UUID | str:
    return value if conn.capabilities.dialect == "postgres" else str(value)  # SQLite stores text


# One statement takes a place (a slot, not only a state: the condition counts the grabs), closes the
# need when that was the last place, and says how it left the need. It locks the need row until
# commit, so grabs of one need run in turn from here: the transaction does as little as it can after.
_TAKE_PLACE = (
    "UPDATE financing_need SET grab_count = grab_count + 1, "
    "status = CASE WHEN grab_count + 1 >= max_institutions THEN $1 ELSE status END "
    "WHERE id = $2 AND status = $3 AND grab_count < max_institutions "
    "RETURNING grab_count, status"
)


async def _take_place(need: FinancingNeed) -> bool:
    """Take a place on ``need`` (in the running transaction); on success ``need`` is as it left it."""
    conn = FinancingNeed._choose_db(True)
    values = [NeedStatus.HANDLING.value, _param(conn, need.id), NeedStatus.OPEN.value]
    rows = await conn.execute_query_dict(_dialect(conn, _TAKE_PLACE), values)
    if not rows:
        return False
    need.grab_count, need.status = int(rows[0]["grab_count"]), NeedStatus(rows[0]["status"])
    return True


# Everything a grab decides on, in one statement (nine grabs in ten of a hot need lose, and a loser
# reads nothing else): the caller's institution (certified?), the order, the institution's
# handling of it, and for a need whether it is open to the institution. Driven by the
# institution's row, so an unknown order still answers; the unique (order, institution) of
# need_match and handling keep it to one row. Written once, on first use: the columns of a
# foreign key are known only once Tortoise is initialised.
@cache
def _grab_view_sql(order: type[Model]) -> str:
    columns = ", ".join(f'o."{column}"' for column in order._meta.fields_db_projection.values())
    if order is FinancingNeed:
        handling_column, matched = "need_id", "m.id IS NOT NULL"
        joins = "LEFT JOIN need_match m ON m.need_id = o.id AND m.institution_id = i.id "
    else:  # an application reaches its product's institution only, as that institution's handling
        handling_column, matched, joins = "application_id", "h.id IS NOT NULL", ""
    return (
        f"SELECT i.certified AS i_certified, {matched} AS i_matched, "
        f"h.id AS h_id, h.handler_id AS h_handler_id, h.status AS h_status, {columns} "
        f"FROM institution i LEFT JOIN {order._meta.db_table} o ON o.id = $1 {joins}"
        f"LEFT JOIN handling h ON h.{handling_column} = o.id AND h.institution_id = i.id "
        "WHERE i.id = $2"
    )


@dataclass(frozen=True)
class _GrabView:
    """What ``_grab_view_sql`` read: the institution, its handling of the order (``mine``: id, account
    manager, status), and the order's columns (hydrated only for a grab that goes on)."""

    certified: bool
    matched: bool
    mine: UUID | None
    mine_handler: UUID | None
    mine_status: HandlingStatus | None
    order: dict[str, Any]

    def full(self) -> bool:
        """A need is closed, or has no place left (as read)."""
        need = self.order
        return need["status"] != NeedStatus.OPEN or need["grab_count"] >= need["max_institutions"]


async def _grab_view(order: type[Model], order_id: UUID, institution_id: UUID) -> _GrabView:
    """What a grab of ``order_id`` by the institution decides on (``_grab_view_sql``)."""
    conn = order._choose_db(False)
    rows = await conn.execute_query_dict(
        _dialect(conn, _grab_view_sql(order)), [_param(conn, order_id), _param(conn, institution_id)]
    )
    if not rows:  # no such institution
        return _GrabView(False, False, None, None, None, {})
    row = rows[0]
    uuid_of = Handling._meta.fields_map["handler_id"].to_python_value  # SQLite returns text
    return _GrabView(
        certified=bool(row["i_certified"]),
        matched=bool(row["i_matched"]),
        mine=uuid_of(row["h_id"]),
        mine_handler=uuid_of(row["h_handler_id"]),
        mine_status=HandlingStatus(row["h_status"]) if row["h_status"] is not None else None,
        order={column: row[column] for column in order._meta.fields_db_projection.values()},
    )


async def grab_need(principal: Principal, need_id: UUID) -> Handling:
    """抢单 (融资需求): up to N institutions, the first grab in each wins, CONFLICT for others.

    What the grab decides on is read before its transaction in one statement (``_grab_view_sql``), and
    a grab that cannot win (a colleague's handling, a need already full when read) is answered
    from it at once. What a grab that goes on only reads (the thresholds, the duplicate-financing
    check, the institutions to tell) is read next, still on the pool: the transaction holds the
    need's row lock from taking a place to commit, and every grab of that need waits for it. The
    race is still decided inside it (the conditional UPDATE, and the unique handling per need and
    institution)."""
    require_function(principal, Function.ORDER_GRAB)
    audit.target(audit.Target("FinancingNeed", need_id))
    institution_id = staff_institution(principal)
    seen = await _grab_view(FinancingNeed, need_id, institution_id)
    require_certified(seen.certified)
    if seen.mine is not None and seen.mine_handler == principal.user_id:
        async with change("finance", "FinancingNeed", need_id) as audited:
            audited.detail["repeated"] = True
        return await Handling.get(id=seen.mine)  # a repeat of one's own grab
    if seen.mine is not None and seen.mine_status != HandlingStatus.ASSIGNED:
        raise conflict(TAKEN_BY_COLLEAGUE, "TAKEN_BY_COLLEAGUE")
    if not seen.matched:
        raise not_found("financing need")
    if seen.mine is None and seen.full():
        raise conflict(NO_PLACE, "NO_PLACE")  # full or closed when read: no transaction to find that out
    need = FinancingNeed._init_from_db(**seen.order)
    mine = None if seen.mine is None else await Handling.get(id=seen.mine)  # transferred here (转单)
    handling = mine or new_handling(need, institution_id, need.loan_preference)
    terms = await _terms(institution_id, handling.guarantee_method)
    duplicates = await duplicate_financing(handling)
    matched = await notify.matched_institutions(need_id)
    async with change("finance", "FinancingNeed", need_id):
        if mine is not None:  # transferred to this institution (转单): its slot is already counted
            if not await _claim_with(mine, principal.user_id, terms):
                raise conflict(TAKEN_BY_COLLEAGUE, "TAKEN_BY_COLLEAGUE")
        else:
            if not await _take_place(need):
                raise conflict(NO_PLACE, "NO_PLACE")
            _apply(handling, principal.user_id, terms)
            try:
                await handling.save()
            except IntegrityError:  # a colleague's grab committed first: the slot goes back
                raise conflict(TAKEN_BY_COLLEAGUE, "TAKEN_BY_COLLEAGUE") from None
        await flag_duplicate_financing(handling, duplicates)
        await notify.pool("need.grabbed", need, matched, institution_id, need.status != NeedStatus.OPEN)
        await notify.my_order("GRABBED", need, handling)
    return handling


async def _claim_with(handling: Handling, handler_id: UUID, terms: _Terms) -> bool:
    """Take an ASSIGNED handling (an application, or a need transferred in) with ``terms``: one
    UPDATE decides. ``handling`` is the caller's copy of the row, filled in as the grab left it."""
    _apply(handling, handler_id, terms)
    return await transition(
        Handling,
        handling.id,
        HandlingStatus.ASSIGNED,
        None,
        handler_id=handler_id,
        status=HandlingStatus.GRABBED,
        grabbed_at=handling.grabbed_at,
        stage_due_at=handling.stage_due_at,
        completion_due_at=handling.completion_due_at,
    )


async def grab_application(principal: Principal, application_id: UUID) -> Handling:
    """抢单 (产品申请): the first account manager of the product's institution wins. Like
    ``grab_need``, it reads what it decides on in one statement (``_grab_view_sql``) before
    its transaction; the conditional UPDATE on the handling decides."""
    require_function(principal, Function.ORDER_GRAB)
    audit.target(audit.Target("ProductApplication", application_id))
    institution_id = staff_institution(principal)
    seen = await _grab_view(ProductApplication, application_id, institution_id)
    require_certified(seen.certified)
    if seen.mine is None:
        raise not_found("product application")
    if seen.mine_handler == principal.user_id:
        async with change("finance", "ProductApplication", application_id) as audited:
            audited.detail["repeated"] = True
        return await Handling.get(id=seen.mine)
    if seen.mine_status != HandlingStatus.ASSIGNED:
        raise conflict(APPLICATION_TAKEN, "APPLICATION_TAKEN")
    application = ProductApplication._init_from_db(**seen.order)
    mine = await Handling.get(id=seen.mine)
    terms = await _terms(institution_id, mine.guarantee_method)
    duplicates = await duplicate_financing(mine)
    async with change("finance", "ProductApplication", application_id):
        if not await _claim_with(mine, principal.user_id, terms):
            raise conflict(APPLICATION_TAKEN, "APPLICATION_TAKEN")
        if await transition(
            ProductApplication,
            application_id,
            ApplicationStatus.SUBMITTED,
            None,
            status=ApplicationStatus.HANDLING,
        ):
            application.status = ApplicationStatus.HANDLING  # as the row now is (read before)
        await flag_duplicate_financing(mine, duplicates)
        await notify.pool("application.grabbed", application, [institution_id], institution_id, True)
        await notify.my_order("GRABBED", application, mine)
    return mine


async def mark_need_viewed(principal: Principal, need_id: UUID) -> FinancingNeed:
    """查看需求: tells the applicant an institution has looked at it (once per institution)."""
    async with change("finance", "FinancingNeed", need_id):
        institution = await certified_institution(principal)
        need = await FinancingNeed.get_or_none(id=need_id)
        if need is None or not await NeedMatch.exists(need_id=need_id, institution_id=institution.id):
            raise not_found("financing need")
        first = await NeedMatch.filter(
            need_id=need_id, institution_id=institution.id, viewed_at__isnull=True
        ).update(viewed_at=now())
        if first:
            await notify.my_order("VIEWED", need)
    return need


async def withdraw_need(principal: Principal, need_id: UUID) -> FinancingNeed:
    """撤回融资需求 (before an offer is picked)."""
    async with change("finance", "FinancingNeed", need_id):
        need = await in_scope(
            principal,
            FinancingNeed,
            need_scope,
            need_id,
            "financing need",
            applicant_user_id=principal.user_id,
        )
        if need.status == NeedStatus.WITHDRAWN:
            return need
        await transition(
            FinancingNeed,
            need_id,
            OPEN_NEED,
            f"需求当前状态 {need.status} 不能撤回 (cannot withdraw now)",
            status=NeedStatus.WITHDRAWN,
        )
        await _close_handlings(need_id=need_id, status=HandlingStatus.WITHDRAWN)
        need = await FinancingNeed.get(id=need_id)
        await notify.need_pool("need.withdrawn", need)
        await notify.my_order("WITHDRAWN", need)
    return need


async def withdraw_application(principal: Principal, application_id: UUID) -> ProductApplication:
    """撤回产品申请 (before credit is granted)."""
    async with change("finance", "ProductApplication", application_id):
        application = await in_scope(
            principal,
            ProductApplication,
            application_scope,
            application_id,
            "product application",
            applicant_user_id=principal.user_id,
        )
        if application.status == ApplicationStatus.WITHDRAWN:
            return application
        await transition(
            ProductApplication,
            application_id,
            (ApplicationStatus.SUBMITTED, ApplicationStatus.HANDLING),
            f"申请当前状态 {application.status} 不能撤回 (cannot withdraw now)",
            status=ApplicationStatus.WITHDRAWN,
        )
        institutions = await _close_handlings(application_id=application_id, status=HandlingStatus.WITHDRAWN)
        application = await ProductApplication.get(id=application_id)
        await notify.pool("application.withdrawn", application, institutions, closed=True)
        await notify.my_order("WITHDRAWN", application)
    return application


async def select_offer(principal: Principal, offer_id: UUID) -> Handling:
    """选择预授信: the applicant picks one institution's offer."""
    require_role(principal, APPLICANTS, "选择预授信")
    async with change("finance", "PreCreditOffer", offer_id):
        # An applicant's scope holds only the offers on their own needs.
        offer = await in_scope(principal, PreCreditOffer, offer_scope, offer_id, "pre-credit offer")
        if offer.status == OfferStatus.ACCEPTED:
            return await Handling.get(id=offer.handling_id)
        if offer.valid_until < date.today():
            raise conflict("该预授信已过期 (the offer has expired)")
        await transition(
            FinancingNeed,
            offer.need_id,
            OPEN_NEED,
            "该需求已选定机构或已关闭 (an offer was already picked)",
            status=NeedStatus.SELECTED,
        )
        # The offer and its handling must both still stand (not transferred away, not closed):
        # otherwise CONFLICT, and the transaction undoes the need's change above.
        due = await stage_due_at(HandlingStatus.SELECTED, now(), offer.institution_id)
        if not await transition(
            PreCreditOffer, offer.id, OfferStatus.OFFERED, None, status=OfferStatus.ACCEPTED
        ) or not await transition(
            Handling,
            offer.handling_id,
            HandlingStatus.OFFERED,
            None,
            status=HandlingStatus.SELECTED,
            stage_due_at=due,
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
    return handling


async def republish_need(principal: Principal, need_id: UUID, max_institutions: int) -> FinancingNeed:
    """一键重新发布: after failed credit, post the same need again."""
    async with change("finance", "FinancingNeed", need_id):
        old = await in_scope(
            principal,
            FinancingNeed,
            need_scope,
            need_id,
            "financing need",
            applicant_user_id=principal.user_id,
        )
        if old.status == NeedStatus.REPUBLISHED:  # a repeat: the copy made the first time
            return await FinancingNeed.get(republished_from_id=need_id)
        await transition(
            FinancingNeed,
            need_id,
            NeedStatus.CREDIT_FAILED,
            "只有授信失败的需求可以重新发布 (only a need whose credit failed)",
            status=NeedStatus.REPUBLISHED,
        )
        fields = {name: getattr(old, name) for name in _COPIED}
        need = await FinancingNeed.create(
            **fields,
            order_no=new_order_no("N"),
            max_institutions=max_institutions,
            republished_from_id=old.id,
        )
        await notify.pool("need.published", need, await _match(need))
        await notify.my_order("SUBMITTED", need)
    return need


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
