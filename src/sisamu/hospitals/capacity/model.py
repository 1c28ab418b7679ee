# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""What a hospital reports in crisis, as pure rules (no I/O).

The fields follow OASIS EDXL-HAVE 2.0 (Hospital AVailability Exchange): a list of bed capacities by type with an
available and a baseline count (`BedCapacity`/`Capacity`: `AvailableCount`, `BaselineCount`), the emergency
department's status (`EmergencyDepartmentStatus`, EMS traffic: Normal, Advisory, Closed), the facility's status
(`FacilityStatus`: Normal, Compromised, Evacuating, Closed, Unknown) and the time of the last update
(`LastUpdateTime`). The bed categories are those a French crisis cell counts (UA, UR, réanimation, bloc, grands
brûlés, pédiatrie); each names the EDXL-HAVE bed type it is closest to, for an export.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from sisamu.domain.errors import DomainError

MAX_BEDS = 5000  # more than any French hospital has in one category: a typo, not a figure


class BedType(StrEnum):
    UA = "UA"  # urgence absolue: beds/boxes for victims needing care within hours
    UR = "UR"  # urgence relative
    RESUSCITATION = "REA"  # réanimation
    THEATRE = "BLOC"  # operating theatre (salles de bloc opératoire)
    BURNS = "BRULES"  # grands brûlés
    PAEDIATRICS = "PEDIATRIE"


BED_LABELS_FR: dict[BedType, str] = {
    BedType.UA: "Urgences absolues (UA)",
    BedType.UR: "Urgences relatives (UR)",
    BedType.RESUSCITATION: "Réanimation",
    BedType.THEATRE: "Bloc opératoire",
    BedType.BURNS: "Grands brûlés",
    BedType.PAEDIATRICS: "Pédiatrie",
}
# The closest EDXL-HAVE bed type (HAVE's list is American; UA/UR have no equivalent, hence EmergencyDepartment).
HAVE_BED_TYPE: dict[BedType, str] = {
    BedType.UA: "EmergencyDepartment",
    BedType.UR: "MedicalSurgical",
    BedType.RESUSCITATION: "AdultICU",
    BedType.THEATRE: "OperatingRooms",
    BedType.BURNS: "Burn",
    BedType.PAEDIATRICS: "Pediatrics",
}


class EdStatus(StrEnum):
    """The emergency department (service des urgences) as a regulator sees it."""

    NORMAL = "NORMAL"
    TENSION = "TENSION"
    SATURE = "SATURE"
    FERME = "FERME"


ED_LABELS_FR = {
    EdStatus.NORMAL: "Normal",
    EdStatus.TENSION: "En tension",
    EdStatus.SATURE: "Saturé",
    EdStatus.FERME: "Fermé",
}
HAVE_ED_STATUS = {
    EdStatus.NORMAL: "Normal",
    EdStatus.TENSION: "Advisory",
    EdStatus.SATURE: "Advisory",
    EdStatus.FERME: "Closed",
}


class FacilityStatus(StrEnum):
    NORMAL = "NORMAL"
    DEGRADE = "DEGRADE"  # HAVE Compromised
    EVACUATION = "EVACUATION"  # HAVE Evacuating
    FERME = "FERME"  # HAVE Closed
    INCONNU = "INCONNU"  # HAVE Unknown


FACILITY_LABELS_FR = {
    FacilityStatus.NORMAL: "Normal",
    FacilityStatus.DEGRADE: "Fonctionnement dégradé",
    FacilityStatus.EVACUATION: "En cours d'évacuation",
    FacilityStatus.FERME: "Fermé",
    FacilityStatus.INCONNU: "Inconnu",
}


class PlanBlanc(IntEnum):
    """Level of the hospital's plan blanc (its surge plan)."""

    NONE = 0  # not triggered
    ALERT = 1  # niveau 1: cellule de crise, mobilisation interne
    TRIGGERED = 2  # niveau 2: plan blanc déclenché, rappel du personnel, déprogrammation


PLAN_BLANC_LABELS_FR = {
    PlanBlanc.NONE: "Non déclenché",
    PlanBlanc.ALERT: "Niveau 1 — mobilisation interne",
    PlanBlanc.TRIGGERED: "Niveau 2 — plan blanc déclenché",
}


class InvalidCapacity(DomainError):
    """A reported figure that cannot be true (negative, absurd)."""

    code = "CAPACITE_INVALIDE"

    def __init__(self, message: str, message_fr: str) -> None:
        super().__init__(message)
        self.message_fr = message_fr


@dataclass(frozen=True, slots=True)
class Beds:
    available: int
    baseline: int | None = None  # the usual number of beds in that category (HAVE BaselineCount)


def check_beds(beds: dict[BedType, Beds]) -> None:
    for bed_type, count in beds.items():
        if count.available < 0 or (count.baseline is not None and count.baseline < 0):
            raise InvalidCapacity(
                f"{bed_type}: a bed count cannot be negative", f"{BED_LABELS_FR[bed_type]} : nombre négatif."
            )
        if count.available > MAX_BEDS or (count.baseline or 0) > MAX_BEDS:
            raise InvalidCapacity(
                f"{bed_type}: more than {MAX_BEDS} beds",
                f"{BED_LABELS_FR[bed_type]} : plus de {MAX_BEDS} lits, chiffre invraisemblable.",
            )


def is_stale(updated_at: datetime | None, now: datetime, stale_after_s: float) -> bool:
    """Figures older than the setting (or never reported) are flagged: a regulator must not trust them blindly."""
    return updated_at is None or now - updated_at > timedelta(seconds=stale_after_s)


def receives(ed_status: str | None, facility: str | None) -> bool:
    """May victims be sent there at all? Not to a closed emergency department nor a closed or evacuating site."""
    return ed_status != EdStatus.FERME and facility not in {FacilityStatus.FERME, FacilityStatus.EVACUATION}
