"""服务级别策略 (service policies) as data: the two policies the seeds give, installed by
``dcms migrate`` when absent, and the admin's changes to them.

- ``ITSM_004`` (the default, seed 004's 7×24 on-site service): respond within 15 minutes, on site
  within 1 hour, fixed within 24 h (一级, 特大故障) / 4 h (二级, 重大) / 2 h (三级, 较大) / 1 h
  (四级, 普通) — the same in and out of working hours ("非工作日…1小时内…排除系统普通故障，特大
  故障将在24小时内处理完毕"); seed 004's confirmation matrix (事故分级响应服务时间); escalation
  after 2 h without movement (每一级事故严格定义升级时间为2小时).
- ``PORTAL_003`` (seed 003's after-sales terms): respond within 0.5 h in working hours
  (工作日 10:00–20:00) and 1 h otherwise, on site within 1 h, fixed within 6 h, every level. Seed
  003 gives no matrix: it takes seed 004's. It times no org until an admin gives it one.

An admin changes targets and matrix cells in place (``set_targets``, ``set_matrix``) and points a
policy at an org subtree (``assign_policy``); incidents already reported keep their due times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from models.operations import (
    EscalationStep,
    IncidentLevel,
    Org,
    ServiceCalendar,
    ServicePolicy,
    ServiceTarget,
    SupportTier,
)
from resolvers.common.changes import change
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.loading import scoped
from resolvers.operations.permissions import require_policy_admin
from resolvers.operations.scopes import org_scope
from security.principal import Principal

L1, L2, L3, L4 = IncidentLevel
T, E, X, P = SupportTier
HOUR = 60

# seed 004's confirmation matrix: level → (minutes after the report, tier that must have confirmed)
MATRIX_004: dict[IncidentLevel, tuple[tuple[int, SupportTier], ...]] = {
    L1: ((1 * HOUR, T), (4 * HOUR, E), (24 * HOUR, X), (48 * HOUR, P)),
    L2: ((4 * HOUR, T), (24 * HOUR, E), (48 * HOUR, P)),
    L3: ((24 * HOUR, T), (48 * HOUR, E)),
    L4: ((48 * HOUR, T),),
}


@dataclass(frozen=True)
class Target:
    """The respond / on-site / resolve minutes of one level in one calendar."""

    level: IncidentLevel
    calendar: ServiceCalendar
    respond_minutes: int
    on_site_minutes: int
    resolve_minutes: int


@dataclass(frozen=True)
class Matrix:
    """One cell of the confirmation matrix."""

    level: IncidentLevel
    after_minutes: int
    tier: SupportTier


def _both(level: IncidentLevel, respond: tuple[int, int], on_site: int, resolve: int) -> list[Target]:
    working, off = respond
    return [
        Target(level, ServiceCalendar.WORKING_HOURS, working, on_site, resolve),
        Target(level, ServiceCalendar.OFF_HOURS, off, on_site, resolve),
    ]


DEFAULTS: dict[str, tuple[str, bool, list[Target]]] = {
    "ITSM_004": (
        "驻场运维 7×24 故障响应",
        True,
        [
            t
            for level, hours in ((L1, 24), (L2, 4), (L3, 2), (L4, 1))
            for t in _both(level, (15, 15), HOUR, hours * HOUR)
        ],
    ),
    "PORTAL_003": (
        "平台售后 响应0.5小时/1小时",
        False,
        [t for level in IncidentLevel for t in _both(level, (30, HOUR), HOUR, 6 * HOUR)],
    ),
}


async def install_defaults() -> int:
    """The seeds' policies, each when no policy of its code exists yet (so an admin's changes
    stay); the number installed. Run by ``dcms migrate``."""
    installed = 0
    for code, (name, default, targets) in DEFAULTS.items():
        if await ServicePolicy.exists(code=code):
            continue
        is_default = default and not await ServicePolicy.exists(is_default=True)
        policy = await ServicePolicy.create(code=code, name=name, is_default=is_default)
        await ServiceTarget.bulk_create([ServiceTarget(policy=policy, **vars(t)) for t in targets])
        cells = [
            EscalationStep(policy=policy, level=level, after_minutes=after, tier=tier)
            for level, row in MATRIX_004.items()
            for after, tier in row
        ]
        await EscalationStep.bulk_create(cells)
        installed += 1
    return installed


async def set_targets(principal: Principal, policy_id: UUID, targets: Sequence[Target]) -> ServicePolicy:
    """Replace the given cells of a policy's targets (the others stay); minutes must be positive
    and a level's respond ≤ on-site ≤ resolve."""
    policy = await _policy(principal, policy_id)
    for t in targets:
        if min(t.respond_minutes, t.on_site_minutes, t.resolve_minutes) <= 0:
            raise bad_input("minutes must be positive")
        if not t.respond_minutes <= t.resolve_minutes:
            raise bad_input("respond must not be later than resolve")
    async with change("operations", "ServicePolicy", policy.id):
        for t in targets:
            await ServiceTarget.update_or_create(
                {
                    "respond_minutes": t.respond_minutes,
                    "on_site_minutes": t.on_site_minutes,
                    "resolve_minutes": t.resolve_minutes,
                },
                policy=policy,
                level=t.level,
                calendar=t.calendar,
            )
    return policy


async def set_matrix(principal: Principal, policy_id: UUID, cells: Sequence[Matrix]) -> ServicePolicy:
    """Replace the whole confirmation matrix of a policy; within a level a higher tier comes later."""
    policy = await _policy(principal, policy_id)
    by_level: dict[IncidentLevel, list[Matrix]] = {}
    for cell in cells:
        if cell.after_minutes <= 0:
            raise bad_input("afterMinutes must be positive")
        by_level.setdefault(cell.level, []).append(cell)
    tiers = list(SupportTier)
    for level, row in by_level.items():
        ordered = sorted(row, key=lambda c: c.after_minutes)
        ranks = [tiers.index(c.tier) for c in ordered]
        if ranks != sorted(set(ranks)):
            raise bad_input(f"{level}: each tier once, higher tiers later")
    async with change("operations", "ServicePolicy", policy.id):
        await EscalationStep.filter(policy=policy).delete()
        await EscalationStep.bulk_create(
            [
                EscalationStep(policy=policy, level=c.level, after_minutes=c.after_minutes, tier=c.tier)
                for c in cells
            ]
        )
    return policy


async def assign_policy(principal: Principal, policy_id: UUID, org_id: UUID | None) -> ServicePolicy:
    """Point a policy at an org subtree (or at none): incidents reported there from now on use it."""
    policy = await _policy(principal, policy_id)
    if org_id is not None:
        org = await scoped(principal, Org, org_scope).get_or_none(id=org_id)
        if org is None:
            raise not_found("org")
        if await ServicePolicy.filter(org_id=org_id).exclude(id=policy.id).exists():
            raise conflict("该机构已有服务级别策略 (the org has a policy already)")
    async with change("operations", "ServicePolicy", policy.id):
        await ServicePolicy.filter(id=policy.id).update(org_id=org_id)
    await policy.refresh_from_db()
    return policy


async def list_policies(principal: Principal) -> list[ServicePolicy]:
    """Every policy (their terms are not secret: staff see what they are timed by)."""
    return await ServicePolicy.all().order_by("code")


async def _policy(principal: Principal, policy_id: UUID) -> ServicePolicy:
    require_policy_admin(principal)
    policy = await ServicePolicy.get_or_none(id=policy_id)
    if policy is None:
        raise not_found("service policy")
    return policy
