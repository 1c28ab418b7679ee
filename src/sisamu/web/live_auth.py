"""Who may keep a live feed open: the socket's credentials, checked off the event loop, at connection and then
every `SISAMU_LIVE_RECHECK_S` seconds.

A console's session ends (logout, expiry, account disabled) or a machine's token is revoked: its open socket must
not keep receiving the room's events. The hub re-checks all the credentials of its open sockets in one query per
kind every few seconds (thousands of consoles cost two queries, not thousands), and closes the sockets whose
credentials no longer hold with code 1008 (policy violation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select

from sisamu.platform.http import SESSION_COOKIE
from sisamu.security import store
from sisamu.storage.tables import account, api_token, web_session

if TYPE_CHECKING:
    from collections.abc import Iterable

    from starlette.websockets import WebSocket

    from sisamu.platform import Platform
    from sisamu.security.roles import Principal


@dataclass(frozen=True, slots=True)
class Credential:
    """A socket's credential: its kind and the digest of its secret (what the database stores)."""

    kind: Literal["token", "session"]
    secret: str

    @property
    def digest(self) -> str:
        return store.token_digest(self.secret)


def credential_of(websocket: WebSocket) -> Credential | None:
    """The same credentials as HTTP: a machine's bearer token, or a person's session cookie."""
    header = websocket.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return Credential("token", value.strip())
    if cookie := websocket.cookies.get(SESSION_COOKIE):
        return Credential("session", cookie)
    return None


def authenticate(platform: Platform, credential: Credential) -> Principal | None:
    """The principal of a credential (blocking: run it in a worker thread)."""
    now = platform.clock.now()
    if credential.kind == "token" and (cached := platform.tokens.get(credential.secret, now)) is not None:
        return cached
    with platform.engine.connect() as conn:
        if credential.kind == "token":
            found = store.token_principal_until(conn, credential.secret, now)
            if found is None:
                return None
            platform.tokens.put(credential.secret, found[0], now, platform.settings.token_cache_s, found[1])
            return found[0]
        session = store.session_principal(conn, credential.secret, now)
    return session[0] if session is not None else None


def still_valid(platform: Platform, credentials: Iterable[Credential]) -> set[str]:
    """The digests, among `credentials`', of the sessions and tokens still valid now (blocking: a worker thread)."""
    sessions = {c.digest for c in credentials if c.kind == "session"}
    tokens = {c.digest for c in credentials if c.kind == "token"}
    now = platform.clock.now()
    valid: set[str] = set()
    with platform.engine.connect() as conn:
        if sessions:
            valid.update(
                conn.execute(
                    select(web_session.c.token_hash)
                    .join(account, account.c.account_id == web_session.c.account_id)
                    .where(
                        web_session.c.token_hash.in_(sessions),
                        web_session.c.expires_at > now,
                        account.c.active,
                    )
                ).scalars()
            )
        if tokens:
            valid.update(
                conn.execute(
                    select(api_token.c.token_hash)
                    .join(account, account.c.account_id == api_token.c.account_id)
                    .where(
                        api_token.c.token_hash.in_(tokens),
                        api_token.c.revoked_at.is_(None),
                        api_token.c.expires_at > now,
                        account.c.active,
                    )
                ).scalars()
            )
    return valid
