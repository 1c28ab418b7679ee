"""The one access layer: every route and service asks here whether a principal may act on a tenant's data."""

from __future__ import annotations

from sisamu.security.errors import Forbidden, NotFound
from sisamu.security.roles import Permission, Principal, Role, allows


def authorize(principal: Principal, permission: Permission, samu_id: str | None) -> None:
    """Raise Forbidden unless `principal` holds `permission` on `samu_id` (None = platform-level data)."""
    if not allows(principal, permission, samu_id):
        raise Forbidden(f"{principal.username} ({principal.role}) may not {permission} on samu {samu_id}")


def authorize_object(principal: Principal, permission: Permission, owner_samu_id: str | None) -> None:
    """For an object fetched by id: another tenant's object is reported as missing (404), not forbidden.

    Saying 403 would tell a user of one SAMU that an object of that id exists in another.
    """
    if not allows(principal, permission, owner_samu_id):
        if owner_samu_id is not None and not principal.nationwide and principal.samu_id != owner_samu_id:
            raise NotFound(f"{principal.username} asked for an object of samu {owner_samu_id}")
        raise Forbidden(f"{principal.username} ({principal.role}) may not {permission}")


def sees_callers(principal: Principal | None, samu_id: str) -> bool:
    """May `principal` see callers' phone numbers on `samu_id`'s telephony (calls, callbacks, live events)?

    A number is patient data: the room's staff holding `patient.read` see it (their reads audited); crews reach
    patient data through their missions only, and national operators, analysts, administrators and partners'
    machines hold no `patient.read`. They get the telephony without the numbers. `principal` None: the platform.
    """
    if principal is None:
        return True
    return principal.role is not Role.CREW and allows(principal, Permission.PATIENT_READ, samu_id)
