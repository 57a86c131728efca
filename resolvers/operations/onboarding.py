"""注册 / 入驻 (onboarding, issue 19): applicants register themselves, an operator approves them, and
financial institutions are onboarded.

- **register** (企业 / 个人注册, anonymous): a phone proved with its code (signup.py), the name, for an
  enterprise its 统一社会信用代码 (identity_codes.py), for an individual optionally the ID number
  (encrypted, as customers' PII is), a username and password of their choosing (the password
  policy of security/passwords.py), and optionally consent to be linked to their bank customer.
  It makes a PENDING application, no user: login answers FORBIDDEN ``PENDING_APPROVAL`` only to
  whoever gives the right password (auth.py), and UNAUTHENTICATED as for any unknown name otherwise.
- **approve / reject** (运营审核, OPERATOR): approval creates the ENTERPRISE_USER / INDIVIDUAL user in
  the approving operator's org (the platform's) with the chosen password, in one transaction with the
  application's change, the user's history and the audit record, and records ``applicant.approved``
  on ``operations.onboarding``. The customers subgraph consumes it and, when the applicant
  consented, matches its own customers (enterprise by credit code, individual by ID number, else
  phone) and records the link with a consent (resolvers/customers/applicant_events.py): operations
  never reads customers' tables. Rejection frees the phone and username for a new application.
- **onboard an institution** (金融机构入驻, OPERATOR or the province's PLATFORM_ADMIN): the
  institution's org (a tenant root), its first FI_ADMIN with a temporary password shown once, and
  ``institution.onboarded``, from which finance creates the uncertified Institution
  (resolvers/finance/onboarding_events.py); certification is then finance's ``certifyInstitution``.

Applications are the platform's, not a tenant's: every operator sees them all; no other role does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError

from models.common import blind_index
from models.finance import InstitutionKind
from models.operations import (
    ApplicantApplication,
    ApplicantKind,
    ApplicantStatus,
    InstitutionOnboarding,
    Org,
    OrgKind,
    User,
)
from realtime.broker import ONBOARDING
from resolvers.common.changes import change
from resolvers.common.errors import CodedError, ErrorCode, bad_input, conflict, forbidden, not_found
from resolvers.common.events import publish
from resolvers.common.identity_codes import credit_code_problem, id_number_problem, normalise_credit_code
from resolvers.common.pagination import Page, paginate
from resolvers.operations import signup
from resolvers.operations.orgs import check_org_fields
from resolvers.operations.user_changes import UserAction, record_change, snapshot
from resolvers.operations.users import MAX_DISPLAY_NAME, USERNAME, IssuedPassword, temporary_password
from security.passwords import hash_password, policy_violation
from security.principal import Principal
from security.roles import Role

MAX_NAME = 100
MAX_PASSWORD = 256
MAX_REASON = 200
ROLE_OF = {ApplicantKind.ENTERPRISE: Role.ENTERPRISE_USER, ApplicantKind.INDIVIDUAL: Role.INDIVIDUAL}


@dataclass(frozen=True)
class Registration:
    """What an applicant submits (registerApplicant)."""

    kind: ApplicantKind
    phone: str
    code: str
    name: str
    username: str
    password: str
    credit_code: str | None = None  # 统一社会信用代码: enterprises
    id_number: str | None = None  # 身份证号: individuals, optional
    link_consent: bool = False  # 同意关联本人 / 本企业在本行的客户信息


@dataclass(frozen=True)
class Onboarding:
    """What an operator submits for an institution (onboardInstitution)."""

    code: str  # 机构号 of the new org
    name: str
    kind: str  # finance InstitutionKind
    credit_code: str
    admin_username: str
    admin_display_name: str
    district: str = ""


def _require_operator(principal: Principal) -> None:
    if not principal.has_role(Role.OPERATOR):
        raise forbidden("仅平台运营人员可审核注册申请 (only the platform operator reviews applications)")


def _require_onboarder(principal: Principal) -> None:
    province_admin = principal.has_role(Role.PLATFORM_ADMIN) and principal.tenant_id is None
    if not (principal.has_role(Role.OPERATOR) or province_admin):
        raise forbidden("仅平台运营或省级业务管理员可办理机构入驻 (operators and the province's admin only)")


def _taken(what: str, reason: str) -> CodedError:
    return conflict(f"{what} (already taken)", reason)


def _check_registration(form: Registration) -> tuple[str, str | None, str | None]:
    """The normalised phone, credit code and ID number, or BAD_USER_INPUT."""
    phone = signup.normalise_phone(form.phone)
    if not 2 <= len(form.name.strip()) <= MAX_NAME:
        raise bad_input(f"名称须为2–{MAX_NAME}个字符 (name: 2–{MAX_NAME} characters)")
    if not USERNAME.fullmatch(form.username.strip()):
        raise bad_input("用户名须为3–64位字母、数字或 _ . @ - (username: 3–64 of letters, digits, _ . @ -)")
    if len(form.password) > MAX_PASSWORD:
        raise bad_input("密码过长 (password too long)")
    if message := policy_violation(form.password):
        raise bad_input(message)
    credit_code = id_number = None
    if form.kind is ApplicantKind.ENTERPRISE:
        credit_code = normalise_credit_code(form.credit_code or "")
        if message := credit_code_problem(credit_code):
            raise bad_input(message)
        if form.id_number:
            raise bad_input("企业注册不填身份证号 (an enterprise gives its credit code, not an ID number)")
    else:
        if form.credit_code:
            raise bad_input("个人注册不填统一社会信用代码 (an individual has no credit code)")
        if form.id_number:
            id_number = form.id_number.strip().upper()
            if message := id_number_problem(id_number):
                raise bad_input(message)
    return phone, credit_code, id_number


async def register(form: Registration, address: str) -> ApplicantApplication:
    """企业 / 个人注册 (anonymous): a PENDING application. The code is checked first, so only the
    phone's holder learns anything (CONFLICT: this phone or username already has an application or
    user). Two registrations of one phone at once: one application, the other CONFLICT."""
    phone, credit_code, id_number = _check_registration(form)
    username = form.username.strip()
    code_id = await signup.check_code(phone, form.code.strip())
    if await User.exists(username=username):
        raise _taken("用户名已存在", "USERNAME_TAKEN")
    password_hash = hash_password(form.password)  # argon2: before the transaction, not inside it
    phone_bidx = blind_index(ApplicantApplication, "phone", phone)
    try:
        async with change("operations", "ApplicantApplication") as audited:
            if not await signup.take_code(code_id):
                if await ApplicantApplication.exists(active_phone=phone_bidx):
                    raise _taken("该手机号已提交注册申请", "PHONE_REGISTERED")
                raise signup.invalid_code()
            application = await ApplicantApplication.create(
                kind=form.kind,
                name=form.name.strip(),
                credit_code=credit_code,
                id_number=id_number,
                phone=phone,
                active_phone=phone_bidx,
                username=username,
                active_username=username,
                password_hash=password_hash,
                link_consent=form.link_consent,
                address=address[:64],
            )
            audited.id = application.id
    except IntegrityError:
        if await ApplicantApplication.exists(active_phone=phone_bidx):
            raise _taken("该手机号已提交注册申请", "PHONE_REGISTERED") from None
        raise _taken("用户名已存在", "USERNAME_TAKEN") from None
    return application


async def unapproved_application(username: str) -> ApplicantApplication | None:
    """For login (auth.py), when no user has ``username``: the latest application of that name not
    yet (or never) approved, whose password login checks in place of a user's."""
    queryset = ApplicantApplication.filter(username=username, status__not=ApplicantStatus.APPROVED)
    return await queryset.order_by("-created_at").first()


def refusal(application: ApplicantApplication) -> CodedError:
    """What login answers, after the right password, for an application not approved: FORBIDDEN
    with ``reason`` PENDING_APPROVAL, or APPLICATION_REJECTED with the operator's reason."""
    if application.status is ApplicantStatus.PENDING:
        error = CodedError(ErrorCode.FORBIDDEN, "注册申请审核中，审核通过后方可登录 (awaiting approval)")
        error.extensions["reason"] = "PENDING_APPROVAL"
    else:
        error = CodedError(ErrorCode.FORBIDDEN, f"注册申请未通过：{application.reject_reason} (rejected)")
        error.extensions["reason"] = "APPLICATION_REJECTED"
    return error


async def applications(
    principal: Principal, first: int, after: str | None, status: ApplicantStatus | None = None
) -> Page[ApplicantApplication]:
    """注册申请列表 (operators): by id, optionally of one status."""
    _require_operator(principal)
    queryset = ApplicantApplication.all()
    if status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset, first, after)


async def _pending(principal: Principal, application_id: UUID) -> ApplicantApplication:
    """Inside the transaction: the application locked; NOT_FOUND when there is none."""
    _require_operator(principal)
    application = await ApplicantApplication.filter(id=application_id).select_for_update().first()
    if application is None:
        raise not_found("ApplicantApplication")
    return application


async def approve(principal: Principal, application_id: UUID) -> ApplicantApplication:
    """审核通过: the user is created (its role from the kind, in the operator's org, with the chosen
    password). Approving an approved application again returns it; a rejected one is CONFLICT."""
    _require_operator(principal)
    org = await Org.get(id=principal.org_id)
    try:
        async with change("operations", "ApplicantApplication", application_id):
            application = await _pending(principal, application_id)
            if application.status is ApplicantStatus.APPROVED:
                return application
            if application.status is not ApplicantStatus.PENDING:
                raise conflict("该申请已驳回 (the application was rejected)", "ALREADY_REVIEWED")
            now = datetime.now(UTC)
            user = await User.create(
                username=application.username,
                display_name=application.name[:MAX_DISPLAY_NAME],
                org=org,
                roles=[ROLE_OF[ApplicantKind(application.kind)].value],
                tenant_id=org.tenant_id,
                password_hash=application.password_hash,
                password_changed_at=now,
            )
            await record_change(user, org.path, principal.user_id, UserAction.CREATED, {}, snapshot(user))
            application.status, application.user_id = ApplicantStatus.APPROVED, user.id
            application.reviewed_by, application.reviewed_at = principal.user_id, now
            await application.save(update_fields=["status", "user_id", "reviewed_by", "reviewed_at"])
            await publish(
                ONBOARDING,
                "applicant.approved",
                application,
                org.tenant_id,
                user_id=user.id,
                link_consent=application.link_consent,
            )
    except IntegrityError:  # a user of that name created meanwhile (createUser)
        raise _taken("用户名已被占用，请驳回并请申请人重新注册", "USERNAME_TAKEN") from None
    return application


async def reject(principal: Principal, application_id: UUID, reason: str) -> ApplicantApplication:
    """驳回 with a reason the applicant sees at login; the phone and username are free again.
    Rejecting a rejected application again returns it; an approved one is CONFLICT."""
    reason = reason.strip()
    if not 2 <= len(reason) <= MAX_REASON:
        raise bad_input(f"驳回原因须为2–{MAX_REASON}个字符 (reason: 2–{MAX_REASON} characters)")
    _require_operator(principal)
    async with change("operations", "ApplicantApplication", application_id):
        application = await _pending(principal, application_id)
        if application.status is ApplicantStatus.REJECTED:
            return application
        if application.status is not ApplicantStatus.PENDING:
            raise conflict("该申请已通过 (the application was approved)", "ALREADY_REVIEWED")
        application.status, application.reject_reason = ApplicantStatus.REJECTED, reason
        application.active_phone = application.active_username = None
        application.reviewed_by, application.reviewed_at = principal.user_id, datetime.now(UTC)
        await application.save(
            update_fields=[
                "status",
                "reject_reason",
                "active_phone",
                "active_username",
                "reviewed_by",
                "reviewed_at",
            ]
        )
    return application


@dataclass(frozen=True)
class OnboardedInstitution:
    """The onboarding, its org and its first FI admin with the temporary password (shown once)."""

    onboarding: InstitutionOnboarding
    org: Org
    admin: IssuedPassword


async def onboard_institution(principal: Principal, form: Onboarding) -> OnboardedInstitution:
    """金融机构入驻: org (tenant root, kind INSTITUTION), first FI_ADMIN (temporary password, changed
    at the first login) and the onboarding row in one transaction; finance creates the Institution,
    uncertified, from the event. The same 机构号, credit code or admin username again: CONFLICT."""
    _require_onboarder(principal)
    check_org_fields(form.name, form.code)
    credit_code = normalise_credit_code(form.credit_code)
    if message := credit_code_problem(credit_code):
        raise bad_input(message)
    if form.kind not in InstitutionKind.__members__:
        raise bad_input(f"未知的机构类型 {form.kind[:20]!r} (unknown institution kind)")
    username, display_name = form.admin_username.strip(), form.admin_display_name.strip()
    if not USERNAME.fullmatch(username):
        raise bad_input("用户名须为3–64位字母、数字或 _ . @ - (username: 3–64 of letters, digits, _ . @ -)")
    if not 1 <= len(display_name) <= MAX_DISPLAY_NAME:
        raise bad_input(f"姓名须为1–{MAX_DISPLAY_NAME}个字符 (display name: 1–{MAX_DISPLAY_NAME} characters)")
    if len(form.district.strip()) > 50:
        raise bad_input("所在区县至多50个字符 (district: at most 50 characters)")
    if await InstitutionOnboarding.exists(credit_code=credit_code):
        raise _taken("该机构已入驻", "INSTITUTION_ONBOARDED")
    if await Org.exists(code=form.code):
        raise _taken("机构号已存在", "ORG_CODE_TAKEN")
    if await User.exists(username=username):
        raise _taken("用户名已存在", "USERNAME_TAKEN")
    password = temporary_password()
    password_hash = hash_password(password)
    org_id, institution_id = uuid.uuid4(), uuid.uuid4()
    try:
        async with change("operations", "InstitutionOnboarding") as audited:
            org = await Org.create(
                id=org_id,
                code=form.code,
                name=form.name.strip(),
                kind=OrgKind.INSTITUTION,
                path=f"/{org_id}",
                tenant_id=org_id,
            )
            admin = await User.create(
                username=username,
                display_name=display_name,
                org=org,
                roles=[Role.FI_ADMIN.value],
                tenant_id=org.tenant_id,
                institution_id=institution_id,
                password_hash=password_hash,
                password_changed_at=datetime.now(UTC),
                must_change_password=True,
            )
            await record_change(admin, org.path, principal.user_id, UserAction.CREATED, {}, snapshot(admin))
            onboarding = await InstitutionOnboarding.create(
                credit_code=credit_code,
                org_id=org.id,
                institution_id=institution_id,
                name=org.name,
                kind=form.kind,
                district=form.district.strip(),
                admin_user_id=admin.id,
                created_by=principal.user_id,
            )
            audited.id = onboarding.id
            await publish(ONBOARDING, "institution.onboarded", onboarding, org.tenant_id, org_path=org.path)
    except IntegrityError:  # the same institution submitted by a request racing this one
        raise _taken("该机构已入驻或机构号、用户名已被占用", "INSTITUTION_ONBOARDED") from None
    return OnboardedInstitution(onboarding, org, IssuedPassword(admin, password))
