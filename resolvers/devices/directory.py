"""What devices reads of operations: the hall (an ``Org`` of kind HALL) a device is registered at,
the org a configuration item belongs to (its path, for the item's scope), and the change request
(变更单) a configuration change names.

Orgs and change requests belong to the operations subgraph. Devices reads them here and nowhere
else, read-only, one statement per call, which is why the devices process registers the
operations app too (``consumes`` in subgraphs/devices.py). The answers are plain values or rows
nothing here writes back. An id out of the caller's scope answers like an unknown one."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID

from models.operations import ChangeRequest, Org, OrgKind
from resolvers.devices.scopes import device_scope
from resolvers.operations.scopes import change_scope
from security.principal import Principal
from security.scopes import site_scope


async def hall_in_scope(principal: Principal, hall_id: UUID) -> Org | None:
    """The hall, when a device there would be in the caller's device scope; None for another
    tenant's or branch's hall, an org that is not a hall, or an unknown id alike."""
    hall = await Org.get_or_none(id=hall_id, kind=OrgKind.HALL)
    if hall is None or not device_scope(principal).test(SimpleNamespace(org_path=hall.path)):
        return None
    return hall


async def hall(hall_id: UUID) -> Org | None:
    """A hall by id, for the platform's own calls (the simulator's devices, a credential's tenant)."""
    return await Org.get_or_none(id=hall_id, kind=OrgKind.HALL)


async def org_path_in_scope(principal: Principal, org_id: UUID) -> str | None:
    """The path of ``org_id`` when it is in the caller's site scope (their org's subtree, their
    tenant's, or all for the province), else None, as for an unknown org."""
    scope = site_scope(principal)
    if scope.is_nothing:
        return None
    org = await Org.get_or_none(id=org_id).only("id", "path")
    if org is None or not scope.test(SimpleNamespace(org_path=org.path)):
        return None
    return str(org.path)


async def change_request_seen(principal: Principal, change_request_id: UUID) -> bool:
    """Whether the operations change request ``change_request_id`` is one the caller sees."""
    scope = change_scope(principal)
    if scope.is_nothing:
        return False
    return await ChangeRequest.filter(scope.q(), id=change_request_id).exists()
