"""`sisamu serve` and `sisamu demo`: run the platform."""

from __future__ import annotations

import logging
import signal

import typer
import uvicorn
from rich.panel import Panel
from rich.progress import Progress
from rich.table import Table

from sisamu.bootstrap import Platform, build_platform
from sisamu.calls.simulator.cli import start_in_background
from sisamu.console_output import console
from sisamu.storage import migrate
from sisamu.tenants.seeding import STEPS as SEED_STEPS
from sisamu.tenants.seeding import seed
from sisamu.tenants.service import DEMO_PASSWORD, DemoAccount
from sisamu.web.app import create_app

log = logging.getLogger(__name__)


def _serve(platform: Platform, host: str, port: int) -> None:
    # uvicorn re-raises the stop signal once it has shut down; with Python's default SIGTERM action the process
    # would die there without running our clean-up (stopping the embedded PostgreSQL). Make it an exception.
    signal.signal(signal.SIGTERM, _terminate)
    app = create_app(platform)
    # No per-message deflate: compressing each event once per console costs more than the bytes it saves.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        access_log=platform.settings.access_log,
        proxy_headers=False,
        ws=platform.settings.websocket_impl,
        ws_per_message_deflate=False,
    )
    uvicorn.Server(config).run()


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def serve(
    host: str = typer.Option(None, help="Adresse d'écoute (défaut : SISAMU_HOST)."),
    port: int = typer.Option(None, help="Port (défaut : SISAMU_PORT)."),
) -> None:
    """Sert l'application web (base déjà migrée)."""
    platform = build_platform()
    try:
        migrate.upgrade(platform.database.url)
        _serve(platform, host or platform.settings.host, port or platform.settings.port)
    finally:
        platform.close()


def demo(
    port: int = typer.Option(None, help="Port (défaut 8000)."),
    no_simulator: bool = typer.Option(False, "--no-simulator", help="Pas d'appels simulés."),
    auto_answer: bool = typer.Option(False, "--auto-answer", help="Des postes ARM simulés décrochent aussi."),
) -> None:
    """Démonstration : base embarquée, migration, SAMU pilotes, comptes de démonstration, serveur web."""
    stop_simulator = None
    with console.status("Démarrage de PostgreSQL…"):
        platform = build_platform()
    try:
        settings = platform.settings
        where = "embarquée dans " + str(settings.pgdata) if platform.database.embedded else "externe"
        console.print(f"Base de données {where}.")
        with Progress(console=console) as progress:
            task = progress.add_task("Migration du schéma", total=len(SEED_STEPS) + 1)
            migrate.upgrade(platform.database.url)
            progress.advance(task)
            report = seed(
                platform,
                "pilots",
                demo_accounts=True,
                step=lambda name: progress.update(task, advance=1, description=f"Chargement : {name}"),
            )
        _print_accounts(report.demo_accounts)
        url = f"http://{settings.host}:{port or settings.port}"
        console.print(
            Panel.fit(
                f"Ouvrez [bold]{url}/login[/] et connectez-vous avec un compte ci-dessus "
                f"(mot de passe [bold]{DEMO_PASSWORD}[/]).\nAPI : {url}/docs — arrêt : Ctrl-C.",
                title="sisamu — démonstration",
                border_style="green",
            )
        )
        if not no_simulator:  # calls arrive for the pilot SAMUs, answered at browser seats
            stop_simulator = start_in_background(platform, auto_answer=auto_answer)
        _serve(platform, settings.host, port or settings.port)
    finally:
        if stop_simulator is not None:
            stop_simulator()
        platform.close()
        console.print("Arrêt propre : serveur web et base de données arrêtés.")


def _print_accounts(accounts: list[DemoAccount]) -> None:
    by_samu: dict[str, list[str]] = {}
    for acc in accounts:
        by_samu.setdefault(acc.samu_id or "national", []).append(acc.username)
    table = Table("SAMU", "comptes (un par rôle)", title="Comptes de démonstration")
    for samu_id, names in by_samu.items():
        table.add_row(samu_id, " ".join(names))
    console.print(table)
