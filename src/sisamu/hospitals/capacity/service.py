# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Use cases of hospital availability: a hospital or the room's supervisor reports beds by category and
statuses; anyone of the room reads them, stale figures flagged; a confirmed allocation takes a bed.

Who may do what: a `hospital` account speaks for the one establishment it is attached to (`attach_account`), and
for no other; the room's supervisor (`room.write`) for every hospital of the SAMU; room staff read them all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from sisamu.domain.events import LiveEvent
from sisamu.hospitals.capacity import store
from sisamu.hospitals.capacity.model import (
    Beds,
    BedType,
    EdStatus,
    FacilityStatus,
    PlanBlanc,
    check_beds,
    is_stale,
)
from sisamu.security import audit
from sisamu.security import store as accounts
from sisamu.security.access import authorize_object
from sisamu.security.errors import NotFound, Refused
from sisamu.security.roles import Permission, Principal, Role
from sisamu.storage.tables import hospital, samu
from sisamu.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Establishment:
    """A hospital of the SAMU's territory, as loaded in the `hospital` table (`sisamu seed`)."""

    key: str
    name: str
    kind: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class HospitalState:
    """A hospital as the room sees it; `reported` False until someone gave its figures."""

    hospital: Establishment
    reported: bool
    stale: bool
    ed_status: str = EdStatus.NORMAL
    facility_status: str = FacilityStatus.INCONNU
    plan_blanc: int = PlanBlanc.NONE
    version: int = 0
    updated_at: datetime | None = None
    updated_by: str | None = None
    beds: dict[str, Beds] = field(default_factory=dict)


class NotAttached(Refused):
    def __init__(self, username: str) -> None:
        super().__init__(
            "ETABLISSEMENT_NON_RATTACHE",
            "Ce compte d'établissement n'est rattaché à aucun établissement de ce SAMU.",
            log=f"{username}: hospital account attached to no establishment of this SAMU",
        )


def _establishments(uow: UnitOfWork, samu_id: str, hospital_id: str | None = None) -> list[Establishment]:
    h = hospital.c
    dept = select(samu.c.departement).where(samu.c.samu_id == samu_id).scalar_subquery()
    query = select(h.hospital_id, h.name, h.kind, h.lat, h.lon).where(h.departement == dept)
    if hospital_id is not None:
        query = query.where(h.hospital_id == hospital_id)
    rows = uow.execute(query.order_by((h.kind == "CHU").desc(), h.name, h.hospital_id))
    return [Establishment(r.hospital_id, r.name, r.kind, r.lat, r.lon) for r in rows]


def hospitals_of(uow: UnitOfWork, samu_id: str) -> list[Establishment]:
    """The hospitals that report to `samu_id` (those of its département; its CHU first); none for an unknown
    SAMU."""
    return _establishments(uow, samu_id)


def _hospital_of(uow: UnitOfWork, samu_id: str, hospital_id: str) -> Establishment:
    found = _establishments(uow, samu_id, hospital_id)
    if not found:
        raise NotFound(f"hospital {hospital_id} does not report to samu {samu_id}")
    return found[0]


def own_hospital(uow: UnitOfWork, principal: Principal, samu_id: str) -> str | None:
    """The establishment a `hospital` account speaks for (refused when it is attached to none of `samu_id`);
    None for every other role."""
    if principal.role is not Role.HOSPITAL:
        return None
    authorize_object(principal, Permission.CAPACITY, samu_id)
    row = store.hospital_of_account(uow.conn, principal.account_id)
    if row is None or row.samu_id != samu_id:
        raise NotAttached(principal.username)
    return str(row.hospital_id)


def _may_read(uow: UnitOfWork, principal: Principal, samu_id: str) -> str | None:
    own = own_hospital(uow, principal, samu_id)
    if own is None:
        authorize_object(principal, Permission.ROOM_READ, samu_id)
    return own


def _may_write(uow: UnitOfWork, principal: Principal, samu_id: str, hospital_id: str) -> None:
    own = own_hospital(uow, principal, samu_id)
    if own is None:
        authorize_object(principal, Permission.ROOM_WRITE, samu_id)
    elif own != hospital_id:
        raise Refused(
            "AUTRE_ETABLISSEMENT",
            "Un établissement ne met à jour que ses propres capacités.",
            log=f"{principal.username} ({own}) tried to report for {hospital_id}",
        )


def _states(
    uow: UnitOfWork, samu_id: str, hospitals: Iterable[Establishment], now: datetime, stale_after_s: float
) -> list[HospitalState]:
    wanted = list(hospitals)
    ids = [h.key for h in wanted]
    rows = {row.hospital_id: row for row in store.statuses(uow.conn, samu_id, ids)}
    counts: dict[str, dict[str, Beds]] = {}
    for bed in store.beds(uow.conn, samu_id, ids):
        counts.setdefault(bed.hospital_id, {})[bed.bed_type] = Beds(bed.available, bed.baseline)
    states = []
    for h in wanted:
        row = rows.get(h.key)
        if row is None:
            states.append(HospitalState(h, reported=False, stale=True))
            continue
        states.append(
            HospitalState(
                h,
                reported=True,
                stale=is_stale(row.updated_at, now, stale_after_s),
                ed_status=row.ed_status,
                facility_status=row.facility_status,
                plan_blanc=row.plan_blanc,
                version=row.version,
                updated_at=row.updated_at,
                updated_by=row.updated_by,
                beds=counts.get(h.key, {}),
            )
        )
    return states


def list_states(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, now: datetime, stale_after_s: float
) -> list[HospitalState]:
    """Every hospital of the SAMU with its figures (a hospital's account: its own only)."""
    own = _may_read(uow, principal, samu_id)
    hospitals = [h for h in hospitals_of(uow, samu_id) if own is None or h.key == own]
    return _states(uow, samu_id, hospitals, now, stale_after_s)


def get_state(
    uow: UnitOfWork,
    *,
    principal: Principal,
    samu_id: str,
    hospital_id: str,
    now: datetime,
    stale_after_s: float,
) -> HospitalState:
    own = _may_read(uow, principal, samu_id)
    if own is not None and own != hospital_id:
        raise NotFound(f"{principal.username} ({own}) asked for {hospital_id}")
    return _states(uow, samu_id, [_hospital_of(uow, samu_id, hospital_id)], now, stale_after_s)[0]


def snapshot(uow: UnitOfWork, samu_id: str, now: datetime, stale_after_s: float) -> list[HospitalState]:
    """For the allocation assistant (which checks its caller itself): every hospital of the SAMU."""
    return _states(uow, samu_id, hospitals_of(uow, samu_id), now, stale_after_s)


def _state_json(status: Mapping[str, Any], beds: Mapping[str, Beds]) -> dict[str, Any]:
    return {
        "ed_status": str(status["ed_status"]),
        "facility_status": str(status["facility_status"]),
        "plan_blanc": int(status["plan_blanc"]),
        "beds": {k: {"available": v.available, "baseline": v.baseline} for k, v in sorted(beds.items())},
    }


def _current_beds(uow: UnitOfWork, samu_id: str, hospital_id: str) -> dict[str, Beds]:
    return {r.bed_type: Beds(r.available, r.baseline) for r in store.beds(uow.conn, samu_id, [hospital_id])}


def update_state(
    uow: UnitOfWork,
    *,
    principal: Principal,
    samu_id: str,
    hospital_id: str,
    now: datetime,
    stale_after_s: float,
    beds: Mapping[BedType, Beds],
    ed_status: EdStatus | None = None,
    facility_status: FacilityStatus | None = None,
    plan_blanc: PlanBlanc | None = None,
    expected_version: int | None = None,
) -> HospitalState:
    """A hospital's report: the bed categories given (others unchanged) and the statuses given. With
    `expected_version`, refused (409) when someone changed the figures since the caller read them."""
    _may_write(uow, principal, samu_id, hospital_id)
    found = _hospital_of(uow, samu_id, hospital_id)
    check_beds(dict(beds))
    row = store.lock_status(uow.conn, samu_id, hospital_id)
    if row is None:
        first = {
            "samu_id": samu_id,
            "hospital_id": hospital_id,
            "ed_status": EdStatus.NORMAL,
            "facility_status": FacilityStatus.NORMAL,
            "plan_blanc": PlanBlanc.NONE,
            "version": 0,
            "updated_at": now,
            "updated_by": principal.display_name,
            "updated_by_id": principal.account_id,
        }
        store.insert_status(uow.conn, first)
        row = store.lock_status(uow.conn, samu_id, hospital_id)
        assert row is not None
    if expected_version is not None and row.version != expected_version:
        raise Refused(
            "VERSION_PERIMEE",
            "Les capacités ont été modifiées entre-temps : rechargez avant de les mettre à jour.",
            status=409,
            log=f"{hospital_id}: version {row.version}, caller had {expected_version}",
        )
    version = int(row.version) + 1
    status = {
        "ed_status": str(ed_status or row.ed_status),
        "facility_status": str(facility_status or row.facility_status),
        "plan_blanc": int(plan_blanc if plan_blanc is not None else row.plan_blanc),
        "version": version,
        "updated_at": now,
        "updated_by": principal.display_name,
        "updated_by_id": principal.account_id,
    }
    store.update_status(uow.conn, samu_id, hospital_id, status)
    store.upsert_beds(
        uow.conn,
        [
            {
                "samu_id": samu_id,
                "hospital_id": hospital_id,
                "bed_type": str(bed_type),
                "available": count.available,
                "baseline": count.baseline,
            }
            for bed_type, count in sorted(beds.items())
        ],
    )
    state = _state_json(status, _current_beds(uow, samu_id, hospital_id))
    _remember(uow, principal, samu_id, hospital_id, version, now, "REPORT", state)
    return _states(uow, samu_id, [found], now, stale_after_s)[0]


def _remember(
    uow: UnitOfWork,
    principal: Principal,
    samu_id: str,
    hospital_id: str,
    version: int,
    now: datetime,
    cause: str,
    state: dict[str, Any],
) -> None:
    """History row, audit entry and live event of one change of a hospital's figures."""
    store.add_history(
        uow.conn,
        {
            "samu_id": samu_id,
            "hospital_id": hospital_id,
            "version": version,
            "at": now,
            "author": principal.display_name,
            "author_id": principal.account_id,
            "cause": cause,
            "state": state,
        },
    )
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=samu_id,
        action="hospital.status" if cause == "REPORT" else "hospital.bed_taken",
        object_type="hospital",
        object_id=hospital_id,
        at=now,
        detail={"version": version, **state},
    )
    uow.emit(LiveEvent(samu_id, "hospital.status", hospital_id, version, {"ed_status": state["ed_status"]}))


def take_bed(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, hospital_id: str, bed_type: str, now: datetime
) -> int | None:
    """One bed of `bed_type` fewer at the hospital, for a confirmed allocation: the beds left, or None when there
    was none (the caller refuses the confirmation). The caller has checked that `principal` may allocate."""
    row = store.lock_status(uow.conn, samu_id, hospital_id)
    if row is None:
        return None
    left = store.take_bed(uow.conn, samu_id, hospital_id, bed_type)
    if left is None:
        return None
    version = int(row.version) + 1
    status = {"version": version, "updated_at": now, "updated_by": principal.display_name}
    store.update_status(uow.conn, samu_id, hospital_id, {**status, "updated_by_id": principal.account_id})
    state = _state_json(row._asdict(), _current_beds(uow, samu_id, hospital_id))
    _remember(uow, principal, samu_id, hospital_id, version, now, "ALLOCATION", state)
    return left


def history(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, hospital_id: str, limit: int = 50
) -> list[Any]:
    own = _may_read(uow, principal, samu_id)
    if own is not None and own != hospital_id:
        raise NotFound(f"{principal.username} ({own}) asked for the history of {hospital_id}")
    _hospital_of(uow, samu_id, hospital_id)
    return store.history(uow.conn, samu_id, hospital_id, limit)


def attach_account(uow: UnitOfWork, *, username: str, hospital_id: str) -> str:
    """Attach a `hospital` account to the establishment it speaks for (one of its SAMU's); its SAMU's id."""
    row = accounts.account_by_username(uow.conn, username)
    if row is None:
        raise NotFound(f"no account {username}")
    if row.role != Role.HOSPITAL or row.samu_id is None:
        raise Refused(
            "ROLE_INCOMPATIBLE", "Seul un compte d'établissement de santé se rattache à un établissement."
        )
    _hospital_of(uow, row.samu_id, hospital_id)
    store.attach_account(uow.conn, row.account_id, row.samu_id, hospital_id)
    return str(row.samu_id)


def attach_demo_accounts(uow: UnitOfWork, samu_ids: Iterable[str]) -> int:
    """The demo's `hospital.<samu>` accounts speak for the first hospital of their SAMU (its CHU when it has one)."""
    attached = 0
    for samu_id in samu_ids:
        hospitals = hospitals_of(uow, samu_id)
        username = f"hospital.{samu_id}"
        if hospitals and accounts.account_by_username(uow.conn, username) is not None:
            attach_account(uow, username=username, hospital_id=hospitals[0].key)
            attached += 1
    return attached
