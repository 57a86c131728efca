"""参数管理 (seed 000 平台管理功能): every knob the platform keeps, in one admin view.

The rules, in one place:

- ``list_parameters`` lists every parameter of the platform and, when a tenant is named (or the
  caller belongs to one), that tenant's: key, Chinese label, group, value (JSON text), unit, where it
  lives, whether ``setParameter`` edits it (else the mutation that does, or "change DCMS_… and
  restart"), and who changed it last where the row says so. It reads a fixed set of tables
  whatever their size (the tenant's org, ``customers.reminder_policy``, ``operations.approval_flow``,
  ``operations.service_policy``); the tables of other subgraphs are reached in-process through
  ``Tortoise.apps`` (the way audit.py reads every trail), never by importing their models;
- ``set_parameter`` sets one editable parameter: the value is validated for its type and bounds
  (BAD_USER_INPUT), the row is locked and rewritten in one transaction on the database that holds
  it, and the audit record carries the key, the value before and after. The same
  value again changes nothing and records no before/after (the mutation's call is still in the
  trail, as every mutation's is);
- who: the business admin (PLATFORM_ADMIN; HQ_ADMIN for its own tenant, security/duties.py
  ``may_manage_orgs``) and the audit admin (``can_read_audit``) read, everybody else is FORBIDDEN;
  a tenant must be in the caller's reach (scopes.py ``in_reach``), else NOT_FOUND. What is set
  here is the platform's (service policies), so the PLATFORM_ADMIN of no tenant alone sets it.

Editable here: only the escalation time of each service policy
(``operations.service_policy.stagnation_minutes``, 升级时间: no other mutation sets it). The rest
name the mutation that already edits them (``setReminderPolicy`` for 提醒参数 — customers' rule,
kept in one place — ``setApprovalFlow``, ``setSlaPolicy``, ``setServiceTargets``,
``setMetricThreshold``, ``setServiceQualityRule``), or are start-up settings
(resolvers/common/rules.py).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from tortoise import Tortoise
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.approvals import ApprovalFunction
from models.operations import ApprovalFlow, Org, ServicePolicy
from resolvers.common import audit
from resolvers.common.approvals import DEFAULT_FLOWS
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, forbidden, not_found
from resolvers.common.rules import Rules
from resolvers.operations.scopes import in_reach
from security.duties import can_read_audit, may_manage_orgs
from security.principal import Principal
from security.roles import Role

# The groups (分组), in the order the view shows them.
REMINDERS = "提醒参数"
OPPORTUNITIES = "商机参数"
APPROVALS = "审核流程"
SERVICE = "服务级别"
DEVICES = "设备阈值"
SYSTEM = "系统设置"

SET_HERE = "setParameter"
RESTART = "change {} and restart"
LARGE_TRANSACTION = "reminder.largeTransactionThreshold"
STAGNATION = "servicePolicy.{}.stagnationMinutes"
DEFAULT_LARGE_TRANSACTION = Decimal("500000")  # customers.reminder_policy's column default
CENT = Decimal("0.01")
STAGNATION_MINUTES = (5, 7 * 24 * 60)  # 5 minutes to a week


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    group: str
    value: str  # JSON text
    unit: str | None
    source: str  # the table (subgraph.table) or the start-up setting (DCMS_…)
    editable: bool  # by setParameter, for this caller
    edit_via: str  # setParameter, another mutation, or "change DCMS_… and restart"
    tenant_id: UUID | None = None  # a tenant's parameter; None: the platform's
    updated_by: UUID | None = None
    updated_at: datetime | None = None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _money(amount: Decimal) -> str:
    return str(Decimal(amount).quantize(CENT))


def _model(app: str, name: str) -> type[Model]:
    """Another subgraph's table, read in-process (every process registers every app's models)."""
    return Tortoise.apps[app][name]


# -- who -------------------------------------------------------------------------------------------


def _may_read(principal: Principal) -> bool:
    return may_manage_orgs(principal) or can_read_audit(principal)


async def _tenant(principal: Principal, tenant: UUID | None) -> Org | None:
    """The tenant whose parameters are meant (the caller's own by default), checked against the
    caller's reach."""
    if not _may_read(principal):
        raise forbidden("只有业务管理员和审计管理员可以查看参数 (business and audit admins only)")
    wanted = tenant if tenant is not None else principal.tenant_id
    if wanted is None:
        return None
    org = await Org.get_or_none(id=wanted)
    if org is None or org.tenant_id != org.id or not in_reach(principal, org):
        raise not_found("tenant")
    return org


def _may_set(principal: Principal) -> bool:
    """Every parameter set here is the whole platform's (a tenant's own are edited by their own
    mutation): its business admin of no tenant sets them, as it alone edits the role definitions
    (security/duties.py ``may_edit_roles``); a member bank's platform admin reads them."""
    return principal.has_role(Role.PLATFORM_ADMIN) and principal.tenant_id is None


# -- listing ---------------------------------------------------------------------------------------


def _startup(rules: Rules) -> list[Parameter]:
    rows = (
        ("reminder.maturityNoticeDays", "到期提醒提前天数", REMINDERS, "maturity_notice_days", "天"),
        (
            "opportunity.maturityDays",
            "到期续存商机提前天数",
            OPPORTUNITIES,
            "opportunity_maturity_days",
            "天",
        ),
        ("opportunity.largeInflow", "大额入账商机金额", OPPORTUNITIES, "opportunity_large_inflow", "元"),
        ("opportunity.ruleSeconds", "商机规则运行间隔", OPPORTUNITIES, "opportunity_rule_seconds", "秒"),
        ("alert.incidentMinutes", "未确认严重告警转事件时间", SERVICE, "alert_incident_minutes", "分钟"),
        ("device.baselineK", "基准线带宽 (k·σ)", DEVICES, "baseline_k", None),
        ("device.baselineDays", "基准线学习天数", DEVICES, "baseline_days", "天"),
        ("finance.maxInstitutionsPerNeed", "每笔需求可抢单机构数", SYSTEM, "max_institutions_per_need", "家"),
        ("telemetry.retentionDays", "遥测原始数据保留天数", SYSTEM, "telemetry_retention_days", "天"),
    )
    return [
        Parameter(
            key=key,
            label=label,
            group=group,
            value=_json(getattr(rules, name)),
            unit=unit,
            source=(setting := f"DCMS_{name.upper()}"),
            editable=False,
            edit_via=RESTART.format(setting),
        )
        for key, label, group, name, unit in rows
    ]


SLA_DEFAULTS = {"preReviewHours": 4, "creditHours": 48, "disbursementHours": 48}
SLA_DEFAULTS |= {"creditLoanDays": 3, "otherLoanDays": 7}

# Data edited elsewhere, one entry per table: the built-in default a new row starts from.
ELSEWHERE: tuple[Parameter, ...] = (
    Parameter(
        "finance.slaPolicy",
        "机构时限阈值 (默认: 初审 4 小时, 授信 48 小时, 放款 48 小时; 信用贷 3 / 其他 7 个工作日)",
        SERVICE,
        _json(SLA_DEFAULTS),
        None,
        "finance.sla_policy",
        False,
        "setSlaPolicy",
    ),
    Parameter(
        "devices.metricThreshold",
        "设备固定阈值 (每台设备每项指标, 无则用基准线)",
        DEVICES,
        _json(None),
        None,
        "devices.metric_threshold",
        False,
        "setMetricThreshold",
    ),
    Parameter(
        "halls.serviceQualityRule",
        "服务质量告警规则 (每个机构子树)",
        DEVICES,
        _json(None),
        None,
        "operations.service_quality_rule",
        False,
        "setServiceQualityRule",
    ),
)


POLICY_COLUMNS = ("id", "large_transaction_threshold", "updated_at")


async def _reminders(tenant: Org) -> list[Parameter]:
    rows = await _model("customers", "ReminderPolicy").filter(tenant_id=tenant.id).values(*POLICY_COLUMNS)
    row = rows[0] if rows else None
    threshold = Decimal(row["large_transaction_threshold"]) if row else DEFAULT_LARGE_TRANSACTION
    return [
        Parameter(
            key=LARGE_TRANSACTION,
            label="大额动账提醒阈值",
            group=REMINDERS,
            value=_json(_money(threshold)),
            unit="元",
            source="customers.reminder_policy",
            editable=False,
            edit_via="setReminderPolicy",  # customers' own rule (total-bank 业务管理), not copied here
            tenant_id=tenant.id,
            updated_at=row["updated_at"] if row else None,
        )
    ]


async def _approval_flows(tenant: Org | None) -> list[Parameter]:
    keys = ["", str(tenant.id)] if tenant is not None else [""]
    rows = {(r.tenant_key, r.function): r for r in await ApprovalFlow.filter(tenant_key__in=keys)}
    found: list[Parameter] = []
    for function in ApprovalFunction:
        row = rows.get((keys[-1], function)) or rows.get(("", function))
        if row is not None:
            value: dict[str, Any] = {"enabled": row.enabled, "steps": row.steps}
        else:
            steps = [{"name": s.name, "roles": [str(r) for r in s.roles]} for s in DEFAULT_FLOWS[function]]
            value = {"enabled": True, "steps": steps}
        found.append(
            Parameter(
                key=f"approval.{function.value}",
                label=f"审核流程: {function.value}",
                group=APPROVALS,
                value=_json(value),
                unit=None,
                source="operations.approval_flow" if row is not None else "built-in default",
                editable=False,
                edit_via="setApprovalFlow",
                tenant_id=tenant.id if tenant is not None and row is not None and row.tenant_key else None,
                updated_by=row.updated_by if row is not None else None,
                updated_at=row.updated_at if row is not None else None,
            )
        )
    return found


async def _service_policies(principal: Principal) -> list[Parameter]:
    found: list[Parameter] = []
    for policy in await ServicePolicy.all().order_by("code"):
        end = policy.work_end_minute
        found.append(
            Parameter(
                key=STAGNATION.format(policy.code),
                label=f"升级时间: {policy.name}",
                group=SERVICE,
                value=_json(policy.stagnation_minutes),
                unit="分钟",
                source="operations.service_policy",
                editable=_may_set(principal),
                edit_via=SET_HERE,
                updated_at=policy.updated_at,
            )
        )
        found.append(
            Parameter(
                key=f"servicePolicy.{policy.code}.targets",
                label=f"服务目标与升级矩阵: {policy.name}",
                group=SERVICE,
                value=_json({"workStartMinute": policy.work_start_minute, "workEndMinute": end}),
                unit=None,
                source="operations.service_policy",
                editable=False,
                edit_via="setServiceTargets / setEscalationMatrix",
                updated_at=policy.updated_at,
            )
        )
    return found


async def list_parameters(principal: Principal, rules: Rules, tenant: UUID | None = None) -> list[Parameter]:
    """参数管理's list: the tenant's parameters (if any) and the platform's, by group."""
    org = await _tenant(principal, tenant)
    found = await _reminders(org) if org is not None else []
    found += await _approval_flows(org)
    found += await _service_policies(principal)
    found += [*ELSEWHERE, *_startup(rules)]
    order = [REMINDERS, OPPORTUNITIES, APPROVALS, SERVICE, DEVICES, SYSTEM]
    return sorted(found, key=lambda p: order.index(p.group))


# -- setting ---------------------------------------------------------------------------------------


def _minutes(text: str) -> int:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    low, high = STAGNATION_MINUTES
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise bad_input(f"分钟数须为 {low}–{high} 的整数 (minutes must be a whole number in range)")
    return value


async def _audit(key: str, before: Any, after: Any) -> None:
    """The record of a set, in the writing transaction; ``before == after``: nothing changed."""
    detail: dict[str, Any] = {"key": key}
    detail |= {"before": before, "after": after} if before != after else {"unchanged": True}
    await audit.record(target=audit.Target("Parameter", key), detail=detail)


async def _set_stagnation(key: str, text: str) -> None:
    """升级时间 of a service policy: operations' own table, one transaction with the record."""
    code = key.split(".")[1]
    value = _minutes(text)
    current = await ServicePolicy.get_or_none(code=code)
    if current is None:
        raise not_found("service policy")
    if current.stagnation_minutes == value:
        return await _audit(key, value, value)
    async with in_transaction("operations"):
        row = await ServicePolicy.filter(id=current.id).select_for_update().get()
        if row.stagnation_minutes != value:
            await ServicePolicy.filter(id=row.id).update(stagnation_minutes=value, updated_at=now())
        await _audit(key, row.stagnation_minutes, value)


Setter = Callable[[str, str], Awaitable[None]]


def _setter(key: str) -> Setter:
    """The accessor that writes ``key`` (every one of them a platform parameter)."""
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "servicePolicy" and parts[2] == "stagnationMinutes" and parts[1]:
        return _set_stagnation
    message = "不存在或不能在此修改 (unknown parameter, or edited elsewhere: see its editVia)"
    raise bad_input(f"参数 {key[:80]} {message}")


async def set_parameter(
    principal: Principal, rules: Rules, key: str, value: str, tenant: UUID | None = None
) -> Parameter:
    """设置参数: one parameter, validated, audited with its value before and after."""
    audit.target(audit.Target("Parameter", key))
    await _tenant(principal, tenant)
    setter = _setter(key)
    if not _may_set(principal):
        raise forbidden("只有平台业务管理员可以修改参数 (the platform's business admin only)")
    await setter(key, value)
    (found,) = [p for p in await list_parameters(principal, rules, tenant) if p.key == key]
    return found
