"""`sisamu seed`: load SAMU rooms, hospitals, SMUR bases (and demo accounts)."""

from __future__ import annotations

import typer
from rich.progress import Progress

from sisamu import migrations
from sisamu.console_output import console
from sisamu.platform.cli import platform_of
from sisamu.seeding import STEPS, seed

app = typer.Typer(help="Données de référence : salles SAMU, hôpitaux, bases SMUR.", no_args_is_help=True)


def _run(ctx: typer.Context, scope: str, *, demo_accounts: bool) -> None:
    with platform_of(ctx) as platform:
        migrations.upgrade_database(platform.database)
        with Progress(console=console) as progress:
            task = progress.add_task(f"Chargement ({scope})", total=len(STEPS))
            report = seed(
                platform,
                scope,
                demo_accounts=demo_accounts,
                step=lambda name: progress.update(task, advance=1, description=f"Chargement : {name}"),
            )
        console.print(
            f"[green]{report.rooms} salles[/], {report.hospitals} hôpitaux, {report.smur_bases} bases SMUR, "
            f"{report.demo_accounts_created} comptes de démonstration créés."
        )
        if demo_accounts:
            console.print(
                "[yellow]Comptes de démonstration (mot de passe publié)[/] : `sisamu serve`/`run` refusent cette "
                "base sauf option --demo (SISAMU_DEMO=1) ; jamais en production."
            )


@app.command("pilots")
def pilots(
    ctx: typer.Context,
    demo_accounts: bool = typer.Option(
        False, "--demo-accounts", help="Créer aussi les comptes de démonstration."
    ),
) -> None:
    """Les onze SAMU pilotes du programme SI-SAMU."""
    _run(ctx, "pilots", demo_accounts=demo_accounts)


@app.command("national")
def national(
    ctx: typer.Context,
    demo_accounts: bool = typer.Option(
        False, "--demo-accounts", help="Créer aussi les comptes de démonstration."
    ),
) -> None:
    """Une salle par département (102 salles avec les deux salles des Pyrénées-Atlantiques)."""
    _run(ctx, "national", demo_accounts=demo_accounts)
