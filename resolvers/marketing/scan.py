"""大众营销扫码 (mass-marketing QR codes): staff make a code for a product (二维码); a customer scans
it and leaves a phone (and optionally a name and remark) on a public page, without login. The intent
becomes an opportunity (商机): of the bank's customer with that phone (matched by the phone's blind
index), or a lead (线索) with no customer. The same phone scanning the same code again on the same
day (China time) is the same opportunity. A code with a manager gives its opportunities to that
manager (我的商机); otherwise they enter the bank's pool (商机池).

The public endpoint (subgraphs/opportunity_scan.py) answers the same whether the phone matched a
customer or not: a scan learns nothing about the bank's customers.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.marketing import Opportunity, OpportunityStatus, QrCode
from realtime.broker import OPPORTUNITY_POOL
from resolvers.common.changes import change
from resolvers.common.clock import CST
from resolvers.common.customer_directory import customer_by_phone, phone_digest
from resolvers.common.errors import bad_input, not_found
from resolvers.common.events import publish
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.customers.directory import customer_managers, tenant_orgs
from resolvers.marketing.permissions import require_qr_maker
from resolvers.marketing.scopes import qr_code_scope
from security.crypto import normalise
from security.masking import PiiKind, mask
from security.principal import Principal

SOURCE = "QR_SCAN"
MOBILE = re.compile(r"^1[3-9]\d{9}$")
MAX_NAME = 50
MAX_REMARK = 200


def _label(value: str, name: str, limit: int) -> str:
    text = value.strip()
    if not text or len(text) > limit:
        raise bad_input(f"{name} must be 1 to {limit} characters")
    return text


async def create_qr_code(
    principal: Principal,
    product_name: str,
    label: str,
    org_id: UUID | None = None,
    manager_id: UUID | None = None,
) -> QrCode:
    """二维码 for a product, of an org in the caller's scope (default: the caller's own), optionally
    giving its opportunities to a customer manager of that org's subtree."""
    require_qr_maker(principal)
    product = _label(product_name, "productName", 100)
    text = _label(label, "label", 100)
    org_id = org_id or principal.org_id
    org = (await tenant_orgs([org_id], principal.tenant_id)).get(org_id)
    if org is None or not qr_code_scope(principal).test(_OrgPath(org.path)):
        raise not_found("org")
    if manager_id is not None:
        manager = (await customer_managers([manager_id], principal.tenant_id)).get(manager_id)
        if manager is None or not qr_code_scope(principal).test(_OrgPath(manager.org.path)):
            raise not_found("manager")
        if not _OrgPath(manager.org.path).below(org.path):
            raise bad_input("managerId must be a customer manager of the code's org (or below it)")
    assert principal.tenant_id is not None
    async with change("marketing", "QrCode") as audited:
        code = await QrCode.create(
            tenant_id=principal.tenant_id,
            org_id=org.id,
            org_path=org.path,
            manager_id=manager_id,
            product_name=product,
            label=text,
            token=secrets.token_urlsafe(24),
            created_by=principal.user_id,
        )
        audited.id = code.id
    return code


async def list_qr_codes(principal: Principal, first: int, after: str | None) -> Page[QrCode]:
    return await paginate(scoped(principal, QrCode, qr_code_scope), first, after, newest_first=True)


@dataclass(frozen=True)
class _OrgPath:
    org_path: str

    def below(self, path: str) -> bool:
        return self.org_path == path or self.org_path.startswith(path + "/")


# The public intake ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanIntent:
    phone: str
    name: str
    remark: str


def parse_intent(body: object) -> ScanIntent | str:
    """A scan's body ``{"phone", "name"?, "remark"?}``, or why it is refused."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    phone, name, remark = body.get("phone"), body.get("name", ""), body.get("remark", "")
    if not isinstance(phone, str) or not MOBILE.match(normalise(phone)):
        return "phone must be an 11-digit mobile number"
    if not isinstance(name, str) or len(name.strip()) > MAX_NAME:
        return f"name must be text of at most {MAX_NAME} characters"
    if not isinstance(remark, str) or len(remark.strip()) > MAX_REMARK:
        return f"remark must be text of at most {MAX_REMARK} characters"
    return ScanIntent(normalise(phone), name.strip(), remark.strip())


async def record_scan(token: str, intent: ScanIntent, now: datetime | None = None) -> bool:
    """Record a scan of the code ``token``; NOT_FOUND for an unknown or retired code. True when a new
    opportunity was made, False when it repeated one of the same day."""
    code = await QrCode.get_or_none(token=token, active=True) if 0 < len(token) <= 64 else None
    if code is None:
        raise not_found("QR code")
    moment = now or datetime.now(UTC)
    digest = phone_digest(intent.phone)
    key = f"qr:{code.id}:{digest[:32]}:{moment.astimezone(CST).date().isoformat()}"
    if await Opportunity.exists(dedupe_key=key):
        return False
    match = await customer_by_phone(code.tenant_id, intent.phone)
    opportunity = Opportunity(
        tenant_id=code.tenant_id,
        customer_id=match.id if match else None,
        title=f"扫码意向：{code.product_name}",  # never the customer's name
        product_name=code.product_name,
        source=SOURCE,
        org_path=match.org_path if match else code.org_path,
        qr_code_id=code.id,
        dedupe_key=key,
        lead_name=intent.name or None,
        lead_phone=intent.phone,
        lead_remark=intent.remark or None,
        masked_phone=mask(PiiKind.PHONE, intent.phone),
    )
    if code.manager_id is not None:  # a manager's own code: straight to 我的商机
        opportunity.status = OpportunityStatus.CLAIMED
        opportunity.claimed_by_id = code.manager_id
        opportunity.claimed_at = moment
        opportunity.claimed_org_path = code.org_path
    try:
        async with in_transaction("marketing"):
            await opportunity.save(force_create=True)
            if opportunity.status is OpportunityStatus.OPEN:
                await publish(OPPORTUNITY_POOL, "opportunity.available", opportunity, opportunity.tenant_id)
    except IntegrityError:
        return False  # a twin scan committed first: one opportunity
    return True
