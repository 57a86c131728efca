"""Input types of the marketing schema."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from resolvers.marketing.audiences import CriteriaInput
from schema.marketing.enums import Channel, ConditionField, ContentKind, CustomerTier, NodeKind


@strawberry.input
class CreateOpportunityInput:
    customer_id: strawberry.ID
    title: str
    product_name: str = ""
    source: str = "manual"


@strawberry.input(description="目标客群的条件: every one given must hold")
class AudienceCriteriaInput:
    tags: list[str] | None = strawberry.field(default=None, description="标签: has all of them")
    tiers: list[CustomerTier] | None = strawberry.field(default=None, description="客户分层: any of them")
    aum_min: Decimal | None = strawberry.field(default=None, description="金融资产下限 (inclusive)")
    aum_max: Decimal | None = strawberry.field(default=None, description="金融资产上限 (inclusive)")
    grid_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="网格 of the bank: any of them"
    )
    products_held: list[str] | None = strawberry.field(
        default=None, description="持有产品 (names): any of them"
    )
    org_path: str | None = strawberry.field(
        default=None,
        description="机构范围 (辖内): an org path within the caller's bank (a branch head: own subtree)",
    )

    def plain(self) -> CriteriaInput:
        return CriteriaInput(
            tags=self.tags,
            tiers=[t.value for t in self.tiers] if self.tiers is not None else None,
            aum_min=self.aum_min,
            aum_max=self.aum_max,
            grid_ids=[str(g) for g in self.grid_ids] if self.grid_ids is not None else None,
            products_held=self.products_held,
            org_path=self.org_path,
        )


@strawberry.input
class CreateAudienceInput:
    name: str
    criteria: AudienceCriteriaInput
    idempotency_key: str | None = strawberry.field(
        default=None, description="幂等键: a retry returns the first"
    )


@strawberry.input(description="分支条件")
class CanvasConditionInput:
    field: ConditionField
    tiers: list[CustomerTier] | None = None
    aum_min: Decimal | None = None
    aum_max: Decimal | None = None
    products_held: list[str] | None = None

    def plain(self) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "field": self.field.value,
            "tiers": [t.value for t in self.tiers] if self.tiers else None,
            "aumMin": None if self.aum_min is None else str(self.aum_min),
            "aumMax": None if self.aum_max is None else str(self.aum_max),
            "productsHeld": self.products_held,
        }
        return {k: v for k, v in stored.items() if v is not None}


@strawberry.input(description="画布节点: which fields matter depends on kind (docs/marketing.md)")
class CanvasNodeInput:
    id: str
    kind: NodeKind
    audience_id: strawberry.ID | None = strawberry.field(
        default=None, description="AUDIENCE: a stored audience"
    )
    criteria: AudienceCriteriaInput | None = strawberry.field(
        default=None, description="AUDIENCE: or criteria"
    )
    product_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="PRODUCT: listed products"
    )
    channel: Channel | None = strawberry.field(default=None, description="SEND")
    content_key: str | None = strawberry.field(default=None, description="SEND: a content template's key")
    condition: CanvasConditionInput | None = strawberry.field(default=None, description="BRANCH, GOAL")
    days: int = strawberry.field(default=0, description="WAIT: days until the next wave")
    points: int = strawberry.field(default=0, description="BENEFIT: 积分")

    def plain(self) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind.value,
            "audienceId": str(self.audience_id) if self.audience_id is not None else None,
            "criteria": _criteria_json(self.criteria) if self.criteria is not None else None,
            "productIds": [str(p) for p in self.product_ids] if self.product_ids is not None else None,
            "channel": self.channel.value if self.channel is not None else None,
            "contentKey": self.content_key,
            "condition": self.condition.plain() if self.condition is not None else None,
            "days": self.days or None,
            "points": self.points or None,
        }
        return {k: v for k, v in stored.items() if v is not None}


@strawberry.input(description="画布连线")
class CanvasEdgeInput:
    from_: str = strawberry.field(name="from")
    to: str
    when: str | None = strawberry.field(default=None, description="out of a BRANCH or GOAL: YES or NO")


@strawberry.input(description="画布")
class CanvasGraphInput:
    nodes: list[CanvasNodeInput]
    edges: list[CanvasEdgeInput]

    def plain(self) -> dict[str, Any]:
        return {
            "nodes": [n.plain() for n in self.nodes],
            "edges": [{"from": e.from_, "to": e.to, "when": e.when} for e in self.edges],
        }


@strawberry.input(description="内容模板 (variables: {{surname}} {{product}} {{points}} {{bank}})")
class ContentTemplateInput:
    key: str
    kind: ContentKind
    body: str
    title: str = ""
    image_url: str = ""

    def plain(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind.value,
            "title": self.title,
            "body": self.body,
            "imageUrl": self.image_url,
        }


@strawberry.input
class CreateCampaignTemplateInput:
    name: str
    scenario_code: str = strawberry.field(default="", description="场景库: without a graph, the scenario's")
    description: str = ""
    graph: CanvasGraphInput | None = None
    contents: list[ContentTemplateInput] | None = None


@strawberry.input
class CreateCampaignInput:
    name: str
    template_id: strawberry.ID | None = strawberry.field(default=None, description="start from this template")
    scenario_code: str = strawberry.field(default="", description="or from this scenario (场景库)")
    graph: CanvasGraphInput | None = strawberry.field(default=None, description="or this graph")
    contents: list[ContentTemplateInput] | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="幂等键: a retry returns the first"
    )


def _criteria_json(given: AudienceCriteriaInput) -> dict[str, Any]:
    plain = given.plain()
    stored: dict[str, Any] = {
        "tags": plain.tags,
        "tiers": plain.tiers,
        "aumMin": None if plain.aum_min is None else str(plain.aum_min),
        "aumMax": None if plain.aum_max is None else str(plain.aum_max),
        "gridIds": plain.grid_ids,
        "productsHeld": plain.products_held,
        "orgPath": plain.org_path,
    }
    return {k: v for k, v in stored.items() if v is not None}
