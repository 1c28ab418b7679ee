"""Every life-cycle transition of the regulation file, and every refusal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from sisamu.cases import lifecycle, regulation
from sisamu.cases.model import Actor, RegulationStep, new_file
from sisamu.domain.codes import Etat, NiveauSoin, TypeDecision
from sisamu.domain.errors import TransitionRefused

T0 = datetime(2026, 1, 25, 10, 0, tzinfo=UTC)
ARM = Actor(uuid.uuid4(), "Alice ARM", "arm")
MR = Actor(uuid.uuid4(), "Dr Martin", "regulator")


def make(*, program: bool = False, motif: str | None = "M01.01"):
    file = new_file(
        samu_id="250",
        number="DRFR152502602500001",
        case_id="fr.health.samu250.DRFR152502602500001",
        actor=ARM,
        now=T0,
        program=program,
    )
    regulation.update_qualification(file, {"motif": motif})
    return file


def achieved(**kwargs):
    file = make(**kwargs)
    regulation.add_patient(file, T0, {"last_name": "Durand"})
    regulation.set_care_level(file, MR, T0, 1, NiveauSoin.R2)
    regulation.record_decision(file, MR, T0, TypeDecision.CONSEIL)
    lifecycle.complete(file, MR, T0)
    return file


def at(state: Etat):
    """A file brought to `state` through the legal path."""
    file = achieved()
    if state is Etat.ACHEVE:
        return file
    lifecycle.validate(file, MR, T0)
    if state is Etat.VALIDE:
        return file
    lifecycle.close(file, MR, T0 + timedelta(hours=1))
    if state is Etat.CLOTURE:
        return file
    lifecycle.classify(file, T0 + timedelta(days=100))
    if state is Etat.CLASSE:
        return file
    lifecycle.archive(file, MR, T0 + timedelta(days=101))
    return file


def test_a_call_opens_an_actif_file_and_a_planned_transfer_a_program_file():
    file = make()
    assert file.state is Etat.ACTIF
    assert file.activated_at == T0
    assert [h.state for h in file.history] == [Etat.ACTIF]
    planned = make(program=True)
    assert planned.state is Etat.PROGRAM
    assert planned.activated_at is None
    assert planned.history[0].reason == "planned"


def test_program_to_actif():
    file = make(program=True)
    lifecycle.activate(file, ARM, T0 + timedelta(hours=2))
    assert file.state is Etat.ACTIF
    assert file.activated_at == T0 + timedelta(hours=2)


def test_only_program_files_are_activated():
    with pytest.raises(TransitionRefused, match="only a PROGRAM file"):
        lifecycle.activate(make(), ARM, T0)


def test_actif_to_acheve_needs_a_decision():
    file = make()
    with pytest.raises(TransitionRefused, match="no decision"):
        lifecycle.complete(file, MR, T0)
    regulation.record_decision(file, MR, T0, TypeDecision.PASPLUS)
    lifecycle.complete(file, MR, T0)
    assert file.state is Etat.ACHEVE


@pytest.mark.parametrize("state", [Etat.PROGRAM, Etat.ACHEVE, Etat.VALIDE])
def test_only_actif_becomes_acheve(state):
    file = make(program=True) if state is Etat.PROGRAM else at(state)
    with pytest.raises(TransitionRefused, match="only an ACTIF file"):
        lifecycle.complete(file, MR, T0)


def test_acheve_to_valide():
    file = achieved()
    lifecycle.validate(file, MR, T0)
    assert file.state is Etat.VALIDE


def test_validation_lists_every_gap():
    file = make(motif=None)
    regulation.add_patient(file, T0, {"last_name": "Durand"})
    regulation.record_decision(file, MR, T0, TypeDecision.CONSEIL)
    lifecycle.complete(file, MR, T0)
    with pytest.raises(TransitionRefused, match=r"no reason .*patient 1 has no R level"):
        lifecycle.validate(file, MR, T0)


def test_only_acheve_is_validated():
    with pytest.raises(TransitionRefused, match="only an ACHEVE file"):
        lifecycle.validate(make(), MR, T0)


@pytest.mark.parametrize("state", [Etat.ACHEVE, Etat.VALIDE])
def test_a_new_decision_sends_the_file_back_to_actif(state):
    file = at(state)
    regulation.record_decision(file, MR, T0, TypeDecision.ORIENT, destination="CHU Besançon")
    assert file.state is Etat.ACTIF
    assert file.history[-1].reason == "new decision ORIENT"


def test_back_to_actif_only_by_a_decision():
    with pytest.raises(TransitionRefused, match="only with a new decision"):
        lifecycle.transition(at(Etat.VALIDE), Etat.ACTIF, MR, T0)
    with pytest.raises(TransitionRefused, match="only ACHEVE or VALIDE"):
        lifecycle.reopen(make(), MR, T0, "x")


def test_closed_by_hand_only_from_valide():
    with pytest.raises(TransitionRefused, match="only a VALIDE file is closed by hand"):
        lifecycle.close(achieved(), MR, T0)
    file = at(Etat.VALIDE)
    lifecycle.close(file, MR, T0 + timedelta(hours=1))
    assert file.state is Etat.CLOTURE
    assert file.closed_at == T0 + timedelta(hours=1)


@pytest.mark.parametrize("state", [Etat.ACTIF, Etat.ACHEVE, Etat.VALIDE])
def test_automatic_closure_24_hours_after_actif(state):
    file = make() if state is Etat.ACTIF else at(state)
    assert lifecycle.due_step(file, T0 + timedelta(hours=23, minutes=59)) is None
    with pytest.raises(TransitionRefused, match="closes automatically only from"):
        lifecycle.close(file, lifecycle.SYSTEM, T0 + timedelta(hours=23), automatic=True)
    assert lifecycle.apply_due_step(file, T0 + timedelta(hours=24)) is Etat.CLOTURE
    assert file.state is Etat.CLOTURE
    assert file.history[-1].actor == "system"


def test_a_program_file_is_not_closed_automatically():
    file = make(program=True)
    assert lifecycle.due_step(file, T0 + timedelta(days=30)) is None
    with pytest.raises(TransitionRefused, match="nothing to close automatically"):
        lifecycle.close(file, lifecycle.SYSTEM, T0 + timedelta(days=30), automatic=True)


def test_closure_releases_the_holder():
    file = make()
    regulation.take(file, MR, T0)
    lifecycle.apply_due_step(file, T0 + timedelta(days=1))
    assert file.holder is None


def test_classe_three_months_after_cloture():
    file = at(Etat.CLOTURE)  # closed at T0 + 1 h, 25 January
    assert lifecycle.classify_due_at(file) == datetime(2026, 4, 25, 11, 0, tzinfo=UTC)
    with pytest.raises(TransitionRefused, match="CLASSE automatically from"):
        lifecycle.classify(file, datetime(2026, 4, 25, 10, 59, tzinfo=UTC))
    assert lifecycle.apply_due_step(file, datetime(2026, 4, 25, 11, 0, tzinfo=UTC)) is Etat.CLASSE


def test_only_cloture_becomes_classe():
    with pytest.raises(TransitionRefused, match="only a CLOTURE file"):
        lifecycle.classify(at(Etat.VALIDE), T0 + timedelta(days=400))


def test_archive_only_from_classe():
    with pytest.raises(TransitionRefused, match="only a CLASSE file"):
        lifecycle.archive(at(Etat.CLOTURE), MR, T0)
    assert at(Etat.ARCHIVE).state is Etat.ARCHIVE


def test_add_months_clamps_to_the_end_of_month():
    assert lifecycle.add_months(datetime(2026, 11, 30, tzinfo=UTC), 3) == datetime(2027, 2, 28, tzinfo=UTC)
    assert lifecycle.add_months(datetime(2026, 2, 15, tzinfo=UTC), -3) == datetime(2025, 11, 15, tzinfo=UTC)


@pytest.mark.parametrize("state", [Etat.CLOTURE, Etat.CLASSE, Etat.ARCHIVE])
def test_no_change_after_closure(state):
    file = at(state)
    refused = [
        lambda: regulation.update_qualification(file, {"priority": "P1"}),
        lambda: regulation.add_patient(file, T0, {"last_name": "X"}),
        lambda: regulation.update_patient(file, T0, 1, {"first_name": "Y"}),
        lambda: regulation.add_note(file, MR, T0, "trop tard"),
        lambda: regulation.record_decision(file, MR, T0, TypeDecision.CONSEIL),
        lambda: regulation.set_care_level(file, MR, T0, 1, NiveauSoin.R1),
        lambda: regulation.take(file, MR, T0),
        lambda: regulation.hand_over(file, T0),
    ]
    for attempt in refused:
        with pytest.raises(TransitionRefused, match="a new call opens a new file"):
            attempt()
    assert lifecycle.due_step(file, T0 + timedelta(days=10_000)) in {None, Etat.CLASSE}


@pytest.mark.parametrize(
    ("state", "target", "reason"),
    [
        (Etat.ACTIF, Etat.ACTIF, "already ACTIF"),
        (Etat.ACTIF, Etat.PROGRAM, "cannot return to PROGRAM"),
        (Etat.ACTIF, Etat.VALIDE, "only an ACHEVE file"),
        (Etat.ACTIF, Etat.CLOTURE, "only a VALIDE file"),
        (Etat.ACTIF, Etat.CLASSE, "only a CLOTURE file"),
        (Etat.ACTIF, Etat.ARCHIVE, "only a CLASSE file"),
        (Etat.CLOTURE, Etat.ACTIF, "only a PROGRAM file"),
        (Etat.CLOTURE, Etat.ACHEVE, "only an ACTIF file"),
    ],
)
def test_transition_refusals_say_why(state, target, reason):
    file = make() if state is Etat.ACTIF else at(state)
    with pytest.raises(TransitionRefused, match=reason):
        lifecycle.transition(file, target, MR, T0)


def test_transition_dispatch_reaches_every_state():
    file = make(program=True)
    lifecycle.transition(file, Etat.ACTIF, ARM, T0)
    regulation.add_patient(file, T0, {"age": "P40Y"})
    regulation.set_care_level(file, MR, T0, 1, NiveauSoin.R4)
    regulation.record_decision(file, MR, T0, TypeDecision.CONSEIL)
    for target in (Etat.ACHEVE, Etat.VALIDE, Etat.CLOTURE):
        lifecycle.transition(file, target, MR, T0)
    lifecycle.transition(file, Etat.CLASSE, MR, T0 + timedelta(days=95))
    lifecycle.transition(file, Etat.ARCHIVE, MR, T0 + timedelta(days=96))
    assert [h.state for h in file.history] == [
        Etat.PROGRAM,
        Etat.ACTIF,
        Etat.ACHEVE,
        Etat.VALIDE,
        Etat.CLOTURE,
        Etat.CLASSE,
        Etat.ARCHIVE,
    ]
    assert file.step is RegulationStep.HELD or file.holder is None
