"""Account administration: list, create, change the role, reset the second factor, disable and enable accounts.

Who may: principals holding `accounts.admin` — a SAMU's administrator on the accounts of that SAMU, a platform
administrator (no home SAMU) on every account. An administrator never acts on their own account here, and never
grants what lies beyond their own reach (a SAMU's administrator creates no nationwide account nor one of another
SAMU). Every change is audited on the chain of the account's SAMU. Disabling an account deletes its sessions and
revokes its bearer tokens in the same transaction; logins, sessions and tokens of a disabled account are refused
(`store`), a process's token cache keeps a token's principal for `SISAMU_TOKEN_CACHE_S` seconds at most.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from sisamu.security import audit, passwords, service, totp
from sisamu.security.errors import NotFound, Refused
from sisamu.security.roles import (
    NATIONWIDE_ROLES,
    PLATFORM_OR_SAMU_ROLES,
    Permission,
    Principal,
    Role,
    allows,
)
from sisamu.security.totp_vault import TotpVault
from sisamu.storage.tables import account, api_token, login_attempt, samu, web_session

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy import Connection

    from sisamu.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class AccountView:
    """An account as its administrators see it: no secret, no hash."""

    account_id: UUID
    username: str
    display_name: str
    role: Role
    samu_id: str | None
    active: bool
    demo: bool
    totp_enrolled: bool
    oidc_linked: bool
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What a person needs to log in the first time, shown once: the generated password (when none was set) and
    the second factor's secret with its otpauth URI."""

    account: AccountView
    password: str | None
    totp_secret: str
    totp_uri: str


@dataclass(frozen=True, slots=True)
class Disabled:
    account: AccountView
    sessions_ended: int
    tokens_revoked: int


def holds(principal: Principal) -> bool:
    """Whether `principal` administers accounts anywhere (their SAMU, or every SAMU)."""
    return allows(principal, Permission.ACCOUNTS_ADMIN, principal.samu_id)


def _name(by: Principal | None) -> str:
    """Who acts: a principal, or `cli` for the platform's operator at the command line."""
    return by.username if by is not None else "cli"


def _require_admin(by: Principal | None) -> None:
    if by is not None and not holds(by):
        raise Refused(
            "account.forbidden",
            "Vous n'administrez pas de comptes.",
            log=f"{by.username} ({by.role}) may not administer accounts",
        )


def _last_logins() -> Any:
    return (
        select(login_attempt.c.username, func.max(login_attempt.c.at).label("last_login_at"))
        .where(login_attempt.c.success)
        .group_by(login_attempt.c.username)
        .subquery()
    )


def _select_views() -> Any:
    last = _last_logins()
    return select(
        account.c.account_id,
        account.c.username,
        account.c.display_name,
        account.c.role,
        account.c.samu_id,
        account.c.active,
        account.c.demo,
        (account.c.totp_required & account.c.totp_secret.is_not(None)).label("totp_enrolled"),
        account.c.oidc_subject.is_not(None).label("oidc_linked"),
        account.c.created_at,
        last.c.last_login_at,
    ).outerjoin(last, last.c.username == account.c.username)


def _view(row: Any) -> AccountView:
    return AccountView(
        account_id=row.account_id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        samu_id=row.samu_id,
        active=bool(row.active),
        demo=bool(row.demo),
        totp_enrolled=bool(row.totp_enrolled),
        oidc_linked=bool(row.oidc_linked),
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


def list_accounts(conn: Connection, *, by: Principal | None, samu_id: str | None = None) -> list[AccountView]:
    """The accounts `by` administers: their SAMU's, or every account (of `samu_id` if given) for a platform
    administrator. Another SAMU asked by a SAMU's administrator is refused (403)."""
    _require_admin(by)
    query = _select_views().order_by(account.c.samu_id.nulls_first(), account.c.username)
    if by is not None and not by.nationwide:
        if samu_id is not None and samu_id != by.samu_id:
            raise Refused(
                "account.beyond_scope",
                "Ces comptes ne relèvent pas de votre SAMU.",
                log=f"{by.username} listed the accounts of samu {samu_id}",
            )
        samu_id = by.samu_id
    if samu_id is not None:
        query = query.where(account.c.samu_id == samu_id)
    return [_view(row) for row in conn.execute(query)]


def get_account(conn: Connection, *, by: Principal | None, account_id: UUID) -> AccountView:
    """One account `by` administers; any other is reported missing (404), whether it exists or not."""
    _require_admin(by)
    row = conn.execute(_select_views().where(account.c.account_id == account_id)).one_or_none()
    if row is None or (by is not None and not allows(by, Permission.ACCOUNTS_ADMIN, row.samu_id)):
        raise NotFound(f"{_name(by)} asked for account {account_id}")
    return _view(row)


def _check_grant(conn: Connection, by: Principal | None, role: Role, samu_id: str | None) -> None:
    """`role` on `samu_id` must lie within `by`'s own reach, and make sense."""
    if by is not None and not by.nationwide and (role in NATIONWIDE_ROLES or samu_id != by.samu_id):
        raise Refused(
            "account.beyond_scope",
            "Vous ne pouvez attribuer un rôle que dans votre propre SAMU.",
            log=f"{by.username} tried to grant {role} on samu {samu_id}",
        )
    if role in NATIONWIDE_ROLES and samu_id is not None:
        raise Refused(
            "account.samu_not_allowed", "Ce rôle national n'a pas de SAMU de rattachement.", status=422
        )
    if role not in NATIONWIDE_ROLES | PLATFORM_OR_SAMU_ROLES and samu_id is None:
        raise Refused("account.samu_required", "Ce rôle exige un SAMU de rattachement.", status=422)
    if (
        samu_id is not None
        and conn.execute(select(samu.c.samu_id).where(samu.c.samu_id == samu_id)).first() is None
    ):
        raise Refused("account.unknown_samu", f"Le SAMU {samu_id} n'existe pas.", status=422)


def _not_self(by: Principal | None, account_id: UUID, what: str) -> None:
    if by is not None and by.account_id == account_id:
        raise Refused(
            "account.self",
            "Un administrateur ne modifie pas son propre compte : demandez-le à un autre administrateur.",
            log=f"{by.username} tried to {what} their own account",
        )


def _new_password() -> str:
    while True:  # about one in a hundred draws lacks a capital or a small letter
        candidate = secrets.token_urlsafe(15)
        if passwords.password_problem(candidate) is None:
            return candidate


def _record(
    uow: UnitOfWork, by: Principal | None, target: AccountView, action: str, now: datetime, **detail: Any
) -> None:
    audit.record(
        uow.conn,
        principal=by,
        samu_id=target.samu_id,
        action=action,
        object_type="account",
        object_id=str(target.account_id),
        at=now,
        detail={"username": target.username, **detail},
        actor=_name(by),
    )


def create(
    uow: UnitOfWork,
    *,
    by: Principal | None,
    username: str,
    display_name: str,
    role: Role,
    samu_id: str | None,
    password: str | None,
    now: datetime,
    vault: TotpVault,
) -> Enrolment:
    """A new account with a TOTP second factor (its secret sealed by `vault`); the password is `password`, or a
    generated one returned once."""
    _require_admin(by)
    _check_grant(uow.conn, by, role, samu_id)
    name = username.strip().lower()
    if uow.execute(select(account.c.account_id).where(account.c.username == name)).first() is not None:
        raise Refused("account.username_taken", f"L'identifiant « {name} » est déjà pris.", status=409)
    if password is not None and (problem := passwords.password_problem(password)):
        raise Refused("account.weak_password", problem, status=422)
    generated = None if password is not None else _new_password()
    made = service.create_account(
        uow,
        username=name,
        display_name=display_name.strip(),
        role=role,
        samu_id=samu_id,
        password=password or generated,
        now=now,
        by=by,
        actor=_name(by),
        vault=vault,
    )
    assert made.totp_secret is not None
    view = get_account(uow.conn, by=by, account_id=made.account_id)
    return Enrolment(view, generated, made.totp_secret, totp.provisioning_uri(made.totp_secret, name))


def change_role(
    uow: UnitOfWork, *, by: Principal | None, account_id: UUID, role: Role, samu_id: str | None, now: datetime
) -> AccountView:
    """Give the account `role` on `samu_id` (its home SAMU; None for nationwide and platform accounts)."""
    target = get_account(uow.conn, by=by, account_id=account_id)
    _not_self(by, account_id, "change the role of")
    _check_grant(uow.conn, by, role, samu_id)
    uow.execute(
        account.update().where(account.c.account_id == account_id).values(role=str(role), samu_id=samu_id)
    )
    changed = get_account(uow.conn, by=by, account_id=account_id)
    detail = {"from_role": str(target.role), "role": str(role), "from_samu": target.samu_id, "samu": samu_id}
    _record(uow, by, target, "account.role", now, **detail)
    if changed.samu_id != target.samu_id:  # both SAMUs' auditors see the move
        _record(uow, by, changed, "account.role", now, **detail)
    return changed


def _end_sessions(uow: UnitOfWork, account_id: UUID) -> int:
    return int(uow.execute(web_session.delete().where(web_session.c.account_id == account_id)).rowcount)


def reset_totp(
    uow: UnitOfWork, *, by: Principal | None, account_id: UUID, now: datetime, vault: TotpVault
) -> Enrolment:
    """A new second-factor secret (the old device no longer works), sealed by `vault` and shown once; the account's
    sessions end."""
    target = get_account(uow.conn, by=by, account_id=account_id)
    _not_self(by, account_id, "reset the second factor of")
    secret = totp.new_secret()
    uow.execute(
        account.update()
        .where(account.c.account_id == account_id)
        .values(totp_secret=vault.seal(secret), totp_required=True, totp_last_step=None)
    )
    ended = _end_sessions(uow, account_id)
    _record(uow, by, target, "account.totp.reset", now, sessions_ended=ended)
    view = get_account(uow.conn, by=by, account_id=account_id)
    return Enrolment(view, None, secret, totp.provisioning_uri(secret, target.username))


def disable(uow: UnitOfWork, *, by: Principal | None, account_id: UUID, now: datetime) -> Disabled:
    """Refuse the account from now on: its sessions are deleted and its bearer tokens revoked, in this transaction."""
    target = get_account(uow.conn, by=by, account_id=account_id)
    _not_self(by, account_id, "disable")
    uow.execute(account.update().where(account.c.account_id == account_id).values(active=False))
    ended = _end_sessions(uow, account_id)
    revoked = uow.execute(
        api_token.update()
        .where(api_token.c.account_id == account_id, api_token.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    _record(uow, by, target, "account.disable", now, sessions_ended=ended, tokens_revoked=revoked)
    return Disabled(get_account(uow.conn, by=by, account_id=account_id), ended, revoked)


def enable(uow: UnitOfWork, *, by: Principal | None, account_id: UUID, now: datetime) -> AccountView:
    """Let the account log in again (its revoked tokens stay revoked)."""
    target = get_account(uow.conn, by=by, account_id=account_id)
    _not_self(by, account_id, "enable")
    uow.execute(account.update().where(account.c.account_id == account_id).values(active=True))
    _record(uow, by, target, "account.enable", now)
    return get_account(uow.conn, by=by, account_id=account_id)


def find(conn: Connection, *, by: Principal | None, username: str) -> AccountView:
    """The account of `username` that `by` administers (404 otherwise)."""
    found = conn.execute(
        select(account.c.account_id).where(account.c.username == username.strip().lower())
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"{_name(by)} asked for unknown account {username!r}")
    return get_account(conn, by=by, account_id=found)
