"""`sisamu cluster up|down|status`: the high-availability cluster on one machine (docs/deploy.md)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer

from sisamu.cluster import control
from sisamu.cluster.layout import Layout, Ports
from sisamu.console_output import console

app = typer.Typer(no_args_is_help=True)

DIR = typer.Option(
    Path("var/cluster"),
    "--dir",
    help="Dossier des données et journaux de la grappe (défaut : ./var/cluster).",
)
BASE = typer.Option(
    25000, "--port-base", help="Premier port (etcd +1, PostgreSQL +11/+12, HAProxy +30/+40, web +41/+42)."
)


def _layout(directory: Path, base: int) -> Layout:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the readiness polls are not news
    return Layout(directory.resolve(), Ports(base))


@app.command("up")
def up(
    directory: Path = DIR,
    port_base: int = BASE,
    seed: str = typer.Option("pilots", help="Référentiel à charger (pilots, national ; vide : aucun)."),
) -> None:
    """Démarre etcd, PostgreSQL primaire + secours synchrone (Patroni), HAProxy et deux instances sisamu."""
    layout = _layout(directory, port_base)
    try:
        control.up(layout, seed=seed, say=console.print)
    except (RuntimeError, TimeoutError) as exc:
        console.print(f"[red]Échec du démarrage de la grappe[/] : {exc}")
        console.print(f"Journaux : {layout.log_dir}")
        raise typer.Exit(1) from exc
    console.print(f"Grappe prête : {layout.http_url()} (journaux : {layout.log_dir})")


@app.command("switchover")
def switchover(directory: Path = DIR, port_base: int = BASE) -> None:
    """Bascule planifiée : le secours synchrone devient primaire (patronictl switchover)."""
    try:
        new = control.switchover(_layout(directory, port_base))
    except (RuntimeError, TimeoutError) as exc:
        console.print(f"[red]Bascule impossible[/] : {exc}")
        raise typer.Exit(1) from exc
    console.print(f"Bascule faite : {new} est primaire.")


@app.command("down")
def down(
    directory: Path = DIR,
    port_base: int = BASE,
    purge: bool = typer.Option(False, "--purge", help="Supprime aussi les données."),
) -> None:
    """Arrête tous les processus de la grappe (et supprime ses données avec --purge)."""
    control.down(_layout(directory, port_base), purge=purge, say=console.print)


@app.command("status")
def status(
    directory: Path = DIR,
    port_base: int = BASE,
    as_json: bool = typer.Option(False, "--json", help="État en JSON."),
) -> None:
    """État de la grappe : processus, membres Patroni et leurs rôles, instances web prêtes."""
    state = control.status(_layout(directory, port_base))
    if as_json:
        print(json.dumps(state, indent=2))  # noqa: T201 - the command's output
    else:
        for name, pid in state["processes"].items():
            console.print(f"{name:14} {'pid ' + str(pid) if pid else '[red]arrêté[/]'}")
        for member in state["members"]:
            console.print(
                f"{member['name']:14} {member['role']:13} {member['state']:10} retard {member['lag']} "
                f"timeline {member['timeline']}"
            )
        for name, ok in state["web"].items():
            console.print(f"{name:14} {'prêt' if ok else '[red]indisponible[/]'}")
        console.print(f"URL : {state['url']} — {'prête' if state['ready'] else 'pas prête'}")
    if not state["ready"]:
        raise typer.Exit(1)
