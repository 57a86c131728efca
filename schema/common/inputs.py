"""Inputs no resolver can store, refused once for every field, with BAD_USER_INPUT.

- Strings (every String, ID and custom-scalar string, in variables and in literals): a NUL
  character (PostgreSQL text cannot hold one), a lone UTF-16 surrogate (JSON can carry
  ``"\\ud800"``; UTF-8, so PostgreSQL, logs and responses cannot) and anything longer than
  ``MAX_STRING_LENGTH`` (``MAX_UPLOAD_LENGTH`` for a base64 upload in a ``contentBase64``
  variable field). Literals are checked by a validation rule (cached with the document),
  variables before execution (both by subgraphs/pipeline.py).
- ``Date``, ``DateTime``, ``Time``: Strawberry's parsers, their refusals coded.
- ``Decimal``: only finite values below 10^``DECIMAL_DIGITS`` with at most ``DECIMAL_PLACES``
  places (``NaN``, ``Infinity`` and ``1e999999999`` parse as Python Decimals but no column takes
  them), and a coded error instead of a masked one for a value that is no number at all.
- Storage: a value the schema allows but its column does not (longer than a ``VARCHAR``, out of
  a ``NUMERIC``'s range) fails in Tortoise's field validation or as a PostgreSQL data exception
  (SQLSTATE class 22); ``storage_input_error`` names it a BAD_USER_INPUT rather than a fault.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import inspect
import re
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import ASTValidationRule, GraphQLError, StringValueNode
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types import base_scalars
from strawberry.types.scalar import ScalarDefinition

from resolvers.common.errors import CodedError, ErrorCode, bad_input
from resolvers.common.values import parse_decimal
from schema.common.errors import graphql_error

MAX_STRING_LENGTH = 10_000  # the longest text field (a complaint, a note) is well below this
# A file uploaded as base64 in a variable field named ``contentBase64`` (巡检 photos, at most 2 MiB
# decoded: resolvers/operations/inspections.py checks its own limit) may be this long; the request
# body's limit (subgraphs/body_guard.py) still holds, so large files go one or two per request.
MAX_UPLOAD_LENGTH = 3 * 1024 * 1024
UPLOAD_FIELD = ".contentBase64"

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def string_problem(value: str, limit: int = MAX_STRING_LENGTH) -> str | None:
    """Why ``value`` cannot be an input string, or None."""
    if len(value) > limit:
        return f"is longer than {limit} characters"
    if "\x00" in value:
        return "contains a NUL character (U+0000)"
    if _LONE_SURROGATE.search(value):
        return "contains a lone UTF-16 surrogate (not Unicode text)"
    return None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value (keys too), with where it is; without recursion."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield item, where
        elif isinstance(item, dict):
            for key, child in item.items():
                yield str(key), where
                stack.append((child, f"{where}.{key}"))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{index}]") for index, child in enumerate(item))


def variables_problem(variables: dict[str, Any] | None) -> CodedError | None:
    for value, where in _strings(variables or {}, "$"):
        limit = MAX_UPLOAD_LENGTH if where.endswith(UPLOAD_FIELD) else MAX_STRING_LENGTH
        if problem := string_problem(value, limit):
            return bad_input(f"{where.replace('$.', '$', 1)} {problem}")
    return None


class StringLiterals(ASTValidationRule):
    """The same for strings written into the document itself."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if problem := string_problem(node.value):
            self.report_error(
                GraphQLError(
                    f"a string literal {problem}",
                    node,
                    extensions={"code": ErrorCode.BAD_USER_INPUT.value},
                )
            )


# -- Decimal -------------------------------------------------------------------------------------


def _decimal_scalar(value: object) -> decimal.Decimal:
    """``parse_decimal``'s refusal raised as a GraphQL error with its code, while GraphQL coerces."""
    try:
        return parse_decimal(value)
    except CodedError as error:
        raise graphql_error(error) from None


DECIMAL = ScalarDefinition(
    name="Decimal",
    description="Decimal (fixed-point)",  # Strawberry's own, so the SDL does not change
    specified_by_url=None,
    serialize=str,
    parse_value=_decimal_scalar,
    parse_literal=None,
    origin=decimal.Decimal,
)


def _coded(definition: ScalarDefinition) -> ScalarDefinition:
    """Strawberry's own scalar, its refusal coded: uncoded, masking hides it as an
    "Unexpected error." and the log gets its traceback."""
    parse = definition.parse_value
    assert parse is not None

    def parse_value(value: object) -> object:
        try:
            return parse(value)
        except StrawberryInputCoercionError as exc:
            raise graphql_error(bad_input(exc.message)) from None

    return dataclasses.replace(definition, parse_value=parse_value, implementation=None)


SCALAR_OVERRIDES: dict[object, Any] = {
    decimal.Decimal: DECIMAL,
    datetime.date: _coded(base_scalars.DateDefinition),
    datetime.datetime: _coded(base_scalars.DateTimeDefinition),
    datetime.time: _coded(base_scalars.TimeDefinition),
}


# -- storage -------------------------------------------------------------------------------------


def storage_input_error(error: BaseException | None) -> CodedError | None:
    """A BAD_USER_INPUT for an exception that says a value did not fit its column; else None."""
    from tortoise.exceptions import ValidationError

    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, ValidationError):
            field = str(error).split(":", 1)[0]
            return bad_input(f"{field}: 值超出范围或过长 (value too long or out of range)")
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith("22"):  # PostgreSQL data exception
            return bad_input("值超出范围或过长 (a value is too long or out of range)")
        error = error.__cause__ or error.__context__
    return None


# -- request errors and `_entities` ----------------------------------------------------------------


def code_request_errors(errors: list[GraphQLError] | None, code: ErrorCode) -> None:
    """graphql-core's parse and validation errors carry no code; the gateway gives its own the
    same two codes, a subgraph called straight gets them here."""
    for error in errors or []:
        if error.original_error is None and not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": code.value}


def representation_error(representation: Any, type_map: Mapping[str, Any]) -> CodedError | None:
    """Why an `_entities` representation names no entity of this subgraph (Strawberry's resolver
    raises KeyError or TypeError for these), or None."""
    if not isinstance(representation, dict):
        return bad_input("a representation must be an object with __typename")
    typename = representation.get("__typename")
    definition = getattr(type_map.get(typename), "definition", None) if isinstance(typename, str) else None
    origin = getattr(definition, "origin", None)
    if origin is None or not getattr(definition, "is_object_type", True):
        return bad_input(f"no entity type {str(typename)[:60]!r} in this subgraph")
    resolve_reference = getattr(origin, "resolve_reference", None)
    if resolve_reference is not None:
        keys = {key: value for key, value in representation.items() if key != "__typename"}
        try:
            inspect.signature(resolve_reference).bind(**keys, **{"info": None})
        except TypeError:
            return bad_input(f"a {typename} representation takes its @key fields only")
    return None
