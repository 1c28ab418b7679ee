"""Queries on accounts, sessions, machine tokens and login attempts."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from sisamu.security.roles import Principal, Role
from sisamu.storage.tables import account, api_token, login_attempt, web_session

if TYPE_CHECKING:
    from uuid import UUID


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def account_by_username(conn: Connection, username: str) -> Any:
    return conn.execute(select(account).where(account.c.username == username.strip().lower())).one_or_none()


def account_by_oidc_subject(conn: Connection, subject: str) -> Any:
    return conn.execute(select(account).where(account.c.oidc_subject == subject)).one_or_none()


def set_password_hash(conn: Connection, account_id: Any, password_hash: str) -> None:
    conn.execute(
        account.update().where(account.c.account_id == account_id).values(password_hash=password_hash)
    )


def principal_from_row(row: Any, *, via_token: bool = False) -> Principal:
    return Principal(
        account_id=row.account_id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        samu_id=row.samu_id,
        via_token=via_token,
    )


def add_login_attempt(conn: Connection, *, username: str, ip: str, success: bool, at: datetime) -> None:
    conn.execute(login_attempt.insert().values(username=username[:120], ip=ip, success=success, at=at))


def insert_session(
    conn: Connection, *, token: str, csrf: str, account_id: UUID, now: datetime, hours: float, ip: str
) -> None:
    conn.execute(
        web_session.insert().values(
            token_hash=token_digest(token),
            account_id=account_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            ip=ip,
        )
    )


def session_principal(conn: Connection, token: str, now: datetime) -> tuple[Principal, str] | None:
    row = conn.execute(
        select(account, web_session.c.csrf_token)
        .join(web_session, web_session.c.account_id == account.c.account_id)
        .where(
            web_session.c.token_hash == token_digest(token), web_session.c.expires_at > now, account.c.active
        )
    ).one_or_none()
    if row is None:
        return None
    return principal_from_row(row), str(row.csrf_token)


def delete_session(conn: Connection, token: str) -> None:
    conn.execute(web_session.delete().where(web_session.c.token_hash == token_digest(token)))


def token_principal(conn: Connection, token: str, now: datetime) -> Principal | None:
    found = token_principal_until(conn, token, now)
    return found[0] if found is not None else None


def token_principal_until(conn: Connection, token: str, now: datetime) -> tuple[Principal, datetime] | None:
    """The principal of a valid bearer token and the token's expiry."""
    row = conn.execute(
        select(account, api_token.c.expires_at.label("token_expires_at"))
        .join(api_token, api_token.c.account_id == account.c.account_id)
        .where(
            api_token.c.token_hash == token_digest(token),
            api_token.c.revoked_at.is_(None),
            api_token.c.expires_at > now,
            account.c.active,
        )
    ).one_or_none()
    return (principal_from_row(row, via_token=True), row.token_expires_at) if row is not None else None


def use_totp_step(conn: Connection, account_id: Any, step: int) -> bool:
    """Record `step` as the account's last used TOTP step, if later than the one recorded: True when it was (a
    code used twice, even by two concurrent logins, passes only once)."""
    done = conn.execute(
        account.update()
        .where(
            account.c.account_id == account_id,
            account.c.totp_last_step.is_(None) | (account.c.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    return done.rowcount == 1


def set_totp_secret(conn: Connection, account_id: Any, stored: str) -> None:
    conn.execute(account.update().where(account.c.account_id == account_id).values(totp_secret=stored))


def demo_usernames(conn: Connection) -> list[str]:
    """The demo accounts' names (published password, no second factor): none outside a demonstration."""
    return list(
        conn.execute(select(account.c.username).where(account.c.demo).order_by(account.c.username)).scalars()
    )
