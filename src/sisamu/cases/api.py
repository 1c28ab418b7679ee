"""HTTP routes of the regulation file: `/api/files/{number}…`, and `router` with a room's files (`room_api`).

Access: a room's routes check role × tenant on `samu_id`; a file's routes check it on the SAMU the number belongs
to, or a grant to the caller's SAMU (another SAMU's file answers 404). The services check again and audit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from sisamu.cases import patients, reads, service, sharing
from sisamu.cases.api_deps import FileReader, FileRegulator, FileWriter
from sisamu.cases.details import hypothesis_of
from sisamu.cases.room_api import room
from sisamu.cases.schemas import (
    CareLevelIn,
    DecisionIn,
    DecisionOut,
    FileOut,
    GrantIn,
    GrantOut,
    HypothesisPut,
    NoteIn,
    NoteOut,
    PatientIn,
    PatientOut,
    PatientPatch,
    QualificationPatch,
    ReflexIn,
    TransitionIn,
)
from sisamu.cases.store import StaleVersion
from sisamu.platform.http import PlatformDep
from sisamu.platform.use_cases import run

files = APIRouter(prefix="/api/files/{file_number}", tags=["files"])


@contextmanager
def _conflict() -> Iterator[None]:
    try:
        yield
    except StaleVersion as exc:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "Le dossier a été modifié entre-temps : rechargez-le."
        ) from exc


# --- one file ----------------------------------------------------------------------------------------------------


@files.get("", summary="The whole file with its timeline (read audited)")
def get_file(file_number: str, platform: PlatformDep, principal: FileReader) -> FileOut:
    return FileOut.of(run(platform, service.get_file, principal=principal, number=file_number))


@files.patch("", summary="Update the qualification (ARM); `version` guards against lost updates")
def update_qualification(
    file_number: str, payload: QualificationPatch, platform: PlatformDep, principal: FileWriter
) -> FileOut:
    with _conflict():
        file = run(
            platform,
            service.update_qualification,
            principal=principal,
            number=file_number,
            changes=payload.changes(),
            expected_version=payload.version,
        )
    return FileOut.of(file)


@files.post("/patients", status_code=status.HTTP_201_CREATED, summary="Add a patient")
def add_patient(
    file_number: str, payload: PatientIn, platform: PlatformDep, principal: FileWriter
) -> PatientOut:
    identity = payload.model_dump(exclude_unset=True)
    return PatientOut.of(
        run(platform, patients.add_patient, principal=principal, number=file_number, identity=identity)
    )


@files.patch("/patients/{patient_no}", summary="Change a patient's identity traits")
def update_patient(
    file_number: str, patient_no: int, payload: PatientPatch, platform: PlatformDep, principal: FileWriter
) -> PatientOut:
    with _conflict():
        patient = run(
            platform,
            patients.update_patient,
            principal=principal,
            number=file_number,
            patient_no=patient_no,
            changes=payload.model_dump(exclude_unset=True, exclude={"version"}),
            expected_version=payload.version,
        )
    return PatientOut.of(patient)


@files.put("/patients/{patient_no}/care-level", summary="Set a patient's R level (physician)")
def set_care_level(
    file_number: str, patient_no: int, payload: CareLevelIn, platform: PlatformDep, principal: FileRegulator
) -> PatientOut:
    patient = run(
        platform,
        patients.set_care_level,
        principal=principal,
        number=file_number,
        patient_no=patient_no,
        level=payload.level,
    )
    return PatientOut.of(patient)


@files.put("/patients/{patient_no}/hypothesis", summary="Set a patient's diagnostic hypothesis (physician)")
def set_hypothesis(
    file_number: str, patient_no: int, payload: HypothesisPut, platform: PlatformDep, principal: FileRegulator
) -> PatientOut:
    hypothesis = hypothesis_of(payload.hypothesis.model_dump()) if payload.hypothesis else None
    patient = run(
        platform,
        patients.set_hypothesis,
        principal=principal,
        number=file_number,
        patient_no=patient_no,
        hypothesis=hypothesis,
    )
    return PatientOut.of(patient)


@files.post(
    "/reflex", status_code=status.HTTP_201_CREATED, summary="P0: reflex departure, straight to a physician"
)
def reflex_departure(
    file_number: str, payload: ReflexIn, platform: PlatformDep, principal: FileWriter
) -> DecisionOut:
    decision = run(
        platform,
        service.reflex_departure,
        principal=principal,
        number=file_number,
        resource_type=payload.resource_type,
        patient_no=payload.patient_no,
    )
    return DecisionOut.of(decision)


@files.post("/handover", summary="Transfer to medical regulation (queue, or a physician at once for a P0)")
def hand_over(file_number: str, platform: PlatformDep, principal: FileWriter) -> FileOut:
    return FileOut.of(run(platform, service.hand_over, principal=principal, number=file_number))


@files.post("/take", summary="Take the file (physician): held by you until released")
def take(file_number: str, platform: PlatformDep, principal: FileRegulator) -> FileOut:
    return FileOut.of(run(platform, service.take, principal=principal, number=file_number))


@files.post("/release", summary="Release the file you hold")
def release(file_number: str, platform: PlatformDep, principal: FileRegulator) -> FileOut:
    return FileOut.of(run(platform, service.release, principal=principal, number=file_number))


@files.post(
    "/notes", status_code=status.HTTP_201_CREATED, summary="Append a note (a correction names the old note)"
)
def add_note(file_number: str, payload: NoteIn, platform: PlatformDep, principal: FileWriter) -> NoteOut:
    note = run(
        platform,
        service.add_note,
        principal=principal,
        number=file_number,
        body=payload.body,
        patient_no=payload.patient_no,
        corrects=payload.corrects,
    )
    return NoteOut.of(note)


@files.post("/decisions", status_code=status.HTTP_201_CREATED, summary="Record a decision (physician)")
def record_decision(
    file_number: str, payload: DecisionIn, platform: PlatformDep, principal: FileRegulator
) -> DecisionOut:
    decision = service.DecisionInput(**payload.model_dump())
    return DecisionOut.of(
        run(platform, service.record_decision, principal=principal, number=file_number, decision=decision)
    )


@files.post("/transitions", summary="Life-cycle step: ACTIF (from PROGRAM), ACHEVE, VALIDE, CLOTURE, ARCHIVE")
def change_state(
    file_number: str, payload: TransitionIn, platform: PlatformDep, principal: FileWriter
) -> FileOut:
    return FileOut.of(
        run(
            platform,
            service.change_state,
            principal=principal,
            number=file_number,
            target=payload.to,
            reason=payload.reason,
        )
    )


# Sharing: the gate lets through whoever may read the file (its owner's staff, a grantee's); the service then
# wants the owner SAMU's supervisor or physician (a grantee gets 403 PARTAGE_RESERVE_AU_PROPRIETAIRE).


@files.get("/grants", summary="The SAMUs this file is open to (the owner SAMU's supervisor or physician)")
def list_grants(file_number: str, platform: PlatformDep, principal: FileReader) -> list[GrantOut]:
    views = run(platform, sharing.list_grants, principal=principal, number=file_number)
    return [GrantOut(**{f: getattr(v, f) for f in GrantOut.model_fields}) for v in views]


@files.post(
    "/grants", status_code=status.HTTP_204_NO_CONTENT, summary="Open this file to another SAMU (owner only)"
)
def grant_access(file_number: str, payload: GrantIn, platform: PlatformDep, principal: FileReader) -> None:
    run(
        platform,
        sharing.grant_access,
        principal=principal,
        number=file_number,
        grantee_samu_id=payload.samu_id,
        reason=payload.reason,
        expires_at=payload.expires_at,
    )


@files.delete(
    "/grants/{grantee_samu_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Close this file to a SAMU (owner only)",
)
def revoke_grant(
    file_number: str, grantee_samu_id: str, platform: PlatformDep, principal: FileReader
) -> None:
    run(
        platform,
        sharing.revoke_access,
        principal=principal,
        number=file_number,
        grantee_samu_id=grantee_samu_id,
    )


@files.get("/rs-eda", summary="The file as a Hub Santé RS-EDA message (validated; export audited)")
def export_rs_eda(
    file_number: str,
    platform: PlatformDep,
    principal: FileReader,
    to: Annotated[str | None, Query(max_length=64, description="recipient Hub id")] = None,
) -> dict[str, Any]:
    return run(platform, reads.export_rs_eda, principal=principal, number=file_number, recipient_id=to)


router = APIRouter()
router.include_router(room)
router.include_router(files)
