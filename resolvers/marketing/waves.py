"""波次执行 (wave execution): the job that runs a scheduled campaign's waves, once across replicas
(resolvers/common/jobs.py ``exclusive``), chunk by chunk through the audience (``audience_chunk``,
in customer-id order from the wave's cursor).

A chunk walks the canvas for each customer (resolvers/marketing/canvas.py ``walk``) and writes, in
one transaction: a contact record per customer (unique per wave × customer: a rerun inserts none for
a customer already done), then — only for the contacts this run inserted — the outbox messages (SMS,
APP_PUSH), the 站内信 tasks for the primary manager (PHONE, WECHAT, IN_APP; an unmanaged customer gets
none), the points entries (unique key campaign × wave × node × customer) and the wave's figures and
cursor. Every insert is a bulk ``INSERT … ON CONFLICT DO NOTHING``; the statements per chunk are the
same whatever its size (tests/marketing/test_canvas.py counts them at 10 and 200 customers)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.expressions import F
from tortoise.functions import Count

from models.marketing import (
    Audience,
    Campaign,
    CampaignContact,
    CampaignStatus,
    CampaignWave,
    InboxMessage,
    MessageChannel,
    MessageStatus,
    OutboundMessage,
    PointsEntry,
    PointsKind,
    WaveStatus,
)
from models.operations import Org
from resolvers.common.changes import change, transition
from resolvers.common.customer_targets import products_held
from resolvers.common.errors import bad_input, not_found
from resolvers.common.jobs import exclusive
from resolvers.common.product_directory import listed_products
from resolvers.marketing.audiences import AudienceCriteria, AudienceMember, audience_chunk, criteria_of
from resolvers.marketing.campaigns import _campaign_to_act_on
from resolvers.marketing.canvas import (
    CUSTOMER_CHANNELS,
    Channel,
    ConditionField,
    Facts,
    Graph,
    NodeKind,
    Walk,
    parse_contents,
    parse_graph,
    render,
    walk,
)
from security.principal import Principal

log = logging.getLogger(__name__)

CAMPAIGN_LOCK = 0x5D_C0_72  # pg advisory lock key: one wave chunk at a time across replicas
CHUNK = 500  # customers per chunk
CHUNKS_PER_RUN = 50  # a job run's budget, then the next run goes on from the cursor
CHANNEL_WORDS = {Channel.PHONE: "电话", Channel.WECHAT: "微信", Channel.IN_APP: "站内"}


async def run_wave_chunk(wave_id: UUID, limit: int = CHUNK, now: datetime | None = None) -> int:
    """One chunk of the wave; the customers it went through (0: the wave is done, or not runnable)."""
    now = now or datetime.now(UTC)
    async with exclusive("marketing", CAMPAIGN_LOCK) as mine:
        if not mine:
            return 0
        wave = await CampaignWave.filter(id=wave_id).select_related("campaign").first()
        if wave is None or wave.status is WaveStatus.DONE or wave.starts_at > now:
            return 0
        campaign: Campaign = wave.campaign
        if campaign.status not in (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING):
            return 0
        contents = {c.key: c for c in parse_contents(campaign.contents)}
        graph = parse_graph(campaign.graph, list(contents.values()))
        criteria = await _criteria(graph)
        members = await audience_chunk(campaign.tenant_id, criteria, wave.cursor, limit)
        if not members:
            await _finish_wave(wave, campaign, now)
            return 0
        facts = await _facts(graph, campaign, wave, members)
        walks = {m.customer_id: walk(graph, wave.number, facts[m.customer_id]) for m in members}
        run_id = uuid.uuid4()
        await CampaignContact.bulk_create(
            [
                CampaignContact(
                    campaign_id=campaign.id,
                    wave_id=wave.id,
                    tenant_id=campaign.tenant_id,
                    customer_id=m.customer_id,
                    manager_id=m.manager_id,
                    channels=",".join(sorted({str(n.channel) for n in walks[m.customer_id].sends})),
                    converted=walks[m.customer_id].converted,
                    points=walks[m.customer_id].points,
                    run_id=run_id,
                )
                for m in members
            ],
            ignore_conflicts=True,
        )
        new = set(
            await CampaignContact.filter(wave_id=wave.id, run_id=run_id).values_list("customer_id", flat=True)
        )
        fresh = [m for m in members if m.customer_id in new or str(m.customer_id) in new]
        values = await _values(graph, campaign)
        sent = await _queue(campaign, wave, fresh, walks, contents, values, now)
        awarded = await _award(campaign, wave, fresh, walks)
        await CampaignWave.filter(id=wave.id).update(
            cursor=members[-1].customer_id,
            status=WaveStatus.RUNNING,
            targeted=F("targeted") + len(fresh),
            contacted=F("contacted") + sent,
            converted=F("converted") + sum(1 for m in fresh if walks[m.customer_id].converted),
            points_awarded=F("points_awarded") + awarded,
        )
        await Campaign.filter(id=campaign.id, status=CampaignStatus.SCHEDULED).update(
            status=CampaignStatus.RUNNING
        )
        return len(members)


async def run_due_waves(now: datetime | None = None, chunks: int = CHUNKS_PER_RUN, limit: int = CHUNK) -> int:
    """The job's run: chunks of every wave due, up to ``chunks`` in all; the customers gone through."""
    now = now or datetime.now(UTC)
    due = await (
        CampaignWave.filter(
            status__in=[WaveStatus.PENDING, WaveStatus.RUNNING],
            starts_at__lte=now,
            campaign__status__in=[CampaignStatus.SCHEDULED, CampaignStatus.RUNNING],
        )
        .order_by("starts_at", "number")
        .values_list("id", flat=True)
    )
    done = 0
    for wave_id in due:
        while chunks > 0:
            chunks -= 1
            went = await run_wave_chunk(UUID(str(wave_id)), limit, now)
            done += went
            if not went:
                break
    return done


async def rerun_wave(principal: Principal, campaign_id: UUID, number: int) -> CampaignWave:
    """重跑: the wave goes through its audience again from the start — for customers it missed (new in
    the audience, or a run cut short); nobody already contacted is contacted or awarded again."""
    campaign = await _campaign_to_act_on(principal, campaign_id)
    if campaign.status not in (CampaignStatus.RUNNING, CampaignStatus.FINISHED):
        raise bad_input("only a running or finished campaign's wave is rerun")
    wave = await CampaignWave.get_or_none(campaign_id=campaign.id, number=number)
    if wave is None:
        raise not_found("wave")
    async with change("marketing", "CampaignWave", wave.id):
        await CampaignWave.filter(id=wave.id).update(status=WaveStatus.PENDING, cursor=None, finished_at=None)
        await Campaign.filter(id=campaign.id, status=CampaignStatus.FINISHED).update(
            status=CampaignStatus.RUNNING, finished_at=None
        )
    return await CampaignWave.get(id=wave.id)


# -- a chunk's parts -------------------------------------------------------------------------------


async def _criteria(graph: Graph) -> AudienceCriteria:
    start = graph.nodes[graph.start]
    if start.audience_id is None:
        return criteria_of(dict(start.criteria or {}))
    audience = await Audience.get_or_none(id=start.audience_id)  # checked in scope when the campaign was made
    return criteria_of(audience.criteria) if audience is not None else AudienceCriteria(tags=("\x00",))


async def _facts(
    graph: Graph, campaign: Campaign, wave: CampaignWave, members: Sequence[AudienceMember]
) -> dict[UUID, Facts]:
    ids = [m.customer_id for m in members]
    conditions = [n.condition for n in graph.nodes.values() if n.condition is not None]
    wanted = {p for c in conditions if c.field is ConditionField.HOLDS_PRODUCT for p in c.products_held}
    held = await products_held(ids, wanted) if wanted else {}
    responded: set[Any] = set()
    if wave.number > 1 and any(c.field is ConditionField.RESPONDED for c in conditions):
        responded = set(
            await CampaignContact.filter(
                campaign_id=campaign.id, customer_id__in=ids, responded_at__not_isnull=True
            ).values_list("customer_id", flat=True)
        )
    return {
        m.customer_id: Facts(
            tier=m.tier,
            aum=m.aum,
            products=held.get(m.customer_id, frozenset()),
            responded=m.customer_id in responded or str(m.customer_id) in responded,
        )
        for m in members
    }


async def _values(graph: Graph, campaign: Campaign) -> dict[str, str]:
    """内容变量 known when queuing: the bank's name and the first product's."""
    product_ids = [UUID(p) for n in graph.nodes.values() if n.kind is NodeKind.PRODUCT for p in n.product_ids]
    products = await listed_products(product_ids) if product_ids else {}
    bank = await Org.filter(id=campaign.tenant_id).values_list("name", flat=True)
    values = {"bank": str(bank[0]) if bank else ""}
    if product_ids and product_ids[0] in products:
        values["product"] = products[product_ids[0]].name
    return values


async def _queue(
    campaign: Campaign,
    wave: CampaignWave,
    fresh: Sequence[AudienceMember],
    walks: dict[UUID, Walk],
    contents: dict[str, Any],
    values: dict[str, str],
    now: datetime,
) -> int:
    """The sends of the new contacts: outbox messages and 站内信; how many customers were touched."""
    messages: list[OutboundMessage] = []
    notes: list[InboxMessage] = []
    touched = 0
    for member in fresh:
        done = walks[member.customer_id]
        reached = False
        for node in done.sends:
            assert node.channel is not None and node.content_key is not None
            content = contents[node.content_key]
            filled = values | {"points": str(done.points)}
            key = f"{wave.id}:{node.id}:{member.customer_id}"
            if node.channel in CUSTOMER_CHANNELS:
                messages.append(
                    OutboundMessage(
                        tenant_id=campaign.tenant_id,
                        customer_id=member.customer_id,
                        channel=MessageChannel(node.channel.value),
                        title=render(content.title, filled)[:100],
                        body=render(content.body, filled)[:1000],
                        next_attempt_at=now,
                        campaign_id=campaign.id,
                        wave_id=wave.id,
                        key=key,
                    )
                )
                reached = True
            elif member.manager_id is not None:
                word = CHANNEL_WORDS[node.channel]
                notes.append(
                    InboxMessage(
                        tenant_id=campaign.tenant_id,
                        recipient_id=member.manager_id,
                        title=f"营销任务：请{word}联系客户（{campaign.name} 第{wave.number}波）"[:100],
                        body=render(content.body, filled | {"surname": "客户"})[:1000],
                        customer_id=member.customer_id,
                        campaign_id=campaign.id,
                        key=key,
                    )
                )
                reached = True
        touched += reached
    if messages:
        await OutboundMessage.bulk_create(messages, ignore_conflicts=True)
    if notes:
        await InboxMessage.bulk_create(notes, ignore_conflicts=True)
    return touched


async def _award(
    campaign: Campaign, wave: CampaignWave, fresh: Sequence[AudienceMember], walks: dict[UUID, Walk]
) -> int:
    """积分 of the new contacts: one entry per benefit node reached, under its unique key."""
    entries = [
        PointsEntry(
            tenant_id=campaign.tenant_id,
            customer_id=member.customer_id,
            kind=PointsKind.EARN,
            amount=node.points,
            reason=f"{campaign.name} 第{wave.number}波"[:200],
            key=f"campaign:{campaign.id}:{wave.number}:{node.id}:{member.customer_id}",
            campaign_id=campaign.id,
        )
        for member in fresh
        for node in walks[member.customer_id].benefits
    ]
    if entries:
        await PointsEntry.bulk_create(entries, ignore_conflicts=True)
    return sum(e.amount for e in entries)


async def _finish_wave(wave: CampaignWave, campaign: Campaign, now: datetime) -> None:
    await CampaignWave.filter(id=wave.id).update(status=WaveStatus.DONE, finished_at=now)
    left = await CampaignWave.filter(campaign_id=campaign.id).exclude(status=WaveStatus.DONE).count()
    if not left:
        await transition(
            Campaign,
            campaign.id,
            (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING),
            None,
            status=CampaignStatus.FINISHED,
            finished_at=now,
        )


# -- monitoring ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveFigures:
    """What a wave's row does not count itself: messages delivered, customers who responded."""

    delivered: int = 0
    responded: int = 0


async def wave_figures(wave_ids: Sequence[UUID]) -> list[WaveFigures]:
    """Figures of a batch of waves: two statements."""
    ids = list(wave_ids)
    delivered = dict(
        await OutboundMessage.filter(wave_id__in=ids, status=MessageStatus.DELIVERED)
        .annotate(n=Count("id"))
        .group_by("wave_id")
        .values_list("wave_id", "n")
    )
    responded = dict(
        await CampaignContact.filter(wave_id__in=ids, responded_at__not_isnull=True)
        .annotate(n=Count("id"))
        .group_by("wave_id")
        .values_list("wave_id", "n")
    )
    by_id = {UUID(str(k)): int(v) for k, v in delivered.items()}
    answered = {UUID(str(k)): int(v) for k, v in responded.items()}
    return [WaveFigures(by_id.get(w, 0), answered.get(w, 0)) for w in ids]
