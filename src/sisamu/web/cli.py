"""`sisamu run`, `sisamu serve` and `sisamu demo`: run the platform.

- `run`: a whole SAMU site as in production, in one process: migrations, the web application and its live feed,
  the telephony timers and scheduled file steps, the MQTT adapter when configured, and the Hub worker of each SAMU
  in `SISAMU_HUB_SAMUS` (relay and consumer of each of its Hub identities, every business flow applied), and the
  voice node (SIP) when `SISAMU_VOICE_ENABLED` is on and the `voice` extra installed.
- `serve`: the web application with its timers, without Hub workers (more web instances behind a balancer, with
  `sisamu hub worker` processes of their own).
- `demo`: `run` on the embedded database with the pilot SAMUs, demo accounts, simulated calls and the voice node
  on loopback (when the `voice` extra is installed; `voice/demo.py`); without
  `SISAMU_CTI_URL`, a recording telephony takes the dials and file correlations (there is no phone to ring).
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Sequence

import typer
import uvicorn
from rich.panel import Panel
from rich.progress import Progress
from rich.table import Table

from sisamu import migrations
from sisamu.bootstrap import background_services, build_platform
from sisamu.calls.cti.adapters import RecordingTelephony
from sisamu.calls.simulator.cli import start_in_background
from sisamu.config import get_settings
from sisamu.console_output import console
from sisamu.platform import Platform
from sisamu.platform.services import BackgroundService
from sisamu.security import store
from sisamu.seeding import STEPS as SEED_STEPS
from sisamu.seeding import seed
from sisamu.tenants.service import DEMO_PASSWORD, DemoAccount
from sisamu.voice.demo import demo_voice_note, demo_voice_settings
from sisamu.voice.model import VoiceConfigError
from sisamu.voice.service import VoiceService
from sisamu.web.app import create_app

log = logging.getLogger(__name__)


def _serve(
    platform: Platform, host: str, port: int, *, services: Sequence[BackgroundService] | None = None
) -> None:
    # uvicorn re-raises the stop signal once it has shut down; with Python's default SIGTERM action the process
    # would die there without running our clean-up (stopping the embedded PostgreSQL). Make it an exception.
    signal.signal(signal.SIGTERM, _terminate)
    app = create_app(platform, services=services)
    # No per-message deflate: compressing each event once per console costs more than the bytes it saves.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        log_config=None,  # uvicorn's lines go through the process's own handler (format, request ids)
        access_log=platform.settings.access_log,
        # Forwarded headers only from the configured proxies: anyone else could name any address, and the login
        # throttling (per account and address) would then count nothing, or count an innocent's address.
        proxy_headers=bool(platform.settings.trusted_proxies),
        forwarded_allow_ips=list(platform.settings.trusted_proxies) or None,
        ws=platform.settings.websocket_impl,
        ws_per_message_deflate=False,
    )
    uvicorn.Server(config).run()


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


DEMO_OPTION = typer.Option(
    False,
    "--demo",
    help="Plateforme de démonstration : accepte une base contenant les comptes de démonstration "
    "(mot de passe publié, sans second facteur). Jamais en production (défaut : SISAMU_DEMO).",
)


def refuse_demo_accounts(platform: Platform, *, demo: bool) -> None:
    """Exit (code 2) when the database holds demo accounts and this is not a demonstration platform."""
    if demo or platform.settings.demo:
        return
    with platform.engine.connect() as conn:
        names = store.demo_usernames(conn)
    if names:
        log.error(
            "refusing to start: the database holds %d demo accounts (%s…) whose password is published and which "
            "have no second factor; start with --demo (or SISAMU_DEMO=1) if this is a demonstration platform, "
            "else delete them",
            len(names),
            ", ".join(names[:3]),
        )
        console.print(
            "[red]Refus de démarrer[/] : la base contient des comptes de démonstration (mot de passe publié). "
            "Option --demo pour une plateforme de démonstration uniquement."
        )
        raise typer.Exit(2)


def serve(
    host: str = typer.Option(None, help="Adresse d'écoute (défaut : SISAMU_HOST)."),
    port: int = typer.Option(None, help="Port (défaut : SISAMU_PORT)."),
    demo: bool = DEMO_OPTION,
) -> None:
    """Sert l'application web (base déjà migrée)."""
    platform = build_platform()
    try:
        migrations.upgrade_database(platform.database)
        refuse_demo_accounts(platform, demo=demo)
        _serve(platform, host or platform.settings.host, port or platform.settings.port)
    finally:
        platform.close()


def run(
    host: str = typer.Option(None, help="Adresse d'écoute (défaut : SISAMU_HOST)."),
    port: int = typer.Option(None, help="Port (défaut : SISAMU_PORT)."),
    hub_samu: list[str] = typer.Option(
        None,
        "--hub-samu",
        help="SAMU dont le relais Hub Santé tourne ici (répéter) ; défaut : SISAMU_HUB_SAMUS.",
    ),
    demo: bool = DEMO_OPTION,
) -> None:
    """Un site SAMU complet comme en production : web, minuteries, adaptateurs et relais Hub Santé."""
    platform = build_platform()
    try:
        migrations.upgrade_database(platform.database)
        refuse_demo_accounts(platform, demo=demo)
        samus = hub_samu or platform.settings.hub_samus
        services = _services(platform, hub_samus=samus)
        if samus:
            console.print(f"Relais Hub Santé : SAMU {', '.join(samus)} ({platform.settings.hub_url}).")
        _serve(platform, host or platform.settings.host, port or platform.settings.port, services=services)
    finally:
        platform.close()


def demo(
    port: int = typer.Option(None, help="Port (défaut 8000)."),
    no_simulator: bool = typer.Option(False, "--no-simulator", help="Pas d'appels simulés."),
    auto_answer: bool = typer.Option(False, "--auto-answer", help="Des postes ARM simulés décrochent aussi."),
    allow_external_database: bool = typer.Option(
        False,
        "--allow-external-database",
        help="Accepter SISAMU_DATABASE_URL : la démonstration y crée des comptes au mot de passe publié.",
    ),
) -> None:
    """Démonstration : base embarquée, migration, SAMU pilotes, comptes de démonstration, serveur web."""
    stop_simulator = None
    settings = demo_voice_settings(get_settings())
    if settings.database_url and not allow_external_database:
        log.error(
            "refusing to run the demo on the external database of SISAMU_DATABASE_URL: it would create accounts "
            "with a published password there; unset it (embedded database) or pass --allow-external-database"
        )
        console.print(
            "[red]Refus[/] : la démonstration crée des comptes au mot de passe publié ; elle ne s'installe pas dans "
            "la base externe de SISAMU_DATABASE_URL sans --allow-external-database."
        )
        raise typer.Exit(2)
    with console.status("Démarrage de PostgreSQL…"):
        platform = build_platform(settings, telephony=None if settings.cti_url else RecordingTelephony())
    try:
        where = "embarquée dans " + str(settings.pgdata) if platform.database.embedded else "externe"
        console.print(f"Base de données {where}.")
        with Progress(console=console) as progress:
            task = progress.add_task("Migration du schéma", total=len(SEED_STEPS) + 1)
            migrations.upgrade_database(platform.database)
            progress.advance(task)
            report = seed(
                platform,
                "pilots",
                demo_accounts=True,
                step=lambda name: progress.update(task, advance=1, description=f"Chargement : {name}"),
            )
        _print_accounts(report.demo_accounts)
        services = _services(platform)
        url = f"http://{settings.host}:{port or settings.port}"
        voice_note = demo_voice_note(settings) if any(isinstance(s, VoiceService) for s in services) else None
        console.print(
            Panel.fit(
                f"Ouvrez [bold]{url}/login[/] et connectez-vous avec un compte ci-dessus "
                f"(mot de passe [bold]{DEMO_PASSWORD}[/]).\nAPI : {url}/docs — arrêt : Ctrl-C."
                + (f"\n{voice_note}" if voice_note else ""),
                title="sisamu — démonstration",
                border_style="green",
            )
        )
        if not no_simulator:  # calls arrive for the pilot SAMUs, answered at browser seats
            stop_simulator = start_in_background(platform, auto_answer=auto_answer)
        _serve(platform, settings.host, port or settings.port, services=services)
    finally:
        if stop_simulator is not None:
            stop_simulator()
        platform.close()
        console.print("Arrêt propre : serveur web et base de données arrêtés.")


def _services(platform: Platform, *, hub_samus: Sequence[str] = ()) -> list[BackgroundService]:
    """The background services of `run` and `demo`, the voice node among them when voice is on; a voice
    configuration that cannot be read refuses the start (exit 2)."""
    try:
        return background_services(platform, hub_samus=hub_samus, voice=True)
    except VoiceConfigError as exc:
        log.error("refusing to start: voice configuration: %s", exc)  # noqa: TRY400 - an operator's setting
        console.print(f"[red]Refus de démarrer[/] : configuration du service vocal invalide : {exc}")
        raise typer.Exit(2) from exc


def _print_accounts(accounts: list[DemoAccount]) -> None:
    by_samu: dict[str, list[str]] = {}
    for acc in accounts:
        by_samu.setdefault(acc.samu_id or "national", []).append(acc.username)
    table = Table("SAMU", "comptes (un par rôle)", title="Comptes de démonstration")
    for samu_id, names in by_samu.items():
        table.add_row(samu_id, " ".join(names))
    console.print(table)
