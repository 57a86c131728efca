"""Paging (resolvers/common/pagination.py): cursors."""

from __future__ import annotations

import uuid

import pytest

from resolvers.common.errors import CodedError
from resolvers.common.pagination import decode_cursor, encode_cursor

pytestmark = pytest.mark.unit


def test_cursor_round_trip_and_garbage() -> None:
    key = str(uuid.uuid4())
    assert decode_cursor(encode_cursor(key)) == key
    with pytest.raises(CodedError):
        decode_cursor("%%%not base64")
