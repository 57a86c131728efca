"""Copies of an org's path kept for scope filtering (``org_path`` columns), rewritten when the org
tree changes: an org moved under another parent takes its whole subtree to a new path prefix.

``rewrite_paths(app, old, new)`` rewrites, in one UPDATE per table whatever the number of rows,
every ``org_path`` column of ``app``'s models (and the operations ``Org.path`` itself): a path
equal to ``old`` or below it gets ``new`` in place of that prefix. The operations subgraph calls
it in the transaction of the move; a subgraph that copies paths calls it from its consumer of the
``operations.orgs`` stream: ``org_change_handler`` is that consumer's handler, the same for every
copier (resolvers/<subgraph>/org_events.py: customers, marketing, devices), with what a subgraph
does on its own when an org closes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from realtime.events import Event

log = logging.getLogger(__name__)

# ``path`` only on the org tree itself (operations Org); ``claimed_org_path``: the claimer's org of
# a marketing opportunity, a scope too (resolvers/marketing/pool.py).
PATH_COLUMNS = ("org_path", "claimed_org_path", "path")


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def path_tables(app: str) -> list[tuple[type[Model], str]]:
    """(model, column) of every path copy among ``app``'s models (abstract and unmanaged ones skipped)."""
    found = []
    for model in Tortoise.apps[app].values():
        meta = model._meta
        if meta.abstract:
            continue
        for name in PATH_COLUMNS:
            if name in meta.fields_db_projection and (name != "path" or meta.db_table == "org"):
                found.append((model, meta.fields_db_projection[name]))
    return found


async def rewrite_paths(app: str, old: str, new: str) -> int:
    """Move every path copy of ``app`` at ``old`` or below it under ``new``; the rows changed.
    Inside the caller's transaction (the tables' connection is the transaction's)."""
    if old == new:
        return 0
    changed = 0
    for model, column in path_tables(app):
        db: BaseDBAsyncClient = model._meta.db
        sql = (
            f'UPDATE "{model._meta.db_table}" SET "{column}" = CAST($1 AS TEXT) || substr("{column}", $2) '
            f'WHERE "{column}" = $3 OR "{column}" LIKE $4 ESCAPE \'\\\''
        )
        if db.capabilities.dialect != "postgres":
            sql = sql.replace("$", "?")
        count, _ = await db.execute_query(sql, [new, len(old) + 1, old, _like_escaped(old + "/") + "%"])
        changed += count
    return changed


OnClosed = Callable[[Event], Awaitable[None]]


def org_change_handler(app: str, on_closed: OnClosed | None = None) -> Callable[[Event], Awaitable[bool]]:
    """The handler of ``app``'s durable consumer of ``operations.orgs`` (realtime/consumer.py
    ``consume``, in ``app``'s transaction with its cursor): ``org.moved`` rewrites ``app``'s path
    copies; ``org.closed`` runs ``on_closed`` if the subgraph hands anything on; an unknown type is
    logged and skipped (a newer producer). It publishes nothing of its own (False)."""

    async def handle(event: Event) -> bool:
        if event.type == "org.moved":
            await rewrite_paths(app, str(event.scope["old_path"]), str(event.scope["new_path"]))
        elif event.type == "org.closed":
            if on_closed is not None:
                await on_closed(event)
        else:
            log.warning("%s: org event %s of unknown type %s: ignored", app, event.id, event.type)
        return False

    return handle
