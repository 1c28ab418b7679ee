# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Use cases of the allocation assistant: propose destinations for victims, confirm them, list them.

Travel times come from the platform's `TravelTimeEstimator` (straight line, or the road graph when configured),
for an ambulance (`AR`) from where each victim is to each hospital. Only a regulator (`regulate`) proposes and
confirms; victims' ids are patient data, so every proposal, confirmation and read is audited. A hospital's account
reads the victims sent to its own establishment only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from sisamu.domain.events import LiveEvent
from sisamu.domain.ports import TravelTimeEstimator
from sisamu.hospitals.allocation.model import (
    SATURATED_PENALTY_S,
    STALE_PENALTY_S,
    Destination,
    Proposal,
    Triage,
    Unplaced,
    Victim,
    propose,
)
from sisamu.hospitals.capacity import service as capacity
from sisamu.hospitals.capacity import store
from sisamu.hospitals.capacity.model import BED_LABELS_FR, BedType, EdStatus, receives
from sisamu.security import audit
from sisamu.security.access import authorize_object
from sisamu.security.errors import NotFound, Refused
from sisamu.security.roles import Permission, Principal
from sisamu.storage.uow import UnitOfWork

VEHICLE = "AR"  # victims leave in ambulances: the SMUR ambulance's speed profile


@dataclass(frozen=True, slots=True)
class Suggestion:
    proposal: Proposal
    states: dict[str, capacity.HospitalState]  # hospital id → its figures when proposed


@dataclass(frozen=True, slots=True)
class Choice:
    """A destination the regulator confirms (the proposal's, or one they chose instead)."""

    victim_id: str
    triage: Triage
    hospital_id: str
    bed_type: BedType
    travel_s: float | None = None


def destinations(states: Sequence[capacity.HospitalState]) -> list[Destination]:
    """Hospitals that reported and receive, with what their status adds to every trip."""
    out = []
    for state in states:
        if not state.reported or not receives(state.ed_status, state.facility_status):
            continue
        penalty = SATURATED_PENALTY_S.get(EdStatus(state.ed_status), 0.0) + (
            STALE_PENALTY_S if state.stale else 0.0
        )
        free = {BedType(kind): beds.available for kind, beds in state.beds.items() if beds.available > 0}
        if free:
            out.append(Destination(state.hospital.key, free, penalty))
    return out


def travel_matrix(
    estimator: TravelTimeEstimator, victims: Sequence[Victim], points: Sequence[tuple[float, float]]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Seconds from each victim to each point, computed once per distinct victim position."""
    if not victims or not points:
        return np.zeros((len(victims), len(points)))
    places = sorted({v.point for v in victims})
    index = {place: i for i, place in enumerate(places)}
    by_place = np.asarray(estimator.matrix(np.array(places), np.array(points), VEHICLE), dtype=np.float64)
    return by_place[[index[v.point] for v in victims]]


def suggest(
    uow: UnitOfWork,
    *,
    principal: Principal,
    samu_id: str,
    victims: Sequence[Victim],
    estimator: TravelTimeEstimator,
    now: datetime,
    stale_after_s: float,
) -> Suggestion:
    """Destinations for `victims` among the SAMU's hospitals, by capacity, category, needs and travel time;
    victims that already have a confirmed destination are left out (named among the unplaced)."""
    authorize_object(principal, Permission.REGULATE, samu_id)
    if len({v.victim_id for v in victims}) != len(victims):
        raise Refused("VICTIME_EN_DOUBLE", "La même victime figure deux fois dans la liste.", status=422)
    states = capacity.snapshot(uow, samu_id, now, stale_after_s)
    done = store.allocated(uow.conn, samu_id, [v.victim_id for v in victims])
    todo = [v for v in victims if v.victim_id not in done]
    targets = destinations(states)
    by_id = {s.hospital.key: s for s in states}
    points = [(by_id[d.hospital_id].hospital.lat, by_id[d.hospital_id].hospital.lon) for d in targets]
    found = propose(todo, targets, travel_matrix(estimator, todo, points))
    already = [
        Unplaced(v, f"Déjà orientée vers {by_id[h].hospital.name if h in by_id else h}.")
        for v, h in done.items()
    ]
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=samu_id,
        action="allocation.propose",
        object_type="victims",
        object_id=str(len(victims)),
        at=now,
        detail={"victims": [v.victim_id for v in victims], "placed": len(found.placements)},
    )
    return Suggestion(Proposal(found.placements, found.unplaced + already), by_id)


def confirm(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, choices: Sequence[Choice], now: datetime
) -> list[Any]:
    """Record the regulator's destinations and take one bed each, all or nothing: refused (409) when a hospital
    has no bed left in the category (another regulator confirmed the last one first) or a victim already has a
    destination. Beds are taken in one order (hospital, category) so that two confirmations cannot deadlock."""
    authorize_object(principal, Permission.REGULATE, samu_id)
    known = {h.key: h for h in capacity.hospitals_of(uow, samu_id)}
    if len({c.victim_id for c in choices}) != len(choices):
        raise Refused(
            "VICTIME_EN_DOUBLE", "La même victime figure deux fois dans la confirmation.", status=422
        )
    batch = uuid.uuid4()
    for choice in sorted(choices, key=lambda c: (c.hospital_id, c.bed_type, c.victim_id)):
        place = known.get(choice.hospital_id)
        if place is None:
            raise NotFound(f"hospital {choice.hospital_id} does not report to samu {samu_id}")
        left = capacity.take_bed(
            uow,
            principal=principal,
            samu_id=samu_id,
            hospital_id=place.key,
            bed_type=choice.bed_type,
            now=now,
        )
        if left is None:
            raise Refused(
                "PLUS_DE_LIT",
                f"Plus de lit « {BED_LABELS_FR[choice.bed_type]} » disponible à {place.name} : "
                "relancez la proposition.",
                status=409,
                log=f"{choice.victim_id}: no {choice.bed_type} bed left at {place.key}",
            )
        values = {
            "samu_id": samu_id,
            "victim_id": choice.victim_id,
            "hospital_id": place.key,
            "bed_type": str(choice.bed_type),
            "triage": str(choice.triage),
            "travel_s": choice.travel_s,
            "batch_id": batch,
            "decided_at": now,
            "decided_by": principal.display_name,
            "decided_by_id": principal.account_id,
        }
        if not store.insert_allocation(uow.conn, values):
            raise Refused(
                "VICTIME_DEJA_ORIENTEE",
                f"La victime {choice.victim_id} a déjà une destination confirmée.",
                status=409,
            )
        audit.record(
            uow.conn,
            principal=principal,
            samu_id=samu_id,
            action="allocation.confirm",
            object_type="victim",
            object_id=choice.victim_id,
            at=now,
            detail={"hospital_id": place.key, "bed_type": str(choice.bed_type), "triage": str(choice.triage)},
        )
    uow.emit(LiveEvent(samu_id, "hospital.allocation", str(batch), len(choices)))
    return [row for row in store.allocations(uow.conn, samu_id, since=now) if row.batch_id == batch]


def list_allocations(uow: UnitOfWork, *, principal: Principal, samu_id: str, now: datetime) -> list[Any]:
    """Confirmed destinations: all of the SAMU's for its staff, the victims sent to it for a hospital."""
    own = capacity.own_hospital(uow, principal, samu_id)
    if own is None:
        authorize_object(principal, Permission.PATIENT_READ, samu_id)
    rows = store.allocations(uow.conn, samu_id, hospital_id=own)
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=samu_id,
        action="allocation.read",
        object_type="hospital" if own else "samu",
        object_id=own or samu_id,
        at=now,
        detail={"victims": len(rows)},
    )
    return rows
