"""Demo data of the campaign canvas (营销画布), part of ``dcms seed`` (subgraphs/seed.py): made by the
marketing domain functions as the seeded people would through the API.

- the province union's template from the scenario library (场景库, shipped in code:
  resolvers/marketing/scenarios.py) 到期续存, sent down (下发) to the first member bank;
- in that bank: the tag 存款即将到期 and a live marketing consent (产品推荐授权) on the demo manager's
  retail customers, the head office's stored audience 存款即将到期客户, and the campaign 定期存款到期续存
  on it (SMS with 100 points, three days later a phone follow-up for those who did not respond),
  wave 1 run and its messages delivered (the recording sender), one response; wave 2 is still due;
- a points spend (积分兑换) by the demo manager."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from models.customers import Consent, ConsentPurpose, CustomerTag, TagSource
from models.marketing import CampaignWave, OutboundMessage, PointsEntry
from resolvers.marketing.audiences import CriteriaInput, create_audience
from resolvers.marketing.campaigns import (
    create_campaign,
    create_template,
    record_response,
    schedule_campaign,
    send_down_template,
)
from resolvers.marketing.messages import deliver_messages
from resolvers.marketing.points import spend_points
from resolvers.marketing.scenarios import sms_then_call
from resolvers.marketing.waves import run_wave_chunk
from security.principal import Principal

TAG = "存款即将到期"
CONTENTS: list[dict[str, Any]] = [
    {
        "key": "sms",
        "kind": "SMS",
        "body": "{{surname}}先生/女士, 您的定期存款即将到期, 续存送{{points}}积分【{{bank}}】",
    },
    {
        "key": "call",
        "kind": "TEXT",
        "title": "话术",
        "body": "您好, 您在我行的定期存款即将到期, 是否需要为您办理续存?",
    },
]


@dataclass(frozen=True)
class Demo:
    """What subgraphs/seed.py hands over: the acting principals and the demo manager's customers."""

    province: Principal
    head_office: Principal
    manager: Principal
    bank_id: UUID
    customers: list[tuple[UUID, UUID]]  # (customer, tenant) of the demo manager's retail customers


async def seed_canvas(demo: Demo, now: datetime | None = None) -> dict[str, int]:
    now = now or datetime.now(UTC)
    template = await create_template(
        demo.province, "到期续存 (省联社)", "MATURITY_RENEWAL", "省联社下发的到期续存模板", None, None
    )
    await send_down_template(demo.province, template.id, [demo.bank_id])
    targets = demo.customers[:20]
    await CustomerTag.bulk_create(
        [CustomerTag(customer_id=c, name=TAG, source=TagSource.SYSTEM) for c, _ in targets],
        ignore_conflicts=True,
    )
    await Consent.bulk_create(
        [
            Consent(
                customer_id=c,
                tenant_id=t,
                purpose=ConsentPurpose.RECOMMENDATION,
                granted_by=demo.manager.user_id,
                evidence="营销授权 (手机银行勾选)",
                expires_at=now + timedelta(days=365),
            )
            for c, t in targets
        ]
    )
    audience = await create_audience(demo.head_office, "存款即将到期客户", CriteriaInput(tags=[TAG]))
    campaign = await create_campaign(
        demo.head_office,
        "定期存款到期续存",
        graph=sms_then_call({"audienceId": str(audience.id)}),
        contents=CONTENTS,
    )
    await schedule_campaign(demo.head_office, campaign.id, now)
    wave = await CampaignWave.get(campaign_id=campaign.id, number=1)
    while await run_wave_chunk(wave.id, now=now):
        pass
    await run_wave_chunk(wave.id, now=now)  # the empty chunk closes wave 1
    await deliver_messages(now)
    if targets:
        await record_response(demo.manager, campaign.id, targets[0][0], converted=True)
        await spend_points(demo.manager, targets[0][0], 60, "兑换定制保温杯", "seed-spend-1")
    return {
        "campaign_template": 2,
        "campaign": 1,
        "campaign_contact": len(targets),
        "outbound_message": await OutboundMessage.filter(campaign_id=campaign.id).count(),
        "points_entry": await PointsEntry.filter(campaign_id=campaign.id).count() + bool(targets),
    }
