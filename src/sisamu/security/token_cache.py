"""Principals of bearer tokens recently checked against the database, reused for a few seconds.

A telephony gateway or a busy ARM console sends several requests a second with the same token; checking each one
costs a database round trip and a thread hop. A process keeps the principal it found for `token_cache_s` seconds at
most (and never past the token's own expiry), so a token revoked or an account disabled stops working within that
delay everywhere. Keys are the tokens' digests: the cache holds no usable secret. Bounded: the oldest entries go
first when it is full.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sisamu.security.roles import Principal
from sisamu.security.store import token_digest

DEFAULT_SIZE = 4096


class TokenCache:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[Principal, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str, now: datetime) -> Principal | None:
        key = token_digest(token)
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return None
            if now >= hit[1]:
                del self._entries[key]
                return None
            return hit[0]

    def put(
        self, token: str, principal: Principal, now: datetime, ttl_s: float, expires_at: datetime | None
    ) -> None:
        """Remember `principal` until `now + ttl_s`, or the token's expiry if sooner (nothing when `ttl_s` is 0)."""
        until = now + timedelta(seconds=ttl_s)
        if expires_at is not None:
            until = min(until, expires_at)
        if until <= now:
            return
        key = token_digest(token)
        with self._lock:
            self._entries[key] = (principal, until)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def forget(self, digests: Iterable[str]) -> None:
        """Drop the entries of these token digests (tokens revoked by this process: at once here, elsewhere within
        the cache's delay)."""
        with self._lock:
            for digest in digests:
                self._entries.pop(digest, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
