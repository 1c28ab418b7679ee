"""`sisamu cases …`: the scheduled job of the regulation file."""

from __future__ import annotations

import typer

from sisamu.cases.scheduler import run_automatic_steps
from sisamu.platform.cli import platform_of

app = typer.Typer(no_args_is_help=True, help="Dossiers de régulation : tâches planifiées.")


@app.callback()
def cases() -> None:
    """Dossiers de régulation (DR/DRM)."""


@app.command("tick")
def tick(ctx: typer.Context) -> None:
    """Passe les dossiers à l'étape automatique due (CLOTURE 24 h après ACTIF, CLASSE 3 mois après CLOTURE).

    À lancer périodiquement (cron, timer systemd) ; plusieurs instances peuvent tourner en même temps.
    """
    with platform_of(ctx) as platform:
        moved = run_automatic_steps(platform.uow, platform.clock.now())
    if not moved:
        typer.echo("Aucun dossier à faire avancer.")
    for state, count in sorted(moved.items()):
        typer.echo(f"{count} dossier(s) passé(s) en {state}")
