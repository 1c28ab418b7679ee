"""`sisamu cases …`: the scheduled job of the regulation file."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Dossiers de régulation : tâches planifiées.")


@app.callback()
def cases() -> None:
    """Dossiers de régulation (DR/DRM)."""


@app.command("tick")
def tick() -> None:
    """Passe les dossiers à l'étape automatique due (CLOTURE 24 h après ACTIF, CLASSE 3 mois après CLOTURE).

    À lancer périodiquement (cron, timer systemd) ; plusieurs instances peuvent tourner en même temps.
    """
    from sisamu.bootstrap import build_platform
    from sisamu.cases.scheduler import run_automatic_steps

    platform = build_platform()
    try:
        moved = run_automatic_steps(platform.uow, platform.clock.now())
    finally:
        platform.close()
    if not moved:
        typer.echo("Aucun dossier à faire avancer.")
    for state, count in sorted(moved.items()):
        typer.echo(f"{count} dossier(s) passé(s) en {state}")
