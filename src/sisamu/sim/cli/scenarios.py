"""`sisamu simulate national|pilots|covid|heatwave|compare|single`: scenarios, policies side by side, one
room against Erlang."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from sisamu.console_output import at_least, one_of
from sisamu.sim.report import indicators
from sisamu.sim.scenarios import (
    POLICIES,
    SCENARIOS,
    build_setup,
    policy_rules,
    scenario,
)

if TYPE_CHECKING:
    from sisamu.sim.report import Indicators

from sisamu.sim.cli.options import (
    FACTOR,
    HOURS,
    JSON,
    LOST,
    OUT,
    POLICY,
    POSITIVE,
    ROOMS,
    SEED,
    SURGE_ROOMS,
    checked_surge_rooms,
    emit,
    indicators_table,
    rooms_of,
    run_scenario,
    run_twin,
)


def national_cmd(seed: int = SEED, as_json: bool = JSON, out: Path | None = OUT, lost_threshold: float = LOST,
                 policy: str = POLICY, rooms: str = ROOMS, hours: int = HOURS) -> None:  # fmt: skip
    """Semaine nationale de référence (31 M d'appels par an)."""
    run_scenario(
        "national",
        seed=seed,
        json=as_json,
        out=out,
        lost_threshold=lost_threshold,
        policy=policy,
        rooms=rooms,
        hours=hours,
    )


def pilots_cmd(seed: int = SEED, as_json: bool = JSON, out: Path | None = OUT, lost_threshold: float = LOST,
               policy: str = POLICY, rooms: str = ROOMS, hours: int = HOURS) -> None:  # fmt: skip
    """Salles pilotes seules (leur part du volume national)."""
    run_scenario(
        "pilots",
        seed=seed,
        json=as_json,
        out=out,
        lost_threshold=lost_threshold,
        policy=policy,
        rooms=rooms,
        hours=hours,
    )


def covid_cmd(seed: int = SEED, as_json: bool = JSON, out: Path | None = OUT, lost_threshold: float = LOST,
              policy: str = POLICY, rooms: str = ROOMS, hours: int = HOURS, surge_rooms: str = SURGE_ROOMS,
              factor: float = FACTOR) -> None:  # fmt: skip
    """Crise épidémique : appels ×3 pendant la semaine dans les SAMU choisis, effectifs habituels."""
    run_scenario("covid", seed=seed, json=as_json, out=out, lost_threshold=lost_threshold, policy=policy, rooms=rooms,
              hours=hours, surge_rooms=surge_rooms, factor=factor)  # fmt: skip


def heatwave_cmd(seed: int = SEED, as_json: bool = JSON, out: Path | None = OUT, lost_threshold: float = LOST,
                 policy: str = POLICY, rooms: str = ROOMS, hours: int = HOURS, surge_rooms: str = SURGE_ROOMS,
                 factor: float = FACTOR) -> None:  # fmt: skip
    """Canicule : +10 à 40 % d'appels (défaut +25 %), effectifs habituels."""
    run_scenario("heatwave", seed=seed, json=as_json, out=out, lost_threshold=lost_threshold, policy=policy, rooms=rooms,
              hours=hours, surge_rooms=surge_rooms, factor=factor)  # fmt: skip


def compare_cmd(seed: int = SEED, as_json: bool = JSON, out: Path | None = OUT, lost_threshold: float = LOST,
                rooms: str = ROOMS, hours: int = HOURS, scenario_name: str = typer.Option("national", "--scenario"),
                surge_rooms: str = SURGE_ROOMS, factor: float = FACTOR) -> None:  # fmt: skip
    """Politiques côte à côte, mêmes appels et mêmes effectifs : sans débordement, τ = 30 s, τ = 10 s, national."""
    one_of(scenario_name, SCENARIOS, "Scénario inconnu (--scenario)")
    room_list = rooms_of(rooms, "pilots" if scenario_name == "pilots" else "national")
    surge = checked_surge_rooms(room_list, surge_rooms)
    sc = replace(scenario(scenario_name, room_list, surge_rooms=surge, factor=factor), hours=hours)
    base = build_setup(sc, seed)
    results: dict[str, Indicators] = {}
    walls: dict[str, float] = {}
    for name in POLICIES:
        outcome = run_twin(replace(base, rules=policy_rules(sc.rooms, name)), name)
        results[name] = indicators(outcome, lost_threshold_s=lost_threshold, per_room=False)[0]
        walls[name] = outcome.wall_s
    plots: list[str] = []
    if out is not None:
        from sisamu.sim import plots as p

        out.mkdir(parents=True, exist_ok=True)
        title = f"{scenario_name} — effectifs égaux ({int(base.arms.sum())} h·ARM)"
        plots.append(str(p.policy_comparison(results, out / f"{scenario_name}-politiques.png", title)))
    payload = {
        "scenario": scenario_name,
        "seed": seed,
        "rooms_source": rooms,
        "lost_threshold_s": lost_threshold,
        "calls": len(base.calls),
        "arm_hours": int(base.arms.sum()),
        "policies": {n: {**r.as_dict(), "wall_s": walls[n]} for n, r in results.items()},
        "plots": plots,
    }
    rows = [replace(r, scope=n) for n, r in results.items()]
    emit(as_json, payload, [indicators_table(f"{scenario_name} — politiques à effectifs égaux", rows)])


def single_cmd(
    arrivals_per_hour: float = typer.Option(
        ..., "--arrivals-per-hour", callback=POSITIVE, help="Appels offerts par heure (Poisson)."
    ),
    agents: int = typer.Option(..., "--agents", callback=at_least(1), help="ARM en poste."),
    aht: float = typer.Option(
        ..., "--aht", callback=POSITIVE, help="Durée moyenne de traitement (s, exponentielle)."
    ),
    patience: float = typer.Option(
        math.inf,
        "--patience",
        callback=POSITIVE,
        help="Patience moyenne (s, exponentielle) ; infinie par défaut.",
    ),
    hours: float = typer.Option(
        1000.0, "--hours", callback=POSITIVE, help="Heures simulées (après 5 h de mise en régime)."
    ),
    seed: int = SEED,
    as_json: bool = JSON,
) -> None:
    """Une salle en régime stationnaire, à comparer à Erlang C / Erlang A (attente moyenne : tous les appels)."""
    from sisamu.sim.single import closed_form, single_room

    result = single_room(arrivals_per_hour, agents, aht, patience_s=patience, hours=hours, seed=seed)
    if as_json:
        typer.echo(json.dumps(result))
        return
    theory = closed_form(arrivals_per_hour, agents, aht, patience)
    table = Table(title="Salle unique : simulation et formule fermée")
    for col in ("indicateur", "simulé", "Erlang A" if math.isfinite(patience) else "Erlang C"):
        table.add_column(col, justify="right")
    for key in ("p_wait", "service_level_60", "service_level_30", "mean_wait_s"):
        table.add_row(key, f"{result[key]:.4f}", f"{theory[key]:.4f}")
    table.add_row(
        "abandon", f"{result['abandoned'] / max(result['offered'], 1):.4f}", f"{theory['p_abandon']:.4f}"
    )
    Console().print(table)
