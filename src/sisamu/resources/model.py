# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Pure rules about units: duty rotas, who is available now, and the level a file needs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sisamu.domain.codes import NiveauSoin, Priorite, TypeRessource, TypeVecteur
from sisamu.domain.errors import DomainError
from sisamu.resources.mission import Availability
from sisamu.resources.recommend import CrewLevel, ResourceSnapshot

_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_DAYS = range(7)  # Monday = 0, as `datetime.weekday()`


class InvalidResource(DomainError):
    """A unit's description or rota does not hold together."""

    code = "MOYEN_INVALIDE"
    summary_fr = "La description ou le planning du moyen est incohérent."


class ResourceUnavailable(DomainError):
    """The unit asked for cannot be engaged now."""

    code = "MOYEN_INDISPONIBLE"
    summary_fr = "Ce moyen ne peut pas être engagé maintenant."


@dataclass(frozen=True, slots=True)
class DutySlot:
    """On duty on `days` (0 = Monday) from `start` to `end` local time; an `end` not after `start` ends the next
    day (a night shift 20:00–08:00)."""

    days: tuple[int, ...]
    start: time
    end: time

    def covers(self, local: datetime) -> bool:
        moment = local.time().replace(tzinfo=None)
        overnight = self.end <= self.start
        if not overnight:
            return local.weekday() in self.days and self.start <= moment < self.end
        if local.weekday() in self.days and moment >= self.start:
            return True
        return (local - timedelta(days=1)).weekday() in self.days and moment < self.end


def parse_duty(rota: Sequence[Mapping[str, Any]]) -> tuple[DutySlot, ...]:
    """`[{"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "20:00"}, …]`; `[]` means always on duty."""
    slots = []
    for item in rota:
        days = item.get("days", list(_DAYS))
        if not isinstance(days, list) or not days or any(d not in _DAYS for d in days):
            raise InvalidResource(f"rota days must be a list of 0 (Monday) to 6: {days!r}")
        bounds = []
        for key in ("start", "end"):
            value = item.get(key)
            match = _HHMM.fullmatch(value) if isinstance(value, str) else None
            if match is None:
                raise InvalidResource(f"rota {key} must be HH:MM: {value!r}")
            bounds.append(time(int(match[1]), int(match[2])))
        slots.append(DutySlot(tuple(sorted(set(days))), bounds[0], bounds[1]))
    return tuple(slots)


def duty_json(slots: Iterable[DutySlot]) -> list[dict[str, Any]]:
    return [
        {"days": list(s.days), "start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M")}
        for s in slots
    ]


def on_duty(rota: Sequence[Mapping[str, Any]], local: datetime) -> bool:
    slots = parse_duty(rota)
    return not slots or any(slot.covers(local) for slot in slots)


def is_available(availability: str, rota: Sequence[Mapping[str, Any]], local: datetime) -> bool:
    return availability == Availability.AVAILABLE and on_duty(rota, local)


def check_unit(resource_type: str, vehicle: str, crew_level: str) -> tuple[str, str, CrewLevel]:
    """The codes of a unit, checked against `HubSante.typeRessource`, `HubSante.typeVecteur` and crew levels."""
    try:
        return str(TypeRessource(resource_type)), str(TypeVecteur(vehicle)), CrewLevel(crew_level)
    except ValueError as exc:
        raise InvalidResource(str(exc)) from None


def snapshot(row: Any, local: datetime) -> ResourceSnapshot:
    """What the recommendation ranks: last position, else the base."""
    lat, lon = (
        (row.lat, row.lon) if row.lat is not None and row.lon is not None else (row.base_lat, row.base_lon)
    )
    return ResourceSnapshot(
        id=row.resource_id,
        vehicle=row.vehicle,
        crew=CrewLevel(row.crew_level),
        available=is_available(row.availability, row.duty, local),
        lat=lat,
        lon=lon,
        base=row.base_id,
    )


_LEVEL_ORDER = (NiveauSoin.R1, NiveauSoin.R2, NiveauSoin.R3, NiveauSoin.R4)


def needed_level(levels: Iterable[NiveauSoin | str | None], priority: Priorite | str | None) -> NiveauSoin:
    """The most urgent R level among the patients; without any, R1 for a P0 file and R2 otherwise."""
    found = [NiveauSoin(level) for level in levels if level is not None]
    if found:
        return min(found, key=_LEVEL_ORDER.index)
    return NiveauSoin.R1 if priority == Priorite.P0 else NiveauSoin.R2
