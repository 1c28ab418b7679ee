"""`sisamu indicators rebuild|show`: recount the hourly rollups from the calls, files and missions on record;
print a period's call indicators."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sisamu.analytics import rollup
from sisamu.analytics.indicators import INDICATORS, Counts, indicators
from sisamu.analytics.service import ALL_SAMUS, bounds
from sisamu.console_output import console
from sisamu.platform.cli import platform_of

app = typer.Typer(
    no_args_is_help=True, help="Indicateurs d'activité : recalcul des cumuls horaires, consultation."
)


@app.command("rebuild")
def rebuild_cmd(ctx: typer.Context) -> None:
    """Recalcule tous les cumuls horaires (appels, dossiers, missions) depuis le premier enregistré (après un
    changement de seuil ou de définition)."""
    with platform_of(ctx) as platform, Progress(
        TextColumn("Recalcul des cumuls horaires"), BarColumn(), TextColumn("{task.completed}/{task.total} h"),
        TimeElapsedColumn(), console=console, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("rebuild", total=None)
        done = rollup.rebuild(
            platform.engine,
            now=platform.clock.now(),
            lost_threshold_s=platform.settings.lost_call_threshold_s,
            progress=lambda n, total: bar.update(task, completed=n, total=total),
        )
        bar.update(task, completed=0, total=None)
        files = rollup.activity.rebuild(
            platform.engine,
            now=platform.clock.now(),
            progress=lambda n, total: bar.update(task, completed=n, total=total),
        )
    console.print(f"Appels : {done.hours} heures recalculées, {done.rows} lignes (SAMU × heure).")
    console.print(
        f"Dossiers et missions : {files.hours} heures recalculées, {files.rows} lignes (SAMU × heure)."
    )


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    days: int = typer.Option(7, "--days", min=1, max=400, help="Jours jusqu'à aujourd'hui inclus."),
    samu: list[str] = typer.Option([], "--samu", help="SAMU (répéter) ; défaut : tous, sommés."),
) -> None:
    """Les indicateurs d'appels par jour (fuseau Europe/Paris), sommés sur les SAMU choisis."""
    zone = ZoneInfo("Europe/Paris")
    with platform_of(ctx) as platform:
        today = platform.clock.now().astimezone(zone).date()
        since, until = bounds(today - timedelta(days=days - 1), today, zone)
        by_day: dict[date, Counts] = {}
        with platform.engine.connect() as conn:
            for _, hour, counts in rollup.counts_by_hour(conn, samu or None, since, until):
                by_day.setdefault(hour.astimezone(zone).date(), Counts()).add(counts)
    shown = ("offered", "answered", "lost", "qs60_pct", "lost_pct", "wait_median_s", "wait_p90_s")
    labels = {i.key: i.label_fr if i.unit == "appels" else f"{i.label_fr} ({i.unit})" for i in INDICATORS}
    table = Table(title=f"Appels — {', '.join(samu) if samu else ALL_SAMUS + ' (tous les SAMU)'}")
    table.add_column("jour")
    for key in shown:
        table.add_column(labels[key], justify="right")
    for day, counts in sorted(by_day.items()):
        values = indicators(counts)
        table.add_row(day.isoformat(), *("—" if values[k] is None else f"{values[k]:g}" for k in shown))
    console.print(table)
