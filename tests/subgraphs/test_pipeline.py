"""The per-operation pipeline (subgraphs/pipeline.py): one schema extension per subgraph schema.

Strawberry wraps each hook of each extension in a context manager of its own for every operation;
with the 15 extensions of before (17 hooks outside dev mode) that machinery cost a trivial operation more than the
rules themselves. What each rule refuses is tested where the rule is (tests/security,
tests/realtime/test_subscription_refusals.py, tests/operations/test_audit.py).
"""

from __future__ import annotations

import pytest
from strawberry.extensions import SchemaExtension

from subgraphs.pipeline import Pipeline
from subgraphs.registry import spec_of
from subgraphs.settings import SUBGRAPHS

pytestmark = pytest.mark.unit

HOOKS = ("on_operation", "on_parse", "on_validate", "on_execute")


@pytest.mark.parametrize("subgraph", SUBGRAPHS)
def test_an_operation_runs_four_hooks_of_one_extension(subgraph: str) -> None:
    extensions = spec_of(subgraph).schema.get_extensions()
    assert [type(extension) for extension in extensions] == [Pipeline]
    hooks = [
        (type(extension).__name__, name)
        for extension in extensions
        for name in HOOKS
        if getattr(type(extension), name) is not getattr(SchemaExtension, name)
    ]
    assert len(hooks) == len(HOOKS), hooks
