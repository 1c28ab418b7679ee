"""`sisamu hub local` (a local Hub on this machine's RabbitMQ) and `sisamu hub worker` (one SAMU's relay and consumer)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sisamu.interop.hubsante.transport import TransportSettings

app = typer.Typer(no_args_is_help=True)
DEFAULT_CLIENTS = ["fr.health.samu250", "fr.health.samu680"]


def _console() -> Console:
    return Console(soft_wrap=True, highlight=False)


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


async def _until_stopped() -> None:
    """Wait for SIGINT or SIGTERM, so that leaving cleans up (topology, connections)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


@app.command("local")
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
    from sisamu.interop.hubsante.local_hub import LocalHub

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
            await _until_stopped()
        console.print("Hub local arrêté.")

    asyncio.run(serve())


@app.command("worker")
def worker(
    samu_id: str = typer.Option(..., "--samu", help="SAMU servi (samu_id), ex. 250."),
    client_id: str | None = typer.Option(
        None, "--client", help="Identifiant Hub ; défaut : celui du SAMU en base."
    ),
    url: str | None = typer.Option(None, help="URL AMQP ; défaut : SISAMU_HUB_URL ou le RabbitMQ local."),
    vhost: str | None = typer.Option(
        None, help="Vhost ; défaut : SISAMU_HUB_VHOST (sisamu-hub pour le hub local)."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Journaliser chaque message."),
) -> None:
    """Relais de la boîte d'envoi et consommateur des files Hub d'un SAMU (jusqu'à Ctrl-C)."""
    import dataclasses

    from sqlalchemy import select

    from sisamu.bootstrap import build_platform
    from sisamu.interop.hubsante.consumer import HubConsumer
    from sisamu.interop.hubsante.flows.smur_role import client_of, register_smur_flows
    from sisamu.interop.hubsante.inbox import Inbox
    from sisamu.interop.hubsante.relay import OutboxRelay
    from sisamu.interop.hubsante.transport import TransportSettings
    from sisamu.storage.tables import samu

    _logging(verbose)
    platform = build_platform()
    try:
        with platform.engine.connect() as conn:
            hub_id = conn.execute(select(samu.c.hub_id).where(samu.c.samu_id == samu_id)).scalar_one_or_none()
        identity = client_id or hub_id
        if identity is None:
            _console().print(f"[red]SAMU inconnu :[/red] {samu_id}")
            raise typer.Exit(code=2)
        transport: TransportSettings = TransportSettings.from_env(client_id=identity)
        if url:
            transport = dataclasses.replace(transport, url=url)
        if vhost:
            transport = dataclasses.replace(transport, vhost=vhost)
        with platform.engine.connect() as conn:
            smur = client_of(conn, samu_id)
        relay = OutboxRelay(
            platform.engine,
            platform.database.libpq_url,
            transport,
            samu_id,
            clock=platform.clock,
            own_rows_only=smur is not None,  # the SAMU's SMUR software runs a worker of its own
        )
        inbox = Inbox(platform.engine, samu_id, identity, clock=platform.clock)
        if smur is not None and identity == smur.client_id:
            register_smur_flows(inbox)
        consumer = HubConsumer(inbox, transport)

        async def serve() -> None:
            tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
            await _until_stopped()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        _console().print(f"Relais et consommateur Hub de {identity} (SAMU {samu_id}) ; Ctrl-C pour arrêter.")
        asyncio.run(serve())
    finally:
        platform.close()
