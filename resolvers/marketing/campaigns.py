"""营销画布 (campaign canvas): templates, their send-down (下发) to member banks, and campaigns with
their lifecycle draft → scheduled → running → finished / cancelled. The graph is checked by
resolvers/marketing/canvas.py; every id it names is checked against the caller's scope here: the
audience (``stored_criteria``: NOT_FOUND out of scope), the grids and org subtree of inline criteria
(``checked_criteria``), the products (listed marketplace products, resolvers/marketing/directory.py)
and the banks a template goes to (member banks under the province). Waves run in
resolvers/marketing/waves.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from models.customers import CustomerTier
from models.marketing import Campaign, CampaignContact, CampaignStatus, CampaignTemplate, CampaignWave
from resolvers.common.changes import change, transition
from resolvers.common.customer_directory import visible_customer
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.common.product_directory import listed_products
from resolvers.common.values import parse_id
from resolvers.marketing.audiences import CriteriaInput, checked_criteria, json_of, stored_criteria
from resolvers.marketing.canvas import NodeKind, json_of_contents, parse_contents, parse_graph
from resolvers.marketing.directory import member_banks
from resolvers.marketing.permissions import require_campaign_maker, require_template_maker
from resolvers.marketing.scenarios import BY_CODE
from resolvers.marketing.scopes import campaign_scope, template_scope
from security.principal import Principal
from security.roles import Role
from security.scopes import tenant_path

LATEST_START = timedelta(days=365)


# -- templates -------------------------------------------------------------------------------------


async def list_templates(principal: Principal, first: int, after: str | None) -> Page[CampaignTemplate]:
    """The caller's bank's templates (its own and those sent down to it); the province: all."""
    return await paginate(scoped(principal, CampaignTemplate, template_scope), first, after)


async def create_template(
    principal: Principal,
    name: str,
    scenario_code: str,
    description: str,
    graph: Mapping[str, Any] | None,
    contents: Sequence[Mapping[str, Any]] | None,
) -> CampaignTemplate:
    """营销画布模板 by the province union (PROVINCE_ADMIN: for sending down) or a head office (HQ_ADMIN:
    its own bank's). Without a graph, the scenario's (场景库)."""
    require_template_maker(principal)
    name = _name(name)
    graph, contents = _from_scenario(scenario_code, graph, contents)
    province = principal.tenant_id is None
    stored_graph, stored_contents = await _checked_canvas(principal, graph, contents, inline_only=province)
    async with change("marketing", "CampaignTemplate") as audited:
        template = await CampaignTemplate.create(
            tenant_id=principal.tenant_id,
            org_path=principal.org_path,
            name=name,
            scenario_code=scenario_code,
            description=description.strip()[:500],
            graph=stored_graph,
            contents=stored_contents,
            created_by=principal.user_id,
        )
        audited.id = template.id
    return template


async def send_down_template(
    principal: Principal, template_id: UUID, tenant_ids: Sequence[UUID]
) -> list[CampaignTemplate]:
    """下发: copy a province template to member banks under the province; sending it again to a bank
    returns the copy it has. A bank not under the caller's province (or unknown): NOT_FOUND."""
    require_template_maker(principal)
    if principal.tenant_id is not None:
        raise forbidden("只有省联社可以下发模板 (only the province union sends templates down)")
    if not 1 <= len(tenant_ids) <= 200:
        raise bad_input("tenantIds: 1–200 member banks")
    template = await scoped(principal, CampaignTemplate, template_scope).get_or_none(id=template_id)
    if template is None or template.tenant_id is not None:
        raise not_found("campaign template")
    banks = await member_banks(tenant_ids, tenant_path(principal))
    if len(banks) != len(set(tenant_ids)):
        raise not_found("member bank")
    async with change("marketing", "CampaignTemplate", template.id) as audited:
        await CampaignTemplate.bulk_create(
            [
                CampaignTemplate(
                    tenant_id=bank,
                    org_path=principal.org_path,
                    name=template.name,
                    scenario_code=template.scenario_code,
                    description=template.description,
                    graph=template.graph,
                    contents=template.contents,
                    source_id=template.id,
                    created_by=principal.user_id,
                )
                for bank in banks
            ],
            ignore_conflicts=True,
        )
        audited.detail = {"tenants": sorted(str(b) for b in banks)}
    return await CampaignTemplate.filter(source_id=template.id, tenant_id__in=list(banks)).order_by("id")


# -- campaigns -------------------------------------------------------------------------------------


async def list_campaigns(
    principal: Principal, first: int, after: str | None, status: CampaignStatus | None = None
) -> Page[Campaign]:
    queryset = scoped(principal, Campaign, campaign_scope)
    if status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset, first, after)


async def campaign_in_scope(principal: Principal, campaign_id: UUID) -> Campaign:
    campaign = await scoped(principal, Campaign, campaign_scope).get_or_none(id=campaign_id)
    if campaign is None:
        raise not_found("campaign")
    return campaign


async def create_campaign(
    principal: Principal,
    name: str,
    *,
    template_id: UUID | None = None,
    scenario_code: str = "",
    graph: Mapping[str, Any] | None = None,
    contents: Sequence[Mapping[str, Any]] | None = None,
    idempotency_key: str | None = None,
) -> Campaign:
    """A DRAFT campaign of the caller's bank, from a template it sees, a scenario, or a graph given."""
    require_campaign_maker(principal)
    name = _name(name)
    key = check_key(idempotency_key)
    if template_id is not None:
        template = await scoped(principal, CampaignTemplate, template_scope).get_or_none(id=template_id)
        if template is None or template.tenant_id != principal.tenant_id:
            raise not_found("campaign template")
        scenario_code = scenario_code or template.scenario_code
        graph = graph if graph is not None else template.graph
        contents = contents if contents is not None else template.contents
    graph, contents = _from_scenario(scenario_code, graph, contents)
    stored_graph, stored_contents = await _checked_canvas(principal, graph, contents, inline_only=False)
    async with change("marketing", "Campaign") as audited:
        campaign, created = await once(
            "marketing",
            key,
            lambda: Campaign.get_or_none(created_by=principal.user_id, idempotency_key=key),
            lambda: Campaign.create(
                tenant_id=principal.tenant_id,
                org_path=principal.org_path,
                name=name,
                scenario_code=scenario_code,
                template_id=template_id,
                graph=stored_graph,
                contents=stored_contents,
                created_by=principal.user_id,
                idempotency_key=key,
            ),
        )
        if not created and campaign.name != name:
            raise conflict("幂等键已用于另一活动 (idempotencyKey already used for another campaign)")
        audited.id = campaign.id
    return campaign


async def schedule_campaign(principal: Principal, campaign_id: UUID, starts_at: datetime) -> Campaign:
    """排期: DRAFT → SCHEDULED with its waves (wave n at ``starts_at`` plus the canvas's wait before it)."""
    campaign = await _campaign_to_act_on(principal, campaign_id)
    now = datetime.now(UTC)
    if starts_at.tzinfo is None:
        raise bad_input("startsAt needs a time zone")
    if not now - timedelta(minutes=5) <= starts_at <= now + LATEST_START:
        raise bad_input("startsAt must be from now to a year ahead")
    graph = parse_graph(campaign.graph, parse_contents(campaign.contents))
    async with change("marketing", "Campaign", campaign.id):
        await transition(
            Campaign,
            campaign.id,
            CampaignStatus.DRAFT,
            "活动已排期或已结束 (only a draft campaign is scheduled)",
            starts_at=starts_at,
            status=CampaignStatus.SCHEDULED,
        )
        await CampaignWave.bulk_create(
            [
                CampaignWave(campaign_id=campaign.id, number=n, starts_at=starts_at + timedelta(days=offset))
                for n, offset in enumerate(graph.waves, start=1)
            ]
        )
    return await Campaign.get(id=campaign.id)


async def cancel_campaign(principal: Principal, campaign_id: UUID) -> Campaign:
    """取消: a draft, scheduled or running campaign stops (what was sent stays sent)."""
    campaign = await _campaign_to_act_on(principal, campaign_id)
    async with change("marketing", "Campaign", campaign.id):
        await transition(
            Campaign,
            campaign.id,
            (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.RUNNING),
            "活动已结束 (a finished or cancelled campaign cannot be cancelled)",
            status=CampaignStatus.CANCELLED,
            finished_at=datetime.now(UTC),
        )
    return await Campaign.get(id=campaign.id)


async def record_response(
    principal: Principal, campaign_id: UUID, customer_id: UUID, converted: bool
) -> CampaignContact:
    """响应: the customer answered the campaign (recorded by whoever sees the customer); the
    RESPONDED condition of later waves reads it. Again: the first record stays."""
    campaign = await campaign_in_scope(principal, campaign_id)
    if await visible_customer(principal, customer_id) is None:
        raise not_found("customer")
    contact = (
        await CampaignContact.filter(campaign_id=campaign.id, customer_id=customer_id)
        .order_by("-created_at")
        .first()
    )
    if contact is None:
        raise not_found("campaign contact")
    async with change("marketing", "CampaignContact", contact.id):
        if contact.responded_at is None:
            contact.responded_at = datetime.now(UTC)
            contact.converted = contact.converted or converted
            await contact.save(update_fields=["responded_at", "converted", "updated_at"])
    return contact


# -- checking --------------------------------------------------------------------------------------


async def _campaign_to_act_on(principal: Principal, campaign_id: UUID) -> Campaign:
    """The campaign, in scope (else NOT_FOUND), that the caller may change: head office any of its
    bank's, a branch head those made in their subtree."""
    require_campaign_maker(principal)
    campaign = await campaign_in_scope(principal, campaign_id)
    if principal.has_role(Role.BRANCH_HEAD) and not campaign.org_path.startswith(principal.org_path):
        raise forbidden("只能操作本支行的活动 (a branch head changes their own branch's campaigns)")
    return campaign


def _name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise bad_input("name must be 1–100 characters")
    return name


def _from_scenario(
    code: str, graph: Mapping[str, Any] | None, contents: Sequence[Mapping[str, Any]] | None
) -> tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]:
    if code and code not in BY_CODE:
        raise bad_input(f"scenarioCode '{code}' is not in the scenario library (场景库)")
    if graph is None:
        if not code:
            raise bad_input("give a graph, a template or a scenarioCode")
        return BY_CODE[code].graph, contents if contents is not None else BY_CODE[code].contents
    return graph, contents or []


async def _checked_canvas(
    principal: Principal,
    graph: Mapping[str, Any],
    contents: Sequence[Mapping[str, Any]],
    *,
    inline_only: bool,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The graph and contents as stored, every rule and every id checked. ``inline_only``: a
    province template, for any bank — its audience is criteria without grids or an org subtree."""
    parsed_contents = parse_contents(contents)
    parsed = parse_graph(graph, parsed_contents)
    nodes = [dict(raw) for raw in graph.get("nodes") or []]
    product_ids: set[UUID] = set()
    for raw in nodes:
        node = parsed.nodes[str(raw["id"]).strip()]
        raw["id"] = node.id
        if node.kind is NodeKind.AUDIENCE:
            if node.audience_id is not None:
                if inline_only:
                    raise bad_input(
                        "canvas: a province template's audience is criteria, not a bank's audienceId"
                    )
                await stored_criteria(principal, parse_id(node.audience_id, "audienceId"))
            else:
                assert node.criteria is not None
                raw["criteria"] = (
                    _portable_criteria(node.criteria)
                    if inline_only
                    else json_of(await checked_criteria(principal, _criteria_input(node.criteria)))
                )
        if node.kind is NodeKind.PRODUCT:
            ids = [parse_id(p, "productIds") for p in node.product_ids]
            raw["productIds"] = [str(p) for p in ids]
            product_ids.update(ids)
    if product_ids and len(await listed_products(product_ids)) != len(product_ids):
        raise not_found("product")
    edges = [
        {"from": e.get("from"), "to": e.get("to"), "when": e.get("when")} for e in graph.get("edges") or []
    ]
    return {"nodes": nodes, "edges": edges}, json_of_contents(parsed_contents)


def _criteria_input(stored: Mapping[str, Any]) -> CriteriaInput:
    return CriteriaInput(
        tags=stored.get("tags"),
        tiers=stored.get("tiers"),
        aum_min=_decimal(stored.get("aumMin")),
        aum_max=_decimal(stored.get("aumMax")),
        grid_ids=stored.get("gridIds"),
        products_held=stored.get("productsHeld"),
        org_path=stored.get("orgPath"),
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise bad_input("criteria: an amount is not a number") from exc


def _portable_criteria(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Criteria any bank can use: tags, tiers, amounts, products — no grids, no org subtree."""
    if stored.get("gridIds") or stored.get("orgPath"):
        raise bad_input("canvas: a province template's criteria name no grids or org (each bank has its own)")
    given = _criteria_input(stored)
    try:
        tiers = [CustomerTier(t).value for t in given.tiers or []]
    except ValueError as exc:
        raise bad_input("criteria.tiers: unknown tier") from exc
    for amount in (given.aum_min, given.aum_max):
        if amount is not None and (not amount.is_finite() or amount < 0):
            raise bad_input("criteria: amounts must be non-negative")
    portable = {
        "tags": [t.strip() for t in given.tags or [] if t.strip()],
        "tiers": tiers,
        "aumMin": None if given.aum_min is None else str(given.aum_min),
        "aumMax": None if given.aum_max is None else str(given.aum_max),
        "productsHeld": [p.strip() for p in given.products_held or [] if p.strip()],
    }
    return {k: v for k, v in portable.items() if v not in (None, [])}
