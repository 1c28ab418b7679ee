"""A SAMU's SMUR software on Hub Santé: its own client id, the files the regulating LRM sends it, its units.

A SAMU may run sisamu as the software of its SMUR (logiciel SMUR) next to a regulation software (LRM), its own or
another's: the SMUR then has a Hub client id of its own (`smur_client`, e.g. `fr.health.samu440.smur`). What the
LRM sends to that client is received here (`receivers.register_smur_flows` on the SMUR client's Inbox):
- RS-EDA / RS-EDA-MAJ: the regulation file, opened or updated as a local file linked to the LRM's case id
  (`case_receive`), and recorded as an intervention of the SMUR (`smur_intervention`);
- RS-ER: the LRM asks the SMUR to engage a unit: a note on the file, for the SMUR's dispatcher;
- RS-RI / RS-SR: the other resources the LRM engaged (`resources_share` receivers).

What the SMUR sends, from its own client id to the LRM: RS-RI (`share_engagement`: the units engaged on the
intervention, from their missions) and RS-SR (`share_status`), with the bodies `resources_share` builds; the crew's
reports (RS-BPV, RS-RPIS, RS-URL) are in `smur_reports`. The SMUR's own state (its client, the interventions, the
reports) is read through `sisamu.smur.queries` and written through `sisamu.smur.exchange`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sisamu.hubsante.identifiers import resource_id as hub_resource_id
from sisamu.hubsante.inbox import RejectMessageError
from sisamu.hubsante.replies import ErrorCode
from sisamu.interop import case_receive, resources_share
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
from sisamu.interop.partner_state import add_notes
from sisamu.resources import queries as fleet
from sisamu.smur import exchange
from sisamu.smur import queries as smur
from sisamu.smur.queries import SmurClient, client_of

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection

    from sisamu.hubsante.envelope import HubMessage
    from sisamu.platform.events import MissionEngaged, MissionStatusChanged
    from sisamu.resources.mission import Mission
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

__all__ = ["Intervention", "SmurClient", "client_of", "intervention_of"]


@dataclass(frozen=True, slots=True)
class Intervention:
    """A file the SMUR received from the regulating LRM: what it sends about it goes back there."""

    samu_id: str
    number: str
    case_id: str
    lrm: str
    client_id: str
    link: CaseLink


def intervention_of(conn: Connection, samu_id: str, number: str) -> Intervention | None:
    """The SMUR intervention on file `number`, if the file came from an LRM to our SMUR client."""
    row = smur.intervention(conn, samu_id, number)
    if row is None:
        return None
    link = next((lk for lk in links_of_file(conn, samu_id, number) if lk.partner == row.lrm), None)
    if link is None:  # pragma: no cover - the link is written with the intervention
        return None
    return Intervention(row.samu_id, row.number, row.case_id, row.lrm, row.client_id, link)


# --- receiving, on the SMUR client -----------------------------------------------------------------------------

Receive = Callable[["UnitOfWork", "HubMessage", "datetime"], object]


def lrm_of(conn: Connection, client_id: str) -> str:
    """The LRM the SMUR software `client_id` works for: its SAMU's regulation (`samu.hub_id`)."""
    return hub_id_of(conn, samu_of_client(conn, client_id))


def only_from_lrm(receive: Receive) -> Receive:
    """`receive`, for the SMUR software: a message applies only when it comes from the SAMU's LRM; from anyone
    else it is refused with RS-ERROR 703 (unknown sender) and changes nothing."""

    @functools.wraps(receive)
    def guarded(uow: UnitOfWork, message: HubMessage, now: datetime) -> object:
        if message.sender_id != lrm_of(uow.conn, message.recipient_id):
            raise RejectMessageError(
                ErrorCode.UNKNOWN_SENDER, f"{message.sender_id} is not the LRM of this SMUR software"
            )
        return receive(uow, message, now)

    return guarded


def receive_file(uow: UnitOfWork, message: HubMessage, now: datetime) -> str:
    """RS-EDA to our SMUR client: the LRM's file, opened locally (`case_receive`) and kept as an intervention."""
    number = case_receive.receive_case(uow, message, now)
    exchange.record_intervention(
        uow,
        samu_id=samu_of_client(uow.conn, message.recipient_id),
        number=number,
        case_id=str(message.body["caseId"]),
        lrm=message.sender_id,
        client_id=message.recipient_id,
        now=now,
    )
    return number


def receive_engagement(uow: UnitOfWork, message: HubMessage, now: datetime) -> str:
    """RS-ER: the LRM asks the SMUR to engage a unit; a note on the file says what (702 on an unknown case)."""
    samu_id = samu_of_client(uow.conn, message.recipient_id)
    case_id = str(message.body["caseId"])
    link = link_of_case(uow.conn, samu_id, case_id, partner=message.sender_id, lock=True)
    if link is None:
        raise unknown_case(case_id, "no RS-EDA before")
    notes = [(now, "Engagement demandé au SMUR : " + _asked(r)) for r in message.body.get("resource") or []]
    add_notes(uow, link, message.sender_id, notes, now)
    record(
        uow,
        None,
        samu_id,
        "file.hub.receive_engagement",
        link.number,
        now,
        {"from": message.sender_id, "case_id": case_id, "resources": len(notes)},
    )
    return link.number


def _asked(resource: dict[str, Any]) -> str:
    parts = [str(resource.get("vehicleType") or "moyen")]
    team = resource.get("team") or {}
    if team.get("medicalLevel"):
        parts.append(f"({team['medicalLevel']})")
    if resource.get("name"):
        parts.append(f"« {resource['name']} »")
    if team.get("name"):
        parts.append(f"équipe « {team['name']} »")
    return " ".join(parts)


# --- sending, from the SMUR client to the LRM ------------------------------------------------------------------


def _missions(uow: UnitOfWork, samu_id: str, number: str, mission_ids: list[int] | None) -> list[Mission]:
    found = fleet.missions_of_file(uow.conn, samu_id, number)
    return [m for m in found if mission_ids is None or m.mission_id in mission_ids]


def share_engagement(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    number: str,
    now: datetime,
    mission_ids: list[int] | None = None,
) -> HubMessage | None:
    """RS-RI from our SMUR client to the LRM: the SMUR's units engaged on the intervention (None: not one)."""
    found = intervention_of(uow.conn, samu_id, number)
    missions = _missions(uow, samu_id, number, mission_ids)
    if found is None or not missions:
        return None
    body = resources_share.resources_body(uow, found.link, missions, hub_id_of(uow.conn, samu_id))
    message = send(
        uow, "RS-RI", {"resourcesInfo": body}, sender=found.client_id, recipient=found.lrm, now=now
    )
    record(
        uow,
        principal,
        samu_id,
        "file.hub.smur_resources",
        number,
        now,
        {"to": found.lrm, "case_id": found.case_id, "missions": [m.mission_id for m in missions]},
    )
    return message


def share_status(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, mission_id: int, now: datetime
) -> HubMessage | None:
    """RS-SR from our SMUR client to the LRM: the mission's current status (None: not an intervention)."""
    item = fleet.mission(uow.conn, samu_id, mission_id)
    found = intervention_of(uow.conn, samu_id, item.file_number) if item is not None else None
    if item is None or found is None:
        return None
    timezone = timezone_of(uow.conn, samu_id)
    (state, *_) = resources_share.state_of(item, timezone)
    body = {
        "caseId": found.case_id,
        "resourceId": hub_resource_id(hub_id_of(uow.conn, samu_id), item.resource_id),
        "state": state,
    }
    message = send(
        uow, "RS-SR", {"resourcesStatus": body}, sender=found.client_id, recipient=found.lrm, now=now
    )
    record(
        uow,
        principal,
        samu_id,
        "file.hub.smur_status",
        item.file_number,
        now,
        {"to": found.lrm, "mission_id": mission_id, "status": state["status"]},
    )
    return message


def mission_engaged(uow: UnitOfWork, event: MissionEngaged) -> bool:
    """RS-RI from our SMUR client when the mission's file is an intervention from an LRM (True: handled here;
    False: the file is not one, share it as the SAMU)."""
    if intervention_of(uow.conn, event.samu_id, event.file_number) is None:
        return False
    share_engagement(
        uow,
        principal=event.actor,
        samu_id=event.samu_id,
        number=event.file_number,
        now=event.at,
        mission_ids=[event.mission_id],
    )
    return True


def mission_status(uow: UnitOfWork, event: MissionStatusChanged) -> bool:
    """RS-SR from our SMUR client on an intervention (True: handled here)."""
    if intervention_of(uow.conn, event.samu_id, event.file_number) is None:
        return False
    share_status(uow, principal=event.actor, samu_id=event.samu_id, mission_id=event.mission_id, now=event.at)
    return True
