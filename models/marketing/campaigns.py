"""营销画布 (campaign canvas): templates made by the province union or a head office and sent down
(下发) to member banks, campaigns built from them (a validated graph of nodes: audience, products,
sends on channels, condition branches, waits between waves, success criteria, benefits), their
waves, and one contact record (触达记录) per wave × customer — the unique key that makes a rerun
contact nobody twice. The graph is stored as JSON and checked by resolvers/marketing/canvas.py."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields

from models.common import Entity


class CampaignStatus(StrEnum):
    DRAFT = "DRAFT"  # 草稿
    SCHEDULED = "SCHEDULED"  # 已排期
    RUNNING = "RUNNING"  # 执行中
    FINISHED = "FINISHED"  # 已完成
    CANCELLED = "CANCELLED"  # 已取消


class WaveStatus(StrEnum):
    PENDING = "PENDING"  # 待执行
    RUNNING = "RUNNING"  # 执行中 (a cursor part way through the audience)
    DONE = "DONE"  # 已完成


class CampaignTemplate(Entity):
    """营销画布模板: the province's (``tenant_id`` null) or a member bank's. A copy sent down (下发)
    to a bank keeps ``source_id``, once per bank."""

    tenant_id = fields.UUIDField(null=True, db_index=True)
    org_path = fields.CharField(max_length=400, db_index=True)  # the maker's org
    name = fields.CharField(max_length=100)
    scenario_code = fields.CharField(max_length=40, default="")  # 场景库 (resolvers/marketing/scenarios.py)
    description = fields.CharField(max_length=500, default="")
    graph: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    contents: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)  # 内容模板
    source_id = fields.UUIDField(null=True)  # the template this copy was sent down from
    created_by = fields.UUIDField()

    class Meta:
        table = "campaign_template"
        unique_together = (("source_id", "tenant_id"),)


class Campaign(Entity):
    """营销活动 on the canvas: a member bank's, one or more waves."""

    tenant_id = fields.UUIDField(db_index=True)
    org_path = fields.CharField(max_length=400, db_index=True)  # the maker's org
    name = fields.CharField(max_length=100)
    scenario_code = fields.CharField(max_length=40, default="")
    template_id = fields.UUIDField(null=True)
    graph: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    contents: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    status = fields.CharEnumField(CampaignStatus, max_length=10, default=CampaignStatus.DRAFT, db_index=True)
    starts_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    created_by = fields.UUIDField()
    idempotency_key = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "campaign"
        unique_together = (("created_by", "idempotency_key"),)


class CampaignWave(Entity):
    """一波 (a wave): its start, its cursor through the audience, and its figures (监控)."""

    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "marketing.Campaign", related_name="waves", on_delete=fields.CASCADE
    )
    campaign_id: UUID
    number = fields.IntField()  # 1, 2, …
    starts_at = fields.DatetimeField(db_index=True)
    status = fields.CharEnumField(WaveStatus, max_length=8, default=WaveStatus.PENDING, db_index=True)
    cursor = fields.UUIDField(null=True)  # the last customer id done
    targeted = fields.IntField(default=0)  # 目标客户
    contacted = fields.IntField(default=0)  # 触达 (a send made)
    converted = fields.IntField(default=0)  # 达成成功标准
    points_awarded = fields.IntField(default=0)  # 发放积分
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "campaign_wave"
        unique_together = (("campaign", "number"),)


class CampaignContact(Entity):
    """触达记录: one per wave × customer (the rerun guard), with what the walk of the canvas did."""

    campaign_id = fields.UUIDField(db_index=True)
    wave_id = fields.UUIDField()
    tenant_id = fields.UUIDField()
    customer_id = fields.UUIDField(db_index=True)
    manager_id = fields.UUIDField(null=True)
    channels = fields.CharField(max_length=100, default="")  # the channels sent on, comma-separated
    converted = fields.BooleanField(default=False)
    points = fields.IntField(default=0)
    responded_at = fields.DatetimeField(null=True)  # 响应: recorded by the manager (or a reply)
    run_id = fields.UUIDField()  # the chunk run that inserted it: tells new rows from a rerun's

    class Meta:
        table = "campaign_contact"
        unique_together = (("wave_id", "customer_id"),)
