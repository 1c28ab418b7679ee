"""The telephony outbox and its relay on real PostgreSQL: a callback's dial and a file's correlation are queued in
the transaction that decides them and sent after it commits — never on rollback, retried with backoff while the
telephony says it may help, expired when too late (the consoles hear of it), never sent twice by two relays."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from factories import add_samu
from sisamu.bootstrap import build_platform, telephony_relay
from sisamu.calls.callbacks import service as callbacks
from sisamu.calls.callbacks import store as callback_store
from sisamu.calls.cti import outbox
from sisamu.calls.cti.adapters import RecordingTelephony
from sisamu.calls.cti.relay import TelephonyRelay
from sisamu.calls.distribution import service as calls
from sisamu.calls.flux import Flux
from sisamu.calls.seats import service as seats
from sisamu.cases import service as cases
from sisamu.domain.clock import FakeClock, SystemClock
from sisamu.domain.ports import DialRequest, FileCorrelation, TelephonyRefused
from sisamu.platform.events import DialReason, DialRequested
from sisamu.security.roles import Principal, Role
from sisamu.storage.database import Database
from sisamu.web.live import LiveHub

pytestmark = pytest.mark.db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = "810000000001"
ARM = Principal(uuid.uuid4(), "arm.250", "arm.250", Role.ARM, "250")


def _build(settings, telephony, clock):
    return build_platform(
        settings, database=Database(url=settings.database_url), telephony=telephony, clock=clock
    )


@pytest.fixture
def telephony() -> RecordingTelephony:
    return RecordingTelephony()


@pytest.fixture
def wired(settings, telephony) -> Iterator:
    """A platform whose telephony records what it is asked, on a fake clock, with SAMUs 250 and 680."""
    built = _build(settings, telephony, FakeClock(T0))
    for samu_id in ("250", "680"):
        add_samu(built, samu_id)
    yield built
    built.close()


@pytest.fixture
def relay(wired, telephony) -> TelephonyRelay:
    return TelephonyRelay(wired, telephony)


def _seat(platform, seat_id="P1", id_nat_ps: str | None = AGENT) -> None:
    with platform.uow() as uow:
        seats.log_in(
            uow, principal=None, samu_id="250", seat_id=seat_id, now=platform.clock.now(), id_nat_ps=id_nat_ps
        )


def _lost_call(platform, call_id="lost-1", number="0611111111") -> int:
    """A caller who waited 40 s and hung up: the callback entry's id."""
    with platform.uow() as uow:
        calls.offer(
            uow,
            principal=None,
            samu_id="250",
            call_id=call_id,
            flux=Flux.CENTRE_15,
            now=platform.clock.now(),
            caller_number=number,
        )
    platform.clock.advance(40)
    with platform.uow() as uow:
        calls.hang_up(uow, principal=None, samu_id="250", call_id=call_id, now=platform.clock.now())
    with platform.engine.connect() as conn:
        ((entry, _),) = callback_store.callbacks(conn, "250", open_only=True)
    return entry.callback_id


def _start(uow, platform, callback_id: int, seat_id="P1") -> None:
    callbacks.start_callback_attempt(
        uow, principal=ARM, samu_id="250", callback_id=callback_id, seat_id=seat_id, now=platform.clock.now()
    )


def _requests(platform, samu_id="250") -> list[dict]:
    with platform.engine.connect() as conn:
        return outbox.requests_of(conn, samu_id)


def test_a_callback_dials_once_its_transaction_has_committed(wired, telephony, relay):
    _seat(wired)
    callback_id = _lost_call(wired)
    with wired.uow() as uow:
        _start(uow, wired, callback_id)
        assert _requests(wired) == []  # not visible before the commit
    assert telephony.attempts == 0  # nothing left from the request's thread
    (row,) = _requests(wired)
    assert (row["kind"], row["state"], row["attempts"]) == ("dial", "pending", 0)
    assert (row["expires_at"] - row["created_at"]).total_seconds() == 30
    assert row["body"]["reason"] == "callback"
    assert row["body"]["callback_id"] == callback_id

    assert relay.relay_once() == {"sent": 1}
    assert telephony.dials == [DialRequest("250", "P1", AGENT, "0611111111")]
    (row,) = _requests(wired)
    assert (row["state"], row["attempts"], row["sent_at"]) == ("sent", 1, wired.clock.now())
    assert relay.relay_once() == {}  # sent once only


def test_a_rolled_back_change_queues_nothing(wired, telephony, relay):
    _seat(wired)
    callback_id = _lost_call(wired)
    with contextlib.suppress(RuntimeError), wired.uow() as uow:
        _start(uow, wired, callback_id)
        raise RuntimeError("the use case fails after the dial was decided")
    with wired.uow() as uow:  # a savepoint that fails undoes the request with its writes; the rest commits
        with contextlib.suppress(RuntimeError), uow.savepoint():
            _start(uow, wired, callback_id)
            raise RuntimeError("this block fails")
        uow.record(
            DialRequested(
                samu_id="250", seat_id="P1", id_nat_ps=AGENT, number="0622222222",
                reason=DialReason.CLICK_TO_CALL, at=wired.clock.now(),
            )
        )  # fmt: skip
    assert [r["body"]["number"] for r in _requests(wired)] == ["0622222222"]
    assert relay.relay_once() == {"sent": 1}
    assert [d.number for d in telephony.dials] == ["0622222222"]


def test_refusals_worth_retrying_are_retried_with_backoff(wired, telephony, relay):
    _seat(wired)
    callback_id = _lost_call(wired)
    with wired.uow() as uow:
        _start(uow, wired, callback_id)
    telephony.refusals = [TelephonyRefused("la téléphonie SI-SAMU a répondu 503", retry=True)] * 2
    assert relay.relay_once() == {"retry": 1}
    assert relay.relay_once() == {}  # not due before its backoff
    wired.clock.advance(0.5)
    assert relay.relay_once() == {"retry": 1}
    wired.clock.advance(0.5)
    assert relay.relay_once() == {}  # the second backoff is one second
    wired.clock.advance(0.5)
    assert relay.relay_once() == {"sent": 1}
    (row,) = _requests(wired)
    assert (row["state"], row["attempts"]) == ("sent", 3)
    assert row["last_error"] == "la téléphonie SI-SAMU a répondu 503"
    assert len(telephony.dials) == 1


async def test_too_late_or_refused_for_good_the_console_of_the_seat_hears_it(wired, telephony, relay):
    hub = LiveHub(wired.database.libpq_url)
    await hub.start()
    try:
        await asyncio.wait_for(hub.listening.wait(), 10)
        console = hub.subscribe(ARM)
        other_samu = hub.subscribe(Principal(uuid.uuid4(), "arm.680", "arm.680", Role.ARM, "680"))

        def dial_and_relay() -> list[dict]:
            _seat(wired)
            callback_id = _lost_call(wired)
            with wired.uow() as uow:
                _start(uow, wired, callback_id)
            telephony.refuse_all = TelephonyRefused("la téléphonie SI-SAMU est injoignable", retry=True)
            while wired.clock.now() < T0.replace(minute=2):
                relay.relay_once()
                wired.clock.advance(1)
            telephony.refuse_all = TelephonyRefused("la téléphonie SI-SAMU a répondu 409", retry=False)
            with wired.uow() as uow:
                uow.record(
                    DialRequested(
                        samu_id="250", seat_id="P1", id_nat_ps=AGENT, number="0633333333",
                        reason=DialReason.CLICK_TO_CALL, at=wired.clock.now(),
                    )
                )  # fmt: skip
            relay.relay_once()
            return _requests(wired)

        expired, failed = await asyncio.to_thread(dial_and_relay)
        assert (expired["state"], failed["state"], failed["attempts"]) == ("expired", "failed", 1)
        assert 5 < expired["attempts"] < 10  # 0.5 s, 1 s, 2 s … within the 30 s a dial may wait
        events = []
        while len(events) < 2:  # the console hears the seat, the call and the callback change too
            event = json.loads(await asyncio.wait_for(console.queue.get(), 5))
            events += [event] if event["kind"] == "telephony.failed" else []
        assert [(e["kind"], e["id"], e["data"]["state"]) for e in events] == [
            ("telephony.failed", "P1", "expired"),
            ("telephony.failed", "P1", "failed"),
        ]
        assert events[0]["data"]["message"] == (
            "Le 0611111111 n'a pas été composé : la téléphonie n'a pas pu le composer dans les 30 s. "
            "Composez-le à la main."
        )
        assert "409" in events[1]["data"]["message"]
        assert events[1]["data"]["number"] == "0633333333"
        assert other_samu.queue.empty()  # another SAMU's consoles hear nothing of it
    finally:
        await hub.stop()


def test_two_relays_never_send_a_request_twice(wired, telephony, settings):
    other_telephony = RecordingTelephony(delay_s=0.01)
    telephony.delay_s = 0.01
    other = _build(settings, other_telephony, wired.clock)
    numbers = [f"06000000{i:02d}" for i in range(40)]
    with wired.uow() as uow:
        for number in numbers:
            uow.record(
                DialRequested(
                    samu_id="250", seat_id="P1", id_nat_ps=AGENT, number=number,
                    reason=DialReason.CLICK_TO_CALL, at=wired.clock.now(),
                )
            )  # fmt: skip
    relays = [TelephonyRelay(wired, telephony), TelephonyRelay(other, other_telephony)] * 2
    start = threading.Barrier(len(relays))

    def run(relay: TelephonyRelay) -> None:
        start.wait()
        relay.relay_once()

    try:
        threads = [threading.Thread(target=run, args=(relay,)) for relay in relays]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        other.close()
    sent = [d.number for d in telephony.dials + other_telephony.dials]
    assert sorted(sent) == numbers  # every request sent, none twice
    assert telephony.dials, "both relays take a share"
    assert other_telephony.dials, "both relays take a share"
    assert {(r["state"], r["attempts"]) for r in _requests(wired)} == {("sent", 1)}


def _answered_call(platform, call_id: str, seat_id: str) -> None:
    now = platform.clock.now()
    with platform.uow() as uow:
        calls.present_external(
            uow, principal=None, samu_id="250", seat_id=seat_id, call_id=call_id, flux=Flux.CENTRE_15, now=now
        )
    with platform.uow() as uow:
        calls.answer(uow, principal=None, samu_id="250", seat_id=seat_id, now=now)


def test_a_file_opened_from_a_call_is_correlated_at_the_seat_that_answered(wired, telephony, relay):
    _seat(wired, "P1", AGENT)
    _seat(wired, "P2", None)  # an agent the telephony does not know
    _answered_call(wired, "SI-1", "P1")
    _answered_call(wired, "SI-2", "P2")
    now = wired.clock.now()
    with wired.uow() as uow:
        opened = cases.open_file(uow, principal=ARM, samu_id="250", now=now, call_id="SI-1")
        cases.open_file(uow, principal=ARM, samu_id="250", now=now, call_id="SI-2")  # P2: no idNatPs
        cases.open_file(uow, principal=ARM, samu_id="250", now=now)  # by hand: no call
        cases.open_file(uow, principal=None, samu_id="250", now=now, call_id="SI-1")  # the platform's own
    (row,) = _requests(wired)
    assert (row["kind"], row["body"]["seat_id"]) == ("correlate", "P1")
    assert (row["expires_at"] - row["created_at"]).total_seconds() == 600
    assert relay.relay_once() == {"sent": 1}
    assert telephony.correlations == [
        FileCorrelation(samu_id="250", file_number=opened.number, id_nat_ps=AGENT, call_id="SI-1")
    ]


def test_without_a_telephony_nothing_is_queued(platform):
    """The test platform has no telephony (no `cti_url`): the ARM dials by hand, no request is written."""
    platform.clock = FakeClock(T0)
    add_samu(platform, "250")
    _seat(platform)
    callback_id = _lost_call(platform)
    with platform.uow() as uow:
        _start(uow, platform, callback_id)
        assert any(isinstance(e, DialRequested) for e in uow.recorded)
    assert platform.telephony is None
    assert telephony_relay(platform) is None
    assert _requests(platform) == []


async def test_the_relay_is_woken_by_the_commit_not_by_its_sweep(wired, telephony):
    relay = telephony_relay(wired)  # subscribed to the commits that queue a request
    assert relay is not None
    relay.sweep_interval_s = 60
    relay.start()
    try:
        await asyncio.to_thread(_seat, wired)
        callback_id = await asyncio.to_thread(_lost_call, wired)
        await asyncio.sleep(0.2)  # the relay's first pass is over: it waits for a wake-up or a minute

        def start() -> float:
            with wired.uow() as uow:
                _start(uow, wired, callback_id)
            return time.monotonic()

        committed = await asyncio.to_thread(start)
        while not telephony.dials:
            assert time.monotonic() - committed < 5, "the relay was not woken by the commit"
            await asyncio.sleep(0.005)
        assert time.monotonic() - committed < 1
    finally:
        await relay.stop()


async def test_the_relay_wakes_for_a_retry_it_scheduled(wired, telephony):
    wired.clock = SystemClock()  # the relay sleeps until the retry is due: real time here
    relay = telephony_relay(wired)
    assert relay is not None
    relay.sweep_interval_s = 60
    telephony.refusals = [TelephonyRefused("la téléphonie SI-SAMU a répondu 503", retry=True)]
    relay.start()
    try:
        await asyncio.sleep(0.1)  # the relay's first pass is over: it waits for a wake-up or a minute

        def start() -> float:
            with wired.uow() as uow:
                uow.record(
                    DialRequested(
                        samu_id="250", seat_id="P1", id_nat_ps=AGENT, number="0644444444",
                        reason=DialReason.CLICK_TO_CALL, at=wired.clock.now(),
                    )
                )  # fmt: skip
            return time.monotonic()

        committed = await asyncio.to_thread(start)
        while not telephony.dials:
            assert time.monotonic() - committed < 5, "the retry waited for the sweep"
            await asyncio.sleep(0.01)
        assert telephony.attempts == 2
        assert time.monotonic() - committed >= 0.5  # after the backoff, not before
    finally:
        await relay.stop()


async def test_stopping_waits_for_the_request_in_hand_and_sends_no_other(wired, telephony):
    """The platform closes right after its services stop: no thread of the relay may still be at work then."""
    telephony.delay_s = 0.3
    with wired.uow() as uow:
        for number in ("0655555501", "0655555502", "0655555503"):
            uow.record(
                DialRequested(
                    samu_id="250", seat_id="P1", id_nat_ps=AGENT, number=number,
                    reason=DialReason.CLICK_TO_CALL, at=wired.clock.now(),
                )
            )  # fmt: skip
    relay = TelephonyRelay(wired, telephony)
    relay.start()
    await asyncio.sleep(0.1)  # the first dial is in hand
    await relay.stop()
    assert [d.number for d in telephony.dials] == ["0655555501"]  # finished, and nothing after it
    await asyncio.sleep(0.5)
    assert telephony.attempts == 1
    assert [r["state"] for r in _requests(wired)] == ["sent", "pending", "pending"]
