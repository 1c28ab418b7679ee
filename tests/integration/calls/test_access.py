"""The call services are the authority on who may do what (the routes only gate before any I/O): the gateway's
commands need `telephony` on the SAMU, a seat is commanded by the person logged in there, a call is ended or
transferred by the ARM at its seat or a supervisor — and another SAMU's call or room answers 404 or 403 as the
routes do."""

from __future__ import annotations

import pytest

from factories import add_account
from sisamu.calls.aml import service as aml_service
from sisamu.calls.callbacks import store as callback_store
from sisamu.calls.distribution import service, store
from sisamu.calls.distribution.model import CallState, TransferTarget
from sisamu.calls.flux import Flux
from sisamu.calls.overflow import service as overflow_service
from sisamu.calls.overflow.model import OverflowAgreement
from sisamu.calls.seats import service as seat_service
from sisamu.calls.seats import store as seat_store
from sisamu.calls.seats.model import AgentState, PauseReason
from sisamu.security import store as accounts
from sisamu.security.errors import Forbidden, NotFound
from sisamu.security.roles import Role

pytestmark = pytest.mark.db
PEOPLE = {
    "arm.250": (Role.ARM, "250"),
    "arm2.250": (Role.ARM, "250"),
    "regulator.250": (Role.REGULATOR, "250"),
    "supervisor.250": (Role.SUPERVISOR, "250"),
    "telephony_gateway.250": (Role.TELEPHONY_GATEWAY, "250"),
    "arm.680": (Role.ARM, "680"),
    "supervisor.680": (Role.SUPERVISOR, "680"),
    "telephony_gateway.680": (Role.TELEPHONY_GATEWAY, "680"),
    "national": (Role.NATIONAL, None),
}


@pytest.fixture
def people(platform, clock, samus):
    with platform.uow() as uow:
        for username, (role, samu_id) in PEOPLE.items():
            add_account(uow, username, role, samu_id, now=clock.now())
    with platform.engine.connect() as conn:
        return {
            name: accounts.principal_from_row(accounts.account_by_username(conn, name)) for name in PEOPLE
        }


def _run(platform, command, **arguments):
    with platform.uow() as uow:
        return command(uow, now=platform.clock.now(), **arguments)


def _offer(platform, people, call_id, number=None):
    return _run(
        platform,
        service.offer,
        principal=people["telephony_gateway.250"],
        samu_id="250",
        call_id=call_id,
        flux=Flux.CENTRE_15,
        caller_number=number,
    )


def _at_seat(platform, principal, seat_id, samu_id="250"):
    """`principal` logs in at `seat_id` (no after-call work); a waiting call rings there at once (the bus's pass)."""
    return _run(
        platform,
        seat_service.log_in,
        principal=principal,
        samu_id=samu_id,
        seat_id=seat_id,
        after_call_work_s=0,
    )


def test_the_gateway_commands_need_telephony_on_that_samu(platform, clock, people):
    for who, expected in [
        ("telephony_gateway.680", Forbidden),
        ("arm.250", Forbidden),
        ("national", Forbidden),
    ]:
        with pytest.raises(expected), platform.uow() as uow:
            service.offer(
                uow, principal=people[who], samu_id="250", call_id="x", flux=Flux.CENTRE_15, now=clock.now()
            )
    _offer(platform, people, "c1")
    with pytest.raises(NotFound):  # another SAMU's gateway: the call is not there (404), through either room
        _run(
            platform, service.hang_up, principal=people["telephony_gateway.680"], samu_id="250", call_id="c1"
        )
    with pytest.raises(NotFound):
        _run(
            platform, service.hang_up, principal=people["telephony_gateway.680"], samu_id="680", call_id="c1"
        )
    with pytest.raises(Forbidden):  # a person is not the telephony
        _run(platform, service.abandon, principal=people["arm.250"], samu_id="250", call_id="c1")
    with pytest.raises(Forbidden):
        _run(
            platform,
            aml_service.receive_aml,
            principal=people["telephony_gateway.680"],
            samu_id="250",
            text='A"ML=1',
        )
    with platform.engine.connect() as conn:
        assert store.get_call(conn, "250", "c1").call.state is CallState.QUEUED  # nothing refused changed it


def test_hang_up_ends_a_spoken_call_and_abandons_a_waiting_one(platform, clock, people):
    gateway = people["telephony_gateway.250"]
    _offer(platform, people, "waiting", "0611111111")
    clock.advance(40)
    lost = _run(platform, service.hang_up, principal=gateway, samu_id="250", call_id="waiting")
    assert (lost.call.state, lost.call.waited_s) == (CallState.ABANDONED, 40)
    with platform.engine.connect() as conn:  # the bus put the lost call on the callback list
        ((entry, _),) = callback_store.callbacks(conn, "250", open_only=True)
    assert (entry.call_ids, entry.caller_number) == (("waiting",), "0611111111")

    _offer(platform, people, "spoken", "0611111111")
    _at_seat(platform, people["arm.250"], "P1")
    clock.advance(5)
    _run(platform, service.answer, principal=people["arm.250"], samu_id="250", seat_id="P1")
    with platform.engine.connect() as conn:  # the caller got through: the bus closed their callback entry
        assert callback_store.callbacks(conn, "250", open_only=True) == []
    clock.advance(60)
    ended = _run(platform, service.hang_up, principal=gateway, samu_id="250", call_id="spoken")
    assert ended.call.state is CallState.ENDED
    with platform.engine.connect() as conn:
        seat = seat_store.get_seat(conn, "250", "P1")
    assert seat is not None
    assert seat.agent.state is AgentState.AVAILABLE


def test_seat_commands_are_for_the_person_logged_in_at_the_seat(platform, clock, people):
    _at_seat(platform, people["arm.250"], "P1")
    for who, expected in [
        ("arm2.250", Forbidden),
        ("regulator.250", Forbidden),
        ("supervisor.250", Forbidden),
    ]:
        with pytest.raises(expected):
            _run(platform, seat_service.pause, principal=people[who], samu_id="250", seat_id="P1",
                 reason=PauseReason.BREAK)  # fmt: skip
        with pytest.raises(expected):
            _run(platform, service.answer, principal=people[who], samu_id="250", seat_id="P1")
    with pytest.raises(Forbidden):  # another SAMU's ARM, in that SAMU's room
        _run(platform, seat_service.log_out, principal=people["arm.680"], samu_id="250", seat_id="P1")
    with pytest.raises(Forbidden):  # a supervisor does not take calls
        _at_seat(platform, people["supervisor.250"], "P2")
    paused = _run(platform, seat_service.pause, principal=people["arm.250"], samu_id="250", seat_id="P1",
                  reason=PauseReason.BREAK)  # fmt: skip
    assert paused.agent.state is AgentState.PAUSED
    out = _run(platform, seat_service.log_out, principal=people["arm.250"], samu_id="250", seat_id="P1")
    assert (out.agent.state, out.account_id) == (AgentState.LOGGED_OUT, None)
    _at_seat(platform, people["arm2.250"], "P1")  # a free seat is anyone's who takes calls


def test_a_physician_does_not_end_an_arms_call_unless_at_the_seat(platform, clock, people):
    _offer(platform, people, "c1")
    _at_seat(platform, people["arm.250"], "P1")
    _run(platform, service.answer, principal=people["arm.250"], samu_id="250", seat_id="P1")
    for who, expected in [("regulator.250", Forbidden), ("arm2.250", Forbidden), ("arm.680", NotFound),
                          ("supervisor.680", NotFound), ("telephony_gateway.250", Forbidden)]:  # fmt: skip
        with pytest.raises(expected):
            _run(platform, service.end, principal=people[who], samu_id="250", call_id="c1")
        with pytest.raises(expected):
            _run(platform, service.transfer, principal=people[who], samu_id="250", call_id="c1",
                 target=TransferTarget.PHYSICIAN, target_id="regulation")  # fmt: skip
    with platform.engine.connect() as conn:
        assert store.get_call(conn, "250", "c1").call.state is CallState.ANSWERED
    moved = _run(platform, service.transfer, principal=people["arm.250"], samu_id="250", call_id="c1",
                 target=TransferTarget.PHYSICIAN, target_id="regulation")  # fmt: skip
    assert moved.call.state is CallState.TRANSFERRED
    with pytest.raises(Forbidden):  # handed to regulation, still not the physician's to end at the ARM's seat
        _run(platform, service.end, principal=people["regulator.250"], samu_id="250", call_id="c1")
    ended = _run(platform, service.end, principal=people["supervisor.250"], samu_id="250", call_id="c1")
    assert ended.call.state is CallState.ENDED

    _run(platform, seat_service.log_out, principal=people["arm.250"], samu_id="250", seat_id="P1")
    _offer(platform, people, "c2")  # a physician at a seat of their own ends their own call
    _at_seat(platform, people["regulator.250"], "R1")
    _run(platform, service.answer, principal=people["regulator.250"], samu_id="250", seat_id="R1")
    done = _run(platform, service.end, principal=people["regulator.250"], samu_id="250", call_id="c2")
    assert done.call.state is CallState.ENDED


def test_an_overflowed_call_is_ended_by_the_partner_arm_at_its_seat(platform, clock, people):
    _run(platform, overflow_service.set_agreement, principal=people["supervisor.250"],
         agreement=OverflowAgreement("250", ("680",), wait_threshold_s=0), active=True)  # fmt: skip
    _offer(platform, people, "over")
    _at_seat(platform, people["arm.680"], "B1", samu_id="680")  # the seat's pass overflows the call to it
    _run(platform, service.answer, principal=people["arm.680"], samu_id="680", seat_id="B1")
    with pytest.raises(Forbidden):  # the owner's ARM does not hold the partner's seat
        _run(platform, service.end, principal=people["arm.250"], samu_id="250", call_id="over")
    with pytest.raises(NotFound):  # nor is any other call of 250 visible from 680
        _run(platform, service.end, principal=people["arm.680"], samu_id="680", call_id="nothing")
    ended = _run(platform, service.end, principal=people["arm.680"], samu_id="680", call_id="over")
    assert (ended.call.state, ended.call.handling_samu_id) == (CallState.ENDED, "680")


def test_overflow_rules_are_their_owners_and_a_change_distributes_at_once(platform, clock, people):
    agreement = OverflowAgreement("250", ("680",), wait_threshold_s=0)
    for who in ("supervisor.680", "arm.250", "national"):
        with pytest.raises(Forbidden):
            _run(
                platform,
                overflow_service.set_agreement,
                principal=people[who],
                agreement=agreement,
                active=True,
            )
    for who in ("supervisor.250", "arm.250"):
        with pytest.raises(Forbidden):
            _run(platform, overflow_service.set_pooling, principal=people[who], national_pooling=True,
                 pooling_wait_s=0.0)  # fmt: skip
    _at_seat(platform, people["arm.680"], "B1", samu_id="680")
    _offer(platform, people, "waiting")  # 250 has no seat: the call waits in 250's queue
    with platform.engine.connect() as conn:
        assert store.get_call(conn, "250", "waiting").call.state is CallState.QUEUED
    _run(platform, overflow_service.set_agreement, principal=people["supervisor.250"], agreement=agreement,
         active=True)  # fmt: skip
    with platform.engine.connect() as conn:  # the bus ran a pass: the partner's idle seat rings
        record = store.get_call(conn, "250", "waiting")
    assert (record.call.state, record.call.handling_samu_id, record.call.agent_id) == (
        CallState.PRESENTED, "680", "B1",
    )  # fmt: skip


def test_national_pooling_is_the_national_operators_and_distributes_everywhere(platform, clock, people):
    _at_seat(platform, people["arm.680"], "B1", samu_id="680")
    _offer(platform, people, "crisis")
    _run(platform, overflow_service.set_pooling, principal=people["national"], national_pooling=True,
         pooling_wait_s=0.0)  # fmt: skip
    with platform.engine.connect() as conn:
        record = store.get_call(conn, "250", "crisis")
    assert (record.call.state, record.call.agent_id) == (CallState.PRESENTED, "B1")


def test_a_callers_locations_are_read_from_a_samu_the_call_is_visible_from(platform, clock, people):
    _offer(platform, people, "g1")
    for who, expected in [
        ("supervisor.250", Forbidden),
        ("telephony_gateway.250", Forbidden),
        ("arm.680", NotFound),
    ]:
        with pytest.raises(expected):
            _run(platform, aml_service.call_locations, principal=people[who], samu_id="250", call_id="g1")
    with pytest.raises(NotFound):
        _run(platform, aml_service.call_locations, principal=people["arm.680"], samu_id="680", call_id="g1")
    assert _run(platform, aml_service.call_locations, principal=people["arm.250"], samu_id="250",
                call_id="g1") == []  # fmt: skip
