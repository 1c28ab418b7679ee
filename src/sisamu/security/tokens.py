"""Bearer tokens of an account: listed and revoked by their owner (and by an administrator of the account's SAMU).

Only a token's digest is stored, so a list shows names and dates, never a usable token. A revoked token stops
working at once for the database, and within `SISAMU_TOKEN_CACHE_S` seconds in processes that checked it recently
(`sisamu.security.token_cache`); an open live feed authenticated by it closes at its next re-check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import select

from sisamu.security import audit, store
from sisamu.security.errors import NotFound
from sisamu.security.roles import Permission, Principal, allows
from sisamu.storage.tables import account, api_token

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection

    from sisamu.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class TokenInfo:
    token_id: UUID
    account: str
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    digest: str = field(default="", repr=False)  # what the token caches are keyed by; never shown


def _may_manage(principal: Principal, owner_id: UUID, owner_samu: str | None) -> bool:
    """Its owner, or an administrator of the owner's SAMU (a nationwide one for a national account)."""
    return principal.account_id == owner_id or allows(principal, Permission.ACCOUNTS_ADMIN, owner_samu)


def list_tokens(conn: Connection, *, principal: Principal, username: str | None = None) -> list[TokenInfo]:
    """The tokens of `principal`'s account, or of `username`'s for an administrator of its SAMU.

    NotFound for an account the caller may not manage, whether or not it exists."""
    if username is None:
        owner_id = principal.account_id
    else:
        row = store.account_by_username(conn, username)
        if row is None or not _may_manage(principal, row.account_id, row.samu_id):
            raise NotFound(f"{principal.username} may not list the tokens of {username!r}")
        owner_id = row.account_id
    rows = conn.execute(
        select(api_token, account.c.username)
        .join(account, account.c.account_id == api_token.c.account_id)
        .where(api_token.c.account_id == owner_id)
        .order_by(api_token.c.created_at.desc())
    ).all()
    return [TokenInfo(r.token_id, r.username, r.name, r.created_at, r.expires_at, r.revoked_at) for r in rows]


def revoke(uow: UnitOfWork, *, principal: Principal | None, token_id: UUID, now: datetime) -> TokenInfo:
    """Revoke one token (audited); `principal` None: the platform's operator (CLI). NotFound when the token does
    not exist or the caller may not manage its account. Revoking a revoked token changes nothing."""
    row = uow.execute(
        select(api_token, account.c.username, account.c.samu_id)
        .join(account, account.c.account_id == api_token.c.account_id)
        .where(api_token.c.token_id == token_id)
    ).one_or_none()
    if row is None or (principal is not None and not _may_manage(principal, row.account_id, row.samu_id)):
        raise NotFound(f"token {token_id} for {principal.username if principal else 'cli'}")
    revoked_at = row.revoked_at
    if revoked_at is None:
        revoked_at = now
        uow.execute(api_token.update().where(api_token.c.token_id == token_id).values(revoked_at=now))
        audit.record(
            uow.conn,
            principal=principal,
            samu_id=row.samu_id,
            action="token.revoke",
            object_type="account",
            object_id=str(row.account_id),
            at=now,
            detail={"token_id": str(token_id), "name": row.name},
            actor=None if principal is not None else "cli",
        )
    return TokenInfo(
        row.token_id, row.username, row.name, row.created_at, row.expires_at, revoked_at, row.token_hash
    )


def revoke_all(uow: UnitOfWork, *, account_id: UUID, by: Principal | None, now: datetime) -> list[str]:
    """Revoke every live token of an account (logout "and my tokens"); audited once. The digests revoked."""
    done = uow.execute(
        api_token.update()
        .where(api_token.c.account_id == account_id, api_token.c.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(api_token.c.token_id, api_token.c.token_hash)
    ).all()
    if done:
        samu_id = uow.execute(select(account.c.samu_id).where(account.c.account_id == account_id)).scalar()
        audit.record(
            uow.conn,
            principal=by,
            samu_id=samu_id,
            action="token.revoke",
            object_type="account",
            object_id=str(account_id),
            at=now,
            detail={"tokens": [str(t.token_id) for t in done], "all": True},
            actor=None if by is not None else "cli",
        )
    return [t.token_hash for t in done]
