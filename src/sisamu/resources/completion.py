# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Whether a file's decisions were carried out, asked when a person completes the file (ACHEVE).

A decision that sends a resource (INTER, or ORIENT naming who carries the patient) is carried out when a unit of
that type finished its mission on the file (FINPEC, or free again after it: RETOUR, RET-BASE, REN-BASE); a
cancelled mission carries nothing out. Any mission still under way on the file keeps it from being finished too.
Other decisions (advice, prescription, nothing more) are carried out once taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sisamu.domain.codes import StatutVecteur, code_list
from sisamu.domain.errors import GuardRefused
from sisamu.platform.events import DecidedResource, FileCompleting
from sisamu.resources import store
from sisamu.storage.uow import UnitOfWork

DONE = frozenset({StatutVecteur.FINPEC, StatutVecteur.RETOUR, StatutVecteur.RET_BASE, StatutVecteur.REN_BASE})
CANCELLED = frozenset({StatutVecteur.ANNULE})
KIND_FR = {"INTER": "Intervention", "ORIENT": "Orientation"}


@dataclass(frozen=True, slots=True)
class MissionOnFile:
    mission_id: int
    resource_type: str
    unit: str  # the unit's name
    status: StatutVecteur


def same_kind(decided: str, unit: str) -> bool:
    """A unit of type `unit` answers a decision for `decided`: the same type, or one a family of the other
    (SMUR answers SMUR.ADULT and the reverse)."""
    return decided == unit or unit.startswith(decided + ".") or decided.startswith(unit + ".")


def completion_gaps(decisions: Iterable[DecidedResource], missions: Iterable[MissionOnFile]) -> list[str]:
    """What keeps the file from being ACHEVE, in French: empty when every decision was carried out."""
    missions = list(missions)
    statuses = code_list("statutVecteur")  # the official French wording of each status
    gaps = [
        f"{m.unit} : mission en cours ({statuses.label(m.status)})"
        for m in missions
        if m.status not in DONE and m.status not in CANCELLED
    ]
    for d in decisions:
        if any(m.status in DONE and same_kind(d.resource_type, m.resource_type) for m in missions):
            continue
        engaged = [
            m for m in missions if same_kind(d.resource_type, m.resource_type) and m.status not in CANCELLED
        ]
        label = f"{KIND_FR.get(d.kind, d.kind)} {d.resource_type}{' (départ réflexe)' if d.reflex else ''}"
        if not engaged:
            gaps.append(f"{label} : aucun moyen engagé")
    return gaps


def _missions_on_file(uow: UnitOfWork, samu_id: str, number: str) -> list[MissionOnFile]:
    units: Mapping[str, Any] = {row.resource_id: row for row in store.resources_of(uow.conn, samu_id)}
    found = []
    for row in store.missions(uow.conn, samu_id, file_number=number):
        unit = units.get(row.resource_id)
        found.append(
            MissionOnFile(
                mission_id=row.mission_id,
                resource_type=unit.resource_type if unit is not None else "",
                unit=unit.name if unit is not None else row.resource_id,
                status=StatutVecteur(row.status),
            )
        )
    return found


def decisions_carried_out(uow: UnitOfWork, event: FileCompleting) -> None:
    """Handler of `FileCompleting`: refuses ACHEVE while a decision is not carried out, unless a reason is given."""
    if event.reason:
        return
    gaps = completion_gaps(event.decisions, _missions_on_file(uow, event.samu_id, event.number))
    if gaps:
        raise GuardRefused(
            f"file {event.number}: decisions not carried out: {'; '.join(gaps)}",
            code="decisions_not_carried_out",
            message_fr="Toutes les décisions ne sont pas exécutées : " + " ; ".join(gaps) + ". "
            "Achever le dossier quand même demande un motif.",
            gaps=tuple(gaps),
        )
