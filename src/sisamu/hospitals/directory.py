# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""A demo directory of hospitals and SMUR bases: the main public hospitals of every département.

Which cities get a hospital is real: a CHU in each city that has one (public knowledge), a CH at the préfecture
and at the SAMU room's city, and one at the département's second most populous commune. Everything else is
synthetic demo data, derived deterministically: specialties by kind and city size, bed counts from the key, a
SMUR everywhere but in second cities under 15,000 inhabitants, a HéliSMUR at every CHU and, in a département
without CHU, at the room's city. FINESS numbers are deliberately left empty (`finess=None`) rather than invented.
"""

from __future__ import annotations

import unicodedata
import zlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from sisamu.geo.data_files import loaded_once
from sisamu.geo.gazetteer import commune, communes, departements
from sisamu.tenants.registry import national_rooms

if TYPE_CHECKING:
    from sisamu.geo.gazetteer import Commune

HospitalKind = Literal["CHU", "CH"]


class Specialty(StrEnum):
    """The small fixed vocabulary used to choose a destination (synthetic demo assignment)."""

    EMERGENCY = "urgences"
    INTENSIVE_CARE = "réanimation"
    INTERVENTIONAL_CARDIOLOGY = "cardiologie interventionnelle"
    STROKE_UNIT = "neurovasculaire (UNV)"
    PAEDIATRICS = "pédiatrie"
    MATERNITY = "maternité"
    BURNS = "grands brûlés"
    MAJOR_TRAUMA = "traumatologie lourde"


@dataclass(frozen=True, slots=True)
class HospitalDef:
    key: str  # "chu-besancon-25", stable: used as the hospital id
    name: str
    departement: str
    city_insee: str
    lat: float
    lon: float
    kind: HospitalKind
    has_smur: bool
    has_helismur: bool
    specialties: tuple[str, ...]
    beds: dict[str, int] = field(hash=False)  # synthetic capacity per specialty
    finess: str | None = None  # the real FINESS number, when someone loads it from the official directory


# INSEE codes of the cities with a CHU (centre hospitalier universitaire); Paris is AP-HP.
CHU_CITIES = frozenset(
    {
        "80021",  # Amiens
        "49007",  # Angers
        "25056",  # Besançon
        "33063",  # Bordeaux
        "29019",  # Brest
        "14118",  # Caen
        "63113",  # Clermont-Ferrand
        "21231",  # Dijon
        "38185",  # Grenoble
        "59350",  # Lille
        "87085",  # Limoges
        "69123",  # Lyon
        "13055",  # Marseille
        "34172",  # Montpellier
        "54395",  # Nancy
        "44109",  # Nantes
        "06088",  # Nice
        "30189",  # Nîmes
        "45234",  # Orléans (CHU since 2022)
        "75056",  # Paris (AP-HP)
        "86194",  # Poitiers
        "51454",  # Reims
        "35238",  # Rennes
        "76540",  # Rouen
        "42218",  # Saint-Étienne
        "67482",  # Strasbourg
        "31555",  # Toulouse
        "37261",  # Tours
        "97120",  # Pointe-à-Pitre (CHU de la Guadeloupe)
        "97209",  # Fort-de-France (CHU de la Martinique)
        "97411",  # Saint-Denis (CHU de La Réunion, site nord)
        "97416",  # Saint-Pierre (CHU de La Réunion, site sud)
    }
)

_ALL = tuple(Specialty)
_MAIN_CH = (
    Specialty.EMERGENCY,
    Specialty.INTENSIVE_CARE,
    Specialty.STROKE_UNIT,
    Specialty.PAEDIATRICS,
    Specialty.MATERNITY,
)
_LARGE_CITY = 50_000  # a main CH in a city this large also does interventional cardiology
_SMALL_CITY = 15_000  # a second-city CH below this has no SMUR
_ICU_CITY = 30_000  # a second-city CH from this size has an intensive care unit
# Typical beds (or boxes for urgences) per specialty, before the deterministic ±25 % spread.
_BASE_BEDS = {
    "CHU": {
        Specialty.EMERGENCY: 45,
        Specialty.INTENSIVE_CARE: 40,
        Specialty.INTERVENTIONAL_CARDIOLOGY: 30,
        Specialty.STROKE_UNIT: 30,
        Specialty.PAEDIATRICS: 60,
        Specialty.MATERNITY: 50,
        Specialty.BURNS: 12,
        Specialty.MAJOR_TRAUMA: 40,
    },
    "CH": {
        Specialty.EMERGENCY: 20,
        Specialty.INTENSIVE_CARE: 12,
        Specialty.INTERVENTIONAL_CARDIOLOGY: 10,
        Specialty.STROKE_UNIT: 12,
        Specialty.PAEDIATRICS: 20,
        Specialty.MATERNITY: 25,
    },
}


@loaded_once
def all_hospitals() -> tuple[HospitalDef, ...]:
    """Every hospital, by département (INSEE order), CHU first, then by INSEE code."""
    room_cities: dict[str, set[str]] = {}
    for room in national_rooms():
        room_cities.setdefault(room.departement, set()).add(room.city_insee)
    populous: dict[str, list[Commune]] = {}
    for place in communes():
        if place.kind == "COM" and place.population:
            populous.setdefault(place.departement, []).append(place)
    hospitals: list[HospitalDef] = []
    for dept in departements():
        rooms = room_cities.get(dept.code, set())
        main = {dept.chef_lieu_insee, *rooms}
        chu = {insee for insee in CHU_CITIES if commune(insee).departement == dept.code}
        ranked = sorted(populous.get(dept.code, []), key=lambda place: -(place.population or 0))
        second = {ranked[1].insee} if len(ranked) > 1 else set()  # none for Paris, nor Mayotte (no figures)
        hospitals.extend(
            _hospital(
                commune(insee),
                chu=insee in chu,
                main=insee in main,
                helismur=insee in chu or (insee in rooms and not chu),
            )
            for insee in sorted(main | chu | second, key=lambda code: (code not in chu, code))
        )
    return tuple(hospitals)


def hospitals_in(departement: str) -> tuple[HospitalDef, ...]:
    return tuple(item for item in all_hospitals() if item.departement == departement.upper())


def hospital(key: str) -> HospitalDef:
    for item in all_hospitals():
        if item.key == key:
            return item
    raise KeyError(f"no hospital {key!r}")


def _hospital(city: Commune, *, chu: bool, main: bool, helismur: bool) -> HospitalDef:
    kind: HospitalKind = "CHU" if chu else "CH"
    population = city.population or 0
    specialties: tuple[Specialty, ...]
    if chu:
        specialties = _ALL
    elif main:
        large = (Specialty.INTERVENTIONAL_CARDIOLOGY,) if population >= _LARGE_CITY else ()
        specialties = tuple(s for s in _ALL if s in _MAIN_CH or s in large)
    else:
        icu = (Specialty.INTENSIVE_CARE,) if population >= _ICU_CITY else ()
        specialties = tuple(s for s in _ALL if s in {Specialty.EMERGENCY, Specialty.MATERNITY, *icu})
    key = f"{kind.lower()}-{_slug(city.name)}-{city.departement.lower()}"
    return HospitalDef(
        key=key,
        name=_name(kind, city.name),
        departement=city.departement,
        city_insee=city.insee,
        lat=city.lat,
        lon=city.lon,
        kind=kind,
        has_smur=chu or main or population >= _SMALL_CITY,
        has_helismur=helismur,
        specialties=tuple(str(s) for s in specialties),
        beds={str(s): _beds(key, kind, s) for s in specialties},
    )


def _beds(key: str, kind: HospitalKind, specialty: Specialty) -> int:
    """Base count ±25 %, from a checksum of key and specialty: the same on every run and machine."""
    spread = zlib.crc32(f"{key}/{specialty.name}".encode()) % 51  # 0..50
    return max(1, round(_BASE_BEDS[kind][specialty] * (75 + spread) / 100))


def _name(kind: HospitalKind, city: str) -> str:
    if city == "Paris":
        return "Assistance publique – Hôpitaux de Paris (AP-HP)"
    prefix = "Centre hospitalier universitaire" if kind == "CHU" else "Centre hospitalier"
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if city.startswith(article):
            return f"{prefix} {contracted}{city.removeprefix(article)}"
    return f"{prefix} de {city}"


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())
