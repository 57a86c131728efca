"""Orders: product applications (产品申请) and financing needs (融资需求), and each institution's
handling of one (受理: grab → pre-review → credit → disbursement), with its pre-credit offer."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from tortoise import fields

from models.common import EncryptedTextField, Entity
from models.finance.institutions import Institution
from models.finance.products import FinancialProduct, GuaranteeMethod


class OrderKind(StrEnum):
    APPLICATION = "APPLICATION"  # 产品申请: for one product, so for one institution
    NEED = "NEED"  # 融资需求: open to every matching institution


class ApplicationStatus(StrEnum):
    SUBMITTED = "SUBMITTED"  # 待抢单: in the issuing institution's pool
    HANDLING = "HANDLING"  # 受理中
    CREDITED = "CREDITED"  # 已授信
    DISBURSED = "DISBURSED"  # 已放款 (final)
    REJECTED = "REJECTED"  # 初审或授信未通过 (final)
    WITHDRAWN = "WITHDRAWN"  # 申请人撤回 (final)


class ProductApplication(Entity):
    """产品申请: for one listed product, grabbed by the account managers of its institution."""

    order_no = fields.CharField(max_length=24, unique=True)  # 订单号
    product_id: UUID  # the column behind ``product`` (for the type checker)
    product: fields.ForeignKeyRelation[FinancialProduct] = fields.ForeignKeyField(
        "finance.FinancialProduct", related_name="applications", on_delete=fields.RESTRICT
    )
    applicant_user_id = fields.UUIDField(db_index=True)  # operations User who applied
    applicant_id = fields.UUIDField(null=True, db_index=True)  # customers Customer, when known
    tenant_id = fields.UUIDField(null=True)
    amount = fields.DecimalField(max_digits=16, decimal_places=2)
    term_months = fields.IntField()
    purpose = fields.CharField(max_length=200)
    project = fields.CharField(max_length=100, default="")  # 融资项目: the duplicate-financing key
    district = fields.CharField(max_length=50, default="")  # 区县
    applicant_name = EncryptedTextField(default="")  # 申请人 / 企业名称
    id_number = EncryptedTextField(default="")  # 身份证号 / 统一社会信用代码
    contact_phone = EncryptedTextField(default="")
    consented_at = fields.DatetimeField()  # 授权: data-use consent given with the application
    status = fields.CharEnumField(ApplicationStatus, max_length=10, default=ApplicationStatus.SUBMITTED)
    feedback_stars = fields.IntField(null=True)  # 评价 1–5 after disbursement, counted in the rating

    class Meta:
        table = "product_application"
        indexes = (("created_at", "id"),)  # lists newest first (resolvers/common/pagination.py)


class NeedStatus(StrEnum):
    OPEN = "OPEN"  # in the grab pool: fewer than max_institutions have grabbed
    HANDLING = "HANDLING"  # 受理中: the pool is full; offers are being made
    SELECTED = "SELECTED"  # the applicant picked an offer
    CREDITED = "CREDITED"  # 已授信
    DISBURSED = "DISBURSED"  # 已放款 (final)
    CREDIT_FAILED = "CREDIT_FAILED"  # 授信失败: the applicant may republish
    WITHDRAWN = "WITHDRAWN"  # 撤回 (final)
    REPUBLISHED = "REPUBLISHED"  # replaced by a republished copy (final)


class FinancingNeed(Entity):
    """融资需求: posted when no product fits. Up to ``max_institutions`` institutions may grab it,
    one account manager each (相同职能业务人员竞争受理)."""

    order_no = fields.CharField(max_length=24, unique=True, null=True)  # 订单号
    applicant_user_id = fields.UUIDField(null=True, db_index=True)  # operations User who posted it
    applicant_id = fields.UUIDField(null=True, db_index=True)  # customers Customer, when known
    tenant_id = fields.UUIDField(null=True)
    amount = fields.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    term_months = fields.IntField()
    purpose = fields.CharField(max_length=200)
    project = fields.CharField(max_length=100, default="")  # 融资项目: the duplicate-financing key
    loan_preference = fields.CharEnumField(GuaranteeMethod, max_length=10, null=True)  # 贷款偏好
    expected_rate = fields.DecimalField(max_digits=6, decimal_places=3, null=True)  # 期望利率 %
    region = fields.CharField(max_length=50, default="")  # 区县
    industry = fields.CharField(max_length=50, default="")
    contact_name = EncryptedTextField(default="")  # 联系人 (PII, encrypted at rest)
    contact_phone = EncryptedTextField(default="")  # 联系电话 (PII, encrypted at rest)
    status = fields.CharEnumField(NeedStatus, max_length=14, default=NeedStatus.OPEN, db_index=True)
    max_institutions = fields.IntField(default=3)  # N, from the platform parameter when posted
    grab_count = fields.IntField(default=0)  # institutions holding a grab
    republished_from_id = fields.UUIDField(null=True)  # 一键重新发布: the failed need this copies

    class Meta:
        table = "financing_need"
        indexes = (("created_at", "id"),)  # lists newest first (resolvers/common/pagination.py)


class NeedMatch(Entity):
    """An institution the need is open to (ours: a certified institution with a listed product
    whose amount range holds the amount of the need and whose term is at least as long), fixed
    when the need is posted, republished or transferred."""

    need_id: UUID  # the column behind ``need`` (for the type checker)
    need: fields.ForeignKeyRelation[FinancingNeed] = fields.ForeignKeyField(
        "finance.FinancingNeed", related_name="matches", on_delete=fields.CASCADE
    )
    institution_id = fields.UUIDField(db_index=True)
    viewed_at = fields.DatetimeField(null=True)  # first opened by one of its account managers (已查看)

    class Meta:
        table = "need_match"
        unique_together = (("need", "institution_id"),)


class HandlingStatus(StrEnum):
    ASSIGNED = "ASSIGNED"  # 待抢单: the institution's account managers may grab it
    GRABBED = "GRABBED"  # 已抢单: awaiting the phone pre-review
    PRE_REVIEWED = "PRE_REVIEWED"  # 初审通过
    OFFERED = "OFFERED"  # 已预授信 (needs): waiting for the applicant to pick
    SELECTED = "SELECTED"  # the applicant picked this institution's offer (needs)
    CREDITED = "CREDITED"  # 已授信
    DISBURSED = "DISBURSED"  # 已放款 (final)
    REJECTED = "REJECTED"  # 初审或授信未通过 (final)
    NOT_SELECTED = "NOT_SELECTED"  # another institution's offer was picked (final)
    TRANSFERRED = "TRANSFERRED"  # 转单: the regulator moved the order to another institution (final)
    WITHDRAWN = "WITHDRAWN"  # the applicant withdrew the order (final)


class Handling(Entity):
    """受理单: how one institution handles one order, from its pool to the end. An application has
    one at a time, a need one per grabbing institution. SLA deadlines and statistics count these."""

    order_kind = fields.CharEnumField(OrderKind, max_length=12)
    order_no = fields.CharField(max_length=24, db_index=True)
    application_id: UUID | None  # the column behind ``application`` (for the type checker)
    application: fields.ForeignKeyNullableRelation[ProductApplication] = fields.ForeignKeyField(
        "finance.ProductApplication", related_name="handlings", null=True, on_delete=fields.CASCADE
    )
    need_id: UUID | None  # the column behind ``need`` (for the type checker)
    need: fields.ForeignKeyNullableRelation[FinancingNeed] = fields.ForeignKeyField(
        "finance.FinancingNeed", related_name="handlings", null=True, on_delete=fields.CASCADE
    )
    product_id = fields.UUIDField(null=True, db_index=True)  # applications only
    institution_id: UUID  # the column behind ``institution`` (for the type checker)
    institution: fields.ForeignKeyRelation[Institution] = fields.ForeignKeyField(
        "finance.Institution", related_name="handlings", on_delete=fields.RESTRICT
    )
    handler_id = fields.UUIDField(null=True, db_index=True)  # the account manager who grabbed it
    applicant_user_id = fields.UUIDField(null=True, db_index=True)
    status = fields.CharEnumField(HandlingStatus, max_length=14, db_index=True)
    # Copied from the order, so deadlines and statistics need no join:
    guarantee_method = fields.CharEnumField(GuaranteeMethod, max_length=10, null=True)
    amount = fields.DecimalField(max_digits=16, decimal_places=2)
    district = fields.CharField(max_length=50, default="")
    project = fields.CharField(max_length=100, default="")
    week = fields.DateField()  # Monday of the week it reached the institution (statistics)
    month = fields.DateField()  # first day of that month
    grabbed_at = fields.DatetimeField(null=True)
    pre_reviewed_at = fields.DatetimeField(null=True)
    credited_at = fields.DatetimeField(null=True)
    disbursed_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    stage_due_at = fields.DatetimeField(null=True, db_index=True)  # the current stage's threshold
    completion_due_at = fields.DatetimeField(null=True, db_index=True)  # N working days from the grab
    pre_review_passed = fields.BooleanField(null=True)
    credit_amount = fields.DecimalField(max_digits=16, decimal_places=2, null=True)
    credit_rate = fields.DecimalField(max_digits=6, decimal_places=3, null=True)
    disbursed_amount = fields.DecimalField(max_digits=16, decimal_places=2, null=True)
    guarantor_name = EncryptedTextField(default="")  # 担保人 (guaranteed loans)
    guarantor_id_number = EncryptedTextField(default="")
    guarantor_phone = EncryptedTextField(default="")
    reject_reason = fields.CharField(max_length=200, default="")
    overdue_reason = fields.CharField(max_length=300, default="")  # 超时原因, the institution's
    urge_count = fields.IntField(default=0)  # 催单 times
    transferred_from_id = fields.UUIDField(null=True)  # the Handling this one replaced (转单)

    class Meta:
        table = "handling"
        indexes = (("created_at", "id"),)  # lists newest first (resolvers/common/pagination.py)
        # First grab within an institution wins: the database refuses a second row.
        unique_together = (("need", "institution"), ("application", "institution"))


class OfferStatus(StrEnum):
    OFFERED = "OFFERED"
    ACCEPTED = "ACCEPTED"
    NOT_ACCEPTED = "NOT_ACCEPTED"


class PreCreditOffer(Entity):
    """预授信: the offer an institution makes on a need it grabbed, and the applicant accepts one."""

    handling_id: UUID  # the column behind ``handling`` (for the type checker)
    handling: fields.OneToOneRelation[Handling] = fields.OneToOneField(
        "finance.Handling", related_name="offer", on_delete=fields.CASCADE
    )
    need_id: UUID  # the column behind ``need`` (for the type checker)
    need: fields.ForeignKeyRelation[FinancingNeed] = fields.ForeignKeyField(
        "finance.FinancingNeed", related_name="offers", on_delete=fields.CASCADE
    )
    institution_id = fields.UUIDField(db_index=True)
    amount = fields.DecimalField(max_digits=16, decimal_places=2)
    rate = fields.DecimalField(max_digits=6, decimal_places=3)  # annual %
    term_months = fields.IntField()
    valid_until = fields.DateField()
    note = fields.CharField(max_length=300, default="")
    status = fields.CharEnumField(OfferStatus, max_length=14, default=OfferStatus.OFFERED)

    class Meta:
        table = "pre_credit_offer"
