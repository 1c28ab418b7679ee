"""What the twin's commands share: their options, the rooms they simulate, the run with its progress bar, the
tables and JSON they print."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sisamu.console_output import USAGE_ERROR, at_least, fail, one_of
from sisamu.sim.engine import run
from sisamu.sim.report import indicators
from sisamu.sim.scenarios import (
    POLICIES,
    build_setup,
    equal_weights,
    rooms_from_departements,
    rooms_from_registry,
    scenario,
)

if TYPE_CHECKING:
    from sisamu.sim.engine import Outcome, TwinSetup
    from sisamu.sim.report import Indicators
    from sisamu.sim.scenarios import Room

console = Console(stderr=True)

SEED = typer.Option(1, "--seed", help="Graine du générateur aléatoire.")
JSON = typer.Option(False, "--json", help="Sortie JSON sur stdout.")
OUT = typer.Option(None, "--out", help="Dossier où écrire les graphiques PNG.")
LOST = typer.Option(
    15.0,
    "--lost-threshold",
    callback=at_least(0),
    help="Seuil d'appel perdu (s) : raccroché après au moins ce délai.",
)
POLICY = typer.Option("débordement τ=30 s", "--policy", help=f"Politique : {', '.join(POLICIES)}.")
ROOM_SOURCES = ("registry", "departements", "equal:N")
ROOMS = typer.Option(
    "registry",
    "--rooms",
    help="Salles : 'registry' (sisamu.tenants.registry + population), 'departements' (une salle par "
    "département, population du gazetier) ou 'equal:N' (N salles égales, explicitement sans population).",
)
SURGE_ROOMS = typer.Option(
    "", "--surge-rooms", help="Salles touchées (ids CRRA séparés par des virgules ; défaut : toutes)."
)
FACTOR = typer.Option(
    0.0,
    "--factor",
    callback=at_least(0),
    help="covid : multiplicateur (défaut 3) ; canicule : hausse (défaut 0,25).",
)
HOURS = typer.Option(
    168, "--hours", callback=at_least(1), help="Durée simulée (heures, à partir du lundi 0 h)."
)


def rooms_of(source: str, scope: str) -> tuple[Room, ...]:
    if source.startswith("equal:"):
        count = source.split(":", 1)[1]
        if not count.isdigit() or int(count) < 1:
            fail(f"--rooms equal:N attend un nombre de salles N ≥ 1 (reçu : {source!r}).", USAGE_ERROR)
        return equal_weights(int(count))
    if source == "departements":
        return rooms_from_departements()
    one_of(source, ROOM_SOURCES, "Source des salles inconnue (--rooms)")
    try:
        return rooms_from_registry(scope)
    except ImportError as exc:
        console.print(
            f"[red]Registre des salles ou gazetier indisponible ({exc}).[/red] "
            "Choisissez explicitement --rooms departements ou --rooms equal:N."
        )
        raise typer.Exit(2) from exc


POSITIVE = at_least(0, strictly=True)


def share_option(param: typer.CallbackParam, value: float) -> float:
    if not 0 < value <= 1:
        fail(
            f"{param.opts[0]} est une part entre 0 et 1 (reçu : {value:g} ; 99 % s'écrit 0.99).", USAGE_ERROR
        )
    return value


def run_twin(setup: TwinSetup, label: str) -> Outcome:
    hours = setup.arms.shape[1]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} h"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=hours)
        return run(setup, progress=lambda h: bar.update(task, completed=h + 1))


def indicators_table(title: str, rows: list[Indicators]) -> Table:
    lost_s = rows[0].lost_threshold_s if rows else 15.0
    table = Table(title=title, caption=f"perdus : raccrochés après au moins {lost_s:g} s d'attente")
    for col in (
        "SAMU",
        "offerts",
        "≤ 60 s",
        "≤ 30 s",
        "abandons",
        f"perdus (≥ {lost_s:g} s)",
        "attente moy.",
        "p90",
        "occup.",
    ):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            r.scope,
            f"{r.offered:,}".replace(",", " "),
            f"{100 * r.service_level_60:.1f} %",
            f"{100 * r.service_level_30:.1f} %",
            f"{r.abandoned:,}".replace(",", " "),
            f"{100 * r.lost_share:.2f} %",
            f"{r.mean_wait_s:.1f} s",
            f"{r.p90_wait_s:.1f} s",
            f"{100 * r.occupancy:.0f} %",
        )
    return table


def emit(as_json: bool, payload: dict[str, Any], tables: list[Table]) -> None:
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=1))
        return
    out = Console()
    for t in tables:
        out.print(t)


def checked_surge_rooms(rooms: tuple[Room, ...], listed: str) -> list[str]:
    """The CRRA ids of `--surge-rooms`, each checked against the simulated rooms."""
    surge = [s.strip() for s in listed.split(",") if s.strip()]
    for room_id in surge:
        one_of(room_id, [r.crra_id for r in rooms], "Salle inconnue (--surge-rooms)")
    return surge


def run_scenario(name: str, **kw: Any) -> None:
    one_of(kw["policy"], POLICIES, "Politique inconnue (--policy)")
    rooms = rooms_of(kw["rooms"], "pilots" if name == "pilots" else "national")
    surge = checked_surge_rooms(rooms, kw.get("surge_rooms", ""))
    share = 1.0 if name == "pilots" and not kw["rooms"].startswith("equal:") else None
    sc = replace(
        scenario(name, rooms, surge_rooms=surge, factor=kw.get("factor", 0.0), total_weight=share),
        policy=kw["policy"],
        hours=kw["hours"],
    )
    setup = build_setup(sc, kw["seed"])
    outcome = run_twin(setup, f"{name} ({len(rooms)} salles)")
    national, per_room = indicators(outcome, lost_threshold_s=kw["lost_threshold"])
    out: Path | None = kw["out"]
    plots: list[str] = []
    if out is not None:
        from sisamu.sim import plots as p

        out.mkdir(parents=True, exist_ok=True)
        plots.append(str(p.weekly_profile(outcome, out / f"{name}-semaine.png", f"{name} — {kw['policy']}")))
        plots.append(
            str(
                p.service_level_per_room(
                    per_room, out / f"{name}-salles.png", f"{name} — niveau de service par SAMU"
                )
            )
        )
    payload = {
        "scenario": name,
        "policy": kw["policy"],
        "seed": kw["seed"],
        "rooms_source": kw["rooms"],
        "lost_threshold_s": kw["lost_threshold"],
        "calls": len(setup.calls),
        "arm_hours": int(setup.arms.sum()),
        "wall_s": outcome.wall_s,
        "national": national.as_dict(),
        "rooms": [r.as_dict() for r in per_room],
        "plots": plots,
    }
    emit(kw["json"], payload, [indicators_table(f"{name} — {kw['policy']}", [*per_room, national])])
