"""An operation held in flight by a slow client: headers and part of the body sent, the rest
when the test says (tests/subgraphs/test_admission.py, tests/e2e/test_admission.py). Real: the
server admitted it and waits for the body, as it would for a client on a slow line."""

from __future__ import annotations

import asyncio
import contextlib

QUERY = b'{"query": "{ __typename }"}'


class HeldOperation:
    """An operation whose client sent the headers and half the body, then waits: in flight."""

    def __init__(self, base: str, path: str = "/customers/graphql", body: bytes = QUERY) -> None:
        self._host, self._port = base.removeprefix("http://").split(":")
        self._path = path
        self._body = body
        self._writer: asyncio.StreamWriter | None = None
        self._reader: asyncio.StreamReader | None = None

    async def start(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self._host, int(self._port))
        head = (
            f"POST {self._path} HTTP/1.1\r\nHost: {self._host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(self._body)}\r\n\r\n"
        )
        self._writer.write(head.encode() + self._body[:5])
        await self._writer.drain()

    async def finish(self) -> bytes:
        """Send the rest of the body: the answer's status line and headers."""
        assert self._writer is not None and self._reader is not None
        self._writer.write(self._body[5:])
        await self._writer.drain()
        return await self._reader.readuntil(b"\r\n\r\n")

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
