"""An institution works an order it grabbed: phone pre-review (初审) → pre-credit offer (预授信,
needs) → credit (授信, with the guarantor when guaranteed) → disbursement (放款), or rejection.
Only the account manager who grabbed it acts; each step is a conditional UPDATE on the state
it leaves (``transition``), sets the next stage's threshold, and tells the applicant live."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from models.finance import (
    ActionKind,
    ApplicationStatus,
    FinancingNeed,
    GuaranteeMethod,
    Handling,
    HandlingStatus,
    NeedStatus,
    OrderKind,
    PreCreditOffer,
    ProductApplication,
    SupervisionAction,
)
from resolvers.common.changes import change, transition
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, forbidden
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.finance import notify
from resolvers.finance.deadlines import stage_due_at
from resolvers.finance.filters import HandlingFilter
from resolvers.finance.rating import record_decision, record_loan
from resolvers.finance.scopes import handling_scope, in_scope
from security.principal import Principal
from security.roles import Role


@dataclass(frozen=True)
class OfferTerms:
    """预授信."""

    amount: Decimal
    rate: Decimal
    term_months: int
    valid_until: date
    note: str = ""


@dataclass(frozen=True)
class CreditTerms:
    """授信 (guarantor details for guaranteed loans)."""

    amount: Decimal
    rate: Decimal
    guarantor_name: str = ""
    guarantor_id_number: str = ""
    guarantor_phone: str = ""


async def handlings(principal: Principal, first: int, after: str | None, f: HandlingFilter) -> Page[Handling]:
    """受理单: my institution's, the applicant's own, or all for supervisors."""
    queryset = f.apply(scoped(principal, Handling, handling_scope), now())
    return await paginate(queryset, first, after, newest_first=True)


async def handling_in_scope(principal: Principal, id: UUID) -> Handling:
    """The handling, if the caller's row scope holds it (``handling_scope``); NOT_FOUND otherwise."""
    return await in_scope(principal, Handling, handling_scope, id, "handling")


async def _mine(principal: Principal, id: UUID) -> Handling:
    """The handling, which the caller must have grabbed."""
    handling = await handling_in_scope(principal, id)
    if handling.handler_id != principal.user_id:
        raise forbidden("只有受理人可以办理 (only the account manager who grabbed it)")
    return handling


async def _step(
    handling: Handling, leaves: tuple[HandlingStatus, ...], to: HandlingStatus, **values: Any
) -> Handling:
    """Move ``handling`` from one of ``leaves`` to ``to``; CONFLICT when it is elsewhere."""
    due = await stage_due_at(to, now(), handling.institution_id)
    await transition(
        Handling,
        handling.id,
        leaves,
        f"受理单当前状态 {handling.status} 不能执行该操作 (not allowed from this state)",
        status=to,
        stage_due_at=due,
        **values,
    )
    return await Handling.get(id=handling.id)


async def order_of(handling: Handling) -> FinancingNeed | ProductApplication:
    """The application or need a handling works."""
    if handling.order_kind == OrderKind.NEED:
        return await FinancingNeed.get(id=handling.need_id)
    return await ProductApplication.get(id=handling.application_id)


def _final(**values: Any) -> dict[str, Any]:
    return {**values, "closed_at": now(), "completion_due_at": None}


async def pre_review(principal: Principal, handling_id: UUID, passed: bool, note: str = "") -> Handling:
    """电话初审: passed, or rejected with a reason."""
    async with change("finance", "Handling", handling_id):
        handling = await _mine(principal, handling_id)
        if passed:
            done = await _step(
                handling,
                (HandlingStatus.GRABBED,),
                HandlingStatus.PRE_REVIEWED,
                pre_review_passed=True,
                pre_reviewed_at=now(),
            )
        else:
            if not note.strip():
                raise bad_input("a rejection needs a reason (note)")
            done = await _step(
                handling,
                (HandlingStatus.GRABBED,),
                HandlingStatus.REJECTED,
                **_final(pre_review_passed=False, pre_reviewed_at=now(), reject_reason=note.strip()),
            )
            if handling.order_kind == OrderKind.APPLICATION:
                await ProductApplication.filter(id=handling.application_id).update(
                    status=ApplicationStatus.REJECTED
                )
                await record_decision(handling, credited=False)
        await notify.my_order("PRE_REVIEWED" if passed else "REJECTED", await order_of(done), done)
    return done


async def make_offer(principal: Principal, handling_id: UUID, terms: OfferTerms) -> Handling:
    """预授信: an offer on a need, for the applicant to pick."""
    if terms.amount <= 0 or not Decimal(0) < terms.rate < Decimal(100) or not 1 <= terms.term_months <= 360:
        raise bad_input("amount must be positive, rate a percentage, termMonths 1–360")
    if terms.valid_until < date.today():
        raise bad_input("validUntil must not be in the past")
    async with change("finance", "Handling", handling_id):
        handling = await _mine(principal, handling_id)
        if handling.order_kind != OrderKind.NEED:
            raise bad_input("offers are made on financing needs; applications go straight to credit")
        done = await _step(handling, (HandlingStatus.PRE_REVIEWED,), HandlingStatus.OFFERED)
        await PreCreditOffer.create(
            handling_id=handling.id,
            need_id=handling.need_id,
            institution_id=handling.institution_id,
            amount=terms.amount,
            rate=terms.rate,
            term_months=terms.term_months,
            valid_until=terms.valid_until,
            note=terms.note.strip(),
        )
        await notify.my_order("OFFERED", await order_of(done), done)
    return done


async def grant_credit(principal: Principal, handling_id: UUID, terms: CreditTerms) -> Handling:
    """授信: credit granted (guarantor details for guaranteed loans)."""
    if terms.amount <= 0 or not Decimal(0) < terms.rate < Decimal(100):
        raise bad_input("amount must be positive and rate a percentage")
    async with change("finance", "Handling", handling_id):
        handling = await _mine(principal, handling_id)
        guarantor = (
            terms.guarantor_name.strip(),
            terms.guarantor_id_number.strip(),
            terms.guarantor_phone.strip(),
        )
        if handling.guarantee_method == GuaranteeMethod.GUARANTEE and not all(guarantor):
            raise bad_input("担保类贷款需填写担保人姓名、证件号和电话 (guarantor details are required)")
        # An application is credited after pre-review; a need after the applicant picked the offer.
        leaves = (
            (HandlingStatus.SELECTED,)
            if handling.order_kind == OrderKind.NEED
            else (HandlingStatus.PRE_REVIEWED,)
        )
        done = await _step(
            handling,
            leaves,
            HandlingStatus.CREDITED,
            credit_amount=terms.amount,
            credit_rate=terms.rate,
            credited_at=now(),
        )
        # Encrypted columns are written through the instance (models/common.py), in the same transaction.
        done.guarantor_name, done.guarantor_id_number, done.guarantor_phone = guarantor
        await done.save(update_fields=["guarantor_name", "guarantor_id_number", "guarantor_phone"])
        await _set_order_status(done, ApplicationStatus.CREDITED, NeedStatus.CREDITED)
        await record_decision(done, credited=True, amount=terms.amount)
        await notify.my_order("CREDITED", await order_of(done), done)
    return done


async def fail_credit(principal: Principal, handling_id: UUID, reason: str) -> Handling:
    """授信失败: the applicant of a need may then republish it with one click."""
    if not reason.strip():
        raise bad_input("reason must not be empty")
    async with change("finance", "Handling", handling_id):
        handling = await _mine(principal, handling_id)
        # An application fails after pre-review, and fails with it. A need fails only once the
        # applicant picked this offer (SELECTED); before that it rejects this institution's
        # handling alone, as a failed pre-review does, and the other offers still stand.
        picked = handling.order_kind == OrderKind.NEED and handling.status == HandlingStatus.SELECTED
        leaves = (HandlingStatus.SELECTED,) if picked else (HandlingStatus.PRE_REVIEWED,)
        done = await _step(handling, leaves, HandlingStatus.REJECTED, **_final(reject_reason=reason.strip()))
        fails_order = picked or handling.order_kind == OrderKind.APPLICATION
        if fails_order:
            await _set_order_status(done, ApplicationStatus.REJECTED, NeedStatus.CREDIT_FAILED)
        await record_decision(done, credited=False)
        step = "CREDIT_FAILED" if fails_order else "REJECTED"
        await notify.my_order(step, await order_of(done), done)
    return done


async def disburse(principal: Principal, handling_id: UUID, amount: Decimal) -> Handling:
    """放款."""
    async with change("finance", "Handling", handling_id):
        handling = await _mine(principal, handling_id)
        if amount <= 0 or (handling.credit_amount is not None and amount > handling.credit_amount):
            raise bad_input("amount must be positive and at most the credited amount")
        done = await _step(
            handling,
            (HandlingStatus.CREDITED,),
            HandlingStatus.DISBURSED,
            **_final(disbursed_amount=amount, disbursed_at=now()),
        )
        await _set_order_status(done, ApplicationStatus.DISBURSED, NeedStatus.DISBURSED)
        await record_loan(done)
        await notify.my_order("DISBURSED", await order_of(done), done)
    return done


async def explain_overdue(principal: Principal, handling_id: UUID, reason: str) -> Handling:
    """超时原因: the institution explains an overdue order (seen by operations)."""
    if not reason.strip():
        raise bad_input("reason must not be empty")
    async with change("finance", "Handling", handling_id):
        handling = await handling_in_scope(principal, handling_id)
        if handling.handler_id != principal.user_id and not principal.has_role(Role.FI_ADMIN):
            raise forbidden("只有受理人或机构管理员可以说明超时原因")
        await Handling.filter(id=handling_id).update(overdue_reason=reason.strip()[:300])
        await SupervisionAction.create(
            handling_id=handling_id,
            kind=ActionKind.OVERDUE_REASON,
            actor_id=principal.user_id,
            note=reason.strip()[:300],
        )
    return await Handling.get(id=handling_id)


async def _set_order_status(handling: Handling, application: ApplicationStatus, need: NeedStatus) -> None:
    if handling.order_kind == OrderKind.NEED:
        await FinancingNeed.filter(id=handling.need_id).update(status=need)
    else:
        await ProductApplication.filter(id=handling.application_id).update(status=application)
