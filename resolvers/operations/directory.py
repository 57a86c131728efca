"""What operations reads of other subgraphs: the device an alert names (设备目录,
``raiseAlert(deviceId)``), checked against the caller's device scope and the alert's org; and
finance's working-day calendar (工作日历), which times incidents too (resolvers/operations/sla.py); and
how many customers an org being closed still has (``customers_at``, orgs.py ``close_org``).

Devices belong to the devices subgraph. Operations reads them here and nowhere else, read-only,
one statement per call, filtered by the devices subgraph's own rule (security/scopes.py
``device_scope``, not a copy of it), which is why the operations process registers the devices
app too (``consumes`` in subgraphs/operations.py). The query runs on the devices connection alone:
no SQL joins another subgraph's tables; the answer is a plain id, nothing here can write to devices.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from models.customers import Customer, Prospect
from models.devices import Device
from models.finance import CalendarDay
from resolvers.devices.scopes import device_scope
from resolvers.finance.working_days import is_working_day as working_day
from security.conditions import Prefix
from security.principal import Principal


async def device_at(principal: Principal, device_id: UUID, org_path: str) -> bool:
    """Whether ``device_id`` is a device the caller may see, standing at the org of ``org_path``
    or below it (the alert's org itself, or a hall under it). A device of another
    tenant, hall or branch, and an unknown id, answer alike: False."""
    scope = device_scope(principal)
    if scope.is_nothing:
        return False
    return await Device.filter(scope.q(), Prefix("org_path", org_path).q(), id=device_id).exists()


async def is_working_day(day: date) -> bool:
    """Monday to Friday, unless finance's calendar says otherwise for ``day`` (one statement)."""
    override = await CalendarDay.get_or_none(day=day)
    return working_day(day, {day: override.workday} if override is not None else {})


async def devices_at(principal: Principal, device_ids: set[UUID], org_path: str) -> set[UUID]:
    """Of ``device_ids``, those ``device_at`` would answer True for, in one statement (an
    inspection plan's configuration-item targets)."""
    scope = device_scope(principal)
    if scope.is_nothing or not device_ids:
        return set()
    query = Device.filter(scope.q(), Prefix("org_path", org_path).q(), id__in=list(device_ids))
    return {UUID(str(row)) for row in await query.values_list("id", flat=True)}


async def customers_at(org_id: UUID) -> int:
    """How many customers (and prospects) the customers subgraph holds at ``org_id``: closing an org
    that has any needs a successor to take them (orgs.py ``close_org``). One statement each,
    read-only; not scoped, because it answers a count to an admin already checked over the org."""
    return await Customer.filter(org_id=org_id).count() + await Prospect.filter(org_id=org_id).count()
