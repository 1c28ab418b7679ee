"""Use cases of the security feature: accounts, login with throttling and second factor, sessions, tokens."""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import select

from sisamu.security import audit, passwords, store, throttle, totp, totp_vault
from sisamu.storage.tables import account, api_token

if TYPE_CHECKING:
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
    vault: totp_vault.TotpVault | None = None,
) -> NewAccount:
    """A new account; with a second factor (`with_totp`), its secret is sealed by `vault` and returned in clear
    once, for enrolment."""
    if with_totp and vault is None:
        raise ValueError("an account with a second factor needs the TOTP vault to seal its secret")
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
            totp_secret=vault.seal(secret) if vault is not None and secret else None,
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


@dataclass(frozen=True, slots=True)
class Refused:
    """A login refused: `retry_after_s` > 0 when throttled (429), else wrong credentials (401)."""

    retry_after_s: int = 0

    @property
    def throttled(self) -> bool:
        return self.retry_after_s > 0


def login(
    uow: UnitOfWork,
    *,
    username: str,
    password: str,
    totp_code: str | None,
    ip: str,
    now: datetime,
    settings: Settings,
) -> OpenedSession | Refused:
    """Check password and second factor, under throttling (`sisamu.security.throttle`); open a session.

    Every refusal of checked credentials looks the same, whatever was wrong (name, password, code) and whether the
    account has a second factor: the password is never confirmed on its own. Failures are recorded (attempt and
    audit entry) in the caller's unit of work, which must commit them: that is why a refusal is returned.
    """
    name = username.strip().lower()
    standing = throttle.standing(uow.conn, username=name, ip=ip, now=now, settings=settings)
    if standing.wait_s > 0:
        log.warning("login throttled for user=%r ip=%s (%d s to wait)", name, ip, standing.wait_s)
        return Refused(retry_after_s=standing.wait_s)
    row = store.account_by_username(uow.conn, name)
    password_ok = passwords.verify_password(row.password_hash if row is not None else None, password)
    ok = row is not None and row.active and password_ok
    with_second_factor = False
    if ok and row.totp_required:
        ok = with_second_factor = _second_factor_ok(uow, row, totp_code, now=now, settings=settings)
    refused_here = standing.address_capped and not (ok and with_second_factor)
    if refused_here:
        ok = False
    store.add_login_attempt(uow.conn, username=name, ip=ip, success=ok, at=now)
    audit.record(
        uow.conn,
        principal=store.principal_from_row(row) if row is not None else None,
        samu_id=row.samu_id if row is not None else None,
        action="login.success" if ok else "login.failure",
        object_type="account",
        object_id=str(row.account_id) if row is not None else name,
        at=now,
        detail={"ip": ip, "address_capped": True} if standing.address_capped else {"ip": ip},
        actor=name,
    )
    if refused_here:
        log.warning("login from capped address %s refused for %r (no second factor)", ip, name)
        return Refused(retry_after_s=settings.login_window_seconds)
    if not ok:
        log.info("login failed for %r from %s", name, ip)
        return Refused()
    if passwords.needs_rehash(row.password_hash):  # hashed with older costs: stored again with today's
        store.set_password_hash(uow.conn, row.account_id, passwords.hash_password(password))
    principal = store.principal_from_row(row)
    return open_session(uow, principal=principal, ip=ip, now=now, settings=settings)


def _second_factor_ok(
    uow: UnitOfWork, row: Any, code: str | None, *, now: datetime, settings: Settings
) -> bool:
    """The code is good now and later than the last one used by this account, which it becomes (once only)."""
    if not code or not row.totp_secret:
        return False
    try:
        vault = totp_vault.vault_for(settings)
        secret = vault.open(row.totp_secret)
    except (totp_vault.TotpKeyMissing, ValueError):
        log.exception("cannot open the TOTP secret of %r: login refused", row.username)
        return False
    step = totp.matching_step(secret, code, now, after_step=row.totp_last_step)
    if step is None or not store.use_totp_step(uow.conn, row.account_id, step):
        return False
    if not totp_vault.is_sealed(row.totp_secret):  # stored in clear by an earlier version: sealed now
        store.set_totp_secret(uow.conn, row.account_id, vault.seal(secret))
    return True


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


class TokenLifetimeTooLong(ValueError):
    """A bearer token asked for longer than the platform allows (`SISAMU_TOKEN_MAX_DAYS`)."""


DEFAULT_TOKEN_DAYS = 90.0
MAX_TOKEN_DAYS = 365.0


def issue_token(
    uow: UnitOfWork,
    *,
    principal: Principal,
    name: str,
    now: datetime,
    days: float | None = None,
    max_days: float = MAX_TOKEN_DAYS,
    default_days: float = DEFAULT_TOKEN_DAYS,
) -> str:
    """A bearer token for a machine acting as `principal`'s account; only its digest is stored.

    Every token expires: after `days`, at most `max_days` (TokenLifetimeTooLong beyond), `default_days` if unsaid."""
    lifetime = min(default_days, max_days) if days is None else days
    if lifetime <= 0 or lifetime > max_days:
        raise TokenLifetimeTooLong(f"token lifetime {lifetime} days outside (0, {max_days}]")
    token = "sisamu_" + secrets.token_urlsafe(32)
    token_id = uuid.uuid4()
    uow.execute(
        api_token.insert().values(
            token_id=token_id,
            account_id=principal.account_id,
            name=name,
            token_hash=store.token_digest(token),
            created_at=now,
            expires_at=now + timedelta(days=lifetime),
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
        detail={"name": name, "token_id": str(token_id), "days": lifetime},
    )
    return token


def seal_plain_totp_secrets(uow: UnitOfWork, vault: totp_vault.TotpVault) -> int:
    """Encrypt the TOTP secrets still stored in clear (by versions before encryption at rest); how many."""
    rows = uow.execute(
        select(account.c.account_id, account.c.totp_secret).where(
            account.c.totp_secret.is_not(None), ~account.c.totp_secret.startswith(totp_vault.PREFIX)
        )
    ).all()
    for row in rows:
        store.set_totp_secret(uow.conn, row.account_id, vault.seal(row.totp_secret))
    return len(rows)
