"""The `sisamu` command: one Typer app with a sub-command per feature.

The root callback hands every command the composition root's builder (`bootstrap.build_platform`) through the
Typer context; a feature's command takes its platform with `sisamu.platform.cli.platform_of(ctx)`.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from sisamu.admin.cli import accounts_app, audit_app
from sisamu.analytics.cli import app as indicators_app
from sisamu.analytics.research.cli import app as research_app
from sisamu.bootstrap import build_platform, voice_node
from sisamu.calls.aml.cli import app as aml_app
from sisamu.calls.simulator.cli import app as calls_app
from sisamu.cases.cli import app as cases_app
from sisamu.cluster.cli import app as cluster_app
from sisamu.crisis.cli import app as crisis_app
from sisamu.geo.cli import app as geo_app
from sisamu.hospitals.cli import app as hospitals_app
from sisamu.hubsante.cli import app as hub_app
from sisamu.hubsante.transport_cli import local as hub_local
from sisamu.interop.cli import worker as hub_worker
from sisamu.migrations.cli import app as db_app
from sisamu.platform import logs
from sisamu.resources.cli import app as resources_app
from sisamu.seeding.cli import app as seed_app
from sisamu.sim.cli import app as sim_app
from sisamu.sim.load.cli import app as load_app
from sisamu.voice import cli as voice_cli
from sisamu.web import cli as web_cli

app = typer.Typer(
    name="sisamu",
    help="sisamu — plateforme ouverte pour les SAMU – Centre 15 (demo, run, serve, db, seed, audit, hub, simulate…).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _platform(ctx: typer.Context) -> None:
    """sisamu — plateforme ouverte pour les SAMU – Centre 15."""
    if ctx.obj is None:  # a test may hand its own builder (CliRunner.invoke(..., obj=...))
        ctx.obj = build_platform


hub_app.command("local")(hub_local)
hub_app.command("worker")(hub_worker)

app.command("run")(web_cli.run)
app.command("serve")(web_cli.serve)
app.command("demo")(web_cli.demo)


@app.command("voice")
def voice(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Adresse SIP (défaut : SISAMU_VOICE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port SIP UDP (défaut : SISAMU_VOICE_SIP_PORT).")] = None,
) -> None:
    """Service vocal (SIP, PJSIP) : appels des numéros des SAMU vers la distribution et les postes ARM."""
    voice_cli.voice(ctx, voice_node, host=host, port=port)


app.add_typer(
    hub_app, name="hub", help="Hub Santé : valider, relire, hub local, relais et consommateur d'un SAMU."
)
app.add_typer(db_app, name="db", help="Base de données : migrations, contrôle du schéma.")
app.add_typer(seed_app, name="seed", help="Données de référence : salles SAMU, hôpitaux, bases SMUR.")
app.add_typer(audit_app, name="audit", help="Journal d'audit chaîné : vérification.")
app.add_typer(accounts_app, name="accounts", help="Comptes des personnels et des machines.")
app.add_typer(aml_app, name="aml", help="Localisation AML des appelants : analyser un SMS ou un corps HTTPS.")
app.add_typer(
    sim_app, name="simulate", help="Jumeau numérique : charge nationale, débordement, effectifs ARM."
)
app.add_typer(
    indicators_app, name="indicators", help="Indicateurs d'activité : cumuls horaires, consultation."
)
app.add_typer(
    research_app, name="research", help="Entrepôt de recherche : export pseudonymisé, requêtes DuckDB."
)
app.add_typer(geo_app, name="geo", help="Géographie : graphe routier OpenStreetMap, temps de trajet.")
app.add_typer(
    hospitals_app, name="hospitals", help="Établissements de santé : rattacher un compte à son établissement."
)
app.add_typer(cases_app, name="cases", help="Dossiers de régulation : étapes automatiques (tick).")
app.add_typer(crisis_app, name="crisis", help="Crises : main courante chaînée (vérification), liste.")
app.add_typer(
    calls_app, name="calls", help="Téléphonie : simulateur d'appels contre une plateforme en marche."
)
app.add_typer(
    resources_app, name="resources", help="Moyens : adaptateur MQTT des véhicules (statuts, positions)."
)
app.add_typer(
    cluster_app,
    name="cluster",
    help="Grappe haute disponibilité sur une machine : Patroni, etcd, HAProxy, deux instances.",
)
app.add_typer(load_app, name="load", help="Tests de charge par l'API : appels, ARM simulés, dossiers.")


def _log_format() -> logs.LogFormat:
    """`SISAMU_LOG_FORMAT` before the settings are read (they are read by each command, and may be invalid)."""
    return "json" if os.environ.get("SISAMU_LOG_FORMAT", "").strip().lower() == "json" else "text"


def main() -> None:
    logs.configure(_log_format())
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        sys.exit(130)


if __name__ == "__main__":
    main()
