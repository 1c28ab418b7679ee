"""Use case: open one file to another SAMU (overflow, shared file, crisis)."""

from __future__ import annotations

from datetime import datetime

from sisamu.cases import grants
from sisamu.cases.access import check_file
from sisamu.cases.service import audit_file, emit_file, file_owner, load_file
from sisamu.domain.errors import DomainError
from sisamu.security.roles import Permission, Principal
from sisamu.storage.uow import UnitOfWork

GRANT_REASONS = frozenset({"OVERFLOW", "SHARED", "CRISIS"})


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
    """Open one file to another SAMU (overflow, shared file, crisis). `principal` None = the platform."""
    if reason not in GRANT_REASONS:
        raise DomainError(f"grant reason must be one of {', '.join(sorted(GRANT_REASONS))}")
    owner = file_owner(number)
    if grantee_samu_id == owner:
        raise DomainError(f"file {number} already belongs to SAMU {owner}")
    if principal is not None:
        check_file(uow.conn, principal, Permission.ROOM_WRITE, owner, number, now)
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
    audit_file(uow, principal, file, "file.grant", now, {"grantee": grantee_samu_id, "reason": reason})
    emit_file(uow, file, "case.shared", now)
