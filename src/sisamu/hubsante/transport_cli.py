"""`sisamu hub local`: a local Hub on this machine's RabbitMQ (official topology and dispatcher)."""

from __future__ import annotations

import asyncio
import logging

import typer
from rich.console import Console

from sisamu.hubsante.local_hub import LocalHub
from sisamu.platform.cli import until_stopped

DEFAULT_CLIENTS = ["fr.health.samu250", "fr.health.samu680"]


def _console() -> Console:
    return Console(soft_wrap=True, highlight=False)


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def local(
    clients: list[str] = typer.Option(
        DEFAULT_CLIENTS, "--client", "-c", help="Identifiant Hub d'un client (répéter l'option)."
    ),
    url: str = typer.Option("amqp://guest:guest@127.0.0.1:5672/", help="URL AMQP du RabbitMQ local."),
    vhost: str = typer.Option("sisamu-hub", help="Vhost dédié (créé avec rabbitmqctl)."),
    keep: bool = typer.Option(True, "--keep/--cleanup", help="Garder (ou supprimer) le vhost en sortant."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Journaliser chaque connexion."),
) -> None:
    """Lance un Hub Santé local : topologie officielle (échange hubsante, files par client) et répartiteur."""
    _logging(verbose)
    console = _console()

    async def serve() -> None:
        hub = LocalHub(clients, url=url, vhost=vhost, cleanup=not keep)
        async with hub:
            where = f"vhost {vhost!r}" if hub.own_vhost else f"vhost '/' (préfixe {hub.topology.prefix!r})"
            console.print(
                f"[green]Hub local prêt[/green] sur {where} pour : {', '.join(hub.topology.client_ids)}"
            )
            console.print("Ctrl-C pour arrêter.")
            await until_stopped()
        console.print("Hub local arrêté.")

    asyncio.run(serve())
