# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""`sisamu geo …`: import an OpenStreetMap extract into a road graph, compute a travel time."""

from __future__ import annotations

import re
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from sisamu.console_output import USAGE_ERROR, fail, refusal
from sisamu.domain.ports import Point
from sisamu.geo import gazetteer
from sisamu.geo.name_search import normalize
from sisamu.geo.travel import StraightLineEstimator, great_circle_m, vehicle_class

app = typer.Typer(no_args_is_help=True, help="Géographie : graphe routier OpenStreetMap, temps de trajet.")
console = Console()


@app.command("import-pbf")
def import_pbf_command(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="Extrait OpenStreetMap (.osm.pbf)."),
    out: Path = typer.Option(..., "--out", help="Fichier du graphe routier à écrire (.npz)."),
) -> None:
    """Importer un extrait OpenStreetMap (PBF) en graphe routier compressé (.npz)."""
    from sisamu.geo.roads import import_pbf

    started = time.perf_counter()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("Lecture des voies…", total=None)

        def report(ways: int, nodes: int) -> None:
            progress.update(task, description=f"Lecture des voies… {ways:,} voies, {nodes:,} nœuds")

        graph = import_pbf(path, progress=report)
        progress.update(task, description="Écriture du graphe…")
        graph.save(out)
    console.print(
        f"Graphe routier : {graph.node_count:,} nœuds, {graph.edge_count:,} arcs orientés → {out} "
        f"({out.stat().st_size / 1e6:.1f} Mo, {time.perf_counter() - started:.1f} s)"
    )


@app.command("route")
def route_command(
    origin: str = typer.Argument(..., help="Départ : « LAT,LON » (WGS84), une commune ou « Commune (DD) »."),
    destination: str = typer.Argument(..., help="Arrivée : « LAT,LON », une commune ou « Commune (DD) »."),
    graph: Path | None = typer.Option(
        None, "--graph", exists=True, dir_okay=False, help="Graphe routier (.npz)."
    ),
    vehicle: str = typer.Option(
        "VLM", "--vehicle", help="VLM, AR, UMH, VSAV, TSU, HELI, CAR ou un typeVecteur."
    ),
) -> None:
    """Temps de trajet entre deux points (graphe routier si fourni, sinon estimation à vol d'oiseau corrigée)."""
    try:
        vehicle_class(vehicle)
    except ValueError:
        fail(
            f"Véhicule inconnu : {vehicle!r}. Choix possibles : VLM, AR, UMH, VSAV, TSU, HELI, CAR.",
            USAGE_ERROR,
        )
    (start, origin_name), (end, destination_name) = _place(origin), _place(destination)
    if graph is not None:
        from sisamu.geo.roads import RoadEstimator

        seconds = RoadEstimator.load(graph).seconds(start, end, vehicle)
        method = f"graphe routier {graph.name}"
    else:
        seconds = StraightLineEstimator().seconds(start, end, vehicle)
        method = "vol d'oiseau × détour"
    air_km = float(great_circle_m(start, end)) / 1000
    if seconds == float("inf"):
        console.print(f"Aucun itinéraire trouvé ({method}).")
        raise typer.Exit(1)
    minutes, rest = divmod(round(seconds), 60)
    console.print(
        f"{origin_name} → {destination_name}, {vehicle} : {minutes} min {rest:02d} s ({method}) ; "
        f"distance à vol d'oiseau {air_km:.1f} km"
    )


_COORDINATES = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*")
_IN_DEPARTEMENT = re.compile(r"^(.*?)\s*\(\s*(\w{2,3})\s*\)\s*$")
_SUGGESTIONS = 5


def _place(text: str) -> tuple[Point, str]:
    """A point from « LAT,LON », else the town hall of a commune named (« Commune (DD) » among homonyms), with
    the name to print."""
    found = _COORDINATES.fullmatch(text)
    if found:
        lat, lon = float(found[1]), float(found[2])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # noqa: PLR2004 - WGS84 bounds
            fail(
                f"Coordonnées hors limites : {text!r} (LAT entre -90 et 90, LON entre -180 et 180).",
                USAGE_ERROR,
            )
        return (lat, lon), f"{lat:.5f},{lon:.5f}"
    place = _commune(text)
    return (place.lat, place.lon), f"{place.name} ({place.departement})"


def _commune(text: str) -> gazetteer.Commune:
    named = _IN_DEPARTEMENT.match(text)
    name, departement = (named[1], named[2].upper()) if named else (text, None)
    candidates = gazetteer.search_communes(name, limit=20, departement=departement)
    exact = [c for c in candidates if normalize(c.name) == normalize(name) and c.kind in ("COM", "ARM")]
    if len(exact) == 1:
        return exact[0]
    if exact:
        listed = ", ".join(f"{c.name} ({c.departement})" for c in exact)
        raise refusal(f"Plusieurs communes s'appellent {name!r} : {listed}. Précisez le département, ex. "
                      f"« {exact[0].name} ({exact[0].departement}) ».")  # fmt: skip
    if not candidates:
        raise refusal(f"Ni un point « LAT,LON » ni une commune connue : {text!r}.")
    listed = ", ".join(f"{c.name} ({c.departement})" for c in candidates[:_SUGGESTIONS])
    raise refusal(f"Commune inconnue : {text!r}. Vouliez-vous dire : {listed} ?")
