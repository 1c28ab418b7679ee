"""Use cases of a file's patients: add one, change identity traits, the physician's R level and hypothesis.

Each is one change of the file through `service.change` (access checked, file locked, saved, audited, consoles told).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sisamu.cases import regulation
from sisamu.cases.details import Hypothesis
from sisamu.cases.model import Patient
from sisamu.cases.service import change
from sisamu.domain.codes import NiveauSoin
from sisamu.security.roles import Permission, Principal
from sisamu.storage.uow import UnitOfWork


def add_patient(
    uow: UnitOfWork,
    *,
    principal: Principal,
    number: str,
    now: datetime,
    identity: Mapping[str, Any],
    expected_version: int | None = None,
) -> Patient:
    _, patient = change(
        uow,
        principal,
        Permission.PATIENT_WRITE,
        number,
        now,
        action="file.patient.add",
        kind="case.updated",
        apply=lambda file, _: regulation.add_patient(file, now, identity),
        expected_version=expected_version,
        detail={"fields": sorted(identity)},
    )
    return patient


def update_patient(
    uow: UnitOfWork,
    *,
    principal: Principal,
    number: str,
    patient_no: int,
    now: datetime,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> Patient:
    _, patient = change(
        uow,
        principal,
        Permission.PATIENT_WRITE,
        number,
        now,
        action="file.patient.update",
        kind="case.updated",
        apply=lambda file, _: regulation.update_patient(file, now, patient_no, changes),
        expected_version=expected_version,
        detail={"patient_no": patient_no, "fields": sorted(changes)},
    )
    return patient


def set_care_level(
    uow: UnitOfWork,
    *,
    principal: Principal,
    number: str,
    patient_no: int,
    level: NiveauSoin,
    now: datetime,
) -> Patient:
    _, patient = change(
        uow,
        principal,
        Permission.REGULATE,
        number,
        now,
        action="file.care_level",
        kind="case.regulated",
        apply=lambda file, actor: regulation.set_care_level(file, actor, now, patient_no, level),
        detail={"patient_no": patient_no, "care_level": str(level)},
    )
    return patient


def set_hypothesis(
    uow: UnitOfWork,
    *,
    principal: Principal,
    number: str,
    patient_no: int,
    hypothesis: Hypothesis | None,
    now: datetime,
) -> Patient:
    """The physician's diagnostic hypothesis for a patient (None clears it)."""
    _, patient = change(
        uow,
        principal,
        Permission.REGULATE,
        number,
        now,
        action="file.hypothesis",
        kind="case.regulated",
        apply=lambda file, actor: regulation.set_hypothesis(file, actor, now, patient_no, hypothesis),
        detail={"patient_no": patient_no},
    )
    return patient
