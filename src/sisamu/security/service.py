"""Use cases of the security feature: accounts, login with throttling and second factor, sessions, tokens."""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from sisamu.security import audit, passwords, store, totp
from sisamu.security.errors import SecondFactorRequired, Throttled
from sisamu.storage.tables import account, api_token

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from sisamu.config import Settings
    from sisamu.security.roles import Principal, Role
    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NewAccount:
    account_id: UUID
    username: str
    totp_secret: str | None


@dataclass(frozen=True, slots=True)
class OpenedSession:
    token: str
    csrf_token: str
    principal: Principal


def create_account(
    uow: UnitOfWork,
    *,
    username: str,
    display_name: str,
    role: Role,
    samu_id: str | None,
    password: str | None,
    now: datetime,
    with_totp: bool = True,
    demo: bool = False,
    oidc_subject: str | None = None,
    by: Principal | None = None,
    actor: str | None = None,
) -> NewAccount:
    account_id = uuid.uuid4()
    secret = totp.new_secret() if with_totp else None
    name = username.strip().lower()
    uow.execute(
        account.insert().values(
            account_id=account_id,
            username=name,
            display_name=display_name,
            role=str(role),
            samu_id=samu_id,
            password_hash=passwords.hash_password(password) if password else None,
            totp_secret=secret,
            totp_required=with_totp,
            oidc_subject=oidc_subject,
            demo=demo,
            created_at=now,
        )
    )
    audit.record(
        uow.conn,
        principal=by,
        samu_id=samu_id,
        action="account.create",
        object_type="account",
        object_id=str(account_id),
        at=now,
        detail={"username": name, "role": str(role)},
        actor=actor,
    )
    return NewAccount(account_id, name, secret)


def _check_throttle(conn: Connection, *, username: str, ip: str, now: datetime, settings: Settings) -> None:
    since = now - timedelta(seconds=settings.login_window_seconds)
    by_user, by_ip = store.recent_failures(conn, username=username, ip=ip, since=since)
    if by_user >= settings.login_max_failures or by_ip >= settings.login_max_failures_per_ip:
        log.warning("login throttled for user=%r ip=%s (%d/%d failures)", username, ip, by_user, by_ip)
        raise Throttled(f"too many failed logins for {username!r} from {ip}")


def login(
    uow: UnitOfWork,
    *,
    username: str,
    password: str,
    totp_code: str | None,
    ip: str,
    now: datetime,
    settings: Settings,
) -> OpenedSession | None:
    """Check password and second factor, under throttling; open a session, or return None on failure.

    Failures are recorded (attempt and audit entry) in the caller's unit of work, which must commit them:
    that is why a failure is returned rather than raised.
    """
    name = username.strip().lower()
    _check_throttle(uow.conn, username=name, ip=ip, now=now, settings=settings)
    row = store.account_by_username(uow.conn, name)
    password_ok = passwords.verify_password(row.password_hash if row is not None else None, password)
    ok = row is not None and row.active and password_ok
    if ok and row.totp_required:
        if not totp_code:
            raise SecondFactorRequired(f"second factor needed for {name!r}")
        ok = totp.verify_code(row.totp_secret, totp_code, now)
    store.add_login_attempt(uow.conn, username=name, ip=ip, success=ok, at=now)
    audit.record(
        uow.conn,
        principal=store.principal_from_row(row) if row is not None else None,
        samu_id=row.samu_id if row is not None else None,
        action="login.success" if ok else "login.failure",
        object_type="account",
        object_id=str(row.account_id) if row is not None else name,
        at=now,
        detail={"ip": ip},
        actor=name,
    )
    if not ok:
        log.info("login failed for %r from %s", name, ip)
        return None
    if passwords.needs_rehash(row.password_hash):  # hashed with older costs: stored again with today's
        store.set_password_hash(uow.conn, row.account_id, passwords.hash_password(password))
    principal = store.principal_from_row(row)
    return open_session(uow, principal=principal, ip=ip, now=now, settings=settings)


def open_session(
    uow: UnitOfWork, *, principal: Principal, ip: str, now: datetime, settings: Settings
) -> OpenedSession:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    store.insert_session(
        uow.conn,
        token=token,
        csrf=csrf,
        account_id=principal.account_id,
        now=now,
        hours=settings.session_hours,
        ip=ip,
    )
    return OpenedSession(token=token, csrf_token=csrf, principal=principal)


def logout(uow: UnitOfWork, *, token: str) -> None:
    store.delete_session(uow.conn, token)


def issue_token(
    uow: UnitOfWork, *, principal: Principal, name: str, now: datetime, days: float | None = None
) -> str:
    """A bearer token for a machine acting as `principal`'s account; only its digest is stored."""
    token = "sisamu_" + secrets.token_urlsafe(32)
    uow.execute(
        api_token.insert().values(
            token_id=uuid.uuid4(),
            account_id=principal.account_id,
            name=name,
            token_hash=store.token_digest(token),
            created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
    )
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=principal.samu_id,
        action="token.issue",
        object_type="account",
        object_id=str(principal.account_id),
        at=now,
        detail={"name": name},
    )
    return token
