"""The PJSIP engine: one thread owns the pjsua2 endpoint, every call and the conference bridge.

pjsua2 wants its calls made from threads it knows; the simplest safe shape is one thread that does everything:
it polls PJSIP (`libHandleEvents`, no worker threads of PJSIP's own calling into Python), runs the commands the
node queues (`accept`, `reject`, `ring`, `drop`) and puts what happened (`Incoming`, `CallerGone`,
`PhoneAnswered`, `PhoneGone`) on `events` for the node, which talks to the database in its own thread. No SIP or
RTP is handled here: PJSIP parses, answers, negotiates codecs (PCMU/PCMA/G.722) and mixes the audio.

A call from an address outside the configured trunks is refused 403; a caller is answered 180 at once when the
dialled number is one of the lines, 404 otherwise; once the node has
offered the call to the distribution it is answered (200) with the announcement, then the waiting loop. The seat's
phone is rung with an outgoing call; its answer bridges the two legs both ways and stops the waiting audio.
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
import uuid
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pjsua2 as pj

from sisamu.voice import model
from sisamu.voice.events import CallerGone, EngineEvent, Incoming, PhoneAnswered, PhoneGone, Recorded

log = logging.getLogger(__name__)

POLL_MS = 10
# The conference bridge removes a port in its own clock tick, after the recorder is let go: the file is complete a
# few frames later. The node hears of a recording this long after.
CLOSING_S = 0.5


# ---- legs --------------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Leg:
    leg_id: str
    kind: str  # "caller" | "phone"
    call: _PjCall
    peer: str | None = None  # the phone of a caller, the caller of a phone
    audio: Any = None  # pj.AudioMedia once media is active
    connected: bool = False  # confirmed (answered)
    gone: bool = False
    players: list[Any] = field(default_factory=list)
    waiting_at: float | None = None  # monotonic time the announcement ends
    bridged: bool = False
    record: str | None = None  # a phone's: where to record the conversation once bridged
    recorder: Any = None  # a phone's pj.AudioMediaRecorder while bridged
    recording_since: tuple[float, float] = (0.0, 0.0)  # (Unix, monotonic) time the recording began


class _PjCall(pj.Call):  # type: ignore[misc]
    def __init__(self, engine: Engine, leg_id: str, account: pj.Account, call_id: int = -1) -> None:
        super().__init__(account, call_id)
        self.engine = engine
        self.leg_id = leg_id

    def onCallState(self, _prm: Any) -> None:  # noqa: N802 - pjsua2's name
        info = self.getInfo()
        self.engine.on_state(self.leg_id, info.state)

    def onCallMediaState(self, _prm: Any) -> None:  # noqa: N802
        info = self.getInfo()
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.engine.on_media(self.leg_id, self.getAudioMedia(media.index))


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def onIncomingCall(self, prm: Any) -> None:  # noqa: N802
        self.engine.on_incoming(self, prm.callId, prm.rdata.wholeMsg, prm.rdata.srcAddress)


# ---- the engine --------------------------------------------------------------------------------------------------


class Engine:
    """`start()` brings the endpoint up on `host:port` (UDP) in its own thread; the node sends commands with the
    methods below (any thread) and reads `events`."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        lines: dict[str, model.Line],
        announcement: Path,
        waiting: Path,
        trunks: model.Networks = model.parse_networks("127.0.0.1/32,::1/128"),
        rtp_port: int = 4000,
        log_level: int = 1,
        max_legs: int = 256,
    ) -> None:
        self.host, self.port, self.lines, self.rtp_port = host, port, lines, rtp_port
        self.trunks = trunks
        self.announcement, self.waiting = announcement, waiting
        self.announcement_s = _duration_s(announcement)
        self.log_level = log_level
        self.max_legs = max_legs
        self.events: queue.Queue[EngineEvent] = queue.Queue()
        self._commands: queue.Queue[tuple[str, tuple[Any, ...]]] = queue.Queue()
        self._legs: dict[str, _Leg] = {}
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pjsip", daemon=True)
        self._account: _Account | None = None
        self._waiting_player: Any = None
        self._endpoint: Any = None
        self._closing: list[tuple[float, Recorded]] = []  # recordings closing: reported when surely closed

    # -- commands (from any thread) --

    def accept(self, leg: str) -> None:
        self._commands.put(("accept", (leg,)))

    def reject(self, leg: str, status: int) -> None:
        self._commands.put(("reject", (leg, status)))

    def ring(self, caller_leg: str, uri: str, record: str | None = None) -> str:
        """Ring a phone for the caller's leg; returns the phone's leg id (reported back in PhoneAnswered/Gone).
        With `record`, the conversation is recorded there (WAV, both voices mixed) once bridged."""
        leg = f"phone-{uuid.uuid4().hex[:12]}"
        self._commands.put(("ring", (caller_leg, leg, uri, record)))
        return leg

    def drop(self, leg: str) -> None:
        self._commands.put(("drop", (leg,)))

    # -- life --

    def start(self, timeout_s: float = 15) -> Engine:
        self._thread.start()
        if not self._ready.wait(timeout_s):
            raise RuntimeError("the PJSIP endpoint did not start")
        if self._failure is not None:
            raise RuntimeError(f"the PJSIP endpoint did not start: {self._failure}") from self._failure
        return self

    def stop(self, timeout_s: float = 10) -> None:
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        try:
            self._open()
        except Exception as exc:  # noqa: BLE001 - reported to start(), which raises it
            self._failure = exc
            self._ready.set()
            return
        self._ready.set()
        log.info("voice endpoint listening on udp %s:%d, %d lines", self.host, self.port, len(self.lines))
        try:
            while not self._stop.is_set():
                self._endpoint.libHandleEvents(POLL_MS)
                self._run_commands()
                self._run_timers()
        except Exception:
            log.exception("the PJSIP thread failed")
        finally:
            self._close()

    def _open(self) -> None:
        ep = pj.Endpoint()
        ep.libCreate()
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0  # this thread polls: every callback runs here
        config.uaConfig.mainThreadOnly = False
        config.uaConfig.userAgent = "sisamu-voice"
        config.uaConfig.maxCalls = self.max_legs  # PJSUA's default is 4 legs: two conversations
        # the conference bridge: a port per leg, a recorder per conversation, the players
        config.medConfig.maxMediaPorts = max(254, 2 * self.max_legs + 16)
        config.logConfig.level = self.log_level
        config.logConfig.consoleLevel = self.log_level
        config.medConfig.noVad = True
        ep.libInit(config)
        transport = pj.TransportConfig()
        transport.port = self.port
        transport.boundAddress = self.host
        ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        ep.libStart()
        ep.audDevManager().setNullDev()  # a server: no sound card, the bridge runs on its own clock
        self._endpoint = ep
        account = _Account(self)
        account_config = pj.AccountConfig()
        account_config.idUri = f"sip:sisamu@{self.host}:{self.port}"
        account_config.mediaConfig.transportConfig.port = self.rtp_port
        account_config.mediaConfig.transportConfig.portRange = 2000
        account_config.mediaConfig.transportConfig.boundAddress = self.host
        account.create(account_config, True)
        self._account = account
        waiting = pj.AudioMediaPlayer()
        waiting.createPlayer(str(self.waiting), 0)  # loops
        self._waiting_player = waiting

    def _close(self) -> None:
        self._hang_up_all()  # in its own frame: no loop variable keeps a call alive past libDestroy
        gc.collect()  # a pjsua2 Call destroyed after libDestroy aborts the process
        self._waiting_player = None
        if self._account is not None:
            self._account.shutdown()
            self._account = None
        if self._endpoint is not None:
            self._endpoint.libDestroy()
            self._endpoint = None

    def _hang_up_all(self) -> None:
        for leg in self._legs.values():
            if leg.recorder is not None:
                self._stop_recording(leg)
            if not leg.gone:
                _hangup(leg, 503)
        self._legs.clear()

    # -- in the PJSIP thread: pjsua2's callbacks (on_…) and the commands' work --

    def on_incoming(self, account: pj.Account, call_id: int, message: str, source: str) -> None:
        leg_id = f"caller-{uuid.uuid4().hex[:12]}"
        call = _PjCall(self, leg_id, account, call_id)
        leg = _Leg(leg_id, "caller", call)
        self._legs[leg_id] = leg
        if not model.source_allowed(source, self.trunks):
            log.warning("incoming call from %s: not a configured trunk, refused 403", source)
            _hangup(leg, 403)
            return
        dialled = model.dialled_number(model.request_uri(message), model.header(message, "To"))
        line = self.lines.get(dialled) if dialled else None
        if line is None:
            log.info("incoming call to %s: not a SAMU line, refused 404", dialled)
            _hangup(leg, 404)
            return
        number = model.caller_number(
            model.header(message, "P-Asserted-Identity"), model.header(message, "From")
        )
        _answer(leg, 180)
        self.events.put(Incoming(leg_id, line, number))

    def on_state(self, leg_id: str, state: int) -> None:
        leg = self._legs.get(leg_id)
        if leg is None:
            return
        if state == pj.PJSIP_INV_STATE_CONFIRMED:
            leg.connected = True
            if leg.kind == "phone" and leg.peer is not None:
                self.events.put(PhoneAnswered(leg_id, leg.peer))
                self._bridge(leg)
        elif state == pj.PJSIP_INV_STATE_DISCONNECTED and not leg.gone:
            leg.gone = True
            self._release(leg)
            if leg.kind == "caller":
                self.events.put(CallerGone(leg_id))
            elif leg.peer is not None:
                self.events.put(PhoneGone(leg_id, leg.peer, leg.connected))
                caller = self._legs.get(leg.peer)
                if caller is not None and not caller.gone and caller.peer == leg_id:
                    caller.peer = None
                    caller.bridged = False
                    self._play_waiting(caller)  # back to the waiting audio until the node decides

    def on_media(self, leg_id: str, audio: Any) -> None:
        leg = self._legs.get(leg_id)
        if leg is None or leg.gone:
            return
        first = leg.audio is None
        leg.audio = audio
        if leg.kind == "caller" and first and not leg.bridged:
            player = pj.AudioMediaPlayer()
            player.createPlayer(str(self.announcement), pj.PJMEDIA_FILE_NO_LOOP)
            player.startTransmit(audio)
            leg.players.append(player)
            leg.waiting_at = time.monotonic() + self.announcement_s
        if leg.kind == "phone":
            self._bridge(leg)

    def _bridge(self, phone: _Leg) -> None:
        caller = self._legs.get(phone.peer) if phone.peer else None
        if (
            caller is None
            or caller.gone
            or not phone.connected
            or phone.audio is None
            or caller.audio is None
        ):
            return
        if caller.bridged:
            return
        self._silence(caller)
        caller.audio.startTransmit(phone.audio)
        phone.audio.startTransmit(caller.audio)
        caller.bridged = phone.bridged = True
        log.info("bridged %s with %s", caller.leg_id, phone.leg_id)
        if phone.record is not None:
            self._record(caller, phone, phone.record)

    def _record(self, caller: _Leg, phone: _Leg, path: str) -> None:
        """Both voices into one WAV: the conference bridge mixes what it sends to the recorder's port."""
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            recorder = pj.AudioMediaRecorder()
            recorder.createRecorder(path)
            caller.audio.startTransmit(recorder)
            phone.audio.startTransmit(recorder)
        except (OSError, pj.Error) as exc:
            reason = exc.info() if isinstance(exc, pj.Error) else exc
            log.error("recording %s failed: %s", path, reason)  # noqa: TRY400 - the cause in one line
            return
        phone.recorder = recorder
        phone.recording_since = (time.time(), time.monotonic())

    def _stop_recording(self, phone: _Leg) -> None:
        recorder, phone.recorder = phone.recorder, None
        if recorder is None or phone.record is None:
            return
        for leg in (phone, self._legs.get(phone.peer or "")):
            if leg is not None and leg.audio is not None:
                _quietly(leg.audio.stopTransmit, recorder)
        del recorder  # closes the file (PJSIP writes the WAV header's lengths) once the bridge has let it go
        since, began = phone.recording_since
        closed = Recorded(phone.record, since, time.monotonic() - began)
        self._closing.append((time.monotonic() + CLOSING_S, closed))

    def _silence(self, caller: _Leg) -> None:
        caller.waiting_at = None
        for player in caller.players:
            _quietly(player.stopTransmit, caller.audio)
        caller.players.clear()
        if self._waiting_player is not None and caller.audio is not None:
            _quietly(self._waiting_player.stopTransmit, caller.audio)

    def _play_waiting(self, caller: _Leg) -> None:
        if caller.audio is not None and self._waiting_player is not None:
            self._waiting_player.startTransmit(caller.audio)

    def _release(self, leg: _Leg) -> None:
        phone = leg if leg.kind == "phone" else self._legs.get(leg.peer or "")
        if phone is not None and phone.recorder is not None:
            self._stop_recording(phone)
        if leg.audio is not None and leg.kind == "caller":
            self._silence(leg)
        leg.audio = None

    def _run_timers(self) -> None:
        now = time.monotonic()
        while self._closing and self._closing[0][0] <= now:
            self.events.put(self._closing.pop(0)[1])
        for leg in self._legs.values():
            if leg.waiting_at is not None and now >= leg.waiting_at and not leg.gone and not leg.bridged:
                self._silence(leg)
                self._play_waiting(leg)
        for leg_id in [k for k, leg in self._legs.items() if leg.gone]:
            del self._legs[leg_id]  # PJSIP is done with it: the Python object may go

    def _run_commands(self) -> None:
        while True:
            try:
                name, arguments = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                getattr(self, f"_do_{name}")(*arguments)
            except Exception:
                log.exception("voice command %s%r failed", name, arguments)

    def _do_accept(self, leg_id: str) -> None:
        leg = self._legs.get(leg_id)
        if leg is not None and not leg.gone:
            _answer(leg, 200)

    def _do_reject(self, leg_id: str, status: int) -> None:
        leg = self._legs.get(leg_id)
        if leg is not None and not leg.gone:
            _hangup(leg, status)

    def _do_drop(self, leg_id: str) -> None:
        leg = self._legs.get(leg_id)
        if leg is not None and not leg.gone:
            _hangup(leg, 200 if leg.connected else 487)

    def _do_ring(self, caller_leg: str, leg_id: str, uri: str, record: str | None = None) -> None:
        caller = self._legs.get(caller_leg)
        if caller is None or caller.gone or self._account is None:
            self.events.put(PhoneGone(leg_id, caller_leg, False))
            return
        call = _PjCall(self, leg_id, self._account)
        leg = _Leg(leg_id, "phone", call, peer=caller_leg, record=record)
        self._legs[leg_id] = leg
        if caller.peer is not None:  # a previous phone still ringing: it stops
            self._do_drop(caller.peer)
        caller.peer = leg_id
        param = pj.CallOpParam(True)
        try:
            call.makeCall(uri, param)
        except pj.Error as exc:
            log.warning("ringing %s failed: %s", uri, exc.info())
            leg.gone = True
            caller.peer = None
            self.events.put(PhoneGone(leg_id, caller_leg, False))


def _answer(leg: _Leg, status: int) -> None:
    param = pj.CallOpParam()
    param.statusCode = status
    leg.call.answer(param)


def _hangup(leg: _Leg, status: int) -> None:
    param = pj.CallOpParam()
    param.statusCode = status
    _quietly(leg.call.hangup, param)


def _quietly(action: Any, *arguments: Any) -> None:
    try:
        action(*arguments)
    except pj.Error as exc:
        log.debug("pjsua2: %s", exc.info())


def _duration_s(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()
