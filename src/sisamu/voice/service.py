"""The voice node as a background service of `sisamu run` and `sisamu demo`: the same node as `sisamu voice`, in
the web process, started and stopped with it.

`voice_service(platform, build_node)` says whether there is one: off unless `voice_enabled` (the demo turns it on);
off, with a log line saying why, when the `voice` extra (pjsua2) is not installed — the platform goes on without
voice. A voice configuration that cannot be read refuses the start (`VoiceConfigError`), as `sisamu voice` does.
Started, the node's registrar (Kamailio) runs as a child process, PJSIP in its thread and the node's loop in
another; a PJSIP endpoint or a registrar that cannot start is logged and leaves the web process serving.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import subprocess
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sisamu.platform import Platform
    from sisamu.voice.node import VoiceNode

log = logging.getLogger(__name__)


def voice_off_reason(enabled: bool) -> str | None:
    """Why the voice service of `run`/`demo` stays off, or None when it runs."""
    if not enabled:
        return "voice_enabled is off (SISAMU_VOICE_ENABLED=1 to start it)"
    try:
        importlib.import_module("pjsua2")
    except ImportError as exc:
        return f"the voice extra is not installed ({exc}; pip install -e '.[voice]')"
    return None


class VoiceService:
    """A `BackgroundService`: `start` returns once PJSIP listens (or failed, logged), `stop` waits for the node."""

    name = "voice"

    def __init__(self, platform: Platform, node: VoiceNode) -> None:
        self.platform = platform
        self.node = node
        self.running = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._registrar: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        settings = self.platform.settings
        registrar = self.node.registrar
        if registrar is not None:
            folder = settings.voice_media_dir or settings.data_dir / "voice"
            try:
                self._registrar = registrar.start(folder, settings.voice_kamailio)
            except OSError as exc:
                log.error(  # noqa: TRY400 - the cause in one line
                    "voice: the registrar (kamailio) did not start, the phones cannot register: %s", exc
                )
        try:
            self.node.engine.start()
        except RuntimeError as exc:
            log.error("voice is off: %s", exc)  # noqa: TRY400 - the cause in one line
            self._stop_registrar()
            return
        self.running = True
        self._thread = threading.Thread(
            target=self.node.run, args=(self._stop,), name="voice-node", daemon=True
        )
        self._thread.start()
        log.info("voice service started in this process: %s", describe(self.node))

    def _halt(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(15)
            self._thread = None
        if self.running:
            self.node.engine.stop()
            self.running = False
        self._stop_registrar()
        log.info("voice service stopped")

    def _stop_registrar(self) -> None:
        process, self._registrar = self._registrar, None
        if process is not None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    async def stop(self) -> None:
        await asyncio.to_thread(self._halt)


def describe(node: VoiceNode) -> str:
    """Where to point a SIP phone, for the log (no password)."""
    settings = node.platform.settings
    engine = node.engine
    host = getattr(engine, "host", settings.voice_host)
    port = getattr(engine, "port", settings.voice_sip_port)
    lines = getattr(engine, "lines", {})
    numbers = ", ".join(
        f"{n} (SAMU {line.samu_id}, flux {line.flux.value})" for n, line in sorted(lines.items())
    )
    text = f"SIP on udp {host}:{port}, lines {numbers or 'none'}"
    if node.registrar is not None:
        accounts = ", ".join(node.registrar.user(*seat) for seat in sorted(node.registrar.secrets))
        text += (
            f"; phones register at udp {node.registrar.host}:{node.registrar.port} as {accounts or 'nobody'}"
        )
    return text


def voice_service(platform: Platform, build_node: Callable[[Platform], VoiceNode]) -> VoiceService | None:
    """The voice service of a `run`/`demo` process, or None (logged) when voice is off."""
    reason = voice_off_reason(bool(platform.settings.voice_enabled))
    if reason is not None:
        log.info("voice is off: %s", reason)
        return None
    return VoiceService(platform, build_node(platform))
