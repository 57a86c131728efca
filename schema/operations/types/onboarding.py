"""注册 / 入驻 types: an applicant's application as the operator reviews it and as the applicant
is answered, the signup code's receipt, and an onboarded institution with its first admin's
temporary password (shown once). Each reads its row or the resolver's value
(resolvers/operations/onboarding.py, signup.py); relations resolve through ``info.context.loaders``."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from models.operations import ApplicantApplication as ApplicationRow
from resolvers.operations.onboarding import OnboardedInstitution as OnboardedRow
from schema.operations.context import Info
from schema.operations.enums import ApplicantKind, ApplicantStatus
from schema.operations.types.orgs import Org, User
from security.masking import PiiKind, mask


@strawberry.type(description="验证码已发送: the same answer whether or not the phone is known")
class SignupCodeSent:
    expires_at: datetime = strawberry.field(description="the code is good until then (5 minutes)")
    resend_after_seconds: int = strawberry.field(description="a new code may be asked for after this")


@strawberry.type(description="注册申请已提交: what the applicant is told (pending an operator's approval)")
class ApplicantRegistration:
    id: strawberry.ID
    kind: ApplicantKind
    status: ApplicantStatus
    name: str
    created_at: datetime


@strawberry.type(description="注册申请 (企业 / 个人), as the platform operator reviews it")
class ApplicantApplication:
    id: strawberry.ID
    kind: ApplicantKind
    status: ApplicantStatus
    name: str = strawberry.field(description="企业名称 / 姓名")
    credit_code: str | None = strawberry.field(description="统一社会信用代码 (enterprise), in full: reviewed")
    username: str = strawberry.field(description="登录名 the applicant chose")
    link_consent: bool = strawberry.field(description="同意关联本行客户信息")
    reject_reason: str = strawberry.field(description="驳回原因 (empty unless rejected)")
    created_at: datetime
    reviewed_at: datetime | None
    user_id: strawberry.ID | None = strawberry.field(description="the user approval created")

    @strawberry.field(description="手机号, masked")
    @staticmethod
    def phone(parent: strawberry.Parent[ApplicationRow]) -> str:
        return mask(PiiKind.PHONE, parent.phone)

    @strawberry.field(description="身份证号 (individual, optional), masked")
    @staticmethod
    def id_number(parent: strawberry.Parent[ApplicationRow]) -> str | None:
        return mask(PiiKind.ID_NUMBER, parent.id_number) if parent.id_number else None

    @strawberry.field(description="the operator who reviewed it (null: pending, or one you do not see)")
    @staticmethod
    async def reviewed_by(parent: strawberry.Parent[ApplicationRow], info: Info) -> User | None:
        if parent.reviewed_by is None:
            return None
        return cast("User | None", await info.context.loaders.user.load(parent.reviewed_by))


@strawberry.type(
    description="金融机构入驻: the new org, its first FI admin and that admin's temporary password"
)
class OnboardedInstitution:
    @strawberry.field(description="金融机构 id in finance (uncertified until certifyInstitution)")
    @staticmethod
    def institution_id(parent: strawberry.Parent[OnboardedRow]) -> strawberry.ID:
        return strawberry.ID(str(parent.onboarding.institution_id))

    @strawberry.field(description="统一社会信用代码")
    @staticmethod
    def credit_code(parent: strawberry.Parent[OnboardedRow]) -> str:
        return parent.onboarding.credit_code

    @strawberry.field(description="机构类型 (finance InstitutionKind)")
    @staticmethod
    def kind(parent: strawberry.Parent[OnboardedRow]) -> str:
        return parent.onboarding.kind

    @strawberry.field(description="the institution's org: a tenant of its own")
    @staticmethod
    def org(parent: strawberry.Parent[OnboardedRow]) -> Org:
        return cast(Org, parent.org)

    @strawberry.field(description="the first 机构管理员 (FI_ADMIN)")
    @staticmethod
    def admin(parent: strawberry.Parent[OnboardedRow]) -> User:
        return cast(User, parent.admin.user)

    @strawberry.field(description="临时密码 of the admin: shown this once, changed at the first login")
    @staticmethod
    def temporary_password(parent: strawberry.Parent[OnboardedRow]) -> str:
        return parent.admin.temporary_password
