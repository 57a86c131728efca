"""What every live-stream event carries besides its entity, waking the relay after an operation,
and the executor that runs a subscription event once per selection set and visibility class
(``SharedEventExecutor``, realtime/sharing.py)."""

from __future__ import annotations

import contextlib
import inspect
import json
import time
from collections.abc import Callable, Hashable, Iterator
from datetime import datetime
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    Node,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableNode,
    Visitor,
    print_ast,
    visit,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from realtime.sharing import shared_executions, visibility_class
from resolvers.common.audit import _current as audit_scope
from resolvers.common.events import recorded_outboxes
from schema.common.pii import Sensitive


@strawberry.type
class StreamEvent:
    event_id: strawberry.ID = strawberry.field(
        description="事件编号: pass the last one received as `after` to resume after it"
    )
    occurred_at: datetime

    @staticmethod
    def stamp(event_id: str, occurred_at: str) -> dict[str, Any]:
        """The envelope's fields as keyword arguments for a subclass."""
        return {"event_id": strawberry.ID(event_id), "occurred_at": datetime.fromisoformat(occurred_at)}


AFTER = "最后收到的 eventId: first replays the events after it (kept 24 h by default), then goes live"


@contextlib.contextmanager
def waking_relay(context: Any) -> Iterator[None]:
    """Around an operation's execution (subgraphs/pipeline.py): when its functions recorded events
    (their transactions have committed by then), wake the outbox relay so the events go out now
    rather than at its next poll."""
    recorded: set[str] = set()
    token = recorded_outboxes.set(recorded)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):  # a subscription may end in another context
            recorded_outboxes.reset(token)
    if recorded:
        context.realtime.relay.wake(recorded)


class SharedEventExecutor(StrawberryGraphQLCoreExecutionContext):
    """Executes a subscription event once per selection set and visibility class
    (realtime/sharing.py): the first subscriber of a class to reach an event runs the selection set
    on it, the others of the class get that result (and its unmasked reads, audited again as
    theirs). Only the per-event execution of a ``StreamEvent`` payload is shared; queries,
    mutations and the subscription's own source stream run as before."""

    _dcms_share: tuple[Hashable, bool] | None = None  # (operation key, reads a sensitive field)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # When the operation began (each event's executor is a copy): only an execution that began
        # after it is shared with it (realtime/sharing.py SharedExecutions.run).
        self._dcms_since = time.monotonic()

    def build_per_event_executor(self, payload: Any) -> Any:
        if self._dcms_share is None and isinstance(payload, StreamEvent):
            self._dcms_share = _operation_key(self), _reads_sensitive(self)  # once per subscription
        return super().build_per_event_executor(payload)

    def execute_operation(self, serially: bool | None = None) -> Any:
        payload = self.root_value
        if self._dcms_share is None or not isinstance(payload, StreamEvent):
            return super().execute_operation(serially)
        return self._execute_shared(payload, self._dcms_share, super().execute_operation, serially)

    async def _execute_shared(
        self,
        payload: StreamEvent,
        share: tuple[Hashable, bool],
        execute: Callable[[bool | None], Any],
        serially: bool | None,
    ) -> Any:
        operation, reads_sensitive = share
        principal = getattr(self.context_value, "principal", None)
        key = (
            type(payload).__name__,
            operation,
            visibility_class(principal, reads_sensitive),
        )
        scope = audit_scope.get()

        async def run() -> tuple[Any, dict[tuple[str, str | None], set[str]]]:
            result = execute(serially)
            if inspect.isawaitable(result):
                result = await result
            reads = {target: set(names) for target, names in scope.pii_reads.items()} if scope else {}
            return result, reads

        (result, reads), ran_here = await shared_executions.run(
            str(payload.event_id), key, run, since=self._dcms_since
        )
        if not ran_here and scope is not None:
            for target, names in reads.items():  # each subscriber's unmasked read is audited as theirs
                scope.pii_reads.setdefault(target, set()).update(names)
        return result


def _operation_key(executor: Any) -> Hashable:
    """The operation as a key: its document text, name and variable values, but a variable
    used only as the root field's ``after`` (a cursor decides where the stream starts, not what
    an event looks like)."""
    operation: OperationDefinitionNode = executor.operation
    fragments = _fragments(executor)
    if operation.loc is not None:
        text = operation.loc.source.body
    else:
        text = "\n".join(print_ast(node) for node in (operation, *fragments))
    uses: dict[str, int] = {}
    for node in (operation.selection_set, *fragments):
        _count_variables(node, uses)
    cursors = {
        argument.value.name.value
        for field in operation.selection_set.selections
        if isinstance(field, FieldNode)
        for argument in field.arguments or ()
        if argument.name.value == "after" and isinstance(argument.value, VariableNode)
    }
    variables = executor.variable_values
    values = {
        name: value
        for name, value in (variables.coerced if variables is not None else {}).items()
        if not (name in cursors and uses.get(name) == 1)
    }
    name = operation.name.value if operation.name else None
    return text, name, json.dumps(values, sort_keys=True, default=repr)


def _fragments(executor: Any) -> list[FragmentDefinitionNode]:
    return [details.definition for details in executor.fragments.values()]


def _count_variables(node: Node, uses: dict[str, int]) -> None:
    class Count(Visitor):
        def enter_variable(self, variable: VariableNode, *_: Any) -> None:
            uses[variable.name.value] = uses.get(variable.name.value, 0) + 1

    visit(node, Count())


def _reads_sensitive(executor: Any) -> bool:
    """Whether the operation selects a field masked by security/masking.py (schema/common/pii.py)."""
    type_info = TypeInfo(executor.schema)
    found: list[bool] = []

    class Find(Visitor):
        def enter_field(self, *_: Any) -> None:
            field = type_info.get_field_def()
            if field is None:  # (validated before: never) assume the worst
                found.append(True)
                return
            definition = field.extensions.get("strawberry-definition")
            if definition is not None and any(isinstance(e, Sensitive) for e in definition.extensions):
                found.append(True)

    for node in (executor.operation, *_fragments(executor)):
        visit(node, TypeInfoVisitor(type_info, Find()))
    return any(found)
