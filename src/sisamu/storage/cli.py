"""`sisamu db`: migrate and check the schema."""

from __future__ import annotations

import typer

from sisamu.bootstrap import build_platform
from sisamu.console_output import console
from sisamu.storage import migrate

app = typer.Typer(help="Base de données : migrations et contrôle du schéma.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Révision cible.")) -> None:
    """Applique les migrations (base embarquée si SISAMU_DATABASE_URL n'est pas défini)."""
    platform = build_platform()
    try:
        with console.status("Migration du schéma…"):
            migrate.upgrade(platform.database.url, revision)
        console.print(f"[green]Schéma à jour[/] (révision {migrate.current(platform.database.url)}).")
    finally:
        platform.close()


@app.command("check")
def check() -> None:
    """Échoue si les modèles et les migrations divergent (alembic check)."""
    platform = build_platform()
    try:
        migrate.upgrade(platform.database.url)
        migrate.check(platform.database.url)
        console.print("[green]Modèles et migrations concordent.[/]")
    finally:
        platform.close()
