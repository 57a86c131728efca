"""Marketing types: the campaign canvas (营销画布) — scenarios, templates, campaigns, their waves with
figures, and the graph as typed nodes and edges. Rows (models/marketing/campaigns.py) are the parents;
waves and their figures resolve through ``info.context.loaders``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import strawberry

from models.marketing import Campaign as CampaignRow
from models.marketing import CampaignTemplate as TemplateRow
from models.marketing import CampaignWave as WaveRow
from resolvers.common.loading import MaybeAwaitable, ready
from resolvers.common.values import parse_id
from resolvers.marketing.audiences import criteria_of
from resolvers.marketing.scenarios import Scenario as ScenarioRecord
from resolvers.marketing.waves import WaveFigures
from schema.common.federation import entity
from schema.marketing.context import Info
from schema.marketing.enums import CampaignStatus, Channel, ConditionField, ContentKind, NodeKind, WaveStatus
from schema.marketing.types.audiences import AudienceCriteria, criteria_type


@strawberry.type(description="分支条件")
class CanvasCondition:
    field: ConditionField
    tiers: list[str]
    aum_min: str | None
    aum_max: str | None
    products_held: list[str]


@strawberry.type(description="画布节点")
class CanvasNode:
    id: str
    kind: NodeKind
    audience_id: strawberry.ID | None
    criteria: AudienceCriteria | None
    product_ids: list[strawberry.ID]
    channel: Channel | None
    content_key: str | None
    condition: CanvasCondition | None
    days: int
    points: int


@strawberry.type(description="画布连线 (when: YES / NO out of a BRANCH or GOAL)")
class CanvasEdge:
    from_: str = strawberry.field(name="from")
    to: str
    when: str | None


@strawberry.type(description="画布")
class CanvasGraph:
    nodes: list[CanvasNode]
    edges: list[CanvasEdge]


@strawberry.type(description="内容模板 (variables: {{surname}} {{product}} {{points}} {{bank}})")
class ContentTemplate:
    key: str
    kind: ContentKind
    title: str
    body: str
    image_url: str


def graph_type(stored: Mapping[str, Any]) -> CanvasGraph:
    nodes = []
    for raw in stored.get("nodes") or []:
        condition = raw.get("condition")
        nodes.append(
            CanvasNode(
                id=str(raw["id"]),
                kind=NodeKind(raw["kind"]),
                audience_id=strawberry.ID(raw["audienceId"]) if raw.get("audienceId") else None,
                criteria=criteria_type(criteria_of(raw["criteria"]))
                if raw.get("criteria") is not None
                else None,
                product_ids=[strawberry.ID(p) for p in raw.get("productIds") or []],
                channel=Channel(raw["channel"]) if raw.get("channel") else None,
                content_key=raw.get("contentKey"),
                condition=CanvasCondition(
                    field=ConditionField(condition["field"]),
                    tiers=list(condition.get("tiers") or []),
                    aum_min=condition.get("aumMin"),
                    aum_max=condition.get("aumMax"),
                    products_held=list(condition.get("productsHeld") or []),
                )
                if condition
                else None,
                days=int(raw.get("days") or 0),
                points=int(raw.get("points") or 0),
            )
        )
    edges = [CanvasEdge(from_=e["from"], to=e["to"], when=e.get("when")) for e in stored.get("edges") or []]
    return CanvasGraph(nodes=nodes, edges=edges)


def contents_type(stored: list[dict[str, Any]]) -> list[ContentTemplate]:
    return [
        ContentTemplate(
            key=c["key"],
            kind=ContentKind(c["kind"]),
            title=c.get("title", ""),
            body=c["body"],
            image_url=c.get("imageUrl", ""),
        )
        for c in stored
    ]


@strawberry.type(description="场景库: a ready canvas to start a template or campaign from")
class CampaignScenario:
    code: str
    name: str
    description: str

    @strawberry.field(description="画布")
    @staticmethod
    def graph(parent: strawberry.Parent[ScenarioRecord]) -> CanvasGraph:
        return graph_type(parent.graph)

    @strawberry.field(description="内容模板")
    @staticmethod
    def contents(parent: strawberry.Parent[ScenarioRecord]) -> list[ContentTemplate]:
        return contents_type(parent.contents)


@strawberry.federation.type(
    keys=["id"], description="营销画布模板 (the province's, or a bank's own / sent down to it)"
)
class CampaignTemplate:
    id: strawberry.ID
    name: str
    scenario_code: str
    description: str
    created_at: datetime

    @strawberry.field(description="下发来源: the province template this copy was sent down from")
    @staticmethod
    def source_id(parent: strawberry.Parent[TemplateRow]) -> strawberry.ID | None:
        return strawberry.ID(str(parent.source_id)) if parent.source_id else None

    @strawberry.field(description="所属法人行社: null for a province template")
    @staticmethod
    def tenant_id(parent: strawberry.Parent[TemplateRow]) -> strawberry.ID | None:
        return strawberry.ID(str(parent.tenant_id)) if parent.tenant_id else None

    @strawberry.field(description="画布")
    @staticmethod
    def graph(parent: strawberry.Parent[TemplateRow]) -> CanvasGraph:
        return graph_type(parent.graph)

    @strawberry.field(description="内容模板")
    @staticmethod
    def contents(parent: strawberry.Parent[TemplateRow]) -> list[ContentTemplate]:
        return contents_type(parent.contents)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> CampaignTemplate:
        return entity(cls, await info.context.loaders.campaign_template.load(parse_id(id)))


@strawberry.type(description="波次 with its figures (监控)")
class CampaignWave:
    id: strawberry.ID
    number: int
    starts_at: datetime
    status: WaveStatus
    targeted: int = strawberry.field(description="目标客户 (gone through)")
    contacted: int = strawberry.field(description="已触达 (a send made)")
    converted: int = strawberry.field(description="已转化 (met the success criteria)")
    points_awarded: int = strawberry.field(description="发放积分")

    @strawberry.field(description="已送达 (messages delivered)")
    @staticmethod
    async def delivered(parent: strawberry.Parent[WaveRow], info: Info) -> int:
        return await _figure(info, parent, "delivered")

    @strawberry.field(description="已响应")
    @staticmethod
    async def responded(parent: strawberry.Parent[WaveRow], info: Info) -> int:
        return await _figure(info, parent, "responded")


async def _figure(info: Info, wave: WaveRow, name: str) -> int:
    figures: WaveFigures = await info.context.loaders.wave_figures.load(wave.id)
    return int(getattr(figures, name))


@strawberry.federation.type(keys=["id"], description="营销活动 (canvas)")
class Campaign:
    id: strawberry.ID
    name: str
    scenario_code: str
    status: CampaignStatus
    starts_at: datetime | None
    finished_at: datetime | None
    created_at: datetime

    @strawberry.field(description="画布")
    @staticmethod
    def graph(parent: strawberry.Parent[CampaignRow]) -> CanvasGraph:
        return graph_type(parent.graph)

    @strawberry.field(description="内容模板")
    @staticmethod
    def contents(parent: strawberry.Parent[CampaignRow]) -> list[ContentTemplate]:
        return contents_type(parent.contents)

    @strawberry.field(description="波次, in order, with their figures", graphql_type=list[CampaignWave])
    @staticmethod
    def waves(parent: strawberry.Parent[CampaignRow], info: Info) -> MaybeAwaitable[list[WaveRow]]:
        return ready(info.context.loaders.waves_of_campaign, parent.id)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Campaign:
        return entity(cls, await info.context.loaders.campaign.load(parse_id(id)))
