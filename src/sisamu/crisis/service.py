"""Use cases of crises: open (switching the rooms), attach a SAMU, close (undoing the switches), write in the log,
change an information's verification status, read and search the log, reinforcements.

Opening a crisis switches each room it involves: a crisis banner on its consoles (live event `crisis.changed`),
the files opened there from then on attributed to the crisis (`handlers.file_opened`), national pooling on (through
the overflow service, when it was off), and a room instruction. Closing records its summary and undoes them.
Every command is audited; each writes in the crisis log.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from sisamu.calls.overflow import service as overflow
from sisamu.crisis import file_access, store
from sisamu.crisis.access import check_manage, check_part, may_manage
from sisamu.crisis.common import audit_crisis, banner_text, load, tell, write
from sisamu.crisis.handover import Handover, handover
from sisamu.crisis.model import (
    CRISIS_ATTRIBUTIONS,
    KIND_LABELS_FR,
    VERIFICATION_LABELS_FR,
    Crisis,
    CrisisKind,
    CrisisRefused,
    EntryIn,
    LogEntry,
    Scope,
    Verification,
    check_level,
    clean,
    default_attribution,
)
from sisamu.domain.codes import Attribution
from sisamu.instructions import service as instructions
from sisamu.security.access import authorize
from sisamu.security.roles import Permission, Principal, Role
from sisamu.tenants.queries import samu_ids

if TYPE_CHECKING:
    from sisamu.storage.uow import UnitOfWork


POOLING_WAIT_S = 60.0  # while a crisis keeps national pooling on, calls waiting longer go to any SAMU


# --- crisis events ------------------------------------------------------------------------------------------------


def open_crisis(
    uow: UnitOfWork,
    *,
    principal: Principal,
    now: datetime,
    kind: CrisisKind,
    level: int,
    title: str,
    place: str,
    samus: list[str] | None = None,
    scope: Scope | None = None,
    attribution: Attribution | None = None,
    pooling: bool = True,
) -> Crisis:
    """A supervisor opens their SAMU's crisis; the national operator a regional or national one over `samus`."""
    if principal.nationwide:
        authorize(principal, Permission.CRISIS_MANAGE, None)
        scope = scope or (
            Scope.REGIONAL if samus and len(samus) > 1 else Scope.NATIONAL if not samus else Scope.SAMU
        )
        rooms = sorted(set(samus or samu_ids(uow.conn)))
        if scope is Scope.SAMU and len(rooms) != 1:
            raise CrisisRefused("CRISE_SAMU_UNIQUE", "Une crise de SAMU concerne un seul SAMU.", status=422)
    else:
        authorize(principal, Permission.CRISIS_MANAGE, principal.samu_id)
        if scope not in (None, Scope.SAMU) or (samus and samus != [principal.samu_id]):
            raise CrisisRefused(
                "CRISE_REGIONALE_NATIONALE",
                "Une crise régionale ou nationale est ouverte par l'échelon national.",
                status=403,
            )
        scope, rooms = Scope.SAMU, [str(principal.samu_id)]
    if attribution is not None and attribution not in CRISIS_ATTRIBUTIONS:
        raise CrisisRefused(
            "ATTRIBUTION_HORS_CRISE", "Attribution de crise : DRM.MRU.SSE, PLANBLAN ou PCSAMU.", status=422
        )
    known = set(samu_ids(uow.conn))
    if not rooms or (unknown := [s for s in rooms if s not in known]):
        raise CrisisRefused(
            "SAMU_INCONNU", "SAMU inconnu : " + ", ".join(unknown if rooms else ["aucun"]) + ".", status=422
        )
    # One crisis open per room: openers queue here so that the check below holds until they commit.
    uow.conn.execute(select(func.pg_advisory_xact_lock(func.hashtext("crisis:open"))))
    if busy := store.busy_samus(uow.conn, rooms):
        raise CrisisRefused("CRISE_EN_COURS", "Déjà en crise : SAMU " + ", ".join(busy) + ".")
    pooling_on, wait_s = overflow.pooling_state(uow.conn)
    c = Crisis(
        crisis_id=0,
        scope=scope,
        owner_samu_id=rooms[0] if scope is Scope.SAMU else None,
        kind=kind,
        level=check_level(level),
        title=clean(title, "Intitulé", required=True),
        place=clean(place, "Lieu", required=True),
        attribution=attribution or default_attribution(kind),
        opened_at=now,
        opened_by=principal.username,
        samus=tuple(rooms),
        pooling_switched=pooling and not pooling_on,
    )
    c = replace(c, crisis_id=store.insert(uow.conn, c))
    for samu_id in rooms:
        store.attach(uow.conn, c.crisis_id, samu_id, by=principal.username, at=now)
    if c.pooling_switched:
        # The crisis plan: national pooling on. The national operator switches it as itself; for a SAMU's crisis
        # the platform does, on the supervisor's decision to open it (audited under `crisis.open` below).
        overflow.set_pooling(
            uow,
            principal=principal if principal.role is Role.NATIONAL else None,
            national_pooling=True,
            pooling_wait_s=wait_s or POOLING_WAIT_S,
            now=now,
        )
    detail = {
        "kind": str(kind),
        "level": c.level,
        "scope": str(scope),
        "samus": rooms,
        "attribution": str(c.attribution),
        "pooling_switched": c.pooling_switched,
    }
    for samu_id in rooms:
        audit_crisis(uow, principal, c, "crisis.open", now, detail, samu_id=samu_id)
        instructions.post_for_crisis(
            uow,
            principal=principal,
            samu_id=samu_id,
            now=now,
            body=banner_text(c) + f" Les dossiers ouverts sont rattachés à la crise ({c.attribution}).",
        )
    pooling_note = " Mutualisation nationale activée." if c.pooling_switched else ""
    write(
        uow,
        principal,
        c,
        EntryIn(
            source="Ouverture",
            information=banner_text(c) + pooling_note,
            verification=Verification.CONFIRMED,
        ),
        now,
    )
    tell(uow, c, "crisis.changed")
    return c


def attach_samu(
    uow: UnitOfWork, *, principal: Principal, crisis_id: int, samu_id: str, now: datetime
) -> Crisis:
    """The national operator puts one more SAMU in a regional or national crisis."""
    c = load(uow, crisis_id, lock=True)
    check_manage(uow.conn, principal, c)
    if c.scope is Scope.SAMU or not principal.nationwide:
        raise CrisisRefused(
            "CRISE_LOCALE", "Seule une crise régionale ou nationale reçoit d'autres SAMU.", status=403
        )
    if not c.open:
        raise CrisisRefused("CRISE_CLOSE", "La crise est close.")
    if samu_id not in set(samu_ids(uow.conn)):
        raise CrisisRefused("SAMU_INCONNU", f"SAMU inconnu : {samu_id}.", status=422)
    uow.conn.execute(select(func.pg_advisory_xact_lock(func.hashtext("crisis:open"))))
    if store.busy_samus(uow.conn, [samu_id]):
        raise CrisisRefused("CRISE_EN_COURS", f"Déjà en crise : SAMU {samu_id}.")
    store.attach(uow.conn, c.crisis_id, samu_id, by=principal.username, at=now)
    c = replace(c, samus=tuple(sorted({*c.samus, samu_id})))
    audit_crisis(uow, principal, c, "crisis.attach", now, {"samu_id": samu_id}, samu_id=samu_id)
    instructions.post_for_crisis(uow, principal=principal, samu_id=samu_id, now=now, body=banner_text(c))
    write(
        uow,
        principal,
        c,
        EntryIn(
            source="Organisation",
            information=f"SAMU {samu_id} rattaché à la crise.",
            verification=Verification.CONFIRMED,
        ),
        now,
    )
    tell(uow, c, "crisis.changed")
    return c


def close_crisis(
    uow: UnitOfWork, *, principal: Principal, crisis_id: int, summary: str, now: datetime
) -> Crisis:
    """Close a crisis with its summary: rooms back to normal, reinforcements revoked, pooling off if it switched it."""
    c = load(uow, crisis_id, lock=True)
    check_manage(uow.conn, principal, c)
    if not c.open:
        raise CrisisRefused("CRISE_CLOSE", "La crise est déjà close.")
    text = clean(summary, "Bilan de clôture", required=True)
    write(
        uow,
        principal,
        c,
        EntryIn(source="Clôture", information=text, verification=Verification.CONFIRMED),
        now,
    )
    revoked = store.revoke_reinforcements(uow.conn, c.crisis_id, by=principal.username, at=now)
    homes = tuple(sorted({r.home_samu_id for r in revoked if r.home_samu_id}))
    for home in homes:
        file_access.close_files(uow, crisis_id=c.crisis_id, grantee=home, now=now)
    store.close(uow.conn, c.crisis_id, by=principal.username, summary=text, at=now)
    if c.pooling_switched and not store.other_pooling_crises(uow.conn, c.crisis_id):
        _, wait_s = overflow.pooling_state(uow.conn)
        overflow.set_pooling(
            uow,
            principal=principal if principal.role is Role.NATIONAL else None,
            national_pooling=False,
            pooling_wait_s=wait_s,
            now=now,
        )
    closed = replace(c, closed_at=now, closed_by=principal.username, summary=text)
    for samu_id in c.samus:
        audit_crisis(
            uow,
            principal,
            closed,
            "crisis.close",
            now,
            {"revoked": [r.username for r in revoked], "pooling_off": c.pooling_switched},
            samu_id=samu_id,
        )
        instructions.post_for_crisis(
            uow,
            principal=principal,
            samu_id=samu_id,
            now=now,
            body=f"Fin de crise ({KIND_LABELS_FR[c.kind]}, {c.place}) : {text}",
        )
    tell(uow, closed, "crisis.changed", extra=homes)
    return closed


def get_crisis(uow: UnitOfWork, *, principal: Principal, crisis_id: int) -> Crisis:
    c = load(uow, crisis_id)
    check_part(uow.conn, principal, c)
    return c


def crises_of(uow: UnitOfWork, *, principal: Principal, open_only: bool) -> list[Crisis]:
    """The crises `principal` takes part in (every crisis for the national operator)."""
    authorize(principal, Permission.CRISIS, principal.samu_id)
    samus = None if principal.nationwide else {str(principal.samu_id)}
    return store.listing(uow.conn, samu_ids=samus, account_id=principal.account_id, open_only=open_only)


def room_crisis(uow: UnitOfWork, *, principal: Principal, samu_id: str) -> Crisis | None:
    """The crisis a room is in (its banner): room readers see kind, level, place and title only."""
    authorize(principal, Permission.ROOM_READ, samu_id)
    return store.open_crisis_of(uow.conn, samu_id)


# --- the log -------------------------------------------------------------------------------------------------------


def append_entry(
    uow: UnitOfWork, *, principal: Principal | None, crisis_id: int, entry: EntryIn, now: datetime
) -> LogEntry:
    """Write in the crisis log (`principal` None: the platform, linking a domain event)."""
    c = load(uow, crisis_id)
    if principal is not None:
        check_part(uow.conn, principal, c)
    checked = replace(
        entry,
        source=clean(entry.source, "Source", required=True),
        information=clean(entry.information, "Information", required=True),
        decision=clean(entry.decision, "Décision"),
        action=clean(entry.action, "Action"),
        owner=clean(entry.owner, "Responsable"),
    )
    return write(uow, principal, c, checked, now)


def set_verification(
    uow: UnitOfWork,
    *,
    principal: Principal,
    crisis_id: int,
    seq: int,
    verification: Verification,
    note: str = "",
    now: datetime,
) -> LogEntry:
    """An information confirmed or invalidated: a new entry referring to the first (the log is never changed)."""
    c = load(uow, crisis_id)
    check_part(uow.conn, principal, c)
    first = store.entry(uow.conn, crisis_id, seq)
    if first is None:
        raise CrisisRefused("ENTREE_INCONNUE", "L'entrée visée n'existe pas.", status=404)
    root = first.entry.refers_to or first.seq
    label = VERIFICATION_LABELS_FR[verification]
    text = clean(note, "Commentaire") or f"Information de l'entrée n° {root} {label}."
    entry = EntryIn(source=first.entry.source, information=text, verification=verification, refers_to=root)
    return write(uow, principal, c, entry, now)


def read_log(
    uow: UnitOfWork,
    *,
    principal: Principal,
    crisis_id: int,
    now: datetime,
    text: str | None = None,
    verification: Verification | None = None,
    source: str | None = None,
    purpose: str = "crisis.log.read",
) -> tuple[Crisis, list[LogEntry]]:
    """The log, newest first, filtered; an audited read (it may name patients and victims)."""
    c = load(uow, crisis_id)
    check_part(uow.conn, principal, c)
    entries = store.search(uow.conn, crisis_id, text=text, verification=verification, source=source)
    detail = {
        "q": text,
        "verification": str(verification) if verification else None,
        "source": source,
        "entries": len(entries),
    }
    audit_crisis(uow, principal, c, purpose, now, detail, samu_id=c.audit_samu or principal.samu_id)
    return c, entries


def manages(principal: Principal, crisis: Crisis) -> bool:
    return may_manage(principal, crisis)


def handover_summary(
    uow: UnitOfWork, *, principal: Principal, crisis_id: int, hours: float, now: datetime
) -> Handover:
    """The handover summary of the last `hours` (a shift) for the next team; an audited read of the whole log."""
    c = load(uow, crisis_id)
    check_part(uow.conn, principal, c)
    summary = handover(list(store.chain(uow.conn, crisis_id)), since=now - timedelta(hours=hours))
    audit_crisis(
        uow, principal, c, "crisis.handover", now, {"hours": hours}, samu_id=c.audit_samu or principal.samu_id
    )
    return summary
