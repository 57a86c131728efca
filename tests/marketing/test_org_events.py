"""Marketing's copies of org paths follow a move of the org tree (resolvers/marketing/org_events.py,
the consumer of operations' ``operations.orgs``): a row under the moved org takes the new path, a
row elsewhere keeps its own, and the consumer's cursor is recorded with it. In process, on both
storages."""

from __future__ import annotations

import uuid

import pytest

from models.marketing import ConsumerCursor, Opportunity, QrCode
from models.operations import Org, OrgKind
from resolvers.marketing.org_events import CONSUMER, on_org_event
from subgraphs.settings import Settings
from testkit.factories import make_org
from testkit.inprocess import consume_latest_org_event, move_org

pytestmark = pytest.mark.integration


async def _code(at: Org) -> QrCode:
    return await QrCode.create(
        tenant_id=at.tenant_id,
        org_id=at.id,
        org_path=at.path,
        product_name="存款",
        label="移动测试",
        token=uuid.uuid4().hex,
        created_by=uuid.uuid4(),
    )


async def test_a_move_rewrites_marketing_paths(database: Settings) -> None:
    root = await make_org("营销移动省联社", OrgKind.PROVINCE_UNION)
    bank = await make_org("营销移动农商银行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    branch, other = [await make_org(f"营销移动支行{i}", OrgKind.BRANCH, bank) for i in (1, 2)]
    outlet = await make_org("营销移动网点", OrgKind.OUTLET, branch)
    moved, kept = await _code(outlet), await _code(branch)
    claimed = await Opportunity.create(
        tenant_id=bank.id, title="移动商机", org_path=branch.path, claimed_org_path=f"{outlet.path}"
    )
    new_path = await move_org(database, outlet, other)
    await consume_latest_org_event("marketing", CONSUMER, on_org_event, "org.moved", outlet.id)
    assert (await QrCode.get(id=moved.id)).org_path == new_path == f"{other.path}/{outlet.id}"
    assert (await QrCode.get(id=kept.id)).org_path == branch.path
    after = await Opportunity.get(id=claimed.id)  # claimed by the moved org's staff: both paths copied
    assert (after.org_path, after.claimed_org_path) == (branch.path, new_path)
    assert await ConsumerCursor.filter(name=CONSUMER).exists()
