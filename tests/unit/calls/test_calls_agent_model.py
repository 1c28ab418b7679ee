"""ARM seat state machine: every transition and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sisamu.calls.flux import (
    Flux,
)
from sisamu.calls.seats.model import (
    Agent,
    AgentAfterCallWorkEnded,
    AgentCallAnswered,
    AgentCallPresented,
    AgentCallReleased,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentPaused,
    AgentPresentationMissed,
    AgentPresentationWithdrawn,
    AgentResumed,
    AgentState,
    PauseReason,
    Skills,
    after_call_work_due,
    agent_answer,
    agent_end_after_call_work,
    agent_log_in,
    agent_log_out,
    agent_miss_presentation,
    agent_pause,
    agent_present,
    agent_release,
    agent_resume,
    agent_withdraw_presentation,
    can_take,
    new_agent,
)
from sisamu.domain.errors import (
    TransitionRefused,
)

T0 = datetime(2026, 1, 25, 10, 0, tzinfo=UTC)
SKILLS = Skills(fluxes=frozenset({Flux.CENTRE_15, Flux.EU_112}), languages=frozenset({"fr", "en"}))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def logged_out(acw: int = 30) -> Agent:
    return new_agent("arm1", "250", T0, skills=SKILLS, after_call_work_s=acw)


def available(acw: int = 30) -> Agent:
    return agent_log_in(logged_out(acw), at(1))[0]


def paused() -> Agent:
    return agent_pause(available(), PauseReason.MEAL, at(2))[0]


def presented(acw: int = 30) -> Agent:
    return agent_present(available(acw), "c1", Flux.CENTRE_15, at(3))[0]


def on_call(acw: int = 30) -> Agent:
    return agent_answer(presented(acw), "c1", at(5))[0]


def after_call_work() -> Agent:
    return agent_release(on_call(), "c1", at(65))[0]


def test_new_agent_is_logged_out() -> None:
    agent = logged_out()
    assert agent.state is AgentState.LOGGED_OUT
    assert agent.after_call_work_s == 30


def test_negative_after_call_work_is_rejected() -> None:
    with pytest.raises(ValueError, match="after_call_work_s"):
        new_agent("arm1", "250", T0, after_call_work_s=-1)


def test_log_in() -> None:
    agent, events = agent_log_in(logged_out(), at(1))
    assert agent.state is AgentState.AVAILABLE
    assert events == [AgentLoggedIn("arm1", "250", at(1))]


@pytest.mark.parametrize("make", [available, paused, after_call_work])
def test_log_out(make: object) -> None:
    assert callable(make)
    agent, events = agent_log_out(make(), at(100))
    assert agent.state is AgentState.LOGGED_OUT
    assert agent.call_id is None
    assert agent.pause_reason is None
    assert events == [AgentLoggedOut("arm1", "250", at(100))]


def test_pause_and_resume_with_french_label() -> None:
    agent, events = agent_pause(available(), PauseReason.TRAINING, at(10))
    assert agent.state is AgentState.PAUSED
    assert agent.pause_reason is PauseReason.TRAINING
    assert PauseReason.TRAINING.label == "Formation"
    assert events == [AgentPaused("arm1", "250", at(10), PauseReason.TRAINING)]
    agent, events = agent_resume(agent, at(70))
    assert agent.state is AgentState.AVAILABLE
    assert agent.pause_reason is None
    assert events == [AgentResumed("arm1", "250", at(70), 60.0, PauseReason.TRAINING)]


def test_every_pause_reason_has_a_label() -> None:
    assert all(reason.label for reason in PauseReason)


def test_present_answer_release_and_after_call_work() -> None:
    agent, events = agent_present(available(), "c1", Flux.EU_112, at(3))
    assert (agent.state, agent.call_id) == (AgentState.PRESENTED, "c1")
    assert events == [AgentCallPresented("arm1", "250", at(3), "c1")]
    agent, events = agent_answer(agent, "c1", at(5))
    assert agent.state is AgentState.ON_CALL
    assert events == [AgentCallAnswered("arm1", "250", at(5), "c1")]
    agent, events = agent_release(agent, "c1", at(65))
    assert agent.state is AgentState.AFTER_CALL_WORK
    assert agent.after_call_work_until == at(95)
    assert events == [AgentCallReleased("arm1", "250", at(65), "c1", at(95))]
    assert not after_call_work_due(agent, at(94))
    assert after_call_work_due(agent, at(95))
    agent, events = agent_end_after_call_work(agent, at(95))
    assert agent.state is AgentState.AVAILABLE
    assert agent.call_id is None
    assert events == [AgentAfterCallWorkEnded("arm1", "250", at(95), "c1", early=False)]


def test_after_call_work_can_end_early() -> None:
    _, events = agent_end_after_call_work(after_call_work(), at(70))
    assert events == [AgentAfterCallWorkEnded("arm1", "250", at(70), "c1", early=True)]


def test_zero_after_call_work_goes_straight_to_available() -> None:
    agent, events = agent_release(on_call(acw=0), "c1", at(65))
    assert agent.state is AgentState.AVAILABLE
    assert events == [AgentCallReleased("arm1", "250", at(65), "c1", None)]


def test_present_without_skill_is_refused() -> None:
    assert not can_take(available(), Flux.SMUR)
    with pytest.raises(TransitionRefused, match="no skill for flux Smur"):
        agent_present(available(), "c1", Flux.SMUR, at(3))


def test_can_take_checks_language() -> None:
    assert can_take(available(), Flux.CENTRE_15, "en")
    assert not can_take(available(), Flux.CENTRE_15, "de")


def test_missed_presentation_returns_to_available_then_pauses_absent() -> None:
    agent, events = agent_miss_presentation(presented(), "c1", at(23))
    assert agent.state is AgentState.AVAILABLE
    assert agent.missed_presentations == 1
    assert events == [AgentPresentationMissed("arm1", "250", at(23), "c1", 1)]
    agent = agent_present(agent, "c2", Flux.CENTRE_15, at(24))[0]
    agent, events = agent_miss_presentation(agent, "c2", at(44))
    assert agent.state is AgentState.PAUSED
    assert agent.pause_reason is PauseReason.ABSENT
    assert events == [
        AgentPresentationMissed("arm1", "250", at(44), "c2", 2),
        AgentPaused("arm1", "250", at(44), PauseReason.ABSENT),
    ]
    agent = agent_resume(agent, at(100))[0]
    assert agent.missed_presentations == 0


def test_answering_resets_missed_presentations() -> None:
    agent = agent_miss_presentation(presented(), "c1", at(23))[0]
    agent = agent_present(agent, "c2", Flux.CENTRE_15, at(24))[0]
    agent = agent_answer(agent, "c2", at(25))[0]
    assert agent.missed_presentations == 0


def test_max_missed_one_pauses_at_once_and_must_be_positive() -> None:
    agent, _ = agent_miss_presentation(presented(), "c1", at(23), max_missed=1)
    assert agent.pause_reason is PauseReason.ABSENT
    with pytest.raises(ValueError, match="max_missed"):
        agent_miss_presentation(presented(), "c1", at(23), max_missed=0)


def test_withdrawn_presentation_is_not_counted() -> None:
    agent, events = agent_withdraw_presentation(presented(), "c1", at(10))
    assert agent.state is AgentState.AVAILABLE
    assert agent.missed_presentations == 0
    assert events == [AgentPresentationWithdrawn("arm1", "250", at(10), "c1")]


@pytest.mark.parametrize(
    "action",
    [
        lambda a: agent_answer(a, "other", at(9)),
        lambda a: agent_miss_presentation(a, "other", at(9)),
        lambda a: agent_withdraw_presentation(a, "other", at(9)),
    ],
)
def test_acting_on_another_call_is_refused(action: object) -> None:
    assert callable(action)
    with pytest.raises(TransitionRefused, match="call other, it holds c1"):
        action(presented())


def test_releasing_another_call_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="it holds c1"):
        agent_release(on_call(), "other", at(9))


def test_time_going_backwards_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="time goes backwards"):
        agent_pause(available(), PauseReason.BREAK, T0)


MAKERS = {
    AgentState.LOGGED_OUT: logged_out,
    AgentState.AVAILABLE: available,
    AgentState.PAUSED: paused,
    AgentState.PRESENTED: presented,
    AgentState.ON_CALL: on_call,
    AgentState.AFTER_CALL_WORK: after_call_work,
}
ALLOWED = {
    "log_in": {AgentState.LOGGED_OUT},
    "log_out": {AgentState.AVAILABLE, AgentState.PAUSED, AgentState.AFTER_CALL_WORK},
    "pause": {AgentState.AVAILABLE},
    "resume": {AgentState.PAUSED},
    "present": {AgentState.AVAILABLE},
    "answer": {AgentState.PRESENTED},
    "release": {AgentState.ON_CALL},
    "end_acw": {AgentState.AFTER_CALL_WORK},
    "miss": {AgentState.PRESENTED},
    "withdraw": {AgentState.PRESENTED},
}


def act(action: str, agent: Agent) -> object:
    now = at(500)
    actions = {
        "log_in": lambda: agent_log_in(agent, now),
        "log_out": lambda: agent_log_out(agent, now),
        "pause": lambda: agent_pause(agent, PauseReason.BREAK, now),
        "resume": lambda: agent_resume(agent, now),
        "present": lambda: agent_present(agent, "c9", Flux.CENTRE_15, now),
        "answer": lambda: agent_answer(agent, "c1", now),
        "release": lambda: agent_release(agent, "c1", now),
        "end_acw": lambda: agent_end_after_call_work(agent, now),
        "miss": lambda: agent_miss_presentation(agent, "c1", now),
        "withdraw": lambda: agent_withdraw_presentation(agent, "c1", now),
    }
    return actions[action]()


@pytest.mark.parametrize(
    ("action", "state"),
    [(action, state) for action, allowed in ALLOWED.items() for state in AgentState if state not in allowed],
)
def test_every_impossible_transition_is_refused(action: str, state: AgentState) -> None:
    agent = MAKERS[state]()
    assert agent.state is state
    with pytest.raises(TransitionRefused, match=f"agent arm1: cannot .* while {state.value}"):
        act(action, agent)


@pytest.mark.parametrize(
    ("action", "state"), [(action, state) for action, allowed in ALLOWED.items() for state in sorted(allowed)]
)
def test_every_possible_transition_succeeds(action: str, state: AgentState) -> None:
    result = act(action, MAKERS[state]())
    assert isinstance(result, tuple)
    assert result[1]
