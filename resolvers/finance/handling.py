"""An institution works an order it grabbed: phone pre-review (初审) → pre-credit offer (预授信,
needs) → credit (授信, with the guarantor when guaranteed) → disbursement (放款), or rejection.
Only the account manager who grabbed it acts; each step is a conditional UPDATE on the state
it leaves, sets the next stage's threshold, and tells the applicant live."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry
from tortoise.models import Model

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
from resolvers.common.errors import bad_input, conflict, forbidden
from resolvers.common.values import parse_id
from resolvers.finance import notify
from resolvers.finance.access import change, in_scope, now
from resolvers.finance.deadlines import stage_due_at
from resolvers.finance.rating import record_decision, record_loan
from resolvers.finance.scopes import handling_scope
from schema.finance.orders import Handling as HandlingType
from security.roles import Role


@strawberry.input(description="预授信")
class OfferInput:
    amount: Decimal
    rate: Decimal = strawberry.field(description="年化利率 %")
    term_months: int
    valid_until: date
    note: str = ""


@strawberry.input(description="授信")
class CreditInput:
    amount: Decimal
    rate: Decimal = strawberry.field(description="年化利率 %")
    guarantor_name: str = strawberry.field(default="", description="担保人 (required for guaranteed loans)")
    guarantor_id_number: str = ""
    guarantor_phone: str = ""


async def handling_in_scope(info: strawberry.Info, id: UUID) -> Handling:
    """The handling, if the caller's row scope holds it (``handling_scope``); NOT_FOUND otherwise."""
    return await in_scope(info, Handling, handling_scope, id, "handling")


async def _mine(info: strawberry.Info, id: UUID) -> Handling:
    """The handling, which the caller must have grabbed."""
    handling = await handling_in_scope(info, id)
    if handling.handler_id != info.context.require_principal().user_id:
        raise forbidden("只有受理人可以办理 (only the account manager who grabbed it)")
    return handling


async def _step(
    handling: Handling, leaves: tuple[HandlingStatus, ...], to: HandlingStatus, **values: Any
) -> Handling:
    """Move ``handling`` from one of ``leaves`` to ``to``; CONFLICT when it is elsewhere."""
    due = await stage_due_at(to, now(), handling.institution_id)
    if not await Handling.filter(id=handling.id, status__in=leaves).update(
        status=to, stage_due_at=due, **values
    ):
        raise conflict(f"受理单当前状态 {handling.status} 不能执行该操作 (not allowed from this state)")
    return await Handling.get(id=handling.id)


async def order_of(handling: Handling) -> Model:
    """The application or need a handling works."""
    if handling.order_kind == OrderKind.NEED:
        return await FinancingNeed.get(id=handling.need_id)
    return await ProductApplication.get(id=handling.application_id)


def _final(**values: Any) -> dict[str, Any]:
    return {**values, "closed_at": now(), "completion_due_at": None}


@strawberry.type
class HandlingMutation:
    @strawberry.mutation(description="电话初审: passed, or rejected with a reason")
    async def pre_review(
        self, info: strawberry.Info, id: strawberry.ID, passed: bool, note: str = ""
    ) -> HandlingType:
        handling_id = parse_id(id)
        async with change(info, "Handling", handling_id):
            handling = await _mine(info, handling_id)
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
        return done  # type: ignore[return-value]

    @strawberry.mutation(description="预授信: an offer on a need, for the applicant to pick")
    async def make_offer(self, info: strawberry.Info, id: strawberry.ID, input: OfferInput) -> HandlingType:
        handling_id = parse_id(id)
        if (
            input.amount <= 0
            or not Decimal(0) < input.rate < Decimal(100)
            or not 1 <= input.term_months <= 360
        ):
            raise bad_input("amount must be positive, rate a percentage, termMonths 1–360")
        if input.valid_until < date.today():
            raise bad_input("validUntil must not be in the past")
        async with change(info, "Handling", handling_id):
            handling = await _mine(info, handling_id)
            if handling.order_kind != OrderKind.NEED:
                raise bad_input("offers are made on financing needs; applications go straight to credit")
            done = await _step(handling, (HandlingStatus.PRE_REVIEWED,), HandlingStatus.OFFERED)
            await PreCreditOffer.create(
                handling_id=handling.id,
                need_id=handling.need_id,
                institution_id=handling.institution_id,
                amount=input.amount,
                rate=input.rate,
                term_months=input.term_months,
                valid_until=input.valid_until,
                note=input.note.strip(),
            )
            await notify.my_order("OFFERED", await order_of(done), done)
        return done  # type: ignore[return-value]

    @strawberry.mutation(description="授信: credit granted (guarantor details for guaranteed loans)")
    async def grant_credit(
        self, info: strawberry.Info, id: strawberry.ID, input: CreditInput
    ) -> HandlingType:
        handling_id = parse_id(id)
        if input.amount <= 0 or not Decimal(0) < input.rate < Decimal(100):
            raise bad_input("amount must be positive and rate a percentage")
        async with change(info, "Handling", handling_id):
            handling = await _mine(info, handling_id)
            guarantor = (
                input.guarantor_name.strip(),
                input.guarantor_id_number.strip(),
                input.guarantor_phone.strip(),
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
                credit_amount=input.amount,
                credit_rate=input.rate,
                credited_at=now(),
            )
            # Encrypted columns are written through the instance (models/common.py), in the same transaction.
            done.guarantor_name, done.guarantor_id_number, done.guarantor_phone = guarantor
            await done.save(update_fields=["guarantor_name", "guarantor_id_number", "guarantor_phone"])
            await _set_order_status(done, ApplicationStatus.CREDITED, NeedStatus.CREDITED)
            await record_decision(done, credited=True, amount=input.amount)
            await notify.my_order("CREDITED", await order_of(done), done)
        return done  # type: ignore[return-value]

    @strawberry.mutation(description="授信失败: the applicant of a need may then republish it with one click")
    async def fail_credit(self, info: strawberry.Info, id: strawberry.ID, reason: str) -> HandlingType:
        handling_id = parse_id(id)
        if not reason.strip():
            raise bad_input("reason must not be empty")
        async with change(info, "Handling", handling_id):
            handling = await _mine(info, handling_id)
            # An application fails after pre-review, and fails with it. A need fails only once the
            # applicant picked this offer (SELECTED); before that it rejects this institution's
            # handling alone, as a failed pre-review does, and the other offers still stand.
            picked = handling.order_kind == OrderKind.NEED and handling.status == HandlingStatus.SELECTED
            leaves = (HandlingStatus.SELECTED,) if picked else (HandlingStatus.PRE_REVIEWED,)
            done = await _step(
                handling, leaves, HandlingStatus.REJECTED, **_final(reject_reason=reason.strip())
            )
            fails_order = picked or handling.order_kind == OrderKind.APPLICATION
            if fails_order:
                await _set_order_status(done, ApplicationStatus.REJECTED, NeedStatus.CREDIT_FAILED)
            await record_decision(done, credited=False)
            step = "CREDIT_FAILED" if fails_order else "REJECTED"
            await notify.my_order(step, await order_of(done), done)
        return done  # type: ignore[return-value]

    @strawberry.mutation(description="放款")
    async def disburse(self, info: strawberry.Info, id: strawberry.ID, amount: Decimal) -> HandlingType:
        handling_id = parse_id(id)
        async with change(info, "Handling", handling_id):
            handling = await _mine(info, handling_id)
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
        return done  # type: ignore[return-value]

    @strawberry.mutation(
        description="超时原因: the institution explains an overdue order (seen by operations)"
    )
    async def explain_overdue(self, info: strawberry.Info, id: strawberry.ID, reason: str) -> HandlingType:
        principal = info.context.require_principal()
        handling_id = parse_id(id)
        if not reason.strip():
            raise bad_input("reason must not be empty")
        async with change(info, "Handling", handling_id):
            handling = await handling_in_scope(info, handling_id)
            if handling.handler_id != principal.user_id and not principal.has_role(Role.FI_ADMIN):
                raise forbidden("只有受理人或机构管理员可以说明超时原因")
            await Handling.filter(id=handling_id).update(overdue_reason=reason.strip()[:300])
            await SupervisionAction.create(
                handling_id=handling_id,
                kind=ActionKind.OVERDUE_REASON,
                actor_id=principal.user_id,
                note=reason.strip()[:300],
            )
        return await Handling.get(id=handling_id)  # type: ignore[return-value]


async def _set_order_status(handling: Handling, application: ApplicationStatus, need: NeedStatus) -> None:
    if handling.order_kind == OrderKind.NEED:
        await FinancingNeed.filter(id=handling.need_id).update(status=need)
    else:
        await ProductApplication.filter(id=handling.application_id).update(status=application)
