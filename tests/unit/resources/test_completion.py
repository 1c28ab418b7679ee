"""Whether a file's decisions were carried out (ACHEVE guard, issue 13): pure rules of `resources.completion`."""

from __future__ import annotations

import pytest

from sisamu.domain.codes import StatutVecteur as S
from sisamu.platform.events import DecidedResource
from sisamu.resources.completion import MissionOnFile, completion_gaps, same_kind

INTER_SMUR = DecidedResource(decision_no=1, kind="INTER", resource_type="SMUR", reflex=True)
NO_UNIT = "Intervention SMUR (départ réflexe) : aucun moyen engagé"


def mission(status: S, kind: str = "SMUR", unit: str = "VLM 1") -> MissionOnFile:
    return MissionOnFile(mission_id=1, resource_type=kind, unit=unit, status=status)


@pytest.mark.parametrize(
    ("decided", "unit", "answers"),
    [("SMUR", "SMUR", True), ("SMUR", "SMUR.ADULT", True), ("SMUR.PED", "SMUR", True), ("SMUR", "SIS", False),
     ("SMUR", "SMURX", False), ("TSU", "SIS", False)],
)  # fmt: skip
def test_same_kind(decided, unit, answers):
    assert same_kind(decided, unit) is answers


def test_no_unit_engaged_is_a_gap():
    assert completion_gaps([INTER_SMUR], []) == [NO_UNIT]


def test_a_unit_of_another_type_does_not_carry_out_the_decision():
    assert completion_gaps([INTER_SMUR], [mission(S.FINPEC, kind="SIS", unit="VSAV")]) == [NO_UNIT]


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (S.DECISION, "Décision"),
        (S.DECLENCHE, "Déclenché"),
        (S.DEPART, "Début d’intervention"),
        (S.ARRIVEE, "Arrivée sur les lieux"),
        (S.PEC, "Début de prise en charge"),
        (S.TRANSP, "Départ des lieux"),
        (S.DESTIN, "Arrivée à destination"),
    ],
)
def test_a_mission_under_way_is_a_gap_said_in_french(status, said):
    assert completion_gaps([INTER_SMUR], [mission(status)]) == [f"VLM 1 : mission en cours ({said})"]


@pytest.mark.parametrize("status", [S.FINPEC, S.RETOUR, S.RET_BASE, S.REN_BASE])
def test_a_finished_mission_carries_out_the_decision(status):
    assert completion_gaps([INTER_SMUR], [mission(status)]) == []


def test_a_cancelled_mission_carries_nothing_out_but_a_later_one_does():
    assert completion_gaps([INTER_SMUR], [mission(S.ANNULE)]) == [NO_UNIT]
    assert completion_gaps([INTER_SMUR], [mission(S.ANNULE), mission(S.RETOUR, unit="AR 1")]) == []


def test_decisions_sending_nothing_need_nothing():
    assert completion_gaps([], []) == []
