"""`sisamu simulate …`: the digital twin from the command line (scenarios, policy comparison, staffing)."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sisamu.calls import history
from sisamu.console_output import USAGE_ERROR, at_least, fail, one_of
from sisamu.platform.cli import platform_of
from sisamu.sim.engine import run
from sisamu.sim.report import indicators
from sisamu.sim.scenarios import (
    POLICIES,
    SCENARIOS,
    Scenario,
    build_setup,
    equal_weights,
    mutual_aid_rules,
    policy_rules,
    rooms_from_departements,
    rooms_from_registry,
    scenario,
)
from sisamu.sim.year import year
from sisamu.tenants import queries as tenants

if TYPE_CHECKING:
    from sisamu.sim.engine import Outcome, TwinSetup
    from sisamu.sim.report import Indicators
    from sisamu.sim.scenarios import Room
    from sisamu.sim.staffing import StaffingResult

app = typer.Typer(
    help="Jumeau numérique : charge d'appels, débordement, effectifs ARM.", no_args_is_help=True
)
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


def _rooms(source: str, scope: str) -> tuple[Room, ...]:
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


def _share(param: typer.CallbackParam, value: float) -> float:
    if not 0 < value <= 1:
        fail(
            f"{param.opts[0]} est une part entre 0 et 1 (reçu : {value:g} ; 99 % s'écrit 0.99).", USAGE_ERROR
        )
    return value


def _run(setup: TwinSetup, label: str) -> Outcome:
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


def _table(title: str, rows: list[Indicators]) -> Table:
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


def _emit(as_json: bool, payload: dict[str, Any], tables: list[Table]) -> None:
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=1))
        return
    out = Console()
    for t in tables:
        out.print(t)


def _surge(rooms: tuple[Room, ...], listed: str) -> list[str]:
    """The CRRA ids of `--surge-rooms`, each checked against the simulated rooms."""
    surge = [s.strip() for s in listed.split(",") if s.strip()]
    for room_id in surge:
        one_of(room_id, [r.crra_id for r in rooms], "Salle inconnue (--surge-rooms)")
    return surge


def _scenario(name: str, **kw: Any) -> None:
    one_of(kw["policy"], POLICIES, "Politique inconnue (--policy)")
    rooms = _rooms(kw["rooms"], "pilots" if name == "pilots" else "national")
    surge = _surge(rooms, kw.get("surge_rooms", ""))
    share = 1.0 if name == "pilots" and not kw["rooms"].startswith("equal:") else None
    sc = replace(
        scenario(name, rooms, surge_rooms=surge, factor=kw.get("factor", 0.0), total_weight=share),
        policy=kw["policy"],
        hours=kw["hours"],
    )
    setup = build_setup(sc, kw["seed"])
    outcome = _run(setup, f"{name} ({len(rooms)} salles)")
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
    _emit(kw["json"], payload, [_table(f"{name} — {kw['policy']}", [*per_room, national])])


@app.command("national")
def national_cmd(seed: int = SEED, as_json: bool = JSON, out: Path | None = OUT, lost_threshold: float = LOST,
                 policy: str = POLICY, rooms: str = ROOMS, hours: int = HOURS) -> None:  # fmt: skip
    """Semaine nationale de référence (31 M d'appels par an)."""
    _scenario(
        "national",
        seed=seed,
        json=as_json,
        out=out,
        lost_threshold=lost_threshold,
        policy=policy,
        rooms=rooms,
        hours=hours,
    )


@app.command("pilots")
def pilots_cmd(seed: int = SEED, as_json: bool = JSON, out: Path | None = OUT, lost_threshold: float = LOST,
               policy: str = POLICY, rooms: str = ROOMS, hours: int = HOURS) -> None:  # fmt: skip
    """Salles pilotes seules (leur part du volume national)."""
    _scenario(
        "pilots",
        seed=seed,
        json=as_json,
        out=out,
        lost_threshold=lost_threshold,
        policy=policy,
        rooms=rooms,
        hours=hours,
    )


@app.command("covid")
def covid_cmd(seed: int = SEED, as_json: bool = JSON, out: Path | None = OUT, lost_threshold: float = LOST,
              policy: str = POLICY, rooms: str = ROOMS, hours: int = HOURS, surge_rooms: str = SURGE_ROOMS,
              factor: float = FACTOR) -> None:  # fmt: skip
    """Crise épidémique : appels ×3 pendant la semaine dans les SAMU choisis, effectifs habituels."""
    _scenario("covid", seed=seed, json=as_json, out=out, lost_threshold=lost_threshold, policy=policy, rooms=rooms,
              hours=hours, surge_rooms=surge_rooms, factor=factor)  # fmt: skip


@app.command("heatwave")
def heatwave_cmd(seed: int = SEED, as_json: bool = JSON, out: Path | None = OUT, lost_threshold: float = LOST,
                 policy: str = POLICY, rooms: str = ROOMS, hours: int = HOURS, surge_rooms: str = SURGE_ROOMS,
                 factor: float = FACTOR) -> None:  # fmt: skip
    """Canicule : +10 à 40 % d'appels (défaut +25 %), effectifs habituels."""
    _scenario("heatwave", seed=seed, json=as_json, out=out, lost_threshold=lost_threshold, policy=policy, rooms=rooms,
              hours=hours, surge_rooms=surge_rooms, factor=factor)  # fmt: skip


@app.command("compare")
def compare_cmd(seed: int = SEED, as_json: bool = JSON, out: Path | None = OUT, lost_threshold: float = LOST,
                rooms: str = ROOMS, hours: int = HOURS, scenario_name: str = typer.Option("national", "--scenario"),
                surge_rooms: str = SURGE_ROOMS, factor: float = FACTOR) -> None:  # fmt: skip
    """Politiques côte à côte, mêmes appels et mêmes effectifs : sans débordement, τ = 30 s, τ = 10 s, national."""
    one_of(scenario_name, SCENARIOS, "Scénario inconnu (--scenario)")
    room_list = _rooms(rooms, "pilots" if scenario_name == "pilots" else "national")
    surge = _surge(room_list, surge_rooms)
    sc = replace(scenario(scenario_name, room_list, surge_rooms=surge, factor=factor), hours=hours)
    base = build_setup(sc, seed)
    results: dict[str, Indicators] = {}
    walls: dict[str, float] = {}
    for name in POLICIES:
        outcome = _run(replace(base, rules=policy_rules(sc.rooms, name)), name)
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
    _emit(as_json, payload, [_table(f"{scenario_name} — politiques à effectifs égaux", rows)])


@app.command("staffing")
def staffing_cmd(seed: int = SEED, as_json: bool = JSON, out: Path | None = OUT, rooms: str = ROOMS,
                 hours: int = HOURS, target: float = typer.Option(0.99, "--target", callback=_share),
                 within: float = typer.Option(60.0, "--within", callback=at_least(0, strictly=True)),
                 rounds: int = typer.Option(6, "--rounds", callback=at_least(1)),
                 aid_wait: float = typer.Option(0.0, "--aid-wait", callback=at_least(0), help="Entraide : délai avant qu'un ARM libre "
                                                "d'une autre salle prenne l'appel (s).")) -> None:  # fmt: skip
    """Moins d'ARM par heure pour `target` décrochés en `within` s : chaque salle seule, puis avec entraide."""
    from sisamu.sim.staffing import optimise, pooled_plan, room_plan

    room_list = _rooms(rooms, "national")
    sc = replace(Scenario("national", room_list), hours=hours)
    rates = sc.rates()
    aht, patience = sc.handling.mean_s, sc.patience.mean_s
    base = build_setup(sc, seed, physicians=False)
    alone_rules, aid_rules = (
        policy_rules(room_list, "aucun débordement"),
        mutual_aid_rules(room_list, aid_wait, national=True),
    )

    def simulate_with(rules: Any, label: str) -> Any:
        return lambda plan: _run(replace(base, arms=plan, rules=rules), label)

    alone = optimise(room_plan(rates, aht, patience, target, within), simulate_with(alone_rules, "salles seules"),
                     target=target, within_s=within, max_rounds=rounds)  # fmt: skip
    aid = optimise(pooled_plan(rates, aht, patience, target, within), simulate_with(aid_rules, "avec entraide"),
                   target=target, within_s=within, max_rounds=rounds)  # fmt: skip
    plots: list[str] = []
    if out is not None:
        from sisamu.sim import plots as p

        out.mkdir(parents=True, exist_ok=True)
        plans = {"salles seules": alone.confirmed, f"entraide nationale τ={aid_wait:g} s": aid.confirmed}
        plots.append(
            str(
                p.staffing_profile(
                    plans, out / "effectifs.png", f"ARM pour {100 * target:g} % en {within:g} s"
                )
            )
        )
    payload = {
        "target": target,
        "within_s": within,
        "seed": seed,
        "rooms_source": rooms,
        "calls": len(base.calls),
        "alone": _staffing_dict(alone, target),
        "mutual_aid": _staffing_dict(aid, target),
        "plots": plots,
    }
    table = Table(title=f"ARM·heures pour {100 * target:g} % décrochés en {within:g} s ({hours} h simulées)")
    for col in ("organisation", "1re estimation (Erlang)", "confirmé (simulation)", "tours", "pire salle"):
        table.add_column(col, justify="right")
    for label, res in (("salles seules", alone), (f"entraide nationale τ={aid_wait:g} s", aid)):
        table.add_row(label, str(res.first_guess_hours), str(res.confirmed_hours), str(res.rounds),
                      f"{100 * float(res.service_level.min()):.2f} %")  # fmt: skip
    _emit(as_json, payload, [table])


def _staffing_dict(res: StaffingResult, target: float) -> dict[str, Any]:
    return {
        "first_guess_arm_hours": res.first_guess_hours,
        "confirmed_arm_hours": res.confirmed_hours,
        "rounds": res.rounds,
        "worst_room_service_level": float(res.service_level.min()),
        "rooms_below_target": int((res.service_level < target).sum()),
    }


@app.command("single")
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


@app.command("year")
def year_cmd(
    ctx: typer.Context,
    weeks: int = typer.Option(52, "--weeks", callback=at_least(1), help="Semaines simulées."),
    start: str = typer.Option("2026-01-05", "--start", help="Premier lundi (AAAA-MM-JJ, 0 h UTC)."),
    rooms: str = ROOMS,
    policy: str = POLICY,
    calls_per_year: float = typer.Option(
        31_000_000, "--calls-per-year", callback=at_least(1), help="Volume national annuel (défaut : 31 M)."
    ),
    seed: int = SEED,
) -> None:
    """Une année synthétique écrite dans la base comme des appels réels (indicateurs, export recherche)."""
    one_of(policy, POLICIES, "Politique inconnue (--policy)")
    try:
        monday = date.fromisoformat(start)
    except ValueError:
        fail(f"--start attend une date AAAA-MM-JJ (reçu : {start!r}).", USAGE_ERROR)
    if monday.weekday() != 0:
        fail(f"--start doit être un lundi ({monday:%d/%m/%Y} n'en est pas un).", USAGE_ERROR)
    room_list = _rooms(rooms, "national")
    sc = replace(scenario("national", room_list), policy=policy, calls_per_year=calls_per_year)
    with platform_of(ctx) as platform:
        with platform.engine.connect() as conn:
            missing = sorted(set(sc.room_ids) - set(tenants.samu_ids(conn)))
        if missing:
            fail(f"SAMU absents de cette base : {', '.join(missing[:10])}… Chargez-les : sisamu seed national "
                 "(ou --rooms registry).", USAGE_ERROR)  # fmt: skip

        def load(calls: Any) -> int:
            with platform.engine.begin() as conn:
                return history.load(conn, calls)

        with Progress(
            TextColumn("Année synthétique"), BarColumn(), TextColumn("{task.completed}/{task.total} semaines"),
            TextColumn("{task.fields[calls]:,} appels"), TimeElapsedColumn(), console=console, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task("year", total=weeks, calls=0)
            total = year(
                sc, start=datetime.combine(monday, datetime.min.time(), tzinfo=UTC), weeks=weeks, seed=seed,
                load=load, progress=lambda done, calls: bar.update(task, completed=done, calls=calls),
            )  # fmt: skip
    Console().print(
        f"{total:,} appels écrits sur {weeks} semaines ({len(room_list)} salles).".replace(",", " ")
    )
