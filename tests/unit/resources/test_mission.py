"""The mission status cycle (`HubSante.statutVecteur`): every allowed path, every refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from sisamu.domain.codes import StatutVecteur as S
from sisamu.domain.codes import code_list
from sisamu.domain.errors import TransitionRefused
from sisamu.resources import mission as cycle
from sisamu.resources.mission import NEXT, Source

T0 = datetime(2026, 1, 25, 10, 0, tzinfo=UTC)
FULL = [
    S.DECLENCHE, S.DEPART, S.ARRIVEE, S.PEC, S.BILAN, S.ORIENTAT, S.TRANSP, S.ETAPE1, S.TRANSP2, S.ETAPE2,
    S.TRANSP3, S.DESTIN, S.FINPEC, S.RETOUR, S.RET_BASE, S.REN_BASE,
]  # fmt: skip


def _mission() -> cycle.Mission:
    return cycle.engage(samu_id="250", mission_id=1, resource_id="VLM", file_number="F", now=T0, actor="Dr A")


def _run(path: list[S]) -> cycle.Mission:
    item = _mission()
    for minute, status in enumerate(path, start=1):
        cycle.advance(item, status, now=T0 + timedelta(minutes=minute), actor="crew", source=Source.CREW)
    return item


def test_the_cycle_covers_every_official_code():
    assert set(NEXT) == set(S) == set(code_list("statutVecteur").codes())


def test_the_whole_cycle_with_both_transit_steps_timestamps_every_status():
    item = _run(FULL)
    assert [e.status for e in item.history] == [S.DECISION, *FULL]
    assert [e.seq for e in item.history] == list(range(1, len(FULL) + 2))
    assert item.time_of(S.DEPART) == T0 + timedelta(minutes=2)
    assert item.time_of(S.ETAPE2) == T0 + timedelta(minutes=10)
    assert item.finished
    assert item.version == len(FULL) + 1
    assert {
        key: item.time_of(status) is not None for key, status in cycle.RPIS_TIMES.items()
    } == dict.fromkeys(cycle.RPIS_TIMES, True)


@pytest.mark.parametrize(
    "path",
    [
        [
            S.DECLENCHE,
            S.DEPART,
            S.ARRIVEE,
            S.PEC,
            S.BILAN,
            S.ORIENTAT,
            S.TRANSP,
            S.DESTIN,
            S.FINPEC,
            S.RETOUR,
        ],
        [S.DECLENCHE, S.DEPART, S.ARRIVEE, S.PEC, S.BILAN, S.FINPEC, S.RETOUR, S.REN_BASE],  # left on scene
        [S.DECLENCHE, S.DEPART, S.ARRIVEE, S.PEC, S.BILAN, S.ORIENTAT, S.FINPEC, S.RETOUR],
        [S.DECLENCHE, S.DEPART, S.ARRIVEE, S.RETOUR, S.RET_BASE],  # nobody to care for
        [
            S.DECLENCHE,
            S.DEPART,
            S.ARRIVEE,
            S.PEC,
            S.BILAN,
            S.ORIENTAT,
            S.TRANSP,
            S.ETAPE1,
            S.TRANSP2,
            S.DESTIN,
        ],
        [S.ANNULE, S.RET_BASE, S.REN_BASE],
        [S.DECLENCHE, S.ANNULE, S.REN_BASE],
        [S.DECLENCHE, S.DEPART, S.ANNULE],
    ],
)
def test_allowed_paths(path):
    assert _run(path).status is path[-1]


def test_the_unit_is_held_until_it_leaves_the_destination():
    item = _mission()
    held = []
    for minute, status in enumerate(FULL, start=1):
        held.append((status, item.holds_resource))
        cycle.advance(item, status, now=T0 + timedelta(minutes=minute), actor="c", source=Source.MQTT)
    assert item.holds_resource is False
    assert [s for s, h in held if not h] == [S.RET_BASE, S.REN_BASE]  # held before RETOUR, free from it on
    assert _run([S.ANNULE]).holds_resource is False


REFUSED = [(a, b) for a, b in product(S, S) if b not in NEXT[a]]


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_every_other_transition_is_refused(current, target):
    with pytest.raises(
        TransitionRefused, match=f"already at {current}" if current is target else "cannot go to"
    ):
        cycle.check_transition(current, target)


def test_refusal_leaves_the_mission_unchanged_and_says_what_is_allowed():
    item = _mission()
    with pytest.raises(TransitionRefused, match="allowed: ANNULE, DECLENCHE"):
        cycle.advance(item, S.ARRIVEE, now=T0, actor="c", source=Source.CREW)
    assert (item.status, len(item.history), item.version) == (S.DECISION, 1, 1)
    finished = _run([S.ANNULE, S.REN_BASE])
    with pytest.raises(TransitionRefused, match="nothing"):
        cycle.advance(finished, S.DEPART, now=T0 + timedelta(hours=1), actor="c", source=Source.CREW)


def test_unknown_code_and_earlier_time_are_refused():
    item = _mission()
    with pytest.raises(TransitionRefused, match=r"not a code of HubSante\.statutVecteur"):
        cycle.advance(item, "PARTI", now=T0, actor="c", source=Source.CREW)
    with pytest.raises(TransitionRefused, match="before DECISION"):
        cycle.advance(item, S.DECLENCHE, now=T0, at=T0 - timedelta(seconds=1), actor="c", source=Source.MQTT)
    entry = cycle.advance(
        item,
        "DECLENCHE",
        now=T0 + timedelta(minutes=5),
        at=T0 + timedelta(minutes=1),
        actor="c",
        source=Source.MQTT,
    )
    assert (entry.at, entry.recorded_at) == (T0 + timedelta(minutes=1), T0 + timedelta(minutes=5))


def test_a_mission_triggered_at_once_starts_at_declenche_and_was_decided_then() -> None:
    item = cycle.engage(
        samu_id="250",
        mission_id=1,
        resource_id="VSAV",
        file_number="F",
        now=T0,
        actor="ARM",
        status=S.DECLENCHE,
    )
    assert [entry.status for entry in item.history] == [S.DECLENCHE]
    assert item.holds_resource
    assert item.time_of(S.DECISION) == item.time_of(S.DECLENCHE) == T0
    cycle.advance(item, S.DEPART, now=T0 + timedelta(minutes=1), actor="crew", source=Source.CREW)
    assert item.status is S.DEPART
    with pytest.raises(TransitionRefused, match="starts at DECISION or DECLENCHE"):
        cycle.engage(
            samu_id="250",
            mission_id=2,
            resource_id="VLM",
            file_number="F",
            now=T0,
            actor="ARM",
            status=S.DEPART,
        )


def test_the_usual_next_status_comes_first_and_every_allowed_one_is_offered():
    assert cycle.next_statuses(S.DECISION) == [S.DECLENCHE, S.ANNULE]
    assert cycle.next_statuses(S.ARRIVEE) == [S.PEC, S.RETOUR]  # no one to carry: available again
    assert cycle.next_statuses(S.TRANSP) == [S.DESTIN, S.ETAPE1]
    assert cycle.next_statuses(S.FINPEC) == [S.RETOUR]
    assert cycle.next_statuses("RETOUR") == [S.REN_BASE, S.RET_BASE]
    assert cycle.next_statuses(S.REN_BASE) == []
    for status, allowed in NEXT.items():
        offered = cycle.next_statuses(status)
        assert sorted(offered) == sorted(allowed)  # each once


def test_following_the_usual_course_from_decision_makes_the_unit_available_then_ends_at_base():
    mission = cycle.engage(
        samu_id="250", mission_id=1, resource_id="VLM", file_number="F", now=T0, actor="Dr A"
    )
    walked = []
    while cycle.next_statuses(mission.status):
        cycle.advance(
            mission, cycle.next_statuses(mission.status)[0], now=T0, actor="crew", source=Source.CREW
        )
        walked.append(mission.status)
        if mission.status is S.RETOUR:
            assert not mission.holds_resource
    assert walked[-3:] == [S.FINPEC, S.RETOUR, S.REN_BASE]
    assert walked[:7] == [S.DECLENCHE, S.DEPART, S.ARRIVEE, S.PEC, S.BILAN, S.ORIENTAT, S.TRANSP]
    assert mission.finished
