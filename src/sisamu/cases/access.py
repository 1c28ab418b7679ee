"""Who may reach a file: role × tenant through the shared access layer, plus explicit grants to other SAMUs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from sisamu.cases import grants
from sisamu.cases.model import Actor
from sisamu.security.access import authorize_object
from sisamu.security.errors import Forbidden
from sisamu.security.roles import ROLE_PERMISSIONS, Permission, Principal, Role, allows


def actor_of(principal: Principal) -> Actor:
    return Actor(account_id=principal.account_id, name=principal.display_name, role=str(principal.role))


def check_file(
    conn: Connection,
    principal: Principal,
    permission: Permission,
    owner: str,
    number: str,
    now: datetime,
) -> None:
    """Allow `principal` to use `permission` on file `number` of SAMU `owner`, or raise.

    Staff of the owner SAMU act by their role. Staff of another SAMU act by their role only on a file granted to
    their SAMU (overflow, shared file, crisis); otherwise the file is reported missing (404). Crews reach files
    through their missions (not yet built), so they are refused here.
    """
    if principal.role is Role.CREW:
        raise Forbidden(f"{principal.username}: crews reach files through their missions only")
    if allows(principal, permission, owner):
        return
    if (
        principal.samu_id is not None
        and principal.samu_id != owner
        and permission in ROLE_PERMISSIONS[principal.role]
        and grants.has_grant(conn, owner, number, principal.samu_id, now)
    ):
        return
    authorize_object(principal, permission, owner)
    raise Forbidden(f"{principal.username} may not {permission} on file {number}")  # pragma: no cover
