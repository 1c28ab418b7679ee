"""EMSI with the fire service (NexSIS): an EMSI built from a file, and one received applied to a linked file.

Built (`send_emsi`): CONTEXT (a new id, ACTUAL, ALERT the first time and UPDATE after, our SAMU as ORIGIN), EVENT
(our file number as `ID`, the shared case id as `MAIN_EVENT_ID`, the reason for the call as `NAME`, the time the
file was opened, `IPR` while open and `COM` once closed, `CASUALTIES` counted from the patients' care levels when
the physician set any — R1 → TRIAGERED, R2 → TRIAGEYELLOW, R3/R4 → TRIAGEGREEN — and the point and address as
`EGEO`) and RESOURCE (our units engaged on the file, `IN_USE/MOBILE` while they hold their mission).

Received (`receive_emsi`): `EVENT.MAIN_EVENT_ID` names a case the sender shares with us (its link), or the case id
of a file about which we sent the sender an EMSI (the fire service answering ours); anything else is refused with
RS-ERROR 702, whoever else shares that case. The event, casualties, missions and resources become one note on the
local file; the sender's resources are kept with the link's partner resources (`from` the sender).
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sisamu.cases import queries as files
from sisamu.cases import service as cases
from sisamu.cases.access import check_file
from sisamu.domain.codes import NiveauSoin, code_list
from sisamu.domain.errors import FrenchRefusal
from sisamu.hubsante.datetimes import format_hub_datetime
from sisamu.hubsante.identifiers import resource_id as hub_resource_id
from sisamu.hubsante.tables import hub_outbox
from sisamu.interop.common import (
    CaseLink,
    hub_id_of,
    link_of_case,
    links_of_file,
    record,
    samu_of_client,
    send,
    timezone_of,
    unknown_case,
)
from sisamu.interop.partner_state import add_notes, partner_resources, save_partner_resources
from sisamu.resources import queries as fleet
from sisamu.resources.mission import RELEASING
from sisamu.security.roles import Permission
from sisamu.storage.tables import samu

if TYPE_CHECKING:
    from sisamu.cases.model import RegulationFile
    from sisamu.hubsante.envelope import HubMessage
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

EMSI = "EMSI"
TRIAGE = {
    NiveauSoin.R1: "TRIAGERED",
    NiveauSoin.R2: "TRIAGEYELLOW",
    NiveauSoin.R3: "TRIAGEGREEN",
    NiveauSoin.R4: "TRIAGEGREEN",
}


def _event_name(file: RegulationFile) -> str:
    motif = file.qualification.motif
    if motif:
        try:
            return code_list("motif").label(motif)
        except KeyError:
            return motif
    return f"Dossier {file.number}"


def casualties(file: RegulationFile, at: str) -> list[dict[str, Any]]:
    counts = Counter(TRIAGE[p.care_level] for p in file.patients if p.care_level is not None)
    if not counts:
        return []
    return [
        {
            "CONTEXT": "REQ_ACTION",
            "DATIME": at,
            **{key: counts.get(key, 0) for key in sorted(set(TRIAGE.values()))},
        }
    ]


def _egeo(file: RegulationFile, at: str) -> list[dict[str, Any]]:
    place = file.qualification.location
    position: dict[str, Any] = {}
    if place.lat is not None and place.lon is not None:
        position |= {
            "TYPE": "POINT",
            "COORDSYS": "EPSG-4326",
            "COORD": [{"LAT": place.lat, "LONG": place.lon}],
        }
    address = ", ".join(part for part in (place.address, place.commune_name) if part)
    if address:
        position["ADDRESS"] = [address]
    return [{"DATIME": at, "TYPE": "GEN", "POSITION": position}] if position else []


def _resources(uow: UnitOfWork, file: RegulationFile, us: str) -> list[dict[str, Any]]:
    found = []
    for item in fleet.missions_of_file(uow.conn, file.samu_id, file.number):
        unit = fleet.unit(uow.conn, file.samu_id, item.resource_id)
        if unit is None:  # pragma: no cover - a mission's unit always exists (foreign key)
            continue
        holds = item.status not in RELEASING
        found.append(
            {
                "RTYPE": {"RCLASS": ["MAT/VEH"]},
                "ID": hub_resource_id(us, unit.resource_id),
                "ORG_ID": us,
                "NAME": unit.name,
                "FREETEXT": unit.vehicle,
                "QUANTITY": 1,
                "UM": "LSV",
                "STATUS": "IN_USE/MOBILE" if holds else "AVAILB",
                "NATIONALITY": "FR",
            }
        )
    return found


def emsi_body(
    uow: UnitOfWork, file: RegulationFile, *, us: str, case_id: str, now: datetime, update: bool
) -> dict[str, Any]:
    """The EMSI of a file as it stands."""
    timezone = timezone_of(uow.conn, file.samu_id)
    zone = ZoneInfo(timezone)
    at = format_hub_datetime(now.astimezone(zone))
    name = uow.execute(select(samu.c.name).where(samu.c.samu_id == file.samu_id)).scalar_one_or_none()
    event: dict[str, Any] = {
        "ID": file.number,
        "NAME": _event_name(file),
        "MAIN_EVENT_ID": case_id,
        "DECL_DATIME": format_hub_datetime(file.created_at.astimezone(zone)),
        "STATUS": "COM" if file.closed else "IPR",
    }
    if found := casualties(file, at):
        event["CASUALTIES"] = found
    if egeo := _egeo(file, at):
        event["EGEO"] = egeo
    body: dict[str, Any] = {
        "CONTEXT": {
            "ID": str(uuid.uuid4()),
            "MODE": "ACTUAL",
            "MSGTYPE": "UPDATE" if update else "ALERT",
            "CREATION": at,
            "LEVEL": "OPR",
            "SECLASS": "RESTRC",
            "ORIGIN": {"ORG_ID": us, "NAME": str(name or us)},
        },
        "EVENT": event,
    }
    if resources := _resources(uow, file, us):
        body["RESOURCE"] = resources
    return body


def send_emsi(uow: UnitOfWork, *, principal: Principal, number: str, to: str, now: datetime) -> HubMessage:
    """An EMSI of file `number` to the fire service `to` (ALERT the first time, then UPDATE)."""
    owner = cases.file_owner(number)
    check_file(uow.conn, principal, Permission.PATIENT_WRITE, owner, number, now)
    file = cases.get_file(uow, principal=principal, number=number, now=now)
    us = hub_id_of(uow.conn, file.samu_id)
    if to == us:
        raise FrenchRefusal("un EMSI ne s'envoie pas à son propre SAMU")
    links = links_of_file(uow.conn, file.samu_id, file.number)
    # The case id the partner knows, else the shared id of a file received from a partner, else ours.
    link = next((lk for lk in links if lk.partner == to), None)
    link = link or next((lk for lk in links if lk.role == "received"), None)
    case_id = link.case_id if link is not None else file.case_id
    event = {"emsi": {"EVENT": {"ID": number}}}
    earlier = uow.execute(
        select(hub_outbox.c.id)
        .where(
            (hub_outbox.c.samu_id == file.samu_id)
            & (hub_outbox.c.message_type == EMSI)
            & (hub_outbox.c.recipient == to)
            & hub_outbox.c.body.contains(
                {"content": [{"jsonContent": {"embeddedJsonContent": {"message": event}}}]}
            )
        )
        .limit(1)
    ).first()
    body = emsi_body(uow, file, us=us, case_id=case_id, now=now, update=earlier is not None)
    message = send(uow, EMSI, {"emsi": body}, sender=us, recipient=to, now=now)
    record(uow, principal, file.samu_id, "file.hub.emsi", number, now, {"to": to, "case_id": case_id})
    return message


# --- receiving -------------------------------------------------------------------------------------------------


def _summary(body: dict[str, Any], sender: str) -> str:
    event = body.get("EVENT") or {}
    lines = [f"EMSI de {sender} : {event.get('NAME') or event.get('ID')}"]
    for casualty in event.get("CASUALTIES") or []:
        counts = ", ".join(
            f"{k} {v}" for k, v in casualty.items() if k.startswith(("TRIAGE", "MISSING", "DECONT"))
        )
        if counts:
            lines.append(f"Victimes ({casualty.get('CONTEXT')}) : {counts}")
    for mission in body.get("MISSION") or []:
        text = f"Mission {mission.get('ID')} {mission.get('TYPE')} ({mission.get('STATUS')})"
        lines.append(f"{text} : {mission['FREETEXT']}" if mission.get("FREETEXT") else text)
    lines.extend(f"Moyen {r.get('NAME')} ({r.get('STATUS')})" for r in body.get("RESOURCE") or [])
    return "\n".join(lines)


def _file_sent_to(uow: UnitOfWork, samu_id: str, to: str, case_id: str) -> str | None:
    """The number of the file about which we sent `to` an EMSI naming `case_id` (None: we never did)."""
    named = {"emsi": {"EVENT": {"MAIN_EVENT_ID": case_id}}}
    body = uow.execute(
        select(hub_outbox.c.body)
        .where(
            (hub_outbox.c.samu_id == samu_id)
            & (hub_outbox.c.message_type == EMSI)
            & (hub_outbox.c.recipient == to)
            & hub_outbox.c.body.contains(
                {"content": [{"jsonContent": {"embeddedJsonContent": {"message": named}}}]}
            )
        )
        .order_by(hub_outbox.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if body is None:
        return None
    sent = body["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["emsi"]
    return str(sent["EVENT"]["ID"])


def receive_emsi(uow: UnitOfWork, message: HubMessage, now: datetime) -> str:
    """EMSI: applied as a note to the file its sender may speak about; its resources kept with the file's link.

    That file is the one linked to the sender's own case (`EVENT.MAIN_EVENT_ID`), or the one about which we sent
    the sender an EMSI naming that case id (the fire service answers our EMSI): anything else is an unknown case
    (702), even our own case id or another partner's — file numbers and case ids are guessable."""
    samu_id = samu_of_client(uow.conn, message.recipient_id)
    body = message.body
    event = body.get("EVENT") or {}
    case_id = str(event.get("MAIN_EVENT_ID") or event.get("ID") or "")
    link = link_of_case(uow.conn, samu_id, case_id, partner=message.sender_id, lock=True)
    if link is None:
        number = _file_sent_to(uow, samu_id, message.sender_id, case_id)
        if number is None or files.file_state(uow.conn, samu_id, number) is None:
            raise unknown_case(case_id, "never shared with the sender, no EMSI sent to it about it")
        # the file's link of that case id, when the case is shared with a partner: the resources are kept there
        links = links_of_file(uow.conn, samu_id, number, lock=True)
        link = next((lk for lk in links if lk.case_id == case_id), None)
    else:
        number = link.number
    if link is not None:
        known = partner_resources(link)
        for resource in body.get("RESOURCE") or []:
            rid = str(resource["ID"])
            known[rid] = {
                **known.get(rid, {}),
                "resourceId": rid,
                "emsi": resource,
                "from": message.sender_id,
            }
        save_partner_resources(uow, link, known, now)
    target = link or CaseLink(samu_id, case_id, message.sender_id, number, "shared", "", None, None, {})
    add_notes(uow, target, message.sender_id, [(now, _summary(body, message.sender_id))], now)
    record(
        uow,
        None,
        samu_id,
        "file.hub.receive_emsi",
        number,
        now,
        {"from": message.sender_id, "case_id": case_id, "distribution_id": message.distribution_id},
    )
    return number
