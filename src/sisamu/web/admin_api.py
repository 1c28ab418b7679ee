"""Account administration API (`/api/admin/accounts`): for principals holding `accounts.admin`, within their reach.

A route refuses (403) anyone who administers no account before any I/O; the service decides the rest (another
SAMU's account is 404, a role beyond the administrator's reach 403 with a code, their own account 403).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import segno
from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from sisamu.platform.http import PlatformDep, PrincipalDep
from sisamu.security import accounts_admin as admin
from sisamu.security.errors import Refused
from sisamu.security.roles import (
    NATIONWIDE_ROLES,
    PLATFORM_OR_SAMU_ROLES,
    ROLE_LABELS_FR,
    Principal,
    Role,
)
from sisamu.security.totp_vault import vault_for
from sisamu.tenants import store as tenants_store

router = APIRouter(prefix="/api/admin", tags=["admin"])

USERNAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{1,119}$"


async def administrator(principal: PrincipalDep) -> Principal:
    if not admin.holds(principal):
        raise Refused(
            "account.forbidden",
            "Vous n'administrez pas de comptes.",
            log=f"{principal.username} ({principal.role}) called the accounts administration",
        )
    return principal


AdminDep = Annotated[Principal, Depends(administrator)]


def managed_account(account_id: UUID, platform: PlatformDep, principal: AdminDep) -> UUID:
    """The account of the path, if this administrator manages it: 404 otherwise, before the body is read."""
    with platform.engine.connect() as conn:
        admin.get_account(conn, by=principal, account_id=account_id)
    return account_id


AccountDep = Annotated[UUID, Depends(managed_account)]
SamuField = Field(default=None, min_length=1, max_length=8, pattern=r"^[0-9A-Za-z]+$")


class AccountOut(BaseModel):
    account_id: UUID
    username: str
    display_name: str
    role: Role
    role_label: str
    samu_id: str | None
    active: bool
    demo: bool
    totp_enrolled: bool
    oidc_linked: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, view: admin.AccountView) -> AccountOut:
        return cls(
            account_id=view.account_id,
            username=view.username,
            display_name=view.display_name,
            role=view.role,
            role_label=ROLE_LABELS_FR[view.role],
            samu_id=view.samu_id,
            active=view.active,
            demo=view.demo,
            totp_enrolled=view.totp_enrolled,
            oidc_linked=view.oidc_linked,
            created_at=view.created_at,
            last_login_at=view.last_login_at,
        )


class EnrolmentOut(BaseModel):
    """Shown once: neither the password nor the second factor's secret can be read again."""

    account: AccountOut
    password: str | None = Field(description="The generated initial password, when none was given.")
    totp_secret: str
    totp_uri: str = Field(description="otpauth:// URI to enrol an authenticator application.")
    totp_qr: str = Field(description="The same URI as a QR code: an SVG image's data: URL.")

    @classmethod
    def of(cls, made: admin.Enrolment) -> EnrolmentOut:
        return cls(
            account=AccountOut.of(made.account),
            password=made.password,
            totp_secret=made.totp_secret,
            totp_uri=made.totp_uri,
            totp_qr=segno.make(made.totp_uri, error="m").svg_data_uri(scale=4, dark="#1b2631"),
        )


class AccountIn(BaseModel):
    username: str = Field(pattern=USERNAME)
    display_name: str = Field(min_length=1, max_length=120)
    role: Role
    samu_id: str | None = SamuField
    password: str | None = Field(default=None, min_length=1, max_length=200)


class RoleIn(BaseModel):
    role: Role
    samu_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=8,
        pattern=r"^[0-9A-Za-z]+$",
        description="The home SAMU (null: none); left out, the account keeps its own.",
    )


class DisabledOut(BaseModel):
    account: AccountOut
    sessions_ended: int
    tokens_revoked: int


class RoleChoice(BaseModel):
    role: Role
    label: str
    samu: str = Field(description="required, none (nationwide role) or optional (none: every SAMU)")


class ScopeOut(BaseModel):
    """What this administrator may grant: roles, and the SAMUs accounts may belong to."""

    nationwide: bool
    samu_id: str | None
    roles: list[RoleChoice]
    samus: list[str]


@router.get("/scope", summary="Roles and SAMUs this administrator may grant")
def scope(platform: PlatformDep, principal: AdminDep) -> ScopeOut:
    roles = []
    for role in Role:
        if role in NATIONWIDE_ROLES:
            if not principal.nationwide:
                continue
            kind = "none"
        else:
            kind = "optional" if role in PLATFORM_OR_SAMU_ROLES and principal.nationwide else "required"
        roles.append(RoleChoice(role=role, label=ROLE_LABELS_FR[role], samu=kind))
    if principal.nationwide:
        with platform.engine.connect() as conn:
            samus = [str(row.samu_id) for row in tenants_store.list_samus(conn)]
    else:
        samus = [principal.samu_id] if principal.samu_id else []
    return ScopeOut(nationwide=principal.nationwide, samu_id=principal.samu_id, roles=roles, samus=samus)


@router.get("/accounts", summary="Accounts this administrator manages")
def list_accounts(
    platform: PlatformDep,
    principal: AdminDep,
    samu_id: Annotated[str | None, Query(alias="samu", max_length=8)] = None,
) -> list[AccountOut]:
    with platform.engine.connect() as conn:
        found = admin.list_accounts(conn, by=principal, samu_id=samu_id)
    return [AccountOut.of(a) for a in found]


@router.post("/accounts", status_code=status.HTTP_201_CREATED, summary="Create an account")
def create_account(payload: AccountIn, platform: PlatformDep, principal: AdminDep) -> EnrolmentOut:
    with platform.uow() as uow:
        made = admin.create(
            uow,
            by=principal,
            username=payload.username,
            display_name=payload.display_name,
            role=payload.role,
            samu_id=payload.samu_id,
            password=payload.password,
            now=platform.clock.now(),
            vault=vault_for(platform.settings),
        )
    return EnrolmentOut.of(made)


@router.get("/accounts/{account_id}", summary="One account")
def get_account(account_id: AccountDep, platform: PlatformDep, principal: AdminDep) -> AccountOut:
    with platform.engine.connect() as conn:
        return AccountOut.of(admin.get_account(conn, by=principal, account_id=account_id))


@router.post("/accounts/{account_id}/role", summary="Change an account's role (and home SAMU)")
def change_role(
    account_id: AccountDep, payload: RoleIn, platform: PlatformDep, principal: AdminDep
) -> AccountOut:
    with platform.uow() as uow:
        kept = admin.get_account(uow.conn, by=principal, account_id=account_id).samu_id
        changed = admin.change_role(
            uow,
            by=principal,
            account_id=account_id,
            role=payload.role,
            samu_id=payload.samu_id if "samu_id" in payload.model_fields_set else kept,
            now=platform.clock.now(),
        )
    platform.tokens.clear()  # this process's tokens of that account take the new role at once
    return AccountOut.of(changed)


@router.post("/accounts/{account_id}/totp-reset", summary="Draw a new second-factor secret (shown once)")
def reset_totp(account_id: AccountDep, platform: PlatformDep, principal: AdminDep) -> EnrolmentOut:
    with platform.uow() as uow:
        made = admin.reset_totp(
            uow,
            by=principal,
            account_id=account_id,
            now=platform.clock.now(),
            vault=vault_for(platform.settings),
        )
    return EnrolmentOut.of(made)


@router.post("/accounts/{account_id}/disable", summary="Disable an account: sessions ended, tokens revoked")
def disable(account_id: AccountDep, platform: PlatformDep, principal: AdminDep) -> DisabledOut:
    with platform.uow() as uow:
        done = admin.disable(uow, by=principal, account_id=account_id, now=platform.clock.now())
    platform.tokens.clear()  # at once in this process; other processes within SISAMU_TOKEN_CACHE_S
    return DisabledOut(
        account=AccountOut.of(done.account),
        sessions_ended=done.sessions_ended,
        tokens_revoked=done.tokens_revoked,
    )


@router.post("/accounts/{account_id}/enable", summary="Enable a disabled account")
def enable(account_id: AccountDep, platform: PlatformDep, principal: AdminDep) -> AccountOut:
    with platform.uow() as uow:
        return AccountOut.of(admin.enable(uow, by=principal, account_id=account_id, now=platform.clock.now()))
