"""Receiving a shared file: RS-EDA opens a local file carrying the sender's shared case id, RS-EDA-MAJ updates it.

The partner's body is mapped onto sisamu's file (read by `case_reading`) where sisamu has a place for it (qualification codes, location,
caller, patients, notes; a partner's decision becomes a note). Values sisamu refuses (a code outside the lists, a
malformed phone number, an unknown INSEE code) are left out of the local file; the whole body as received, merged
with its updates, stays in `hub_case_link.received`, so nothing the partner sent is lost.

Each message is one partner's change of the file (`sisamu.cases.service.partner_change`: audited with the partner
as actor, `FileChanged` recorded with origin HUB); the link is written within it, so that what hears of the change
(`handlers.file_changed`) already knows what the partner knows.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, update

from sisamu.cases import regulation, service
from sisamu.cases.model import Actor
from sisamu.hubsante.tables import hub_case_link
from sisamu.interop.case_body import case_body, update_body
from sisamu.interop.case_reading import (
    get_path,
    hypothesis_in,
    identity_of,
    qualification_of,
    when_of,
)
from sisamu.interop.common import CaseLink, link_of_case, samu_of_client, timezone_of, unknown_case

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.cases.model import RegulationFile
    from sisamu.hubsante.envelope import HubMessage
    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)
PARTNER_ROLE = "partner"
# What an update about an unknown case must carry to start a shared file (`update_case`).
OPENS_A_FILE = ("patient", "medicalNote", "decision")
_NOTE_ID = re.compile(r"^([a-zA-Z0-9_-]+\.){3,8}medicalNote(\.[a-zA-Z0-9_-]+){1,2}$")  # the schema's pattern


def _at(value: Any, default: datetime) -> datetime:
    return when_of(value, None) or default


def _partner_actor(item: Mapping[str, Any], sender: str) -> Actor:
    label = get_path(item, "operator", "label")
    role = get_path(item, "operator", "role") or "AUTRE"
    return Actor(account_id=None, name=f"{label or role} ({sender})", role=PARTNER_ROLE)


def _apply(
    file: RegulationFile, body: Mapping[str, Any], patient_map: dict[str, int], sender: str, now: datetime
) -> None:
    """Apply a partner's body (full or update) to the local file, in memory; `patient_map` is completed."""
    today = now.date()
    for patient in body.get("patient") or []:
        hub_id = patient.get("patientId")
        identity = identity_of(patient, today)
        if hub_id in patient_map:
            if identity:
                regulation.update_patient(file, now, patient_map[hub_id], identity)
        else:
            added = regulation.add_patient(file, now, identity)
            if hub_id:
                patient_map[hub_id] = added.patient_no
        hypothesis = hypothesis_in(patient)
        if hypothesis is not None and hub_id in patient_map:
            regulation.received_hypothesis(file, patient_map[hub_id], hypothesis)
    notes = [
        (_at(n.get("creation"), now), n.get("freetext"), n, n.get("patientId"), n.get("medicalNoteId"))
        for n in body.get("medicalNote") or []
    ] + [
        (_at(d.get("creation"), now), _decision_text(d), d, d.get("patientId"), None)
        for d in body.get("decision") or []
    ]
    if body.get("freetext"):
        latest = max((n[0] for n in notes), default=now)
        notes.append((latest, str(body["freetext"]), {}, None, None))
    for at, text, item, patient_ref, hub_id in sorted(notes, key=lambda n: n[0]):
        if text:
            regulation.add_note(
                file,
                _partner_actor(item, sender),
                at,
                text,
                patient_no=patient_map.get(patient_ref),
                hub_id=hub_id if _NOTE_ID.fullmatch(str(hub_id or "")) else None,
            )


def _decision_text(decision: Mapping[str, Any]) -> str:
    parts = [f"Décision du partenaire : {decision.get('decisionType')}"]
    parts.extend(str(decision[key]) for key in ("resourceType", "orientationType") if decision.get(key))
    if get_path(decision, "destination", "freetext"):
        parts.append(f"vers {get_path(decision, 'destination', 'freetext')}")
    return " ".join(parts)


def _merge(into: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(into)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        elif isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = merged[key] + copy.deepcopy(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def receive_case(uow: UnitOfWork, message: HubMessage, now: datetime) -> str:
    """RS-EDA: open a local file linked to the sender's case (or, when the sender already shared that case with
    us, update it); returns its number.

    A case id is read within the sender's links only: an RS-EDA about a case id another partner shares with us
    opens a file of its own, never touching theirs. A case id in our own name (`{our id}.…`) that the sender
    never received from us is refused (702): a partner does not open cases in our name."""
    samu_id = samu_of_client(uow.conn, message.recipient_id)
    body = message.body
    case_id = str(body["caseId"])
    known = link_of_case(uow.conn, samu_id, case_id, partner=message.sender_id, lock=True)
    if known is not None:
        update_case(uow, message, now, link=known)
        return known.number
    if case_id.startswith(f"{message.recipient_id}."):
        raise unknown_case(case_id, "a case of ours never shared with the sender")
    opened = service.open_file(
        uow, principal=None, samu_id=samu_id, now=now, qualification=qualification_of(body)
    )
    owner = str(body.get("owner") or message.sender_id)
    timezone = timezone_of(uow.conn, samu_id)

    def apply(file: RegulationFile) -> None:
        patient_map: dict[str, int] = {}
        _apply(file, body, patient_map, message.sender_id, now)
        sent = case_body(file, case_id=case_id, owner=owner, patient_map=patient_map, timezone=timezone)
        uow.execute(
            insert(hub_case_link).values(
                samu_id=samu_id,
                case_id=case_id,
                partner=message.sender_id,
                number=file.number,
                role="received",
                owner=owner,
                received=copy.deepcopy(body),
                last_sent=sent,
                patient_map=patient_map,
                created_at=now,
                updated_at=now,
            )
        )

    service.partner_change(
        uow,
        samu_id=samu_id,
        number=opened.number,
        partner=message.sender_id,
        now=now,
        apply=apply,
        action="file.hub.receive",
        kind="case.shared",
        detail={"from": message.sender_id, "case_id": case_id, "distribution_id": message.distribution_id},
    )
    return opened.number


def update_case(uow: UnitOfWork, message: HubMessage, now: datetime, *, link: CaseLink | None = None) -> str:
    """RS-EDA-MAJ: apply the partner's update to the local file linked to the sender's case.

    Only the partner of the link changes the file: an update about a case the sender never shared with us is
    about an unknown case, even when another partner shares a case with that id. Such an update (its RS-EDA went
    elsewhere or was never sent, e.g. the fire service's case) that carries something to regulate — a patient, a
    medical note or a decision — starts the shared file from that partner, as an RS-EDA would (a file of its own:
    medical information is never dropped, and nobody else's file is touched). An update that carries nothing to
    keep (a status, an owner) on an unknown case is refused with 702."""
    samu_id = samu_of_client(uow.conn, message.recipient_id)
    body = message.body
    case_id = str(body["caseId"])
    found = link or link_of_case(uow.conn, samu_id, case_id, partner=message.sender_id, lock=True)
    if found is None:
        if any(body.get(key) for key in OPENS_A_FILE):
            return receive_case(uow, message, now)
        raise unknown_case(case_id, "no RS-EDA before, nothing to regulate")
    linked: CaseLink = found
    owner = str(body.get("owner") or linked.owner)
    timezone = timezone_of(uow.conn, samu_id)

    def apply(file: RegulationFile) -> None:
        patient_map = dict(linked.patient_map)
        before = case_body(
            file, case_id=case_id, owner=linked.owner, patient_map=patient_map, timezone=timezone
        )
        changes = qualification_of(body)
        if changes and not file.closed:
            regulation.update_qualification(file, changes)
        if not file.closed:
            _apply(file, body, patient_map, message.sender_id, now)
        # What the partner told us is known to it: it is not sent back in our next update.
        after = case_body(file, case_id=case_id, owner=owner, patient_map=patient_map, timezone=timezone)
        uow.execute(
            update(hub_case_link)
            .where(
                (hub_case_link.c.samu_id == samu_id)
                & (hub_case_link.c.case_id == case_id)
                & (hub_case_link.c.partner == linked.partner)
            )
            .values(
                owner=owner,
                patient_map=patient_map,
                received=_merge(linked.received or {}, body),
                last_sent=absorb(linked.last_sent or before, before, after),
                updated_at=now,
            )
        )

    service.partner_change(
        uow,
        samu_id=samu_id,
        number=linked.number,
        partner=message.sender_id,
        now=now,
        apply=apply,
        action="file.hub.receive_update",
        kind="case.updated",
        detail={"from": message.sender_id, "case_id": case_id, "fields": sorted(set(body) - {"caseId"})},
    )
    return linked.number


def absorb(last_sent: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """`last_sent` plus what changed between `before` and `after` (the partner's own changes)."""
    changes = update_body(before, after) or {}
    absorbed = _merge(last_sent, {k: v for k, v in changes.items() if k not in ("caseId", "patient")})
    if "patient" in changes:
        absorbed["patient"] = after.get("patient", [])
    return absorbed
