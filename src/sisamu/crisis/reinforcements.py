"""Reinforcements: ARMs and physicians of other SAMUs who take part in a crisis while it lasts — added and ended
by who manages the crisis, audited in the chains of the crisis' SAMU and of their home SAMU, revoked when the
crisis closes (`service.close_crisis`), listed for the crisis' supervisor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sisamu.crisis import file_access, service, store
from sisamu.crisis.access import check_manage
from sisamu.crisis.common import audit_crisis, load, tell, write
from sisamu.crisis.model import CrisisRefused, EntryIn, Scope, Verification
from sisamu.security import store as accounts
from sisamu.security.roles import Role

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.crisis.model import Crisis
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

REINFORCING_ROLES = frozenset({Role.ARM, Role.REGULATOR})


def add_reinforcement(
    uow: UnitOfWork, *, principal: Principal, crisis_id: int, username: str, now: datetime
) -> Crisis:
    """An ARM or physician of another SAMU joins the crisis for its duration (audited in both SAMUs' chains)."""
    c = load(uow, crisis_id, lock=True)
    check_manage(uow.conn, principal, c)
    if not c.open:
        raise CrisisRefused("CRISE_CLOSE", "La crise est close.")
    row = accounts.account_by_username(uow.conn, username)
    if row is None or not row.active:
        raise CrisisRefused("COMPTE_INCONNU", f"Compte inconnu ou désactivé : {username}.", status=422)
    person = accounts.principal_from_row(row)
    if person.role not in REINFORCING_ROLES:
        raise CrisisRefused("RENFORT_ROLE", "Un renfort est un(e) ARM ou un médecin régulateur.", status=422)
    if person.samu_id in c.samus:
        raise CrisisRefused("RENFORT_DEJA_EN_CRISE", "Ce compte appartient déjà à un SAMU de la crise.")
    if not store.put_reinforcement(
        uow.conn, crisis_id=c.crisis_id, account=person, by=principal.username, at=now
    ):
        raise CrisisRefused("RENFORT_DEJA_PRESENT", f"{username} renforce déjà cette crise.")
    detail = {"username": person.username, "role": str(person.role), "home_samu_id": person.samu_id}
    for chain_samu in {*(c.samus if c.scope is Scope.SAMU else ()), person.samu_id}:
        audit_crisis(uow, principal, c, "crisis.reinforcement.add", now, detail, samu_id=chain_samu)
    info = f"Renfort : {person.display_name} ({person.role}, SAMU {person.samu_id}) rejoint la crise."
    write(
        uow,
        principal,
        c,
        EntryIn(source="Renforts", information=info, verification=Verification.CONFIRMED),
        now,
    )
    file_access.open_files(uow, crisis_id=c.crisis_id, grantee=str(person.samu_id), now=now)
    tell(uow, c, "crisis.changed")
    return c


def revoke_reinforcement(
    uow: UnitOfWork, *, principal: Principal, crisis_id: int, username: str, now: datetime
) -> None:
    c = load(uow, crisis_id, lock=True)
    check_manage(uow.conn, principal, c)
    revoked = store.revoke_reinforcements(
        uow.conn, c.crisis_id, by=principal.username, at=now, username=username
    )
    if not revoked:
        raise CrisisRefused("RENFORT_INCONNU", f"{username} ne renforce pas cette crise.", status=404)
    home = revoked[0].home_samu_id
    for chain_samu in {*(c.samus if c.scope is Scope.SAMU else ()), home}:
        audit_crisis(
            uow, principal, c, "crisis.reinforcement.revoke", now, {"username": username}, samu_id=chain_samu
        )
    if c.open:
        info = f"Fin de renfort : {revoked[0].display_name} (SAMU {home})."
        write(
            uow,
            principal,
            c,
            EntryIn(source="Renforts", information=info, verification=Verification.CONFIRMED),
            now,
        )
    if home and home not in file_access.reinforcing_samus(uow, c.crisis_id, c.samus):
        file_access.close_files(uow, crisis_id=c.crisis_id, grantee=home, now=now)
    tell(uow, c, "crisis.changed", extra=(home,) if home else ())


def listing(uow: UnitOfWork, *, principal: Principal, crisis_id: int) -> list[Any]:
    c = service.get_crisis(uow, principal=principal, crisis_id=crisis_id)
    return store.reinforcements(uow.conn, c.crisis_id)
