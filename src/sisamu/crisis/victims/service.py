"""Use cases of the victims registry: register a victim (bracelet number read, or one allocated), change its
triage, identity, location, evacuation and status (optimistic versions), link it to a regulation file's patient,
list and read victims, duplicate-person candidates.

Each command checks that the caller takes part in the crisis (its SAMUs' staff, the national operator, its active
reinforcements), writes one entry in the crisis log (`link_kind=victim`, numbers and categories only, no names),
tells the crisis' consoles (`crisis.victims`) and is audited; reads are audited too (victims are patients).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sisamu.cases import service as cases
from sisamu.cases.model import InvalidFile
from sisamu.crisis.access import check_part
from sisamu.crisis.common import load, write
from sisamu.crisis.model import Crisis, CrisisRefused, EntryIn, Verification
from sisamu.crisis.victims import store
from sisamu.crisis.victims.model import (
    STATUS_LABELS_FR,
    TRIAGE_LABELS_FR,
    VECTOR_LABELS_FR,
    Identity,
    PatientLink,
    Status,
    Triage,
    TriageChange,
    Vector,
    Victim,
    allocated_number,
    bracelet_number,
    check_status,
    clean_text,
    duplicate_pairs,
    refused,
)
from sisamu.hospitals.directory import HospitalDef, hospital, hospitals_in
from sisamu.security import audit
from sisamu.security.errors import NotFound
from sisamu.tenants.queries import departements

if TYPE_CHECKING:
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

EVENT = "crisis.victims"
PLACE_LIMIT = 200


def _audit(
    uow: UnitOfWork,
    principal: Principal,
    c: Crisis,
    action: str,
    now: datetime,
    *,
    number: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=c.audit_samu or principal.samu_id,
        action=action,
        object_type="victim" if number else "crisis",
        object_id=number or str(c.crisis_id),
        at=now,
        detail={"crisis_id": c.crisis_id, **(detail or {})},
    )


def _crisis(uow: UnitOfWork, principal: Principal, crisis_id: int, *, writing: bool) -> Crisis:
    c = load(uow, crisis_id)
    check_part(uow.conn, principal, c)
    if writing and not c.open:
        raise CrisisRefused(
            "CRISE_CLOSE", "La crise est close : le registre des victimes n'est plus modifiable."
        )
    return c


def _destination(key: str | None) -> str | None:
    if not key:
        return None
    try:
        return hospital(key).key
    except KeyError:
        raise refused("ETABLISSEMENT_INCONNU", f"Établissement inconnu : {key}.") from None


def _log(
    uow: UnitOfWork, principal: Principal, c: Crisis, v: Victim, information: str, now: datetime
) -> None:
    write(
        uow,
        principal,
        c,
        EntryIn(
            source="Victimes",
            information=f"Victime {v.number} : {information}",
            verification=Verification.CONFIRMED,
            link_kind="victim",
            link_id=v.number,
        ),
        now,
        also=(EVENT,),
    )


def register(
    uow: UnitOfWork,
    *,
    principal: Principal,
    crisis_id: int,
    now: datetime,
    bracelet: str | None,
    triage: Triage,
    identity: Identity | None = None,
    site: str | None = None,
    pma: str | None = None,
) -> Victim:
    """A victim registered with the number of its bracelet (typed or the QR code's payload), or, no bracelet read,
    with the next number of the crisis' own sequence."""
    c = _crisis(uow, principal, crisis_id, writing=True)
    who = (identity or Identity()).checked(now.date())
    seq: int | None = None
    if bracelet and bracelet.strip():
        number = bracelet_number(bracelet)
    else:
        seq = store.next_seq(uow.conn, c.crisis_id)
        number = allocated_number(c.crisis_id, seq)
    v = Victim(
        crisis_id=c.crisis_id,
        number=number,
        allocated=seq is not None,
        triage=triage,
        status=Status.PMA if clean_text(pma, "PMA", PLACE_LIMIT) else Status.SITE,
        identity=who,
        site=clean_text(site, "Site", PLACE_LIMIT),
        pma=clean_text(pma, "PMA", PLACE_LIMIT),
        vector=None,
        destination=None,
        patient=None,
        version=1,
        created_at=now,
        created_by=principal.username,
        created_by_id=principal.account_id,
        updated_at=now,
        history=(TriageChange(triage, now, principal.username),),
    )
    if not store.insert_victim(uow.conn, v, seq):
        raise refused("VICTIME_EXISTE", f"Le bracelet {number} est déjà enregistré.", status=409)
    store.add_triage(uow.conn, number, v.history[0])
    _audit(uow, principal, c, "crisis.victim.create", now, number=number, detail={"triage": str(triage)})
    where = f", {v.pma}" if v.pma else f", {v.site}" if v.site else ""
    _log(
        uow,
        principal,
        c,
        v,
        f"enregistrée, {TRIAGE_LABELS_FR[triage]}, {STATUS_LABELS_FR[v.status]}{where}.",
        now,
    )
    return v


def _victim(uow: UnitOfWork, c: Crisis, number: str, *, lock: bool) -> Victim:
    v = store.get(uow.conn, number, lock=lock)
    if v is None or v.crisis_id != c.crisis_id:
        raise NotFound(f"no victim {number} in crisis {c.crisis_id}")
    return v


def update(
    uow: UnitOfWork,
    *,
    principal: Principal,
    crisis_id: int,
    number: str,
    now: datetime,
    version: int,
    changes: dict[str, Any],
) -> Victim:
    """Change a victim: `changes` holds any of triage, status, identity (an `Identity`), site, pma, vector,
    destination. Refused with 409 `VERSION_PERIMEE` when someone changed it since `version`."""
    c = _crisis(uow, principal, crisis_id, writing=True)
    before = _victim(uow, c, number, lock=True)
    if before.version != version:
        raise refused(
            "VERSION_PERIMEE",
            "La victime a été modifiée entre-temps : rechargez avant de modifier.",
            status=409,
        )
    v, said = _apply_state(*_apply_details(before, changes, now), changes)
    if not said:
        return before
    v = replace(v, version=before.version + 1, updated_at=now)
    if not store.save(uow.conn, v, version):
        raise refused("VERSION_PERIMEE", "La victime a été modifiée entre-temps.", status=409)
    if v.triage is not before.triage:
        store.add_triage(uow.conn, number, TriageChange(v.triage, now, principal.username))
        v = replace(v, history=(*before.history, TriageChange(v.triage, now, principal.username)))
    _audit(uow, principal, c, "crisis.victim.update", now, number=number, detail={"fields": sorted(changes)})
    _log(uow, principal, c, v, "; ".join(said) + ".", now)
    return v


def _apply_details(v: Victim, changes: dict[str, Any], now: datetime) -> tuple[Victim, list[str]]:
    """The changed victim and what the log says of it (no names: categories, places, status)."""
    said: list[str] = []
    if "identity" in changes:
        who = changes["identity"].checked(now.date())
        if who != v.identity:
            v = replace(v, identity=who)
            said.append("identité complétée" if who.known else "identité modifiée")
    if "site" in changes and (site := clean_text(changes["site"], "Site", PLACE_LIMIT)) != v.site:
        v = replace(v, site=site)
        said.append(f"site : {site or '—'}")
    if "pma" in changes and (pma := clean_text(changes["pma"], "PMA", PLACE_LIMIT)) != v.pma:
        v = replace(v, pma=pma)
        said.append(f"PMA : {pma or '—'}")
    if "vector" in changes and changes["vector"] != v.vector:
        vector: Vector | None = changes["vector"]
        v = replace(v, vector=vector)
        said.append(f"vecteur : {VECTOR_LABELS_FR[vector] if vector else '—'}")
    if "destination" in changes:
        dest = _destination(changes["destination"])
        if dest != v.destination:
            if v.status in (Status.EVACUATED, Status.ADMITTED):
                raise refused("DESTINATION_FIGEE", "La victime est déjà évacuée vers sa destination.", 409)
            v = replace(v, destination=dest)
            said.append(f"destination : {hospital(dest).name if dest else '—'}")
    return v, said


def _apply_state(v: Victim, said: list[str], changes: dict[str, Any]) -> tuple[Victim, list[str]]:
    """Triage, then status (an evacuation checks the destination and vector given in the same change)."""
    if "triage" in changes and changes["triage"] is not v.triage:
        triage: Triage = changes["triage"]
        v = replace(v, triage=triage)
        said.append(f"catégorie {TRIAGE_LABELS_FR[triage]}")
    if "status" in changes and changes["status"] is not v.status:
        to: Status = changes["status"]
        check_status(v, to)
        v = replace(v, status=to)
        said.append(STATUS_LABELS_FR[to])
    return v, said


def link_patient(
    uow: UnitOfWork,
    *,
    principal: Principal,
    crisis_id: int,
    number: str,
    now: datetime,
    version: int,
    file_number: str,
    patient_no: int,
) -> Victim:
    """The victim is this patient of a regulation file (checked, and read under the caller's own rights, through
    the cases feature's service). The patient's Hub Santé `externalId` is then {source SINUS, value number}."""
    c = _crisis(uow, principal, crisis_id, writing=True)
    before = _victim(uow, c, number, lock=True)
    if before.version != version:
        raise refused("VERSION_PERIMEE", "La victime a été modifiée entre-temps.", status=409)
    file = cases.get_file(uow, principal=principal, number=file_number, now=now)
    try:
        file.patient(patient_no)
    except InvalidFile:
        raise refused(
            "PATIENT_INCONNU", f"Le dossier {file_number} n'a pas de patient n° {patient_no}."
        ) from None
    v = replace(
        before, patient=PatientLink(file.number, patient_no), version=before.version + 1, updated_at=now
    )
    store.save(uow.conn, v, version)
    _audit(
        uow, principal, c, "crisis.victim.link", now, number=number,
        detail={"file": file.number, "patient_no": patient_no},
    )  # fmt: skip
    write(
        uow,
        principal,
        c,
        EntryIn(
            source="Victimes",
            information=f"Victime {number} : patient n° {patient_no} du dossier {file.number}.",
            verification=Verification.CONFIRMED,
            link_kind="file",
            link_id=file.number,
        ),
        now,
        also=(EVENT,),
    )
    return v


def victims(
    uow: UnitOfWork, *, principal: Principal, crisis_id: int, now: datetime, purpose: str
) -> tuple[Crisis, list[Victim]]:
    """The crisis' victims (an audited read: `purpose` is the audit action, a list or an export)."""
    c = _crisis(uow, principal, crisis_id, writing=False)
    found = store.of_crisis(uow.conn, c.crisis_id)
    _audit(uow, principal, c, purpose, now, detail={"victims": len(found)})
    return c, found


def victim(uow: UnitOfWork, *, principal: Principal, crisis_id: int, number: str, now: datetime) -> Victim:
    c = _crisis(uow, principal, crisis_id, writing=False)
    v = _victim(uow, c, number, lock=False)
    _audit(uow, principal, c, "crisis.victim.read", now, number=number)
    return v


def duplicates(
    uow: UnitOfWork, *, principal: Principal, crisis_id: int, now: datetime
) -> list[tuple[Victim, Victim]]:
    """Pairs of victims that may be one person, for someone to review (nothing is merged)."""
    c = _crisis(uow, principal, crisis_id, writing=False)
    pairs = duplicate_pairs(store.of_crisis(uow.conn, c.crisis_id))
    _audit(uow, principal, c, "crisis.victims.duplicates", now, detail={"pairs": len(pairs)})
    return pairs


def destinations(uow: UnitOfWork, *, principal: Principal, crisis_id: int) -> list[HospitalDef]:
    """The directory's hospitals of the départements of the crisis' SAMUs (any other is accepted by its id)."""
    c = _crisis(uow, principal, crisis_id, writing=False)
    of_samu = departements(uow.conn)
    return [h for dep in sorted({of_samu[s] for s in c.samus if s in of_samu}) for h in hospitals_in(dep)]
