"""A small HTTP/1.1 keep-alive client on asyncio streams, for load generators.

A load generator sharing two cores with the server under test must cost as little as it can: a general client
(httpx) spends about 3 ms of CPU per request here, which the server then cannot use. This one keeps a pool of
persistent connections to one host and speaks only what `sisamu serve` answers (a status line, headers,
a `Content-Length` body). A kept connection found closed before any byte of the answer is replaced (the server
closed it idle, before reading the request); any other failure raises.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Reply:
    status_code: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class LeanClient:
    """`await client.post(path, json=…, headers=…)` over at most `connections` persistent connections."""

    def __init__(self, host: str, port: int, connections: int = 32) -> None:
        self.host, self.port = host, port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(connections)

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return await self.request("GET", path, None, headers)

    async def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> Reply:
        return await self.request("POST", path, json, headers)

    async def request(self, method: str, path: str, body: Any, headers: dict[str, str] | None) -> Reply:
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Content-Length: {len(payload)}",
        ]
        if body is not None:
            lines.append("Content-Type: application/json")
        lines.extend(f"{k}: {v}" for k, v in (headers or {}).items())
        message = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload
        async with self._slots:
            while (
                self._idle
            ):  # a kept connection the server may have closed meanwhile (its keep-alive timeout)
                reader, writer = self._idle.pop()
                try:
                    return await self._exchange(reader, writer, message)
                except (asyncio.IncompleteReadError, ConnectionError) as exc:
                    if getattr(exc, "partial", b""):
                        raise  # the server had started to answer: the request may have been handled
            return await self._exchange(*await asyncio.open_connection(self.host, self.port), message)

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, message: bytes
    ) -> Reply:
        try:
            writer.write(message)
            reply, keep = await _read_reply(reader)
        except BaseException:
            writer.close()
            raise
        if keep:
            self._idle.append((reader, writer))
        else:
            writer.close()
        return reply

    async def aclose(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


async def _read_reply(reader: asyncio.StreamReader) -> tuple[Reply, bool]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers = {}
    for line in head[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "content-length" not in headers:
        raise OSError(f"reply without Content-Length (status {status}): not supported by this client")
    content = await reader.readexactly(int(headers["content-length"]))
    return Reply(status, headers, content), headers.get("connection", "").lower() != "close"
