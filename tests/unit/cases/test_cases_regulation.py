"""Qualification, patients, P0 reflex, queue and holder, R levels, append-only notes, decisions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from sisamu.cases import regulation
from sisamu.cases.model import (
    Actor,
    DecisionRecorded,
    InvalidFile,
    NoteAdded,
    PatientSaved,
    RegulationStep,
    new_file,
    normalize_phone,
)
from sisamu.domain.codes import Attribution, Etat, NiveauSoin, Priorite, TypeDecision, TypeRessource
from sisamu.domain.errors import TransitionRefused

T0 = datetime(2026, 1, 25, 10, 0, tzinfo=UTC)
ARM = Actor(uuid.uuid4(), "Alice ARM", "arm")
MR = Actor(uuid.uuid4(), "Dr Martin", "regulator")
MR2 = Actor(uuid.uuid4(), "Dr Bernard", "regulator")


def make(**qualification):
    return (
        new_file(
            samu_id="250",
            number="DRFR152502602500001",
            case_id="fr.health.samu250.DRFR152502602500001",
            actor=ARM,
            now=T0,
            call_id="call-42",
            qualification=None,
        )
        if not qualification
        else _with(qualification)
    )


def _with(qualification):
    file = make()
    regulation.update_qualification(file, qualification)
    return file


# --- qualification ---------------------------------------------------------------------------------------


def test_qualification_is_checked_against_the_code_lists():
    file = make()
    regulation.update_qualification(
        file,
        {
            "caller_phone": "06 12 34 56 78",
            "motif": "M01.01",
            "lieu": "L01.01.01",
            "priority": "P1",
            "attribution": "DR.DREG",
            "location": {
                "address": " 2 rue Mégevand ",
                "commune_insee": "25056",
                "lat": 47.24,
                "lon": 6.02,
                "precision": "ADRESSE",
                "aml": True,
            },
        },
    )
    q = file.qualification
    assert q.caller_phone == "+33612345678"
    assert q.priority is Priorite.P1
    assert q.attribution is Attribution.DR_DREG
    assert q.location.address == "2 rue Mégevand"
    assert q.location.aml
    assert file.call_id == "call-42"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"motif": "M99.99"}, "HubSante.motif"),
        ({"lieu": "L99"}, "HubSante.lieu"),
        ({"priority": "P9"}, "P9"),
        ({"attribution": "XX"}, "XX"),
        ({"caller_phone": "appelle-moi"}, "not a phone number"),
        ({"location": {"lat": 47.0}}, "both latitude and longitude"),
        ({"location": {"lat": 91.0, "lon": 0.0}}, "latitude out of range"),
        ({"location": {"lat": 1.0, "lon": 181.0}}, "longitude out of range"),
        ({"location": {"precision": "PRES"}}, "HubSante.precision"),
        ({"location": {"aml": True}}, "AML location needs a point"),
        ({"location": {"commune_insee": "123"}}, "INSEE"),
        ({"colour": "red"}, "unknown qualification fields: colour"),
    ],
)
def test_bad_qualification_is_refused_with_a_reason(changes, reason):
    with pytest.raises((InvalidFile, ValueError), match=reason):
        regulation.update_qualification(make(), changes)


def test_priority_is_not_pre_set():
    """Issue 13: no priority until the ARM chooses one (it used to be P2 by default); once chosen it stays."""
    file = make()
    assert file.qualification.priority is None
    regulation.update_qualification(file, {"priority": "P1"})
    regulation.update_qualification(file, {"priority": None, "motif": None})
    assert file.qualification.priority is Priorite.P1


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0044 20 7946 0000", "+442079460000"),
        ("15", "15"),
        ("  ", None),
        (None, None),
    ],
)
def test_phone_numbers_are_normalised(raw, normalised):
    assert normalize_phone(raw) == normalised


# --- patients ---------------------------------------------------------------------------------------------


def test_several_patients_numbered_from_one():
    file = make()
    first = regulation.add_patient(file, T0, {"last_name": "Durand", "first_name": "Léa", "sex": "F"})
    second = regulation.add_patient(file, T0, {"age": "P6M", "sex": "M"})
    assert (first.patient_no, second.patient_no) == (1, 2)
    regulation.update_patient(file, T0, 2, {"first_name": "Tom", "birth_date": date(2025, 7, 1)})
    assert file.patient(2).first_name == "Tom"
    assert file.patient(2).sex == "M"
    assert file.changes[-3:] == [PatientSaved(1), PatientSaved(2), PatientSaved(2)]


@pytest.mark.parametrize(
    ("identity", "reason"),
    [
        ({"sex": "X"}, "HubSante.sexe"),
        ({"age": "45 ans"}, "P45Y"),
        ({"birth_date": date(2027, 1, 1)}, "future"),
        ({"care_level": "R1"}, "not identity traits"),
    ],
)
def test_bad_patient_is_refused(identity, reason):
    with pytest.raises(InvalidFile, match=reason):
        regulation.add_patient(make(), T0, identity)


def test_unknown_patient_is_refused():
    with pytest.raises(InvalidFile, match="no patient 3"):
        regulation.update_patient(make(), T0, 3, {"sex": "F"})


# --- P0 ----------------------------------------------------------------------------------------------------


def test_p0_reflex_departure_sends_the_file_straight_to_a_physician():
    file = make(priority="P1")
    decision = regulation.reflex_departure(file, ARM, T0, TypeRessource.SMUR)
    assert decision.reflex
    assert decision.kind is TypeDecision.INTER
    assert decision.resource_type is TypeRessource.SMUR
    assert decision.role == "arm"
    assert file.qualification.priority is Priorite.P0
    assert file.step is RegulationStep.DIRECT
    assert file.queued_at == T0
    assert isinstance(file.changes[-1], DecisionRecorded)


def test_p0_hand_over_skips_the_queue_and_others_wait_in_it():
    p0 = make(priority="P0")
    regulation.hand_over(p0, T0)
    assert p0.step is RegulationStep.DIRECT
    p2 = make()
    regulation.hand_over(p2, T0)
    assert p2.step is RegulationStep.QUEUED
    regulation.update_qualification(p2, {"priority": "P0"})
    assert p2.step is RegulationStep.DIRECT


def test_reflex_on_a_held_file_keeps_its_holder():
    file = make()
    regulation.take(file, MR, T0)
    regulation.reflex_departure(file, ARM, T0, TypeRessource.SIS)
    assert file.step is RegulationStep.HELD


def test_no_reflex_departure_for_a_planned_transfer():
    file = new_file(samu_id="250", number="N", case_id="C", actor=ARM, now=T0, program=True)
    with pytest.raises(TransitionRefused, match="planned transfer"):
        regulation.reflex_departure(file, ARM, T0, TypeRessource.SMUR)


def test_nr_files_are_not_handed_over_and_waiting_files_not_twice():
    with pytest.raises(TransitionRefused, match="NR"):
        regulation.hand_over(make(priority="NR"), T0)
    file = make()
    regulation.hand_over(file, T0)
    with pytest.raises(TransitionRefused, match="already waiting"):
        regulation.hand_over(file, T0)


# --- holder ------------------------------------------------------------------------------------------------


def test_a_physician_takes_and_holds_the_file_alone():
    file = make(attribution="DR")
    regulation.hand_over(file, T0)
    regulation.take(file, MR, T0 + timedelta(minutes=2))
    assert file.step is RegulationStep.HELD
    assert file.holder is not None
    assert file.holder.name == "Dr Martin"
    assert file.is_drm
    assert file.qualification.attribution is Attribution.DRM
    regulation.take(file, MR, T0)  # taking it again is harmless
    with pytest.raises(TransitionRefused, match="held by Dr Martin"):
        regulation.take(file, MR2, T0)
    with pytest.raises(TransitionRefused, match="held by Dr Martin"):
        regulation.set_care_level(file, MR2, T0, 1, NiveauSoin.R1)
    with pytest.raises(TransitionRefused, match="held by Dr Martin, not by Dr Bernard"):
        regulation.release(file, MR2, T0)
    with pytest.raises(TransitionRefused, match="held by Dr Martin"):
        regulation.hand_over(file, T0)


def test_only_physicians_take_files():
    with pytest.raises(TransitionRefused, match="only a physician"):
        regulation.take(make(), ARM, T0)


def test_release_without_decision_goes_back_to_the_queue_keeping_its_place():
    file = make()
    regulation.hand_over(file, T0)
    regulation.take(file, MR, T0 + timedelta(minutes=5))
    regulation.release(file, MR, T0 + timedelta(minutes=6))
    assert file.step is RegulationStep.QUEUED
    assert file.queued_at == T0
    assert file.holder is None


def test_release_after_a_decision_means_regulated():
    file = make()
    regulation.record_decision(file, MR, T0, TypeDecision.CONSEIL)  # takes the free file on the way
    regulation.release(file, MR, T0)
    assert file.step is RegulationStep.REGULATED
    with pytest.raises(TransitionRefused, match="not held"):
        regulation.release(file, MR, T0)


def test_a_released_p0_returns_to_direct_handover():
    file = make()
    regulation.reflex_departure(file, ARM, T0, TypeRessource.SMUR)
    regulation.take(file, MR, T0)
    regulation.release(file, MR, T0)
    assert file.step is RegulationStep.DIRECT


# --- R levels, notes, decisions ------------------------------------------------------------------------------


def test_r_level_per_patient():
    file = make()
    regulation.add_patient(file, T0, {"last_name": "A"})
    regulation.add_patient(file, T0, {"last_name": "B"})
    regulation.set_care_level(file, MR, T0, 1, NiveauSoin.R3)
    regulation.set_care_level(file, MR, T0, 2, NiveauSoin.R1)
    assert file.patient(1).care_level is NiveauSoin.R3
    assert file.patient(2).care_level_by == "Dr Martin"
    assert file.highest_care_level() is NiveauSoin.R1
    with pytest.raises(InvalidFile, match="no patient 3"):
        regulation.set_care_level(file, MR, T0, 3, NiveauSoin.R1)


def test_notes_are_append_only_and_corrections_refer_to_the_old_note():
    file = make()
    first = regulation.add_note(file, ARM, T0, "  Douleur thoracique depuis 1 h ")
    fix = regulation.add_note(file, MR, T0, "Depuis 2 h, pas 1 h", corrects=first.note_no)
    assert first.body == "Douleur thoracique depuis 1 h"
    assert (fix.note_no, fix.corrects, fix.role) == (2, 1, "regulator")
    assert file.notes[0] == first  # the corrected note is unchanged
    assert [type(c) for c in file.changes[-2:]] == [NoteAdded, NoteAdded]
    with pytest.raises(InvalidFile, match="no note 9"):
        regulation.add_note(file, MR, T0, "x", corrects=9)
    with pytest.raises(InvalidFile, match="empty"):
        regulation.add_note(file, MR, T0, "   ")
    with pytest.raises(InvalidFile, match="at most"):
        regulation.add_note(file, MR, T0, "x" * 10_001)
    with pytest.raises(InvalidFile, match="no patient 1"):
        regulation.add_note(file, MR, T0, "x", patient_no=1)


def test_notes_have_no_edit_operation():
    public = {name for name in dir(regulation) if not name.startswith("_")}
    assert not {n for n in public if "note" in n} - {"add_note", "Note", "NoteAdded"}


@pytest.mark.parametrize(
    ("kind", "extra", "reason"),
    [
        (TypeDecision.INTER, {}, "names the type of resource"),
        (TypeDecision.CONSEIL, {"resource_type": TypeRessource.SMUR}, "sends no resource"),
        (TypeDecision.ORIENT, {}, "names its destination"),
        (TypeDecision.PMT, {"destination": "CHU"}, "has no destination"),
        (TypeDecision.ORIENT, {"destination": "CHU", "orientation": "LOIN"}, "typeOrientation"),
        (TypeDecision.PASPLUS, {"patient_no": 4}, "no patient 4"),
    ],
)
def test_bad_decisions_are_refused(kind, extra, reason):
    with pytest.raises(InvalidFile, match=reason):
        regulation.record_decision(make(), MR, T0, kind, **extra)


def test_every_decision_type():
    file = make()
    regulation.add_patient(file, T0, {"last_name": "A"})
    regulation.record_decision(file, MR, T0, TypeDecision.CONSEIL)
    regulation.record_decision(file, MR, T0, TypeDecision.PMT, patient_no=1)
    regulation.record_decision(file, MR, T0, TypeDecision.INTER, resource_type=TypeRessource.TSU)
    regulation.record_decision(
        file,
        MR,
        T0,
        TypeDecision.ORIENT,
        orientation="URGENCES",
        destination="250000015",
        medical_transport=True,
    )
    regulation.record_decision(file, MR, T0, TypeDecision.PASPLUS)
    assert [d.kind for d in file.decisions] == list(TypeDecision)
    assert [d.decision_no for d in file.decisions] == [1, 2, 3, 4, 5]
    assert file.state is Etat.ACTIF
