"""The bearer-token cache never outlives its delay nor the token, holds no raw token, and stays bounded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sisamu.security.roles import Principal, Role
from sisamu.security.token_cache import TokenCache

T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def _principal(name: str = "gw") -> Principal:
    return Principal(uuid.uuid4(), name, name, Role.TELEPHONY_GATEWAY, "250", via_token=True)


def test_a_principal_is_reused_until_the_delay_then_forgotten() -> None:
    cache, who = TokenCache(), _principal()
    cache.put("tok", who, T0, 5.0, None)
    assert cache.get("tok", T0 + timedelta(seconds=4.9)) is who
    assert cache.get("tok", T0 + timedelta(seconds=5)) is None
    assert cache.get("tok", T0) is None  # gone for good once expired


def test_never_past_the_tokens_own_expiry() -> None:
    cache, who = TokenCache(), _principal()
    cache.put("tok", who, T0, 5.0, T0 + timedelta(seconds=1))
    assert cache.get("tok", T0 + timedelta(seconds=0.5)) is who
    assert cache.get("tok", T0 + timedelta(seconds=1)) is None


def test_zero_delay_or_expired_token_is_not_kept() -> None:
    cache = TokenCache()
    cache.put("a", _principal(), T0, 0.0, None)
    cache.put("b", _principal(), T0, 5.0, T0)
    assert cache.get("a", T0) is None
    assert cache.get("b", T0) is None


def test_unknown_token_misses_and_keys_are_digests() -> None:
    cache = TokenCache()
    cache.put("secret-token", _principal(), T0, 5.0, None)
    assert cache.get("other", T0) is None
    assert "secret-token" not in repr(cache._entries)


def test_bounded_the_oldest_goes_first() -> None:
    cache = TokenCache(size=2)
    for name in ("a", "b", "c"):
        cache.put(name, _principal(name), T0, 5.0, None)
    assert cache.get("a", T0) is None
    assert cache.get("b", T0) is not None
    assert cache.get("c", T0) is not None
