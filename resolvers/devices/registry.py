"""设备台账 (the device registry): staff register devices and edit their records, issue and rotate
a device's credential (设备凭证), revoke it, and put a device into maintenance and back; the
platform provisions simulated devices.

A credential is an Ed25519 key pair (envelope.py): the private key is returned once, to be
installed on the device, and never stored; the registry keeps the public key and its SHA-256
fingerprint. Issuing a new one revokes the old at once (rotation): messages signed with the old
key are refused from the next batch on.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, cast
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.devices import Device, DeviceCredential, DeviceKind, DeviceStatus, StatusReason
from resolvers.common.changes import change
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.loading import scoped
from resolvers.devices import directory
from resolvers.devices.envelope import command_topic, fingerprint, new_credential, up_topic
from resolvers.devices.permissions import require_device_admin
from resolvers.devices.scopes import device_scope
from resolvers.devices.status import set_status
from security.principal import Principal


@dataclass(frozen=True)
class IssuedCredential:
    device: Device
    private_key: str  # shown once
    fingerprint: str

    def topic(self, kind: str) -> str:
        return up_topic(self.device.tenant_id or "", self.device.code, kind)

    @property
    def command_topic(self) -> str:
        return command_topic(self.device.tenant_id or "", self.device.code)


async def _managed(principal: Principal, device_id: UUID) -> Device:
    require_device_admin(principal)
    device = await scoped(principal, Device, device_scope).select_for_update().get_or_none(id=device_id)
    if device is None:
        raise not_found("device")  # or out of scope: the same answer
    return device


async def _new_credentials(devices: list[Device], issued_by: UUID | None) -> list[IssuedCredential]:
    """A fresh credential for each device, revoking its current one: 2 statements for the lot."""
    await DeviceCredential.filter(device_id__in=[d.id for d in devices], revoked_at__isnull=True).update(
        revoked_at=now()
    )
    issued, rows = [], []
    for device in devices:
        private, public = new_credential()
        issued.append(IssuedCredential(device, private, fingerprint(public)))
        rows.append(
            DeviceCredential(
                device_id=device.id, public_key=public, fingerprint=fingerprint(public), issued_by=issued_by
            )
        )
    await DeviceCredential.bulk_create(rows)
    return issued


async def issue_credential(principal: Principal, device_id: UUID) -> IssuedCredential:
    """A new credential for a device in the caller's scope, revoking the one before (rotation).
    A child of an interaction unit reports through its unit and gets none (BAD_USER_INPUT)."""
    async with change("devices", "DeviceCredential", device_id) as audited:
        device = await _managed(principal, device_id)
        if device.parent_id is not None:
            raise bad_input(
                "该设备经交互单元接入，凭证发给交互单元 (a child device reports through its unit)"
            )
        if device.tenant_id is None:  # registered before devices knew their tenant (its topics' first level)
            hall = await directory.hall(device.hall_id)
            device.tenant_id = hall.tenant_id if hall is not None else None
            await device.save(update_fields=["tenant_id", "updated_at"])
        (issued,) = await _new_credentials([device], principal.user_id)
        audited.detail["fingerprint"] = issued.fingerprint  # never the private key
    return issued


async def revoke_credential(principal: Principal, device_id: UUID) -> Device:
    """Revokes the device's credential: its messages are refused until a new one is issued."""
    async with change("devices", "DeviceCredential", device_id):
        device = await _managed(principal, device_id)
        await DeviceCredential.filter(device_id=device.id, revoked_at__isnull=True).update(revoked_at=now())
    return device


async def set_maintenance(principal: Principal, device_id: UUID, on: bool, note: str = "") -> Device:
    """维护: MAINTENANCE (from any status), or back OFFLINE until its next heartbeat. Asking for the
    status it already has changes nothing (a repeat is safe)."""
    if len(note) > 200:
        raise bad_input("note must be at most 200 characters")
    async with change("devices", "Device", device_id):
        device = await _managed(principal, device_id)
        if on and device.status is not DeviceStatus.MAINTENANCE:
            await set_status(
                device,
                DeviceStatus.MAINTENANCE,
                StatusReason.STAFF,
                now(),
                detail=note,
                actor_id=principal.user_id,
            )
        elif not on and device.status is DeviceStatus.MAINTENANCE:
            await set_status(
                device,
                DeviceStatus.OFFLINE,
                StatusReason.STAFF,
                now(),
                leaving=(DeviceStatus.MAINTENANCE,),
                detail=note or "维护结束，等待心跳 (back in service, waiting for a heartbeat)",
                actor_id=principal.user_id,
                offline_after=None,
            )
    return device


async def provision_devices(
    hall_id: UUID, count: int, prefix: str, kind: DeviceKind = DeviceKind.INTERACTION_UNIT
) -> list[IssuedCredential]:
    """The platform's own: ``count`` devices ``<prefix>-0001`` … at a hall (made when missing), each
    with a fresh credential (the simulator's and the benchmark's). Not reachable from the API."""
    hall = await directory.hall(hall_id)
    if hall is None:
        raise not_found("hall")
    codes = [f"{prefix}-{n:04d}" for n in range(1, count + 1)]
    async with change("devices", "Device") as audited:
        existing = {d.code: d for d in await Device.filter(code__in=codes)}
        if any(d.hall_id != hall.id for d in existing.values()):
            raise conflict(f"devices {prefix}-… exist at another hall")
        await Device.bulk_create(
            [
                Device(
                    code=code,
                    name=f"模拟设备 {code}",
                    kind=kind,
                    vendor="DCMS",
                    model="simulator",
                    hall_id=hall.id,
                    org_path=hall.path,
                    tenant_id=hall.tenant_id,
                )
                for code in codes
                if code not in existing
            ]
        )
        devices = await Device.filter(code__in=codes).order_by("code")
        audited.detail["provisioned"] = len(devices)
        return await _new_credentials(devices, None)


@dataclass(frozen=True)
class DeviceFields:
    """What staff set on a device (设备台账); None leaves a field as it is (on update)."""

    name: str | None = None
    vendor: str | None = None
    model: str | None = None
    protocol: str | None = None
    firmware: str | None = None
    owner_contact: str | None = None
    location: str | None = None
    warranty_until: date | None = None
    heartbeat_seconds: int | None = None
    parent_id: UUID | None = None


_LIMITS = {
    "name": 100,
    "vendor": 60,
    "model": 60,
    "protocol": 40,
    "firmware": 60,
    "owner_contact": 100,
    "location": 200,
}
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")  # it names MQTT topics: no '/', '+' or '#'


def _checked(values: DeviceFields) -> dict[str, Any]:
    given = {k: v for k, v in asdict(values).items() if v is not None}
    for name, limit in _LIMITS.items():
        if name in given and len(given[name]) > limit:
            raise bad_input(f"{name} must be at most {limit} characters")
    if "name" in given and not given["name"].strip():
        raise bad_input("name must not be empty")
    if "heartbeat_seconds" in given and not 5 <= given["heartbeat_seconds"] <= 3600:
        raise bad_input("heartbeatSeconds must be 5 to 3600")
    return given


async def _unit_for(principal: Principal, parent_id: UUID, hall_id: UUID) -> Device:
    parent = await scoped(principal, Device, device_scope).get_or_none(id=parent_id)
    if parent is None or parent.hall_id != hall_id:
        raise not_found("parent unit (at the same hall)")
    if parent.kind is not DeviceKind.INTERACTION_UNIT or parent.parent_id is not None:
        raise bad_input("the parent must be an interaction unit (智能互动单元) connected by itself")
    return parent


async def register_device(
    principal: Principal, code: str, kind: DeviceKind, hall_id: UUID, values: DeviceFields
) -> Device:
    """登记设备 at a hall in the caller's scope (NOT_FOUND otherwise), optionally under an
    interaction unit of that hall. The code is unique: registering the same code again at the same
    hall with the same kind returns the device (a retry); otherwise CONFLICT."""
    require_device_admin(principal)
    if not CODE.fullmatch(code):
        raise bad_input("code must be 1–40 letters, digits, '.', '_' or '-' (it names the device's topics)")
    given = _checked(values)
    if "name" not in given:
        raise bad_input("name is required")
    hall = await directory.hall_in_scope(principal, hall_id)
    if hall is None:
        raise not_found("hall")
    async with change("devices", "Device") as audited:
        if values.parent_id is not None:
            await _unit_for(principal, values.parent_id, hall.id)
        existing = await Device.get_or_none(code=code)
        if existing is not None:
            if (existing.hall_id, existing.kind) != (hall.id, kind):
                raise conflict(f"设备编号 {code} 已被占用 (the code is taken)")
            audited.id, audited.detail["repeated"] = existing.id, True
            return existing
        try:
            async with in_transaction("devices"):  # a savepoint: a twin request may win
                device = await Device.create(
                    code=code,
                    kind=kind,
                    hall_id=hall.id,
                    org_path=hall.path,
                    tenant_id=hall.tenant_id,
                    **given,
                )
        except IntegrityError as error:
            raise conflict(f"设备编号 {code} 已被占用 (the code is taken)") from error
        audited.id = device.id
    return device


async def update_device(principal: Principal, device_id: UUID, values: DeviceFields) -> Device:
    """修改设备台账: the fields given; the hall does not change (register the device anew there)."""
    given = _checked(values)
    async with change("devices", "Device", device_id) as audited:
        device = await _managed(principal, device_id)
        if values.parent_id is not None:
            if values.parent_id == device.id:
                raise bad_input("a device cannot report through itself")
            await _unit_for(principal, values.parent_id, device.hall_id)
        changed = {k: v for k, v in given.items() if getattr(device, k) != v}
        if changed:
            device.update_from_dict(changed)
            await device.save(update_fields=[*changed, "updated_at"])
        audited.detail["fields"] = sorted(changed)
    return device


async def rekey_units() -> list[tuple[IssuedCredential, list[Device]]]:
    """The platform's own, in dev mode only (the demo's simulator): a fresh credential for every
    unit that connects by itself and has devices reporting through it, with those devices. The
    units' old credentials are revoked: never for a real installation."""
    children: dict[UUID, list[Device]] = {}
    for device in await Device.filter(parent_id__isnull=False).order_by("code"):
        children.setdefault(cast(UUID, device.parent_id), []).append(device)
    async with change("devices", "DeviceCredential") as audited:
        units = await Device.filter(id__in=list(children), parent_id__isnull=True).order_by("code")
        issued = await _new_credentials(units, None)
        audited.detail["rekeyed"] = len(issued)
    return [(one, children[one.device.id]) for one in issued]
