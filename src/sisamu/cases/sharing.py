"""Use cases: open one file to another SAMU (overflow, shared file, crisis), list and revoke its grants.

Only the owner SAMU shares its file: its room supervisor (`room.write`) or its regulating physician (`regulate`).
A SAMU the file was granted to reads and writes it by its staff's roles, but may neither re-grant it (to a third
SAMU, or to itself to extend its grant) nor revoke. A grant always ends: its expiry defaults to `DEFAULT_GRANT` and
may not lie more than `MAX_GRANT` ahead; `access.check_file` refuses an expired grant on every read and write. A
revoked grant stops at once (the grantee's consoles hear `case.unshared` and the next request gets 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sisamu.cases import grants
from sisamu.cases.access import check_file
from sisamu.cases.service import audit_file, emit_file, file_owner, load_file
from sisamu.domain.errors import DomainError
from sisamu.domain.events import LiveEvent
from sisamu.security.errors import Forbidden, NotFound
from sisamu.security.roles import Permission, Principal, allows
from sisamu.storage.uow import UnitOfWork

GRANT_REASONS = frozenset({"OVERFLOW", "SHARED", "CRISIS"})
DEFAULT_GRANT = timedelta(hours=24)
MAX_GRANT = timedelta(days=7)


class NotTheOwner(Forbidden):
    """A grant is the owner SAMU's decision: a grantee may not re-grant, extend or revoke."""

    code = "PARTAGE_RESERVE_AU_PROPRIETAIRE"
    message_fr = "Seul le SAMU propriétaire du dossier peut le partager ou retirer un partage."


class GrantExpiryRefused(DomainError):
    code = "ECHEANCE_DE_PARTAGE_INVALIDE"
    message_fr = "L'échéance du partage doit être dans le futur et au plus dans 7 jours."


class NoActiveGrant(NotFound):
    code = "PARTAGE_INTROUVABLE"
    message_fr = "Ce dossier n'est pas partagé avec ce SAMU."


@dataclass(frozen=True, slots=True)
class GrantView:
    samu_id: str
    reason: str
    granted_at: datetime
    granted_by: str
    expires_at: datetime | None


def _check_sharer(uow: UnitOfWork, principal: Principal, owner: str, number: str, now: datetime) -> None:
    """404 for whoever may not read the file; 403 for a grantee, or owner staff who neither supervise nor regulate."""
    check_file(uow.conn, principal, Permission.PATIENT_READ, owner, number, now)
    if principal.samu_id != owner or not (
        allows(principal, Permission.ROOM_WRITE, owner) or allows(principal, Permission.REGULATE, owner)
    ):
        raise NotTheOwner(f"{principal.username} of samu {principal.samu_id} may not share file {number}")


def _expiry(expires_at: datetime | None, now: datetime) -> datetime:
    if expires_at is None:
        return now + DEFAULT_GRANT
    if expires_at <= now or expires_at > now + MAX_GRANT:
        raise GrantExpiryRefused(f"grant expiry {expires_at.isoformat()} not within {MAX_GRANT} from now")
    return expires_at


def grant_access(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    number: str,
    grantee_samu_id: str,
    reason: str,
    now: datetime,
    expires_at: datetime | None = None,
) -> None:
    """Open one file to another SAMU until `expires_at` (by default `DEFAULT_GRANT` from now). `principal` None is
    the platform, whose grants may be open-ended (an overflowed call's file)."""
    if reason not in GRANT_REASONS:
        raise DomainError(f"grant reason must be one of {', '.join(sorted(GRANT_REASONS))}")
    owner = file_owner(number)
    if principal is not None:
        _check_sharer(uow, principal, owner, number, now)
        expires_at = _expiry(expires_at, now)
    if grantee_samu_id == owner:
        raise DomainError(f"file {number} already belongs to SAMU {owner}")
    file = load_file(uow, owner, number, lock=True)
    grants.put_grant(
        uow.conn,
        samu_id=owner,
        number=number,
        grantee=grantee_samu_id,
        reason=reason,
        granted_by=principal.username if principal else "system",
        now=now,
        expires_at=expires_at,
    )
    detail = {"grantee": grantee_samu_id, "reason": reason}
    if expires_at is not None:
        detail["expires_at"] = expires_at.isoformat()
    audit_file(uow, principal, file, "file.grant", now, detail)
    emit_file(uow, file, "case.shared", now)


def list_grants(uow: UnitOfWork, *, principal: Principal, number: str, now: datetime) -> list[GrantView]:
    """The SAMUs this file is open to now (the owner's sharers only)."""
    owner = file_owner(number)
    _check_sharer(uow, principal, owner, number, now)
    return [GrantView(*row) for row in grants.active_grants(uow.conn, owner, number, now)]


def revoke_access(
    uow: UnitOfWork, *, principal: Principal | None, number: str, grantee_samu_id: str, now: datetime
) -> None:
    """Close the file to `grantee_samu_id` at once; audited, and the grantee's consoles are told."""
    owner = file_owner(number)
    if principal is not None:
        _check_sharer(uow, principal, owner, number, now)
    file = load_file(uow, owner, number, lock=True)
    if not grants.revoke_grant(uow.conn, owner, number, grantee_samu_id, now):
        raise NoActiveGrant(f"file {number} has no grant to samu {grantee_samu_id}")
    audit_file(uow, principal, file, "file.grant.revoke", now, {"grantee": grantee_samu_id})
    uow.emit(LiveEvent(grantee_samu_id, "case.unshared", file.number, file.version, {"owner": owner}))
    emit_file(uow, file, "case.unshared", now)
