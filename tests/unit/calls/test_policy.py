"""Distribution and overflow policy: ordering, skills, overflow triggers, and no double assignment."""

from __future__ import annotations

import random

from sisamu.calls.distribution.policy import (
    Agent,
    AgentState,
    Assign,
    HourRange,
    OverflowAgreement,
    OverflowRules,
    Priority,
    Snapshot,
    WaitingCall,
    choose_agent,
    choose_call,
    distribute,
    utc_hour,
    zoned_hour,
)

AV = AgentState.AVAILABLE
SK = frozenset({"15"})


def call(cid: str, samu: str = "250", t: float = 0.0, prio: Priority = Priority.PX, **kw: str) -> WaitingCall:
    return WaitingCall(cid, samu, kw.get("flux", "15"), prio, t, kw.get("language"))


def agent(aid: str, samu: str = "250", idle: float = 0.0, state: AgentState = AV, skills=SK) -> Agent:
    return Agent(aid, samu, state, frozenset(skills), idle)


def test_uv_before_px_then_arrival() -> None:
    calls = (call("a", t=1), call("b", t=5, prio=Priority.UV), call("c", t=0))
    got = distribute(Snapshot(calls, (agent("x", idle=3), agent("y", idle=1))), now=10)
    assert got == [Assign("b", "y", None), Assign("c", "x", None)]


def test_longest_idle_with_skill_and_language() -> None:
    agents = {
        "250": [
            agent("old", idle=0, skills={"15"}),
            agent("de", idle=5, skills={"15", "de"}),
            agent("paused", idle=-9, state=AgentState.PAUSED),
        ]
    }
    rules = OverflowRules()
    assert choose_agent(call("1"), agents, rules, 10) == Assign("1", "old", None)
    assert choose_agent(call("2", language="de"), agents, rules, 10) == Assign("2", "de", None)
    assert choose_agent(call("3", flux="116117"), agents, rules, 10) is None


def test_overflow_after_threshold_in_partner_order() -> None:
    rules = OverflowRules({"250": OverflowAgreement("250", ("390", "700"), wait_threshold_s=30)})
    agents = {"250": [], "390": [agent("j", "390", idle=50)], "700": [agent("h", "700", idle=0)]}
    assert choose_agent(call("1", t=0), agents, rules, now=29) is None
    assert choose_agent(call("1", t=0), agents, rules, now=30) == Assign("1", "j", "250")


def test_overflow_by_queue_length_and_hours() -> None:
    agreement = OverflowAgreement("250", ("390",), 600, queue_threshold=2, hours=(HourRange(20, 8),))
    rules = OverflowRules({"250": agreement})
    agents = {"390": [agent("j", "390")]}
    queues = {"250": [call("1"), call("2", t=1)], "390": []}
    night, day = 22 * 3600.0, 12 * 3600.0
    assert choose_agent(queues["250"][0], agents, rules, night, queues=queues) == Assign("1", "j", "250")
    assert choose_agent(queues["250"][0], agents, rules, day, queues=queues) is None


def test_partner_serves_its_own_callers_first() -> None:
    rules = OverflowRules({"250": OverflowAgreement("250", ("390",), 0)})
    agents = {"390": [agent("j", "390")]}
    queues = {"250": [call("1")], "390": [call("own", "390", t=5)]}
    assert choose_agent(queues["250"][0], agents, rules, 100, queues=queues) is None
    snap = Snapshot((*queues["250"], *queues["390"]), (agent("j", "390"),), rules)
    assert distribute(snap, 100) == [Assign("own", "j", None)]


def test_national_pooling_reaches_any_samu() -> None:
    rules = OverflowRules(national_pooling=True, pooling_wait_s=10)
    agents = {"250": [], "972": [agent("m", "972", idle=3)], "130": [agent("p", "130", idle=1)]}
    assert choose_agent(call("1"), agents, rules, now=5) is None
    assert choose_agent(call("1"), agents, rules, now=10) == Assign("1", "p", "250")


def test_choose_call_own_queue_then_overflowing_calls() -> None:
    rules = OverflowRules({"250": OverflowAgreement("250", ("390",), 30)})
    j = agent("j", "390", idle=0)
    queues = {"250": [call("1", t=0), call("2", t=50)], "390": []}
    assert choose_call(j, queues, rules, now=20) is None
    assert choose_call(j, queues, rules, now=40) == Assign("1", "j", "250")
    queues["390"] = [call("own", "390", t=39)]
    assert choose_call(j, queues, rules, now=40) == Assign("own", "j", None)
    assert choose_call(agent("b", "390", state=AgentState.ON_CALL), queues, rules, 40) is None


def test_hours_helpers() -> None:
    assert utc_hour("x", 25 * 3600 + 5) == 1
    assert HourRange(8, 20).contains(8)
    assert not HourRange(8, 20).contains(20)
    assert HourRange(0, 0).contains(0) is False
    summer_noon_utc = 1_782_561_600.0  # 2026-06-27 12:00 UTC
    hour = zoned_hour({"250": "Europe/Paris", "974": "Indian/Reunion"})
    assert hour("250", summer_noon_utc) == 14
    assert hour("974", summer_noon_utc) == 16


def _random_snapshot(rng: random.Random) -> Snapshot:
    samus = [f"{n:02d}0" for n in range(1, rng.randint(2, 6))]
    fluxes = ["15", "112", "116117"]
    calls = tuple(
        WaitingCall(
            f"c{i}",
            rng.choice(samus),
            rng.choice(fluxes),
            rng.choice(list(Priority)),
            rng.uniform(0, 100),
            rng.choice([None, None, "en"]),
        )
        for i in range(rng.randint(0, 30))
    )
    agents = tuple(
        Agent(
            f"a{i}",
            rng.choice(samus),
            rng.choice([AV, AV, AV, AgentState.ON_CALL, AgentState.PAUSED]),
            frozenset(rng.sample([*fluxes, "en"], rng.randint(1, 4))),
            rng.uniform(0, 100),
        )
        for i in range(rng.randint(0, 25))
    )
    agreements = {
        s: OverflowAgreement(s, tuple(rng.sample(samus, rng.randint(0, len(samus)))), rng.uniform(0, 60))
        for s in samus
        if rng.random() < 0.7
    }
    return Snapshot(calls, agents, OverflowRules(agreements, national_pooling=rng.random() < 0.3))


def test_property_no_call_or_agent_twice_and_rules_hold() -> None:
    for seed in range(400):
        rng = random.Random(seed)
        snap = _random_snapshot(rng)
        now = 100.0
        decisions = distribute(snap, now)
        call_ids = [d.call_id for d in decisions]
        agent_ids = [d.agent_id for d in decisions]
        assert len(set(call_ids)) == len(call_ids), seed
        assert len(set(agent_ids)) == len(agent_ids), seed
        calls = {c.call_id: c for c in snap.calls}
        agents = {a.agent_id: a for a in snap.agents}
        for d in decisions:
            c, a = calls[d.call_id], agents[d.agent_id]
            assert a.state is AV
            assert c.flux in a.skills
            assert c.language is None or c.language in a.skills
            assert (d.overflowed_from is None) == (a.samu == c.samu), seed
        # Maximality within a SAMU: no leftover call that a leftover available agent of its SAMU could take.
        left_calls = [c for c in snap.calls if c.call_id not in call_ids]
        left_agents = [a for a in snap.agents if a.agent_id not in agent_ids and a.state is AV]
        for c in left_calls:
            for a in left_agents:
                assert not (a.samu == c.samu and c.flux in a.skills and c.language in (None, *a.skills)), seed


def test_property_fast_paths_agree_with_snapshot() -> None:
    for seed in range(300):
        rng = random.Random(seed)
        snap = _random_snapshot(rng)
        queues: dict[str, list[WaitingCall]] = {}
        for c in sorted(snap.calls, key=lambda c: c.order):
            queues.setdefault(c.samu, []).append(c)
        agents: dict[str, list[Agent]] = {}
        for a in snap.agents:
            agents.setdefault(a.samu, []).append(a)
        for c in snap.calls:
            d = choose_agent(c, agents, snap.rules, 100.0, queues=queues)
            if d is not None:
                chosen = next(a for a in snap.agents if a.agent_id == d.agent_id)
                assert chosen.state is AV
                assert c.flux in chosen.skills
        for a in snap.agents:
            d = choose_call(a, queues, snap.rules, 100.0)
            if d is not None:
                taken = next(c for c in snap.calls if c.call_id == d.call_id)
                assert a.state is AV
                assert taken.flux in a.skills
                assert (d.overflowed_from is None) == (taken.samu == a.samu)
