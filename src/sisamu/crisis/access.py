"""Who may see and run a crisis: role × tenant over the SAMUs it involves, plus its reinforcements."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.crisis import store
from sisamu.crisis.model import Scope
from sisamu.security.errors import Forbidden, NotFound
from sisamu.security.roles import ROLE_PERMISSIONS, Permission, Principal, allows

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from sisamu.crisis.model import Crisis


def takes_part(conn: Connection, principal: Principal, crisis: Crisis) -> bool:
    """Staff of a SAMU the crisis involves (or involved), nationwide crisis roles, and its active reinforcements."""
    if any(allows(principal, Permission.CRISIS, s) for s in crisis.samus):
        return True
    return Permission.CRISIS in ROLE_PERMISSIONS[principal.role] and store.reinforces(
        conn, crisis.crisis_id, principal.account_id
    )


def check_part(conn: Connection, principal: Principal, crisis: Crisis) -> None:
    """404 for who does not take part: a SAMU not involved is not told the crisis exists."""
    if not takes_part(conn, principal, crisis):
        raise NotFound(f"{principal.username} takes no part in crisis {crisis.crisis_id}")


def may_manage(principal: Principal, crisis: Crisis) -> bool:
    """The national operator manages every crisis; a supervisor, their own SAMU's."""
    if principal.nationwide:
        return allows(principal, Permission.CRISIS_MANAGE, None)
    return crisis.scope is Scope.SAMU and allows(principal, Permission.CRISIS_MANAGE, crisis.owner_samu_id)


def check_manage(conn: Connection, principal: Principal, crisis: Crisis) -> None:
    check_part(conn, principal, crisis)
    if not may_manage(principal, crisis):
        raise Forbidden(f"{principal.username} ({principal.role}) may not manage crisis {crisis.crisis_id}")
