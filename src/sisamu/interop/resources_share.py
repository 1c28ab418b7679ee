"""Resources engaged on a shared file (RS-RI) and their statuses (RS-SR), both ways.

Sending: built from sisamu's missions (`sisamu.resources`) on the file, to every partner the file is shared with
(`hub_case_link`). `share_resources` sends RS-RI `resourcesInfo` (each of our units on the file: Hub `resourceId`
`{our id}.resource.{call sign}`, vehicle, name, crew level, engagement time, its status history newest first with
`availability` on the newest status, `requestId` when the file came with a partner's mutual-aid request we
accepted); `share_status` sends RS-SR `resourcesStatus` with a mission's current status. Both run in the caller's
transaction, are audited, and send nothing when the file is shared with no one.

Receiving (Inbox handlers): the partner's resources and statuses are kept on the link (`partner_state`) and
written as notes on the linked local file. Only the partner of the link speaks about it: a case id the sender
never shared with us is refused with RS-ERROR 702, whoever else shares a case with that id.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sisamu.domain.codes import StatutVecteur
from sisamu.hubsante.datetimes import format_hub_datetime, parse_hub_datetime
from sisamu.hubsante.identifiers import resource_id as hub_resource_id
from sisamu.hubsante.tables import hub_resource_request
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
from sisamu.interop.partner_state import (
    add_notes,
    merge_states,
    partner_resources,
    save_partner_resources,
)
from sisamu.resources import queries as fleet
from sisamu.resources.mission import RELEASING, Mission

if TYPE_CHECKING:
    from sisamu.hubsante.envelope import HubMessage
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

RS_RI = "RS-RI"
RS_SR = "RS-SR"
ACCEPTED = ("ACCEPTEE", "PARTIELLE")


def _at(moment: datetime, timezone: str) -> str:
    return format_hub_datetime(moment.astimezone(ZoneInfo(timezone)))


def state_of(item: Mission, timezone: str, *, ours: bool = True) -> list[dict[str, Any]]:
    """A mission's statuses, newest first; `availability` (free to be engaged again) on the newest one when the
    unit is `ours`. A partner's unit (fire-service VSAV) may be busy elsewhere for its own centre: its
    availability is unknown to us, left empty ("VIDE = INCONNU")."""
    states: list[dict[str, Any]] = [
        {"datetime": _at(entry.at, timezone), "status": str(entry.status)} for entry in reversed(item.history)
    ]
    if states and ours:
        states[0]["availability"] = item.status in RELEASING
    return states


def triggered_at(item: Mission) -> datetime:
    """The resource's `datetime` ("Date/heure de déclenchement"): when the unit was triggered (DECLENCHE), else
    when it was engaged (its first status)."""
    found = item.time_of(StatutVecteur.DECLENCHE)
    if found is not None:
        return found
    return item.history[0].at if item.history else item.status_at


def _request_id(uow: UnitOfWork, link: CaseLink) -> str | None:
    """The partner's mutual-aid request on this case that we accepted, if any: our units answer it."""
    found = uow.execute(
        select(hub_resource_request.c.request_id)
        .where(
            (hub_resource_request.c.samu_id == link.samu_id)
            & (hub_resource_request.c.case_id == link.case_id)
            & (hub_resource_request.c.partner == link.partner)
            & (hub_resource_request.c.direction == "received")
            & hub_resource_request.c.status.in_(ACCEPTED)
        )
        .order_by(hub_resource_request.c.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return str(found) if found else None


def resource_item(uow: UnitOfWork, item: Mission, us: str, timezone: str) -> dict[str, Any]:
    """One `resourcesInfo.resource` from one of our missions."""
    unit = fleet.unit(uow.conn, item.samu_id, item.resource_id)
    assert unit is not None  # a mission's unit always exists (foreign key)
    team = {"medicalLevel": unit.crew_level}
    if unit.team_name:
        team["name"] = unit.team_name
    found: dict[str, Any] = {
        "datetime": _at(triggered_at(item), timezone),
        "resourceId": hub_resource_id(us, item.resource_id),
        "orgId": us,
        "vehicleType": unit.vehicle,
        "name": unit.name,
        "team": team,
        "state": state_of(item, timezone, ours=not unit.partner),
    }
    if unit.crew_phone:
        found["contact"] = {"type": "TEL", "details": unit.crew_phone}
    return found


def resources_body(uow: UnitOfWork, link: CaseLink, missions: list[Mission], us: str) -> dict[str, Any]:
    timezone = timezone_of(uow.conn, link.samu_id)
    request_id = _request_id(uow, link)
    resources = []
    for item in missions:
        one = resource_item(uow, item, us, timezone)
        if request_id:
            one["requestId"] = request_id
        resources.append(one)
    return {"caseId": link.case_id, "resource": resources}


def share_resources(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    number: str,
    now: datetime,
    mission_ids: list[int] | None = None,
) -> list[HubMessage]:
    """RS-RI to every partner of file `number`: our units engaged on it (or only `mission_ids`)."""
    found = fleet.missions_of_file(uow.conn, samu_id, number)
    missions = [m for m in found if mission_ids is None or m.mission_id in mission_ids]
    if not missions:
        return []
    us = hub_id_of(uow.conn, samu_id)
    sent = []
    for link in links_of_file(uow.conn, samu_id, number):
        body = resources_body(uow, link, missions, us)
        sent.append(send(uow, RS_RI, {"resourcesInfo": body}, sender=us, recipient=link.partner, now=now))
        record(
            uow,
            principal,
            samu_id,
            "file.hub.resources",
            number,
            now,
            {"to": link.partner, "case_id": link.case_id, "missions": [m.mission_id for m in missions]},
        )
    return sent


def share_status(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, mission_id: int, now: datetime
) -> list[HubMessage]:
    """RS-SR to every partner of the mission's file: the mission's current status."""
    item = fleet.mission(uow.conn, samu_id, mission_id)
    if item is None:
        return []
    us = hub_id_of(uow.conn, samu_id)
    timezone = timezone_of(uow.conn, samu_id)
    unit = fleet.unit(uow.conn, samu_id, item.resource_id)
    (state, *_) = state_of(item, timezone, ours=unit is not None and not unit.partner)
    sent = []
    for link in links_of_file(uow.conn, samu_id, item.file_number):
        body = {
            "caseId": link.case_id,
            "resourceId": hub_resource_id(us, item.resource_id),
            "state": state,
        }
        sent.append(send(uow, RS_SR, {"resourcesStatus": body}, sender=us, recipient=link.partner, now=now))
        record(
            uow,
            principal,
            samu_id,
            "file.hub.resource_status",
            item.file_number,
            now,
            {"to": link.partner, "mission_id": mission_id, "status": state["status"]},
        )
    return sent


# --- receiving -------------------------------------------------------------------------------------------------


def _linked(uow: UnitOfWork, message: HubMessage) -> CaseLink:
    samu_id = samu_of_client(uow.conn, message.recipient_id)
    case_id = str(message.body["caseId"])
    link = link_of_case(uow.conn, samu_id, case_id, partner=message.sender_id, lock=True)
    if link is None:
        raise unknown_case(case_id, "no RS-EDA shared it between us before")
    return link


def _when(text: Any, default: datetime) -> datetime:
    try:
        return parse_hub_datetime(text) if isinstance(text, str) else default
    except ValueError:
        return default


def _label(resource: dict[str, Any]) -> str:
    name = resource.get("name") or resource.get("resourceId")
    vehicle = resource.get("vehicleType")
    return f"{name} ({vehicle})" if vehicle else str(name)


def receive_resources(uow: UnitOfWork, message: HubMessage, now: datetime) -> str:
    """RS-RI: the partner's resources on a shared file, kept on the link; a note per new resource or status."""
    link = _linked(uow, message)
    known = partner_resources(link)
    notes = []
    for resource in message.body.get("resource") or []:
        rid = str(resource["resourceId"])
        before = known.get(rid, {})
        seen = {(s.get("status"), s.get("datetime")) for s in before.get("state") or []}
        merged = {**before, **copy.deepcopy(resource)}
        merged["state"] = merge_states(before.get("state") or [], resource.get("state") or [])
        merged["from"] = message.sender_id
        known[rid] = merged
        if not before:
            at = _when(resource.get("datetime"), now)
            notes.append((at, f"Moyen engagé par {message.sender_id} : {_label(resource)}"))
        for state in resource.get("state") or []:
            if (state.get("status"), state.get("datetime")) not in seen:
                at = _when(state.get("datetime"), now)
                notes.append((at, f"{_label(resource)} : {state.get('status')}"))
    save_partner_resources(uow, link, known, now)
    add_notes(uow, link, message.sender_id, notes, now)
    record(
        uow,
        None,
        link.samu_id,
        "file.hub.receive_resources",
        link.number,
        now,
        {"from": message.sender_id, "case_id": link.case_id, "resources": sorted(known)},
    )
    return link.number


def receive_status(uow: UnitOfWork, message: HubMessage, now: datetime) -> str:
    """RS-SR: a status of a partner's resource on a shared file (a resource not announced yet is added)."""
    link = _linked(uow, message)
    body = message.body
    rid = str(body["resourceId"])
    state = dict(body["state"])
    known = partner_resources(link)
    before = known.get(rid, {"resourceId": rid})
    fresh = (state.get("status"), state.get("datetime")) not in {
        (s.get("status"), s.get("datetime")) for s in before.get("state") or []
    }
    before["state"] = merge_states(before.get("state") or [], [state])
    before["from"] = message.sender_id
    known[rid] = before
    save_partner_resources(uow, link, known, now)
    if fresh:
        text = f"{_label(before)} : {state.get('status')}"
        add_notes(uow, link, message.sender_id, [(_when(state.get("datetime"), now), text)], now)
    record(
        uow,
        None,
        link.samu_id,
        "file.hub.receive_resource_status",
        link.number,
        now,
        {"from": message.sender_id, "case_id": link.case_id, "resource": rid, "status": state.get("status")},
    )
    return link.number
