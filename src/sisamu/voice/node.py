"""The voice node: what the PJSIP engine hears becomes commands of the call distribution, and where the
distribution puts a call becomes ringing, bridging and hanging up.

The node calls the distribution in-process, through its public services, each command in its own unit of work
with the distribution pass that follows it — the same transaction as the HTTP gateway's routes (`offer` then a
pass; `hang_up` then a pass for the handling SAMU) — as the platform itself (`principal` None): the voice node is
a platform process built by the composition root, holding the database like the timers worker, not an outside
gateway holding a token. It runs in its own thread so that the PJSIP thread never waits for the database.

The distribution decides; the node follows: every `voice_follow_s` it reads where its calls are
(`reads.calls_progress`, one statement) and rings the phone of the seat a call is presented at (once per
presentation), stops it when the ring timed out, hangs both legs up when the call was ended elsewhere.

Each conversation is recorded (the engine mixes both voices into `<recordings>/<SAMU>/<call id>.wav`); the closed
file is attached to its call (`calls.recordings.service.attach`), and the recordings older than
`voice_recording_retention_days` are deleted at start and every hour (`purge_recordings`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sisamu.calls.distribution import reads, service
from sisamu.calls.distribution.model import CallState
from sisamu.calls.distribution.passes import distribution_pass
from sisamu.calls.recordings import service as recordings
from sisamu.domain.errors import DomainError
from sisamu.security.errors import SecurityError
from sisamu.voice import events as pjsip

if TYPE_CHECKING:
    from sisamu.calls.distribution.model import Call
    from sisamu.platform import Platform
    from sisamu.voice.model import Phone
    from sisamu.voice.registrar import Registrar

log = logging.getLogger(__name__)

OVER = frozenset({CallState.ENDED, CallState.ABANDONED})
PURGE_EVERY_S = 3600.0


@dataclass
class Carried:
    """A call the node carries: its caller's leg, and the phone ringing or talking for it."""

    samu_id: str
    call_id: str
    caller_leg: str
    phone_leg: str | None = None
    phone_seat: tuple[str, str] | None = None  # (handling SAMU, seat) of that phone
    rung: int = 0  # the presentation the phone was rung for
    talking: bool = False


class VoiceNode:
    def __init__(
        self,
        platform: Platform,
        engine: pjsip.VoiceEngine,
        phones: dict[tuple[str, str], Phone],
        *,
        registrar: Registrar | None = None,
    ) -> None:
        self.platform = platform
        self.registrar = registrar
        self.engine = engine
        self.phones = phones
        self.follow_s = platform.settings.voice_follow_s
        self.prefix = f"sip-{platform.settings.voice_node_id}-"
        self._calls: dict[str, Carried] = {}  # by call id
        self._by_leg: dict[str, Carried] = {}  # caller's and phone's legs
        self.recordings = recordings.folder_of(platform.settings)
        self.retention = timedelta(days=platform.settings.voice_recording_retention_days)

    def recover(self) -> int:
        """End the calls this node left open when it stopped (their legs died with it): a caller still waiting is
        a lost call with its callback entry, a conversation is ended and its seat released. Returns their number."""
        with self.platform.uow() as uow:
            left = reads.calls_left_open(uow, principal=None, prefix=self.prefix)
        for samu_id, call_id in left:
            self._hang_up(Carried(samu_id, call_id, caller_leg=""), "restart of the voice node")
        if left:
            log.warning("ended %d calls the voice node's previous run left open", len(left))
        return len(left)

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set: the engine's events as they come, and the calls' progress every `follow_s` (after
        ending the calls a previous run left open)."""
        self._safely(self.recover)
        next_follow = next_purge = time.monotonic()
        while not stop.is_set():
            if time.monotonic() >= next_purge:
                self._safely(self.purge_recordings)
                next_purge = time.monotonic() + PURGE_EVERY_S
            timeout = max(0.0, next_follow - time.monotonic())
            try:
                event = self.engine.events.get(timeout=timeout)
            except queue.Empty:
                event = None
            if event is not None:
                self._safely(self.on_event, event)
            if time.monotonic() >= next_follow:
                self._safely(self.follow)
                next_follow = time.monotonic() + self.follow_s

    def _safely(self, action: object, *arguments: object) -> None:
        try:
            action(*arguments)  # type: ignore[operator]
        except Exception:
            log.exception("voice node: %s failed; carrying on", getattr(action, "__name__", action))

    # ---- what the engine heard -------------------------------------------------------------------------------

    def on_event(self, event: pjsip.EngineEvent) -> None:
        if isinstance(event, pjsip.Incoming):
            self._incoming(event)
        elif isinstance(event, pjsip.CallerGone):
            self._caller_gone(event)
        elif isinstance(event, pjsip.PhoneAnswered):
            self._phone_answered(event)
        elif isinstance(event, pjsip.PhoneGone):
            self._phone_gone(event)
        elif isinstance(event, pjsip.Recorded):
            self._recorded(event)

    def _incoming(self, event: pjsip.Incoming) -> None:
        call_id = f"{self.prefix}{uuid.uuid4().hex[:24]}"
        samu_id = event.line.samu_id
        try:
            with self.platform.uow() as uow:
                now = self.platform.clock.now()
                service.offer(
                    uow,
                    principal=None,
                    samu_id=samu_id,
                    call_id=call_id,
                    flux=event.line.flux,
                    caller_number=event.caller_number,
                    now=now,
                )
                distribution_pass(uow, now, [samu_id])
        except Exception:
            log.exception("call to %s could not be offered: refused 503", event.line.number)
            self.engine.reject(event.leg, 503)  # the trunk tries another node
            return
        carried = Carried(samu_id, call_id, event.leg)
        self._calls[call_id] = carried
        self._by_leg[event.leg] = carried
        self.engine.accept(event.leg)
        log.info("call %s offered to samu %s (flux %s)", call_id, samu_id, event.line.flux.value)
        self.follow()  # the offer's pass may have presented it already

    def _caller_gone(self, event: pjsip.CallerGone) -> None:
        carried = self._by_leg.get(event.leg)
        if carried is None:
            return
        self._forget(carried)
        if carried.phone_leg is not None:
            self.engine.drop(carried.phone_leg)
        self._hang_up(carried, "caller")

    def _phone_answered(self, event: pjsip.PhoneAnswered) -> None:
        carried = self._by_leg.get(event.caller_leg)
        if carried is None or carried.phone_leg != event.leg or carried.phone_seat is None:
            self.engine.drop(event.leg)
            return
        handling, seat_id = carried.phone_seat
        key = (carried.samu_id, carried.call_id)
        try:
            with self.platform.uow() as uow:
                # the call row first (the services' lock order), then the seat: the phone answers this call only
                where = reads.calls_progress(uow, principal=None, keys=[key], lock=True).get(key)
                rings_here = (
                    where is not None and where.state is CallState.PRESENTED and where.agent_id == seat_id
                )
                if rings_here:
                    service.answer(
                        uow, principal=None, samu_id=handling, seat_id=seat_id, now=self.platform.clock.now()
                    )
        except (DomainError, SecurityError) as exc:
            log.info("phone of seat %s answered, refused: %s", seat_id, exc)
            rings_here = False
        if not rings_here:
            log.info(
                "phone of seat %s answered too late: call %s no longer rings there", seat_id, carried.call_id
            )
            self.engine.drop(event.leg)
            return
        carried.talking = True
        log.info("call %s answered at seat %s/%s", carried.call_id, handling, seat_id)

    def _phone_gone(self, event: pjsip.PhoneGone) -> None:
        carried = self._by_leg.get(event.caller_leg)
        self._by_leg.pop(event.leg, None)
        if carried is None or carried.phone_leg != event.leg:
            return
        carried.phone_leg = None
        if carried.talking:  # the ARM hung up: the conversation is over for the caller too
            self._forget(carried)
            self.engine.drop(carried.caller_leg)
            self._hang_up(carried, "seat")
        # not answered (busy, declined, unreachable): the distribution's ring timeout presents it again

    def _hang_up(self, carried: Carried, side: str) -> None:
        with self.platform.uow() as uow:
            now = self.platform.clock.now()
            try:
                done = service.hang_up(
                    uow, principal=None, samu_id=carried.samu_id, call_id=carried.call_id, now=now
                )
            except (DomainError, SecurityError) as exc:  # already over (ended from the console)
                log.info("call %s hung up by the %s: %s", carried.call_id, side, exc)
                return
            distribution_pass(uow, now, [done.call.handling_samu_id])
        log.info("call %s hung up by the %s: %s", carried.call_id, side, done.call.state.value)

    def _forget(self, carried: Carried) -> None:
        self._calls.pop(carried.call_id, None)
        self._by_leg.pop(carried.caller_leg, None)
        if carried.phone_leg is not None:
            self._by_leg.pop(carried.phone_leg, None)

    # ---- where the distribution put the calls ----------------------------------------------------------------

    def follow(self) -> None:
        if not self._calls:
            return
        keys = [(c.samu_id, c.call_id) for c in self._calls.values()]
        with self.platform.uow() as uow:
            progress = reads.calls_progress(uow, principal=None, keys=keys)
        for carried in list(self._calls.values()):
            call = progress.get((carried.samu_id, carried.call_id))
            if call is not None:
                self._follow(carried, call)

    def _follow(self, carried: Carried, call: Call) -> None:
        if call.state in OVER:
            self._forget(carried)
            if carried.phone_leg is not None:
                self.engine.drop(carried.phone_leg)
            self.engine.drop(carried.caller_leg)
            return
        seat = (call.handling_samu_id, call.agent_id) if call.agent_id else None
        ringing = carried.phone_leg is not None and not carried.talking
        if ringing and (call.state is not CallState.PRESENTED or seat != carried.phone_seat):
            self._stop_ringing(carried)  # ring timeout, or presented elsewhere
        if call.state is CallState.PRESENTED and seat is not None and carried.rung != call.presentations:
            phone = self.phones.get(seat)
            carried.rung = call.presentations
            if phone is not None:
                self._stop_ringing(carried)
                record = str(self.recordings / recordings.relative_path(carried.samu_id, carried.call_id))
                carried.phone_leg = self.engine.ring(carried.caller_leg, phone.uri, record)
                carried.phone_seat = seat
                self._by_leg[carried.phone_leg] = carried
                log.info("call %s rings seat %s/%s at %s", carried.call_id, seat[0], seat[1], phone.uri)

    def _stop_ringing(self, carried: Carried) -> None:
        if carried.phone_leg is not None and not carried.talking:
            self.engine.drop(carried.phone_leg)
            self._by_leg.pop(carried.phone_leg, None)
            carried.phone_leg = None
            carried.phone_seat = None

    # ---- recordings ------------------------------------------------------------------------------------------

    def _recorded(self, event: pjsip.Recorded) -> None:
        path = Path(event.path)
        try:
            relative = path.relative_to(self.recordings).as_posix()
            size = path.stat().st_size
        except (ValueError, OSError):
            log.exception("recording %s: not a file of the recordings folder", path)
            return
        samu_id, call_id = path.parent.name, path.stem
        with self.platform.uow() as uow:
            recordings.attach(
                uow,
                samu_id=samu_id,
                call_id=call_id,
                path=relative,
                started_at=datetime.fromtimestamp(event.started_at, UTC),
                duration_s=event.duration_s,
                size_bytes=size,
                now=self.platform.clock.now(),
            )
        log.info("call %s recorded: %.1f s, %d bytes", call_id, event.duration_s, size)

    def purge_recordings(self) -> int:
        """Delete the recordings older than the retention (files, then their rows); returns how many."""

        def delete_file(relative: str) -> bool:
            try:
                (self.recordings / relative).unlink(missing_ok=True)
            except OSError:
                log.exception("recording %s could not be deleted", relative)
                return False
            return True

        with self.platform.uow() as uow:
            now = self.platform.clock.now()
            count = recordings.purge(uow, before=now - self.retention, delete_file=delete_file, now=now)
        if count:
            log.info("deleted %d recordings older than %s", count, self.retention)
        return count
