"""Qualification and medical regulation rules on a file: patients, P0 reflex, queue, holder, R levels, notes,
decisions. Pure: each function changes the aggregate in place and records what changed."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sisamu.cases.details import Hypothesis, clean
from sisamu.cases.lifecycle import ensure_modifiable, reopen
from sisamu.cases.model import (
    MAX_NOTE_LENGTH,
    ORIENTATIONS,
    PATIENT_FIELDS,
    Actor,
    Decision,
    DecisionRecorded,
    Holder,
    InvalidFile,
    Note,
    NoteAdded,
    Patient,
    PatientSaved,
    RegulationFile,
    RegulationStep,
)
from sisamu.domain.codes import Attribution, Etat, NiveauSoin, Priorite, TypeDecision, TypeRessource
from sisamu.domain.errors import TransitionRefused

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

WAITING_STEPS = frozenset({RegulationStep.QUEUED, RegulationStep.DIRECT})
# INTER sends a resource; ORIENT may name who carries the patient (SMUR, SIS, an ambulance).
RESOURCE_DECISIONS = frozenset({TypeDecision.INTER, TypeDecision.ORIENT})


def update_qualification(file: RegulationFile, changes: Mapping[str, Any]) -> None:
    """Apply the fields given (others unchanged); a P0 waiting in the queue goes straight to a physician."""
    ensure_modifiable(file)
    file.qualification = file.qualification.with_changes(changes)
    if file.qualification.priority is Priorite.P0 and file.step is RegulationStep.QUEUED:
        file.step = RegulationStep.DIRECT


def add_patient(file: RegulationFile, now: datetime, identity: Mapping[str, Any]) -> Patient:
    ensure_modifiable(file)
    _only_patient_fields(identity)
    number = max((p.patient_no for p in file.patients), default=0) + 1
    patient = Patient(patient_no=number, **identity).checked(now.date())
    file.patients.append(patient)
    file.changes.append(PatientSaved(number))
    return patient


def update_patient(
    file: RegulationFile, now: datetime, patient_no: int, changes: Mapping[str, Any]
) -> Patient:
    ensure_modifiable(file)
    _only_patient_fields(changes)
    patient = replace(file.patient(patient_no), **changes).checked(now.date())
    _put_patient(file, patient)
    return patient


def _only_patient_fields(values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(PATIENT_FIELDS)
    if unknown:
        raise InvalidFile(f"not identity traits of a patient: {', '.join(sorted(unknown))}")


def _put_patient(file: RegulationFile, patient: Patient) -> None:
    file.patients = [patient if p.patient_no == patient.patient_no else p for p in file.patients]
    file.changes.append(PatientSaved(patient.patient_no))


def hand_over(file: RegulationFile, now: datetime) -> None:
    """The ARM transfers the file to medical regulation: P0 straight to a physician, others to the queue."""
    ensure_modifiable(file)
    if file.qualification.priority is Priorite.NR:
        raise TransitionRefused(f"file {file.number} is NR (not regulated): it does not go to a physician")
    if file.step in WAITING_STEPS:
        raise TransitionRefused(f"file {file.number} is already waiting for a physician")
    if file.step is RegulationStep.HELD and file.holder is not None:
        raise TransitionRefused(f"file {file.number} is held by {file.holder.name}")
    file.step = RegulationStep.DIRECT if file.qualification.priority is Priorite.P0 else RegulationStep.QUEUED
    file.queued_at = now


def reflex_departure(
    file: RegulationFile,
    actor: Actor,
    now: datetime,
    resource_type: TypeRessource,
    patient_no: int | None = None,
) -> Decision:
    """P0: the ARM sends a resource at once (a reflex INTER decision) and the file skips the queue."""
    ensure_modifiable(file)
    if file.state is Etat.PROGRAM:
        raise TransitionRefused(f"file {file.number} is PROGRAM: a planned transfer has no reflex departure")
    file.qualification = replace(file.qualification, priority=Priorite.P0)
    decision = _record(
        file, actor, now, TypeDecision.INTER, patient_no=patient_no, resource_type=resource_type, reflex=True
    )
    if file.step is not RegulationStep.HELD:
        file.step = RegulationStep.DIRECT
        file.queued_at = file.queued_at or now
    return decision


def take(file: RegulationFile, actor: Actor, now: datetime) -> None:
    """A physician takes the file: held by them alone until released; the DR becomes a DRM."""
    ensure_modifiable(file)
    if not actor.is_physician:
        raise TransitionRefused(f"only a physician takes file {file.number} ({actor.role} asked)")
    if file.holder is not None:
        if file.holder.account_id == actor.account_id:
            return
        raise TransitionRefused(f"file {file.number} is held by {file.holder.name}")
    file.holder = Holder(actor.account_id, actor.name, now)
    file.step = RegulationStep.HELD
    attribution = file.qualification.attribution
    if attribution is None or attribution is Attribution.DR or attribution.startswith("DR."):
        file.qualification = replace(file.qualification, attribution=Attribution.DRM)


def release(file: RegulationFile, actor: Actor, now: datetime) -> None:
    """The holder lets the file go: regulated if a physician decided, otherwise back to where it waited."""
    ensure_modifiable(file)
    if file.holder is None:
        raise TransitionRefused(f"file {file.number} is not held")
    if file.holder.account_id != actor.account_id:
        raise TransitionRefused(f"file {file.number} is held by {file.holder.name}, not by {actor.name}")
    file.holder = None
    if any(not d.reflex for d in file.decisions) or file.state is not Etat.ACTIF:
        file.step = RegulationStep.REGULATED
    else:
        priority = file.qualification.priority
        file.step = RegulationStep.DIRECT if priority is Priorite.P0 else RegulationStep.QUEUED
        file.queued_at = file.queued_at or now


def _ensure_holder(file: RegulationFile, actor: Actor, now: datetime) -> None:
    """Regulation acts need the file held by the actor; a free file is taken on the way."""
    if file.holder is None or file.holder.account_id != actor.account_id:
        take(file, actor, now)


def set_care_level(
    file: RegulationFile, actor: Actor, now: datetime, patient_no: int, level: NiveauSoin
) -> Patient:
    ensure_modifiable(file)
    _ensure_holder(file, actor, now)
    patient = replace(
        file.patient(patient_no), care_level=NiveauSoin(level), care_level_at=now, care_level_by=actor.name
    )
    _put_patient(file, patient)
    return patient


def set_hypothesis(
    file: RegulationFile, actor: Actor, now: datetime, patient_no: int, hypothesis: Hypothesis | None
) -> Patient:
    """The physician states (or clears, with None) a patient's diagnostic hypothesis."""
    ensure_modifiable(file)
    _ensure_holder(file, actor, now)
    patient = replace(file.patient(patient_no), hypothesis=hypothesis.checked() if hypothesis else None)
    _put_patient(file, patient)
    return patient


def received_hypothesis(file: RegulationFile, patient_no: int, hypothesis: Hypothesis) -> Patient:
    """A partner's diagnostic hypothesis for a patient of a shared file, recorded as sent."""
    ensure_modifiable(file)
    patient = replace(file.patient(patient_no), hypothesis=hypothesis.checked())
    _put_patient(file, patient)
    return patient


def add_note(
    file: RegulationFile,
    actor: Actor,
    now: datetime,
    body: str,
    *,
    patient_no: int | None = None,
    corrects: int | None = None,
    hub_id: str | None = None,
) -> Note:
    """Append a note. Notes are never edited: a correction is a new note naming the note it corrects.

    `hub_id` is the id a partner gave its note (received through Hub Santé): kept, so that the note keeps it
    when the file is shared on."""
    ensure_modifiable(file)
    text = body.strip()
    if not text:
        raise InvalidFile("a note cannot be empty")
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidFile(f"a note is at most {MAX_NOTE_LENGTH} characters")
    if patient_no is not None:
        file.patient(patient_no)
    if corrects is not None:
        file.note(corrects)
    note = Note(
        note_no=len(file.notes) + 1,
        body=text,
        author_id=actor.account_id,
        author=actor.name,
        role=actor.role,
        created_at=now,
        patient_no=patient_no,
        corrects=corrects,
        hub_id=clean(hub_id, "note id", 200),
    )
    file.notes.append(note)
    file.changes.append(NoteAdded(note))
    return note


def record_decision(
    file: RegulationFile,
    actor: Actor,
    now: datetime,
    kind: TypeDecision,
    *,
    patient_no: int | None = None,
    resource_type: TypeRessource | None = None,
    orientation: str | None = None,
    destination: str | None = None,
    medical_transport: bool | None = None,
    comment: str | None = None,
) -> Decision:
    """A physician's decision; on an ACHEVE or VALIDE file it sends the file back to ACTIF."""
    ensure_modifiable(file)
    _ensure_holder(file, actor, now)
    return _record(
        file,
        actor,
        now,
        TypeDecision(kind),
        patient_no=patient_no,
        resource_type=resource_type,
        orientation=orientation,
        destination=destination,
        medical_transport=medical_transport,
        comment=comment,
    )


def _record(
    file: RegulationFile,
    actor: Actor,
    now: datetime,
    kind: TypeDecision,
    *,
    patient_no: int | None = None,
    resource_type: TypeRessource | None = None,
    reflex: bool = False,
    orientation: str | None = None,
    destination: str | None = None,
    medical_transport: bool | None = None,
    comment: str | None = None,
) -> Decision:
    if patient_no is not None:
        file.patient(patient_no)
    if kind is TypeDecision.INTER and resource_type is None:
        raise InvalidFile("an INTER decision names the type of resource to send")
    if kind not in RESOURCE_DECISIONS and resource_type is not None:
        raise InvalidFile(f"a {kind} decision sends no resource")
    destination = (destination or "").strip() or None
    if kind is TypeDecision.ORIENT and destination is None and orientation is None and resource_type is None:
        raise InvalidFile("an ORIENT decision names its destination, its kind or who carries the patient")
    if kind is not TypeDecision.ORIENT and (destination is not None or orientation is not None):
        raise InvalidFile(f"a {kind} decision has no destination")
    if orientation is not None and orientation not in ORIENTATIONS:
        raise InvalidFile(f"{orientation!r} is not a code of HubSante.typeOrientation")
    decision = Decision(
        decision_no=len(file.decisions) + 1,
        kind=kind,
        author_id=actor.account_id,
        author=actor.name,
        role=actor.role,
        created_at=now,
        patient_no=patient_no,
        resource_type=TypeRessource(resource_type) if resource_type is not None else None,
        reflex=reflex,
        orientation=orientation,
        destination=destination,
        medical_transport=medical_transport,
        comment=clean(comment, "decision comment", 2_000),
    )
    file.decisions.append(decision)
    file.changes.append(DecisionRecorded(decision))
    if file.state in {Etat.ACHEVE, Etat.VALIDE}:
        reopen(file, actor, now, f"new decision {kind}")
    return decision
