"""配置库 (CMDB): configuration items (配置项) of a unit, their original configuration (原始配置,
fixed at creation), their relations to other items and to monitored devices, and every change
(变更记录) with who, when, what and why.

Each mutation is one transaction (``change``) closed by its audit record, and records one
``ConfigChange`` on the item it changes (the source item, for a relation), numbered 1, 2, … per
item (``ConfigItem.version`` is the last number; the item's row is locked while it grows). An
update that changes nothing records nothing. Every id an input names — the org, the item, the
related item or device, the change request — is read in the caller's scope first: out of scope
is NOT_FOUND, as unknown; in scope but not theirs to change is FORBIDDEN (permissions.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from models.devices import (
    ConfigChange,
    ConfigChangeAction,
    ConfigItem,
    ConfigItemKind,
    ConfigItemStatus,
    ConfigRelation,
    ConfigRelationKind,
    Device,
)
from resolvers.common.changes import change
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.devices.directory import change_request_seen, org_path_in_scope
from resolvers.devices.permissions import require_cmdb_writer
from resolvers.devices.scopes import config_item_scope, device_scope
from security.principal import Principal

# Column limits, said as BAD_USER_INPUT before any write.
TEXT_LIMITS = {
    "code": 40,
    "name": 100,
    "vendor": 60,
    "model": 60,
    "serial_number": 80,
    "location": 200,
    "owner_contact": 100,
}
MAX_CONFIG_CHARS = 20_000  # a configuration as JSON text
MAX_CONFIG_KEYS = 200
MAX_REASON = 2_000
MAX_SEARCH = 50
# What an update may change (the org, the code and the original configuration never change).
UPDATABLE = frozenset({*TEXT_LIMITS, "kind", "warranty_until", "status", "config", "device_id"} - {"code"})


@dataclass(frozen=True)
class ConfigItemDraft:
    """What ``create_config_item`` is given (the GraphQL input, parsed)."""

    org_id: UUID
    code: str
    name: str
    kind: ConfigItemKind
    vendor: str = ""
    model: str = ""
    serial_number: str = ""
    location: str = ""
    owner_contact: str = ""
    warranty_until: date | None = None
    config: dict[str, Any] = field(default_factory=dict)  # becomes the original and the current one
    device_id: UUID | None = None


@dataclass(frozen=True)
class Why:
    """Why a change was made: a reason, and the operations change request (变更单) it carries out."""

    reason: str = ""
    change_request_id: UUID | None = None


# -- checks -----------------------------------------------------------------------------------------


def _check_text(name: str, value: str, required: bool = False) -> None:
    if required and not value.strip():
        raise bad_input(f"{name} is required")
    if len(value) > TEXT_LIMITS[name]:
        raise bad_input(f"{name} must be at most {TEXT_LIMITS[name]} characters")


def check_config(config: Any) -> dict[str, Any]:
    """A configuration: a JSON object of at most 200 keys and 20,000 characters."""
    if not isinstance(config, dict):
        raise bad_input("config must be a JSON object (配置: key → value)")
    if len(config) > MAX_CONFIG_KEYS:
        raise bad_input(f"config may have at most {MAX_CONFIG_KEYS} keys")
    if any(not key.strip() or len(key) > 100 for key in config):
        raise bad_input("config keys must be 1 to 100 characters")
    try:
        text = json.dumps(config, ensure_ascii=False, allow_nan=False)
    except (ValueError, RecursionError) as exc:
        raise bad_input("config must be plain JSON (no NaN or Infinity, not nested too deep)") from exc
    if len(text) > MAX_CONFIG_CHARS:
        raise bad_input(f"config must be at most {MAX_CONFIG_CHARS} characters as JSON")
    return config


def _check_why(why: Why) -> None:
    if len(why.reason) > MAX_REASON:
        raise bad_input(f"reason must be at most {MAX_REASON} characters")


async def _writable_org(principal: Principal, org_id: UUID) -> str:
    """The path of an org the caller sees (else NOT_FOUND) and keeps the CMDB of (else FORBIDDEN)."""
    path = await org_path_in_scope(principal, org_id)
    if path is None:
        raise not_found("org")
    require_cmdb_writer(principal, path)
    return path


async def _item_in_scope(principal: Principal, item_id: UUID) -> ConfigItem | None:
    return await scoped(principal, ConfigItem, config_item_scope).get_or_none(id=item_id)


async def _other_end_seen(principal: Principal, relation: ConfigRelation) -> bool:
    if relation.target_item_id is not None:
        return (
            await scoped(principal, ConfigItem, config_item_scope).filter(id=relation.target_item_id).exists()
        )
    return await scoped(principal, Device, device_scope).filter(id=relation.target_device_id).exists()


async def _seen_item(principal: Principal, item_id: UUID, what: str = "config item") -> ConfigItem:
    item = await _item_in_scope(principal, item_id)
    if item is None:
        raise not_found(what)  # or out of scope: the same answer
    return item


async def _writable_item(principal: Principal, item_id: UUID) -> ConfigItem:
    item = await _seen_item(principal, item_id)
    require_cmdb_writer(principal, item.org_path)
    return item


async def _seen_device(principal: Principal, device_id: UUID) -> None:
    if not await scoped(principal, Device, device_scope).filter(id=device_id).exists():
        raise not_found("device")


async def _check_names(principal: Principal, why: Why, device_id: UUID | None = None) -> None:
    """The other ids an input names, each in the caller's scope (else NOT_FOUND)."""
    _check_why(why)
    if device_id is not None:
        await _seen_device(principal, device_id)
    if why.change_request_id is not None and not await change_request_seen(principal, why.change_request_id):
        raise not_found("change request")


# -- the history ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A column's value as JSON: enums by name, dates in ISO form, ids as text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def diff(item: ConfigItem, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """What ``values`` would change on ``item``: field → {before, after}; the configuration key by
    key (``config.<key>``, a key added or removed has null on its missing side)."""
    changes: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        if name == "config":
            old: dict[str, Any] = item.config or {}
            for key in sorted(set(old) | set(value)):
                if key not in old or key not in value or old[key] != value[key]:
                    changes[f"config.{key}"] = {"before": old.get(key), "after": value.get(key)}
            continue
        before, after = _plain(getattr(item, name)), _plain(value)
        if before != after:
            changes[name] = {"before": before, "after": after}
    return changes


async def _record(
    principal: Principal,
    item: ConfigItem,
    action: ConfigChangeAction,
    changes: dict[str, Any],
    why: Why,
) -> ConfigChange:
    """One change of ``item`` (its row locked by the caller, or just created), numbered next."""
    seq = 1 if action is ConfigChangeAction.CREATED else item.version + 1
    if seq != item.version:
        await ConfigItem.filter(id=item.id).update(version=seq)
        item.version = seq
    return await ConfigChange.create(
        item_id=item.id,
        seq=seq,
        org_path=item.org_path,
        action=action,
        changes=changes,
        reason=why.reason,
        change_request_id=why.change_request_id,
        actor_id=principal.user_id,
        actor_name=principal.username[:64],
    )


async def _locked(principal: Principal, item_id: UUID) -> ConfigItem:
    """The item again, inside the transaction, its row locked (the next change number is ours)."""
    item = await scoped(principal, ConfigItem, config_item_scope).select_for_update().get_or_none(id=item_id)
    if item is None:
        raise not_found("config item")
    return item


def _not_retired(item: ConfigItem) -> None:
    if item.status is ConfigItemStatus.RETIRED:
        raise conflict("配置项已退役 (the config item is retired)", reason="RETIRED")


# -- mutations --------------------------------------------------------------------------------------


async def create_config_item(
    principal: Principal, draft: ConfigItemDraft, idempotency_key: str | None, why: Why = Why()
) -> ConfigItem:
    """入库: a new item of an org the caller keeps the CMDB of; its configuration is both the
    original (never changed again) and the current one. With an idempotency key a retry gets the
    first item back (the same key with another code or org is CONFLICT)."""
    for name in TEXT_LIMITS:
        _check_text(name, getattr(draft, name), required=name in ("code", "name"))
    config = check_config(draft.config)
    org_path = await _writable_org(principal, draft.org_id)
    await _check_names(principal, why, draft.device_id)
    key = check_key(idempotency_key)
    async with change("devices", "ConfigItem") as audited:

        async def create() -> ConfigItem:
            row = await ConfigItem.create(
                code=draft.code.strip(),
                name=draft.name.strip(),
                kind=draft.kind,
                org_id=draft.org_id,
                org_path=org_path,
                vendor=draft.vendor,
                model=draft.model,
                serial_number=draft.serial_number,
                location=draft.location,
                owner_contact=draft.owner_contact,
                warranty_until=draft.warranty_until,
                original_config=config,
                config=config,
                device_id=draft.device_id,
                created_by=principal.user_id,
                idempotency_key=key,
            )
            await _record(principal, row, ConfigChangeAction.CREATED, {}, why)
            return row

        try:
            row, created = await once(
                "devices",
                key,
                lambda: ConfigItem.get_or_none(created_by=principal.user_id, idempotency_key=key),
                create,
            )
        except IntegrityError as exc:  # no twin of the key: the code is taken
            raise conflict("配置项编号已存在 (code already used)", reason="CODE_TAKEN") from exc
        audited.id = row.id
        if not created:
            if (row.code, row.org_id) != (draft.code.strip(), draft.org_id):
                raise conflict("幂等键已用于另一配置项 (idempotencyKey already used for another item)")
            audited.detail["repeated"] = True
    return row


async def update_config_item(
    principal: Principal, item_id: UUID, values: Mapping[str, Any], why: Why = Why()
) -> ConfigItem:
    """Changes the fields in ``values`` (``config`` replaces the current configuration whole) and
    records one change with the diff of every field that differs; nothing differs, nothing is
    recorded. A retired item is CONFLICT; ``status`` is IN_SERVICE or MAINTENANCE (retire it with
    ``retire_config_item``)."""
    unknown = set(values) - UPDATABLE
    if unknown:
        raise bad_input(f"cannot update {', '.join(sorted(unknown))}")
    for name in TEXT_LIMITS.keys() & values.keys():
        _check_text(name, values[name], required=name == "name")
    if "config" in values:
        check_config(values["config"])
    if values.get("status") is ConfigItemStatus.RETIRED:
        raise bad_input("use retireConfigItem to retire an item (退役)")
    await _writable_item(principal, item_id)
    await _check_names(principal, why, values.get("device_id"))
    async with change("devices", "ConfigItem", item_id) as audited:
        item = await _locked(principal, item_id)
        _not_retired(item)
        changes = diff(item, values)
        if not changes:
            audited.detail["unchanged"] = True
            return item
        columns = {name.split(".", 1)[0] for name in changes}  # config.<key> → config
        for name in columns:
            setattr(item, name, values[name])
        await item.save(update_fields=[*sorted(columns), "updated_at"])
        await _record(principal, item, ConfigChangeAction.UPDATED, changes, why)
        audited.detail["fields"] = sorted(changes)
    return item


async def retire_config_item(principal: Principal, item_id: UUID, why: Why) -> ConfigItem:
    """退役: the item is RETIRED and read-only from then on (its relations and history stay).
    A reason is required; an item already retired is CONFLICT."""
    if not why.reason.strip():
        raise bad_input("reason is required (退役原因)")
    await _writable_item(principal, item_id)
    await _check_names(principal, why)
    async with change("devices", "ConfigItem", item_id):
        item = await _locked(principal, item_id)
        _not_retired(item)
        changes = diff(item, {"status": ConfigItemStatus.RETIRED})
        item.status = ConfigItemStatus.RETIRED
        await item.save(update_fields=["status", "updated_at"])
        await _record(principal, item, ConfigChangeAction.RETIRED, changes, why)
    return item


async def relate_config_item(
    principal: Principal,
    source_id: UUID,
    kind: ConfigRelationKind,
    target_item_id: UUID | None,
    target_device_id: UUID | None,
    why: Why = Why(),
) -> ConfigItem:
    """A relation from the item ``source_id`` to another item or to a device (exactly one), both
    seen by the caller (an item of another org too, when they see it), recorded as a change of the
    source. The same relation again is no error and records nothing."""
    if (target_item_id is None) == (target_device_id is None):
        raise bad_input("name exactly one of targetItemId and targetDeviceId")
    if target_item_id == source_id:
        raise bad_input("an item cannot be related to itself")
    source = await _writable_item(principal, source_id)
    _not_retired(source)
    if target_item_id is not None:
        _not_retired(await _seen_item(principal, target_item_id, "target config item"))
    await _check_names(principal, why, target_device_id)
    target = target_item_id or target_device_id
    async with change("devices", "ConfigItem", source_id) as audited:
        source = await _locked(principal, source_id)
        _not_retired(source)

        async def first() -> ConfigRelation | None:
            return await ConfigRelation.get_or_none(source_id=source_id, target_key=str(target), kind=kind)

        async def create() -> ConfigRelation:
            relation = await ConfigRelation.create(
                source_id=source_id,
                target_item_id=target_item_id,
                target_device_id=target_device_id,
                target_key=str(target),
                kind=kind,
                org_path=source.org_path,
                created_by=principal.user_id,
            )
            await _record(
                principal, source, ConfigChangeAction.RELATED, _relation_change(relation, True), why
            )
            return relation

        relation, created = await once("devices", "relation", first, create)
        audited.detail["relation"] = str(relation.id)
        if not created:
            audited.detail["repeated"] = True
    return source


def _relation_change(relation: ConfigRelation, added: bool) -> dict[str, Any]:
    value = {
        "kind": relation.kind.value,
        "targetItemId": _plain(relation.target_item_id),
        "targetDeviceId": _plain(relation.target_device_id),
    }
    return {"relation": {"before": None, "after": value} if added else {"before": value, "after": None}}


async def unrelate_config_item(principal: Principal, relation_id: UUID, why: Why = Why()) -> ConfigItem:
    """Removes a relation the caller sees both ends of, recorded as a change of its source."""
    relation = await ConfigRelation.get_or_none(id=relation_id)
    source = await _item_in_scope(principal, relation.source_id) if relation is not None else None
    if relation is None or source is None or not await _other_end_seen(principal, relation):
        raise not_found("config relation")  # or an end out of scope: the same answer
    require_cmdb_writer(principal, source.org_path)
    await _check_names(principal, why)
    async with change("devices", "ConfigItem", relation.source_id) as audited:
        source = await _locked(principal, relation.source_id)
        _not_retired(source)
        if not await ConfigRelation.filter(id=relation_id).delete():
            raise not_found("config relation")  # removed meanwhile
        await _record(principal, source, ConfigChangeAction.UNRELATED, _relation_change(relation, False), why)
        audited.detail["relation"] = str(relation_id)
    return source


# -- reads ------------------------------------------------------------------------------------------


async def list_config_items(
    principal: Principal,
    first: int,
    after: str | None,
    org_id: UUID | None = None,
    kind: ConfigItemKind | None = None,
    search: str | None = None,
) -> Page[ConfigItem]:
    """The items in the caller's scope, by id: of one org, of one kind, whose code or name holds
    ``search``."""
    queryset = scoped(principal, ConfigItem, config_item_scope)
    if org_id is not None:
        queryset = queryset.filter(org_id=org_id)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    if search is not None and search.strip():
        if len(search) > MAX_SEARCH:
            raise bad_input(f"search must be at most {MAX_SEARCH} characters")
        term = search.strip()
        queryset = queryset.filter(Q(code__icontains=term) | Q(name__icontains=term))
    return await paginate(queryset, first, after)
