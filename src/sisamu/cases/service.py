"""Use cases of the regulation file: one function per command, inside the caller's unit of work.

Each command checks access (role × tenant, grants), loads the file with its row locked, applies the pure rules
(`lifecycle`, `regulation`), saves with an optimistic version check, audits, and emits a live event that
PostgreSQL delivers after commit. Every read of patient data is audited as well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from sisamu.cases import grants, lifecycle, regulation, store
from sisamu.cases.access import actor_of, check_file
from sisamu.cases.location import with_commune
from sisamu.cases.model import SYSTEM, Actor, Decision, Note, RegulationFile, new_file
from sisamu.cases.numbering import owner_of, shared_id
from sisamu.domain.codes import Attribution, Etat, TypeDecision, TypeRessource
from sisamu.domain.events import LiveEvent
from sisamu.platform.events import (
    DecidedResource,
    FileChanged,
    FileCompleting,
    FileOpened,
    Origin,
    ReflexDeparture,
)
from sisamu.security import audit
from sisamu.security.access import authorize
from sisamu.security.errors import NotFound
from sisamu.security.roles import Permission, Principal
from sisamu.storage.uow import UnitOfWork

T = TypeVar("T")
OBJECT_TYPE = "regulation_file"


def file_owner(number: str) -> str:
    owner = owner_of(number)
    if owner is None:
        raise NotFound(f"not a file number: {number!r}")
    return owner


def audit_file(
    uow: UnitOfWork,
    principal: Principal | None,
    file: RegulationFile,
    action: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=file.samu_id,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=file.number,
        at=now,
        detail=detail,
    )


def emit_file(uow: UnitOfWork, file: RegulationFile, kind: str, now: datetime) -> None:
    """Tell the consoles what changed (no patient identity: room-level readers receive these too)."""
    priority = file.qualification.priority
    data = {"state": str(file.state), "step": str(file.step), "priority": str(priority) if priority else None}
    uow.emit(LiveEvent(file.samu_id, kind, file.number, file.version, data))
    for grantee in grants.active_grantees(uow.conn, file.samu_id, file.number, now):
        uow.emit(LiveEvent(grantee, kind, file.number, file.version, {**data, "owner": file.samu_id}))


def load_file(uow: UnitOfWork, owner: str, number: str, *, lock: bool) -> RegulationFile:
    file = store.load(uow.conn, owner, number, lock=lock)
    if file is None:
        raise NotFound(f"no file {number}")
    return file


def change(
    uow: UnitOfWork,
    principal: Principal,
    permission: Permission,
    number: str,
    now: datetime,
    *,
    action: str,
    kind: str,
    apply: Callable[[RegulationFile, Actor], T],
    expected_version: int | None = None,
    detail: dict[str, Any] | None = None,
) -> tuple[RegulationFile, T]:
    """One change of a file by `principal`: access checked (`permission`), the file locked and checked against
    `expected_version`, `apply` run, the file saved, audited (`action`, `detail`) and the consoles told (`kind`).
    Returns the file and what `apply` returned."""
    owner = file_owner(number)
    check_file(uow.conn, principal, permission, owner, number, now)
    file = load_file(uow, owner, number, lock=True)
    if expected_version is not None and expected_version != file.version:
        raise store.StaleVersion(f"file {number} is at version {file.version}, not {expected_version}")
    result = apply(file, actor_of(principal))
    store.save(uow.conn, file, now)
    audit_file(uow, principal, file, action, now, detail)
    emit_file(uow, file, kind, now)
    uow.record(
        FileChanged(
            samu_id=owner, number=number, version=file.version, action=action, at=now, actor=principal
        )
    )
    return file, result


def partner_change(
    uow: UnitOfWork,
    *,
    samu_id: str,
    number: str,
    partner: str,
    now: datetime,
    apply: Callable[[RegulationFile], T],
    action: str,
    kind: str = "case.updated",
    detail: dict[str, Any] | None = None,
) -> tuple[RegulationFile, T]:
    """One change a partner made to file `number` over Hub Santé (`partner`: its Hub client id), the Hub flow
    having checked the message and the file's link: the file locked, `apply` run, the file saved, audited with the
    partner as actor, the consoles told (`kind`), and `FileChanged` recorded with origin HUB — the flows must not
    send a partner's own change back to it. `apply` may also write the caller's own rows: they are written before
    the change is announced. Returns the file and what `apply` returned."""
    file = load_file(uow, samu_id, number, lock=True)
    result = apply(file)
    store.save(uow.conn, file, now)
    audit.record(
        uow.conn,
        principal=None,
        samu_id=samu_id,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=number,
        at=now,
        detail=detail,
        actor=partner,
    )
    emit_file(uow, file, kind, now)
    uow.record(
        FileChanged(
            samu_id=samu_id, number=number, version=file.version, action=action, at=now, actor=None,
            origin=Origin.HUB, partner=partner,
        )
    )  # fmt: skip
    return file, result


def attribute(
    uow: UnitOfWork, *, samu_id: str, number: str, attribution: Attribution, by: str, now: datetime
) -> RegulationFile:
    """The platform gives file `number` an attribution on behalf of `by` (a crisis, `crisis:<id>`, attributing the
    files opened in its rooms): the file locked, its attribution set, saved, audited (`file.attribution`, actor
    `by`), the consoles told and `FileChanged` recorded. The caller decided it may (it reacts to `FileOpened`)."""
    file = load_file(uow, samu_id, number, lock=True)
    previous = file.qualification.attribution
    file.qualification = replace(file.qualification, attribution=attribution)
    store.save(uow.conn, file, now)
    audit.record(
        uow.conn,
        principal=None,
        samu_id=samu_id,
        action="file.attribution",
        object_type=OBJECT_TYPE,
        object_id=number,
        at=now,
        detail={"attribution": str(attribution), "previous": str(previous) if previous else None},
        actor=by,
    )
    emit_file(uow, file, "case.updated", now)
    uow.record(
        FileChanged(
            samu_id=samu_id,
            number=number,
            version=file.version,
            action="file.attribution",
            at=now,
            actor=None,
        )
    )
    return file


def open_file(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    now: datetime,
    call_id: str | None = None,
    program: bool = False,
    planned_at: datetime | None = None,
    qualification: Mapping[str, Any] | None = None,
    patients: Sequence[Mapping[str, Any]] = (),
    partner_samu_id: str | None = None,
) -> RegulationFile:
    """Open a file: from an answered call (`call_id`, a plain reference to telephony), by hand, or PROGRAM.

    `principal` None is the platform itself. `partner_samu_id`: the SAMU whose ARM answered this SAMU's overflowed
    call (the caller checked the call's overflow grant): the file is this SAMU's, opened on its behalf by the
    partner's ARM, and the partner gets a grant on this file only (reason OVERFLOW); both are audited here.
    """
    if principal is not None:
        authorize(principal, Permission.PATIENT_WRITE, partner_samu_id or samu_id)
    actor = actor_of(principal) if principal is not None else SYSTEM
    number = store.next_number(uow.conn, samu_id, now)
    file = new_file(
        samu_id=samu_id,
        number=number,
        case_id=shared_id(samu_id, number),
        actor=actor,
        now=now,
        call_id=call_id,
        planned_at=planned_at,
        program=program,
    )
    regulation.update_qualification(file, with_commune(qualification or {}))
    for identity in patients:
        regulation.add_patient(file, now, identity)
    store.insert_file(uow.conn, file, now)
    detail = {"call_id": call_id, "state": str(file.state)}
    if partner_samu_id is not None:
        grants.put_grant(
            uow.conn, samu_id=samu_id, number=number, grantee=partner_samu_id, reason="OVERFLOW",
            granted_by=principal.username if principal else "system", now=now, expires_at=None,
        )  # fmt: skip
        detail["opened_for"] = samu_id
        detail["by_samu"] = partner_samu_id
    audit_file(uow, principal, file, "file.open", now, detail)
    emit_file(uow, file, "case.opened", now)
    uow.record(FileOpened(samu_id=samu_id, number=number, at=now, actor=principal, call_id=call_id))
    return file


def get_file(uow: UnitOfWork, *, principal: Principal, number: str, now: datetime) -> RegulationFile:
    owner = file_owner(number)
    check_file(uow.conn, principal, Permission.PATIENT_READ, owner, number, now)
    file = load_file(uow, owner, number, lock=False)
    audit_file(uow, principal, file, "file.read", now)
    return file


def update_qualification(
    uow: UnitOfWork,
    *,
    principal: Principal,
    number: str,
    now: datetime,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> RegulationFile:
    checked = with_commune(changes)

    def apply(file: RegulationFile, _: Actor) -> None:
        regulation.update_qualification(file, checked)

    file, _ = change(
        uow,
        principal,
        Permission.PATIENT_WRITE,
        number,
        now,
        action="file.qualify",
        kind="case.updated",
        apply=apply,
        expected_version=expected_version,
        detail={"fields": sorted(changes)},
    )
    return file


def reflex_departure(
    uow: UnitOfWork,
    *,
    principal: Principal,
    number: str,
    now: datetime,
    resource_type: TypeRessource,
    patient_no: int | None = None,
) -> Decision:
    """P0: a reflex INTER decision by the ARM; the file goes straight to a physician, and the resources engage the
    nearest unit of the type sent (`ReflexDeparture`, in this transaction)."""
    file, decision = change(
        uow,
        principal,
        Permission.PATIENT_WRITE,
        number,
        now,
        action="file.reflex",
        kind="case.reflex",
        apply=lambda file, actor: regulation.reflex_departure(file, actor, now, resource_type, patient_no),
        detail={"resource_type": str(resource_type)},
    )
    uow.record(
        ReflexDeparture(
            samu_id=file.samu_id,
            number=file.number,
            decision_no=decision.decision_no,
            resource_type=str(resource_type),
            at=now,
            actor=principal,
        )
    )
    return decision


def hand_over(uow: UnitOfWork, *, principal: Principal, number: str, now: datetime) -> RegulationFile:
    """The ARM transfers the file to medical regulation (queue, or a physician at once for a P0)."""
    file, _ = change(
        uow,
        principal,
        Permission.PATIENT_WRITE,
        number,
        now,
        action="file.handover",
        kind="case.queued",
        apply=lambda file, _: regulation.hand_over(file, now),
    )
    return file


def take(uow: UnitOfWork, *, principal: Principal, number: str, now: datetime) -> RegulationFile:
    file, _ = change(
        uow,
        principal,
        Permission.REGULATE,
        number,
        now,
        action="file.take",
        kind="case.taken",
        apply=lambda file, actor: regulation.take(file, actor, now),
    )
    return file


def release(uow: UnitOfWork, *, principal: Principal, number: str, now: datetime) -> RegulationFile:
    file, _ = change(
        uow,
        principal,
        Permission.REGULATE,
        number,
        now,
        action="file.release",
        kind="case.released",
        apply=lambda file, actor: regulation.release(file, actor, now),
    )
    return file


def add_note(
    uow: UnitOfWork,
    *,
    principal: Principal,
    number: str,
    now: datetime,
    body: str,
    patient_no: int | None = None,
    corrects: int | None = None,
) -> Note:
    _, note = change(
        uow,
        principal,
        Permission.PATIENT_WRITE,
        number,
        now,
        action="file.note",
        kind="case.noted",
        apply=lambda file, actor: regulation.add_note(
            file, actor, now, body, patient_no=patient_no, corrects=corrects
        ),
        detail={"patient_no": patient_no, "corrects": corrects},
    )
    return note


@dataclass(frozen=True, slots=True)
class DecisionInput:
    kind: TypeDecision
    patient_no: int | None = None
    resource_type: TypeRessource | None = None
    orientation: str | None = None
    destination: str | None = None
    medical_transport: bool | None = None
    comment: str | None = None


def record_decision(
    uow: UnitOfWork, *, principal: Principal, number: str, now: datetime, decision: DecisionInput
) -> Decision:
    _, recorded = change(
        uow,
        principal,
        Permission.REGULATE,
        number,
        now,
        action="file.decision",
        kind="case.regulated",
        apply=lambda file, actor: regulation.record_decision(
            file,
            actor,
            now,
            decision.kind,
            patient_no=decision.patient_no,
            resource_type=decision.resource_type,
            orientation=decision.orientation,
            destination=decision.destination,
            medical_transport=decision.medical_transport,
            comment=decision.comment,
        ),
        detail={"kind": str(decision.kind), "patient_no": decision.patient_no},
    )
    return recorded


_TRANSITION_PERMISSION = {
    Etat.ACTIF: Permission.PATIENT_WRITE,
    Etat.ACHEVE: Permission.PATIENT_WRITE,
}


def change_state(
    uow: UnitOfWork,
    *,
    principal: Principal,
    number: str,
    target: Etat,
    now: datetime,
    reason: str | None = None,
) -> RegulationFile:
    """A life-cycle step asked by a person; validating, closing and archiving are the physician's.

    ACHEVE says every decision was carried out: the features that carry them out check it (`FileCompleting`) and
    refuse with code `decisions_not_carried_out` unless `reason` says why the file is completed anyway."""
    reason = (reason or "").strip() or None

    def apply(file: RegulationFile, actor: Actor) -> None:
        if target is Etat.ACHEVE and file.state is Etat.ACTIF:
            uow.record(
                FileCompleting(
                    samu_id=file.samu_id,
                    number=file.number,
                    decisions=tuple(
                        DecidedResource(
                            decision_no=d.decision_no,
                            kind=str(d.kind),
                            resource_type=str(d.resource_type),
                            reflex=d.reflex,
                        )
                        for d in file.decisions
                        if d.resource_type is not None
                    ),
                    reason=reason,
                    at=now,
                    actor=principal,
                )
            )
        lifecycle.transition(file, target, actor, now, reason)

    file, _ = change(
        uow,
        principal,
        _TRANSITION_PERMISSION.get(target, Permission.REGULATE),
        number,
        now,
        action="file.state",
        kind="case.status",
        apply=apply,
        detail={"to": str(target), **({"reason": reason} if reason else {})},
    )
    return file
