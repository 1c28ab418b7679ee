"""`sisamu hub worker`: one SAMU's Hub workers (relay and consumer of each of its Hub identities) until Ctrl-C."""

from __future__ import annotations

import asyncio
import logging

import typer
from rich.console import Console

from sisamu.interop.worker import UnknownSamu, workers_for
from sisamu.platform.cli import platform_of, until_stopped


def worker(
    ctx: typer.Context,
    samu_id: str = typer.Option(..., "--samu", help="SAMU servi (samu_id), ex. 250."),
    url: str | None = typer.Option(None, help="URL AMQP ; défaut : SISAMU_HUB_URL."),
    vhost: str | None = typer.Option(
        None, help="Vhost ; défaut : SISAMU_HUB_VHOST (sisamu-hub pour le hub local)."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Journaliser chaque message."),
) -> None:
    """Relais de la boîte d'envoi et consommateur des files Hub d'un SAMU (jusqu'à Ctrl-C).

    Chaque message reçu est appliqué par les flux métier du SAMU (dossiers partagés, moyens, positions, EMSI,
    entraide, bilans SMUR) ; un SAMU dont sisamu est aussi le logiciel SMUR a un second consommateur pour
    l'identité Hub de son SMUR.
    """
    logging.getLogger("sisamu.interop").setLevel(logging.INFO if verbose else logging.WARNING)
    console = Console(soft_wrap=True, highlight=False)
    with platform_of(ctx) as platform:
        try:
            workers = workers_for(platform, [samu_id], url=url, vhost=vhost)
        except UnknownSamu:
            console.print(f"[red]SAMU inconnu :[/red] {samu_id}")
            raise typer.Exit(code=2) from None

        async def serve() -> None:
            tasks = [asyncio.create_task(w.run()) for w in workers]
            await until_stopped()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        names = ", ".join(w.identity.client_id for w in workers)
        console.print(f"Relais et consommateur Hub de {names} (SAMU {samu_id}) ; Ctrl-C pour arrêter.")
        asyncio.run(serve())
