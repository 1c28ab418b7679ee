# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""`sisamu geo …`: import an OpenStreetMap extract into a road graph, compute a travel time."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from sisamu.domain.ports import Point
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
    origin: str = typer.Argument(..., help="Départ « LAT,LON » (WGS84)."),
    destination: str = typer.Argument(..., help="Arrivée « LAT,LON » (WGS84)."),
    graph: Path | None = typer.Option(
        None, "--graph", exists=True, dir_okay=False, help="Graphe routier (.npz)."
    ),
    vehicle: str = typer.Option(
        "VLM", "--vehicle", help="VLM, AR, UMH, VSAV, TSU, HELI, CAR ou un typeVecteur."
    ),
) -> None:
    """Temps de trajet entre deux points (graphe routier si fourni, sinon estimation à vol d'oiseau corrigée)."""
    start, end = _point(origin), _point(destination)
    try:
        vehicle_class(vehicle)
    except ValueError:
        console.print(f"[red]Véhicule inconnu : {vehicle}[/red]")
        raise typer.Exit(2) from None
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
        f"{vehicle} : {minutes} min {rest:02d} s ({method}) ; distance à vol d'oiseau {air_km:.1f} km"
    )


def _point(text: str) -> Point:
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError:
        raise typer.BadParameter(f"point attendu sous la forme LAT,LON : {text!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # noqa: PLR2004 - WGS84 bounds
        raise typer.BadParameter(f"coordonnées hors limites : {text!r}")
    return (lat, lon)
