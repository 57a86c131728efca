"""告警路由 and 维护窗口: the routing rules (``AlertRoute``) and silences (``AlertSilence``) as
data, who may change them, and how an alert being raised is matched against them (alerts.py).

A rule or a silence is about an org subtree: it matches an alert whose org path starts with the
rule's, i.e. whose path has the rule's among its prefixes (one ``IN`` over the alert's few prefixes).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from tortoise.expressions import Q

from models.operations import AlertLevel, AlertRoute, AlertSilence, Org
from resolvers.common.changes import change
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.operations.directory import device_at
from resolvers.operations.permissions import require_alert_policy_admin, require_silencer
from resolvers.operations.scopes import alert_route_scope, alert_silence_scope, org_scope
from security.principal import Principal
from security.roles import Role

LEVEL_RANK = {AlertLevel.INFO: 0, AlertLevel.WARNING: 1, AlertLevel.CRITICAL: 2}
MAX_SOURCE = 40
MAX_REASON = 200


def path_prefixes(org_path: str) -> list[str]:
    """``/a/b/c`` → ``["/a", "/a/b", "/a/b/c"]``: the subtrees an org is in."""
    parts = [part for part in org_path.split("/") if part]
    return ["/" + "/".join(parts[: n + 1]) for n in range(len(parts))]


def encode_roles(roles: list[str]) -> str:
    """``["A", "B"]`` → ``"|A|B|"`` (Alert.routed_roles); no roles → ``""`` (everyone in scope)."""
    return "|" + "|".join(sorted(set(roles))) + "|" if roles else ""


def decode_roles(value: str) -> list[str]:
    return [role for role in value.split("|") if role]


def routed_to(routed_roles: str, role: str) -> bool:
    """Whether an alert routed to ``routed_roles`` reaches a caller acting as ``role``."""
    return not routed_roles or f"|{role}|" in routed_roles


async def route_of(org_path: str, source: str, level: AlertLevel) -> str:
    """The roles an alert about ``org_path`` of ``source`` at ``level`` is routed to, encoded
    (``pick_roles`` over the rules of the subtrees it is in: one statement)."""
    rules = await AlertRoute.filter(
        Q(source__isnull=True) | Q(source=source), org_path__in=path_prefixes(org_path)
    )
    return pick_roles(rules, org_path, source, level)


def pick_roles(rules: Iterable[AlertRoute], org_path: str, source: str, level: AlertLevel) -> str:
    """The union of the most specific matching rules' roles (the deepest subtree first, then a
    rule naming the source over one for any source), encoded; ``""`` when no rule matches (every
    role in scope)."""
    prefixes = set(path_prefixes(org_path))
    matching = [
        rule
        for rule in rules
        if rule.org_path in prefixes
        and rule.source in (None, source)
        and LEVEL_RANK[level] >= LEVEL_RANK[AlertLevel(rule.min_level)]
    ]
    if not matching:
        return ""
    best = max((len(rule.org_path), rule.source is not None) for rule in matching)
    return encode_roles(
        [
            role
            for rule in matching
            if (len(rule.org_path), rule.source is not None) == best
            for role in rule.roles
        ]
    )


async def silenced_at(org_path: str, source: str, device_id: UUID | None, moment: datetime) -> bool:
    """Whether a silence (维护窗口) active at ``moment`` covers an alert like this."""
    device = Q(device_id__isnull=True) | Q(device_id=device_id) if device_id else Q(device_id__isnull=True)
    return await AlertSilence.filter(
        Q(source__isnull=True) | Q(source=source),
        device,
        org_path__in=path_prefixes(org_path),
        starts_at__lte=moment,
        ends_at__gt=moment,
    ).exists()


async def org_in_scope(principal: Principal, org_id: UUID) -> Org:
    """The org an alert, a rule or a silence is about, as the caller sees it (else NOT_FOUND)."""
    org = await scoped(principal, Org, org_scope).get_or_none(id=org_id)
    if org is None:
        raise not_found("org")
    return org


# -- routing rules ----------------------------------------------------------------------------------


async def create_alert_route(
    principal: Principal, org_id: UUID, roles: list[str], source: str | None, min_level: AlertLevel
) -> AlertRoute:
    """A routing rule for the subtree of ``org_id`` (head-office, province and platform admins, for
    orgs in their alert scope). Applies to alerts raised from now on."""
    org = await org_in_scope(principal, org_id)
    require_alert_policy_admin(principal, org.path)
    unknown = sorted(set(roles) - set(Role.__members__))
    if not roles or unknown:
        raise bad_input(f"roles must name at least one known role (unknown: {', '.join(unknown) or '-'})")
    source = _source(source)
    async with change("operations", "AlertRoute") as audited:
        route = await AlertRoute.create(
            org=org,
            org_path=org.path,
            source=source,
            min_level=min_level,
            roles=sorted(set(roles)),
            created_by=principal.user_id,
        )
        audited.id = route.id
    return route


async def delete_alert_route(principal: Principal, route_id: UUID) -> UUID:
    """Deletes a routing rule in the caller's scope; alerts already raised keep their roles."""
    route = await scoped(principal, AlertRoute, alert_route_scope).get_or_none(id=route_id)
    if route is None:
        raise not_found("alert route")
    require_alert_policy_admin(principal, route.org_path)
    async with change("operations", "AlertRoute", route_id):
        if not await AlertRoute.filter(id=route_id).delete():
            raise not_found("alert route")  # a concurrent delete won
    return route_id


async def list_alert_routes(principal: Principal, first: int, after: str | None) -> Page[AlertRoute]:
    return await paginate(scoped(principal, AlertRoute, alert_route_scope), first, after, newest_first=True)


# -- silences ---------------------------------------------------------------------------------------


async def create_alert_silence(
    principal: Principal,
    org_id: UUID,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    *,
    source: str | None = None,
    device_id: UUID | None = None,
) -> AlertSilence:
    """A silence (维护窗口) over the subtree of ``org_id``, optionally one source and one device
    there, by someone who handles alerts there."""
    org = await org_in_scope(principal, org_id)
    require_silencer(principal, org.path)
    if device_id is not None and not await device_at(principal, device_id, org.path):
        raise not_found("device (at that org)")
    if ends_at <= starts_at:
        raise bad_input("endsAt must be after startsAt")
    if ends_at <= now():
        raise bad_input("endsAt must be in the future")
    reason = reason.strip()
    if not 1 <= len(reason) <= MAX_REASON:
        raise bad_input(f"reason must be 1 to {MAX_REASON} characters")
    source = _source(source)
    async with change("operations", "AlertSilence") as audited:
        silence = await AlertSilence.create(
            org=org,
            org_path=org.path,
            source=source,
            device_id=device_id,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            created_by=principal.user_id,
        )
        audited.id = silence.id
    return silence


async def end_alert_silence(principal: Principal, silence_id: UUID) -> AlertSilence:
    """Ends a silence now (its end moves to now); one already over is returned as it is."""
    silence = await scoped(principal, AlertSilence, alert_silence_scope).get_or_none(id=silence_id)
    if silence is None:
        raise not_found("alert silence")
    require_silencer(principal, silence.org_path)
    moment = now()
    async with change("operations", "AlertSilence", silence_id) as audited:
        ended = await AlertSilence.filter(id=silence_id, ends_at__gt=moment).update(
            ends_at=moment, ended_by=principal.user_id
        )
        audited.detail["repeated"] = not ended
        return await AlertSilence.get(id=silence_id)


async def list_alert_silences(
    principal: Principal, first: int, after: str | None, active: bool | None = None
) -> Page[AlertSilence]:
    """Silences in the caller's scope, newest first; ``active``: only those in force now (or not)."""
    queryset = scoped(principal, AlertSilence, alert_silence_scope)
    moment = now()
    if active is True:
        queryset = queryset.filter(starts_at__lte=moment, ends_at__gt=moment)
    elif active is False:
        queryset = queryset.filter(Q(starts_at__gt=moment) | Q(ends_at__lte=moment))
    return await paginate(queryset, first, after, newest_first=True)


def _source(value: str | None) -> str | None:
    if value is None:
        return None
    if not 1 <= len(value) <= MAX_SOURCE:
        raise bad_input(f"source must be 1 to {MAX_SOURCE} characters")
    return value
