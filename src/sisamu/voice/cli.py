"""`sisamu voice`: the voice service in the foreground, until SIGINT or SIGTERM."""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from sisamu.console_output import refusal
from sisamu.platform.cli import platform_of
from sisamu.voice.model import VoiceConfigError

if TYPE_CHECKING:
    from sisamu.platform import Platform
    from sisamu.voice.node import VoiceNode

log = logging.getLogger(__name__)
NodeBuilder = Callable[..., "VoiceNode"]


def voice(
    ctx: typer.Context,
    build_node: NodeBuilder,
    *,
    host: str | None = None,
    port: int | None = None,
) -> None:
    """The voice service (the `sisamu voice` command registered in `sisamu.cli`, which hands the composition
    root's `voice_node` builder): calls to the SAMUs' numbers go to the distribution, the chosen seat's phone
    rings, the voices are bridged."""
    with platform_of(ctx) as platform:
        node = _node(build_node, platform, host, port)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        registrar = _registrar(node, platform)
        try:
            try:
                node.engine.start()
            except RuntimeError as exc:
                raise refusal(f"le service vocal n'a pas démarré : {exc}", 1) from exc
            try:
                node.run(stop)
            finally:
                node.engine.stop()
        finally:
            if registrar is not None:
                registrar.terminate()
                registrar.wait(10)
            log.info("voice service stopped")


def _registrar(node: VoiceNode, platform: Platform) -> subprocess.Popen[bytes] | None:
    """Kamailio, the seats' phones' registrar, when one is configured."""
    if node.registrar is None:
        return None
    settings = platform.settings
    folder = settings.voice_media_dir or settings.data_dir / "voice"
    try:
        process = node.registrar.start(folder, settings.voice_kamailio)
    except OSError as exc:
        raise refusal(f"le registrar des postes (Kamailio) n'a pas démarré : {exc}", 1) from exc
    log.info(
        "registrar (kamailio) for %d phones on udp %s:%d",
        len(node.registrar.secrets),
        node.registrar.host,
        node.registrar.port,
    )
    return process


def _node(build_node: NodeBuilder, platform: Platform, host: str | None, port: int | None) -> VoiceNode:
    try:
        return build_node(platform, host=host, port=port)
    except ModuleNotFoundError as exc:
        raise refusal(
            "PJSIP (pjsua2) n'est pas installé : `pip install -e '.[voice]'` (docs/telephony.md).", 1
        ) from exc
    except VoiceConfigError as exc:
        raise refusal(f"configuration du service vocal invalide : {exc}", 2) from exc
