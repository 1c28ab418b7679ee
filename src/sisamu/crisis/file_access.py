"""The crisis' files opened to the SAMUs its reinforcements come from, through the regulation file's own grants
(`case_grant`, reason CRISIS: `cases.sharing`), so that a reinforcement works on them with the file consoles.

A grant is SAMU-level (the regulation file's access model): while a person of SAMU 680 reinforces a crisis, 680's
staff reach the crisis' files (only those), each read and write audited as any file access; the crisis log itself
stays person-level. Grants are opened when a reinforcement joins and for each file opened in the crisis after, and
closed when the last reinforcement of that SAMU ends or the crisis closes. A grant the file already had for another
reason (overflow, sharing) is left as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.cases import grants, sharing
from sisamu.crisis import store

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.storage.uow import UnitOfWork

REASON = "CRISIS"


def reinforcing_samus(uow: UnitOfWork, crisis_id: int, crisis_samus: tuple[str, ...]) -> set[str]:
    """The home SAMUs of the crisis' active reinforcements (not the SAMUs the crisis involves)."""
    return {
        r.home_samu_id
        for r in store.reinforcements(uow.conn, crisis_id)
        if r.revoked_at is None and r.home_samu_id and r.home_samu_id not in crisis_samus
    }


def open_file(uow: UnitOfWork, *, owner: str, number: str, grantee: str, now: datetime) -> None:
    if grantee == owner or grantee in grants.active_grantees(uow.conn, owner, number, now):
        return
    sharing.grant_access(uow, principal=None, number=number, grantee_samu_id=grantee, reason=REASON, now=now)


def open_files(uow: UnitOfWork, *, crisis_id: int, grantee: str, now: datetime) -> None:
    for row in store.files(uow.conn, crisis_id):
        open_file(uow, owner=row.samu_id, number=row.number, grantee=grantee, now=now)


def close_files(uow: UnitOfWork, *, crisis_id: int, grantee: str, now: datetime) -> None:
    for row in store.files(uow.conn, crisis_id):
        for samu_id, reason, *_ in grants.active_grants(uow.conn, row.samu_id, row.number, now):
            if samu_id == grantee and reason == REASON:
                sharing.revoke_access(
                    uow, principal=None, number=row.number, grantee_samu_id=grantee, now=now
                )
