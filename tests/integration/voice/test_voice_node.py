"""The voice node against the real distribution on PostgreSQL, with a fake engine in place of PJSIP: what the
engine reports becomes the distribution's commands, and where the distribution puts a call becomes ringing,
stopping and hanging up — the paths the end-to-end test does not reach (a ring timeout, a phone answering too
late, a call ended from the console, a database that refuses the call)."""

from __future__ import annotations

import queue
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from factories import add_samu
from sisamu.calls.distribution import assignment, reads, service
from sisamu.calls.distribution.model import CallState
from sisamu.calls.flux import Flux
from sisamu.calls.recordings import service as recordings
from sisamu.calls.recordings import store as recordings_store
from sisamu.calls.seats import service as seats
from sisamu.domain.clock import FakeClock
from sisamu.voice import events, model
from sisamu.voice.media import write_wav
from sisamu.voice.node import VoiceNode

pytestmark = [pytest.mark.db, pytest.mark.xdist_group("voice")]  # real-time audio: one at a time
LINE = model.Line("0381151515", "250", Flux.CENTRE_15)
PHONES = model.parse_phones("250/P1=sip:arm1@127.0.0.1:5081,250/P2=sip:arm2@127.0.0.1:5082")


class FakeEngine:
    def __init__(self) -> None:
        self.events: queue.Queue[events.EngineEvent] = queue.Queue()
        self.done: list[tuple[Any, ...]] = []
        self.rung = 0
        self.records: dict[str, str | None] = {}

    def accept(self, leg: str) -> None:
        self.done.append(("accept", leg))

    def reject(self, leg: str, status: int) -> None:
        self.done.append(("reject", leg, status))

    def ring(self, caller_leg: str, uri: str, record: str | None = None) -> str:
        self.rung += 1
        leg = f"phone-{self.rung}"
        self.done.append(("ring", caller_leg, uri, leg))
        self.records[leg] = record
        return leg

    def drop(self, leg: str) -> None:
        self.done.append(("drop", leg))

    def start(self, timeout_s: float = 15) -> object:
        return self

    def stop(self, timeout_s: float = 10) -> None:
        return None


@pytest.fixture
def clock(platform) -> FakeClock:
    fake = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    platform.clock = fake
    return fake


@pytest.fixture
def node(platform, clock) -> tuple[VoiceNode, FakeEngine]:
    with platform.uow() as uow:
        add_samu(uow, "250")
    engine = FakeEngine()
    return VoiceNode(platform, engine, PHONES), engine


def _log_in(platform, seat_id: str) -> None:
    with platform.uow() as uow:
        seats.log_in(
            uow, principal=None, samu_id="250", seat_id=seat_id, now=platform.clock.now(), after_call_work_s=0
        )


def _call(platform) -> Any:
    with platform.engine.connect() as conn:
        sip_calls = list(conn.exec_driver_sql("SELECT call_id FROM phone_call").scalars())
    assert len(sip_calls) == 1
    with platform.uow() as uow:
        return reads.calls_progress(uow, principal=None, keys=[("250", sip_calls[0])])[("250", sip_calls[0])]


def test_a_ring_timeout_stops_the_phone_and_the_next_seat_rings(platform, clock, node):
    voice, engine = node
    _log_in(platform, "P1")
    voice.on_event(events.Incoming("caller-1", LINE, "0612345678"))
    assert engine.done[0] == ("accept", "caller-1")
    assert engine.done[1] == ("ring", "caller-1", "sip:arm1@127.0.0.1:5081", "phone-1")
    voice.follow()
    assert len(engine.done) == 2  # rung once per presentation
    _log_in(platform, "P2")  # a second ARM arrives while P1 rings
    clock.advance(21)
    with platform.uow() as uow:
        assignment.tick(uow, clock.now())
        assignment.distribute(uow, clock.now(), samu_ids=["250"])
    voice.follow()
    assert ("drop", "phone-1") in engine.done  # P1 stops ringing
    assert engine.done[-1] == ("ring", "caller-1", "sip:arm2@127.0.0.1:5082", "phone-2")
    # the first phone answering now is too late: hung up, nothing answered
    voice.on_event(events.PhoneAnswered("phone-1", "caller-1"))
    assert _call(platform).state is CallState.PRESENTED
    voice.on_event(events.PhoneAnswered("phone-2", "caller-1"))
    call = _call(platform)
    assert (call.state, call.agent_id) == (CallState.ANSWERED, "P2")
    # ended from the console (a supervisor, here the platform): the node hangs both legs up
    with platform.uow() as uow:
        service.end(uow, principal=None, samu_id="250", call_id=call.call_id, now=clock.now())
    voice.follow()
    assert engine.done[-2:] == [("drop", "phone-2"), ("drop", "caller-1")]
    voice.follow()
    assert engine.done[-1] == ("drop", "caller-1")  # forgotten: nothing more


def test_a_phone_that_declines_changes_nothing_and_a_caller_gone_is_a_lost_call(platform, clock, node):
    voice, engine = node
    _log_in(platform, "P1")
    voice.on_event(events.Incoming("caller-1", LINE, "0612345678"))
    voice.on_event(events.PhoneGone("phone-1", "caller-1", answered=False))  # busy, declined
    assert _call(platform).state is CallState.PRESENTED  # the ring timeout decides
    clock.advance(30)
    voice.on_event(events.CallerGone("caller-1"))
    call = _call(platform)
    assert call.state is CallState.ABANDONED
    assert call.waited_s == 30
    assert [done[0] for done in engine.done] == ["accept", "ring"]  # the phone already gone: nothing to drop


def test_the_arm_hanging_up_ends_the_call_and_hangs_the_caller_up(platform, clock, node):
    voice, engine = node
    _log_in(platform, "P1")
    voice.on_event(events.Incoming("caller-1", LINE, None))
    voice.on_event(events.PhoneAnswered("phone-1", "caller-1"))
    clock.advance(40)
    voice.on_event(events.PhoneGone("phone-1", "caller-1", answered=True))
    assert engine.done[-1] == ("drop", "caller-1")
    call = _call(platform)
    assert call.state is CallState.ENDED
    voice.on_event(events.CallerGone("caller-1"))  # the caller's leg going after that is no second hang-up
    assert _call(platform).state is CallState.ENDED


def test_a_call_the_database_refuses_is_refused_503(platform, clock, node):
    voice, engine = node
    unknown = model.Line("0399999999", "999", Flux.CENTRE_15)  # no such SAMU: the offer fails
    voice.on_event(events.Incoming("caller-1", unknown, None))
    assert engine.done == [("reject", "caller-1", 503)]


def test_a_restarted_node_ends_the_calls_it_left_and_only_its_own(platform, clock, node):
    voice, _ = node
    _log_in(platform, "P1")
    voice.on_event(events.Incoming("caller-1", LINE, "0612345678"))
    voice.on_event(events.PhoneAnswered("phone-1", "caller-1"))  # talking at P1
    voice.on_event(events.Incoming("caller-2", LINE, "0698765432"))  # waiting
    with platform.uow() as uow:  # a call of another node (or of the HTTP gateway) on the same database
        service.offer(
            uow, principal=None, samu_id="250", call_id="sip-v2-other", flux=Flux.CENTRE_15, now=clock.now()
        )
    clock.advance(20)
    restarted = VoiceNode(platform, FakeEngine(), PHONES)  # the process died; a new one starts
    assert restarted.recover() == 2
    with platform.engine.connect() as conn:
        states = dict(conn.exec_driver_sql("SELECT call_id, state FROM phone_call").all())
        seat = conn.exec_driver_sql("SELECT state FROM arm_seat WHERE seat_id = 'P1'").scalar_one()
    assert states.pop("sip-v2-other") == "presented"  # untouched, and given the seat the conversation freed
    assert sorted(states.values()) == ["abandoned", "ended"]
    assert all(call_id.startswith("sip-v1-") for call_id in states)
    assert seat == "presented"
    assert restarted.recover() == 0  # nothing left the second time


def _audit_actions(platform, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    with platform.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT samu_id, object_id, detail FROM audit_event WHERE action = %(a)s ORDER BY seq",
            {"a": action},
        )
        return [tuple(row) for row in rows]


def test_a_conversation_s_recording_is_attached_to_its_call_and_purged_after_the_retention(
    platform, clock, node
):
    voice, engine = node
    _log_in(platform, "P1")
    voice.on_event(events.Incoming("caller-1", LINE, "0612345678"))
    call_id = _call(platform).call_id
    record = engine.records["phone-1"]
    assert record == str(recordings.folder_of(platform.settings) / "250" / f"{call_id}.wav")
    voice.on_event(events.PhoneAnswered("phone-1", "caller-1"))
    path = Path(record)
    path.parent.mkdir(parents=True)
    write_wav(path, [(1000, 300)])  # what the engine wrote
    voice.on_event(events.Recorded(record, clock.now().timestamp(), 12.5))
    with platform.uow() as uow:
        row = recordings_store.get(uow.conn, "250", call_id)
    assert (row.path, row.duration_s, row.size_bytes) == (f"250/{call_id}.wav", 12.5, path.stat().st_size)
    assert row.started_at == clock.now()
    assert _audit_actions(platform, "call.recording.store") == [
        ("250", call_id, {"duration_s": 12.5, "size_bytes": row.size_bytes})
    ]
    assert voice.purge_recordings() == 0  # within the retention (90 days by default)
    clock.advance(89 * 86400)
    assert voice.purge_recordings() == 0
    clock.advance(2 * 86400)
    assert voice.purge_recordings() == 1
    assert not path.exists()
    with platform.uow() as uow:
        assert recordings_store.get(uow.conn, "250", call_id) is None
    assert [(s, o) for s, o, _ in _audit_actions(platform, "call.recording.purge")] == [("250", "250")]


def test_a_recording_outside_the_recordings_folder_is_not_attached(platform, clock, node, tmp_path):
    voice, _engine = node
    stray = tmp_path / "elsewhere.wav"
    write_wav(stray, [(1000, 100)])
    voice.on_event(events.Recorded(str(stray), clock.now().timestamp(), 0.1))
    with platform.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM call_recording").scalar_one() == 0
