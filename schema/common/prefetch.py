"""Load a page's relations before its fields resolve, so each field resolves in place.

graphql-core makes an asyncio task for every field that returns an awaitable: on a page of 20
customers, ``tags`` and ``latestContact`` were 40 tasks, 40 coroutines and their scheduling, for
two statements. A list field that knows what its items will ask for loads it first, for the whole
page, in one ``await``; the item fields then find the values in this request's loaders
(``resolvers.common.loading.ready``) and return them synchronously. A field the plan does not
cover, or a value not loaded (another path to the same type), still goes through its loader: the
plan only decides speed, never what is seen (the loaders are the same scoped ones).

A plan maps a field name of the item type to the loader that field will read, built from the
field's arguments as the client gave them::

    PREFETCH: Plan[CustomersLoaders] = {
        "tags": lambda loaders, args: loaders.profile("tags"),
        "latestContact": lambda loaders, args: loaders.profile_latest("contacts", 1),
    }
    await prefetch_page(info, page, PREFETCH)

``_entities`` does the same for an entity type with a ``prefetch`` classmethod
(``prefetch_entities``): the gateway's batch of 20 customers asking for their opportunities
loads them in one await, not 20 tasks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from resolvers.common.pagination import Page

Loaders = TypeVar("Loaders", contravariant=True)


class LoaderFor(Protocol[Loaders]):
    def __call__(self, loaders: Loaders, arguments: Mapping[str, Any], /) -> DataLoader[Any, Any]: ...


Plan = Mapping[str, LoaderFor[Loaders]]


class _Info(Protocol):
    @property
    def selected_fields(self) -> list[Selection]: ...

    @property
    def context(self) -> Any: ...


def fields_under(
    selections: Sequence[Selection], path: tuple[str, ...], type_name: str | None = None
) -> Iterator[SelectedField]:
    """The fields selected at ``path`` below ``selections``, looking through fragments (only
    those on ``type_name`` when given: the members of ``_entities``' union)."""
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            if type_name is None or selection.type_condition in (None, type_name):
                yield from fields_under(selection.selections, path, type_name)
        elif not path:
            yield selection
        elif selection.name == path[0]:
            yield from fields_under(selection.selections, path[1:], type_name)


# Where a connection's items are: ``nodes { … }`` or ``edges { node { … } }``.
CONNECTION_ITEMS = (("nodes",), ("edges", "node"))


async def prefetch_page(info: _Info, page: Page[Any], plan: Plan[Any]) -> None:
    """``prefetch`` for the rows of a connection page (keyed by their ids)."""
    await prefetch(info, [edge.node.id for edge in page.edges], plan, CONNECTION_ITEMS)


async def prefetch(
    info: _Info,
    keys: Sequence[Any],
    plan: Plan[Any],
    paths: Sequence[tuple[str, ...]] = ((),),
    type_name: str | None = None,
) -> None:
    """Load, for every key, what the selected item fields named in ``plan`` will read.

    ``paths``: from the current field's selections to the items' fields (``()`` for a list, the
    current field's own selections). Errors are left in the loaders: the field that reads the
    value raises them, as it would have without the prefetch."""
    if not keys:
        return
    loaders = []
    for current in info.selected_fields:
        if not isinstance(current, SelectedField):
            continue
        for path in paths:
            for field in fields_under(current.selections, path, type_name):
                if (build := plan.get(field.name)) is None:
                    continue
                try:
                    loaders.append(build(info.context.loaders, field.arguments))
                except Exception:  # bad arguments: the field itself reports them, in its place
                    continue
    if loaders:
        await asyncio.gather(*(_fill(loader, keys) for loader in loaders), return_exceptions=True)


async def _fill(loader: DataLoader[Any, Any], keys: Sequence[Any]) -> None:
    """One batch for ``keys`` straight into ``loader``'s cache: what ``load_many`` would do, without
    a future, a done-callback and a gather per key (a page of 100 is 100 of each per relation)."""
    missing = list(dict.fromkeys(key for key in keys if loader.cache_map.get(key) is None))
    if missing:
        loader.prime_many(dict(zip(missing, await loader.load_fn(missing), strict=True)))


def prefetch_entities(info: _Info, entities: list[Any]) -> Any:
    """``entities`` (what ``_entities`` resolved, in order), after the ``prefetch`` of each entity
    type that has one: the list itself when none has, else an awaitable of it."""
    by_type: dict[Callable[..., Awaitable[None]], list[Any]] = {}
    for entity in entities:
        if (prefetch_type := getattr(type(entity), "prefetch", None)) is not None:
            by_type.setdefault(prefetch_type, []).append(entity)
    if not by_type:
        return entities

    async def prefetched() -> list[Any]:
        # Only ever an optimisation: whatever it fails on, each entity's own fields meet again and
        # report where they belong (a bad id at its index), never as a failure of every entity.
        await asyncio.gather(*(load(info, found) for load, found in by_type.items()), return_exceptions=True)
        return entities

    return prefetched()
