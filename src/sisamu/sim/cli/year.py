"""`sisamu simulate year`: a synthetic national year written into the platform's database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from sisamu.calls import history
from sisamu.console_output import USAGE_ERROR, at_least, fail, one_of
from sisamu.platform.cli import platform_of
from sisamu.sim.cli.options import (
    POLICY,
    ROOMS,
    SEED,
    console,
    rooms_of,
)
from sisamu.sim.scenarios import (
    POLICIES,
    scenario,
)
from sisamu.sim.year import year
from sisamu.tenants import queries as tenants


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
    room_list = rooms_of(rooms, "national")
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
