"""注册 / 入驻 (onboarding): one-time signup codes and the text messages that carry them, applicants'
applications (企业 / 个人) awaiting an operator, and the financial institutions onboarded
(resolvers/operations/signup.py, onboarding.py)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from models.common import BlindIndexField, EncryptedTextField, Entity


class SignupCode(Entity):
    """验证码: one code sent to a phone. Only its keyed hash is kept (HMAC with the PII index key,
    bound to the phone), good for 5 minutes and 5 tries; ``used_at`` once a registration took it.
    The rows also count the requests per phone and per address (the rate limits)."""

    phone_bidx = fields.CharField(max_length=64, db_index=True)  # the phone's blind index, never the number
    code_hash = fields.CharField(max_length=64)
    address = fields.CharField(max_length=64, db_index=True)  # who asked (client address)
    expires_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)  # wrong codes tried
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "signup_code"


class SignupMessageStatus(StrEnum):
    QUEUED = "QUEUED"  # 待发送 (also: waiting for a retry)
    SENT = "SENT"  # 已提交网关
    FAILED = "FAILED"  # 发送失败 (retries used up)


class SignupMessage(Entity):
    """短信发件箱: the text carrying a signup code, written in the transaction that made the code and
    handed to the message gateway after it commits (signup.py ``deliver_signup_messages``). Number
    and text are encrypted; the row is deleted once its code has expired."""

    phone = EncryptedTextField()
    body = EncryptedTextField()
    status = fields.CharEnumField(
        SignupMessageStatus, max_length=6, default=SignupMessageStatus.QUEUED, db_index=True
    )
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    sent_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=300, default="")

    class Meta:
        table = "signup_message"


class ApplicantKind(StrEnum):
    ENTERPRISE = "ENTERPRISE"  # 企业
    INDIVIDUAL = "INDIVIDUAL"  # 个人


class ApplicantStatus(StrEnum):
    PENDING = "PENDING"  # 待审核
    APPROVED = "APPROVED"  # 已通过 (the user exists)
    REJECTED = "REJECTED"  # 已驳回


class ApplicantApplication(Entity):
    """注册申请: an enterprise or individual who registered with a verified phone, waiting for an
    operator (运营). One live application per phone and per username: ``active_phone`` and
    ``active_username`` hold them while it is pending or approved (NULL once rejected, so the phone
    may apply again); their unique constraints settle two registrations at the same moment."""

    kind = fields.CharEnumField(ApplicantKind, max_length=10)
    status = fields.CharEnumField(ApplicantStatus, max_length=8, default=ApplicantStatus.PENDING)
    name = fields.CharField(max_length=100)  # 企业名称 / 姓名
    credit_code = EncryptedTextField(null=True)  # 统一社会信用代码 (enterprise)
    credit_code_bidx = BlindIndexField(source="credit_code")
    id_number = EncryptedTextField(null=True)  # 身份证号 (individual, optional)
    id_number_bidx = BlindIndexField(source="id_number")
    phone = EncryptedTextField()
    phone_bidx = BlindIndexField(source="phone")
    active_phone = fields.CharField(max_length=64, null=True, unique=True)
    username = fields.CharField(max_length=64, db_index=True)
    active_username = fields.CharField(max_length=64, null=True, unique=True)
    password_hash = fields.CharField(max_length=255)  # chosen at registration; moves to the user
    link_consent = fields.BooleanField(default=False)  # 授权关联本行客户信息
    address = fields.CharField(max_length=64, default="")
    reviewed_by = fields.UUIDField(null=True)  # operations User (the operator)
    reviewed_at = fields.DatetimeField(null=True)
    reject_reason = fields.CharField(max_length=200, default="")
    user_id = fields.UUIDField(null=True, unique=True)  # the user approval created

    class Meta:
        table = "applicant_application"


class InstitutionOnboarding(Entity):
    """金融机构入驻: the org, the finance institution (made by finance from the
    ``institution.onboarded`` event) and the first FI admin, made by one onboarding. The 统一社会信用代码
    and the org code are unique: a repeated submission is CONFLICT, never a second institution."""

    credit_code = fields.CharField(max_length=18, unique=True)
    org_id = fields.UUIDField(unique=True)
    institution_id = fields.UUIDField(unique=True)  # finance Institution id, chosen here
    name = fields.CharField(max_length=100)
    kind = fields.CharField(max_length=20)  # finance InstitutionKind
    district = fields.CharField(max_length=50, default="")
    admin_user_id = fields.UUIDField()
    created_by = fields.UUIDField()

    class Meta:
        table = "institution_onboarding"
