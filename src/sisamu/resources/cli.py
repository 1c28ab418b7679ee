# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""`sisamu resources`: the MQTT adapter as a worker process."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer

from sisamu.platform.cli import platform_of
from sisamu.resources.mqtt import MqttAdapter

app = typer.Typer(no_args_is_help=True)


@app.command("mqtt")
def mqtt(
    ctx: typer.Context,
    url: str = typer.Option(
        None, "--url", help="Courtier MQTT (mqtt://hôte:1883) ; par défaut le réglage SISAMU_MQTT_URL."
    ),
) -> None:
    """Reçoit statuts et positions des véhicules (MQTT) et les applique, jusqu'à Ctrl-C."""
    with platform_of(ctx) as platform:
        address = url or platform.settings.mqtt_url
        if not address:
            typer.echo("Aucun courtier MQTT : donnez --url ou SISAMU_MQTT_URL.", err=True)
            raise typer.Exit(2)
        _serve(MqttAdapter(platform, address))


def _serve(adapter: MqttAdapter) -> None:
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    adapter.start()
    typer.echo(
        f"Adaptateur MQTT démarré ({adapter.address.host}:{adapter.address.port}). Ctrl-C pour arrêter."
    )
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        adapter.stop()
        typer.echo(f"Arrêté : {adapter.applied} messages appliqués.")
