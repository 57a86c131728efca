"""Building running schemes' target lists (目标名单) and work orders (营销工单), run by a job
(resolvers/marketing/jobs.py ``watch_scheme_lists``).

Once across replicas (resolvers/common/jobs.py ``exclusive``), in chunks of ``CHUNK`` customers:
each chunk reads the audience after the scheme's cursor (resolvers/marketing/audiences.py
``audience_chunk``: already minus the marketing filter and customers without consent), inserts the
targets and, for those with a managing manager, the work orders (unique per scheme × manager ×
customer: a rerun inserts nothing twice), and moves the cursor — a constant number of statements
per chunk. Targets without a manager wait for their branch head (名单分配).
"""

from __future__ import annotations

from uuid import UUID

from models.marketing import MarketingScheme, SchemeStatus, SchemeTarget, WorkOrder, WorkOrderStatus
from resolvers.common.jobs import exclusive
from resolvers.marketing.audiences import audience_chunk, criteria_of

SCHEME_LIST_LOCK = 0x5D_C0_17  # pg advisory lock key: one list build at a time across replicas
CHUNK = 1000  # customers per chunk
CHUNKS_PER_RUN = 50  # then the job yields until its next run


async def build_chunk(scheme: MarketingScheme, limit: int = CHUNK) -> int:
    """One chunk of ``scheme``'s list; the number of customers read (0: the list is complete)."""
    assert scheme.criteria is not None
    members = await audience_chunk(scheme.tenant_id, criteria_of(scheme.criteria), scheme.list_after, limit)
    if members:
        await SchemeTarget.bulk_create(
            [
                SchemeTarget(
                    scheme_id=scheme.id,
                    customer_id=m.customer_id,
                    org_path=m.org_path,
                    manager_id=m.manager_id,
                )
                for m in members
            ],
            ignore_conflicts=True,
        )
        managed = [m for m in members if m.manager_id is not None]
        if managed:
            await WorkOrder.bulk_create(
                [
                    WorkOrder(
                        scheme_id=scheme.id,
                        tenant_id=scheme.tenant_id,
                        manager_id=m.manager_id,
                        customer_id=m.customer_id,
                        org_path=m.org_path,
                        status=WorkOrderStatus.PENDING,
                    )
                    for m in managed
                ],
                ignore_conflicts=True,
            )
    last: UUID | None = members[-1].customer_id if members else scheme.list_after
    complete = len(members) < limit
    await MarketingScheme.filter(id=scheme.id, list_after=scheme.list_after).update(
        list_after=last, list_complete=complete
    )
    scheme.list_after, scheme.list_complete = last, complete
    return len(members)


async def build_target_lists(chunk: int = CHUNK, chunks: int = CHUNKS_PER_RUN) -> int:
    """Up to ``chunks`` chunks of the running schemes whose lists are not complete, each chunk its
    own transaction held under the lock; the customers read."""
    read = 0
    for _ in range(chunks):
        async with exclusive("marketing", SCHEME_LIST_LOCK) as mine:
            if not mine:
                return read
            scheme = (
                await MarketingScheme.filter(status=SchemeStatus.RUNNING, list_complete=False)
                .order_by("started_at")
                .first()
            )
            if scheme is None:
                return read
            read += await build_chunk(scheme, chunk)
    return read
