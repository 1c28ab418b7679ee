"""Positions of vehicles (GEO-POS `geoPositionsUpdate`, 15-GPS), both ways.

Sending: a unit on a mission whose file is shared publishes its position to the file's partners when it moves
(`sisamu.resources.positions.report_position` records `UnitMoved`, whose handler calls `share_position`) or on demand
(`share_position`). The message carries the Hub `resourceId`, the fix's time, the point, speed and heading when
known, `move`, `status` (INDISPONIBLE while the unit holds its mission) and `engagedStatus` from the mission's
status. Nothing is sent for a unit that is not on a shared file.

Receiving: the position of a partner's resource that this partner announced on a shared file (RS-RI/RS-SR, EMSI)
is kept as its last `position` (an older fix does not replace a newer one); a resource the sender did not announce
(nobody's, or another partner's) is only recorded by the inbox row.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sisamu.domain.codes import StatutVecteur as S
from sisamu.hubsante.datetimes import format_hub_datetime, parse_hub_datetime
from sisamu.hubsante.identifiers import resource_id as hub_resource_id
from sisamu.interop.common import hub_id_of, links_of_file, samu_of_client, send, timezone_of
from sisamu.interop.partner_state import (
    links_following,
    partner_resources,
    save_partner_resources,
)
from sisamu.resources import queries as fleet
from sisamu.resources import service
from sisamu.resources.mission import Availability

if TYPE_CHECKING:
    from sisamu.hubsante.envelope import HubMessage
    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)
GEO_POS = "GEO-POS"
ENGAGED_STATUS = {
    S.DECISION: "ALERTEE",
    S.DECLENCHE: "ALERTEE",
    S.DEPART: "PARTIE",
    S.ARRIVEE: "ARRIVEE_LIEU",
    S.PEC: "ARRIVEE_LIEU",
    S.BILAN: "ARRIVEE_LIEU",
    S.ORIENTAT: "ARRIVEE_LIEU",
    S.TRANSP: "TRANSPORT_DESTINATION",
    S.ETAPE1: "TRANSPORT_DESTINATION",
    S.TRANSP2: "TRANSPORT_DESTINATION",
    S.ETAPE2: "TRANSPORT_DESTINATION",
    S.TRANSP3: "TRANSPORT_DESTINATION",
    S.DESTIN: "ARRIVEE_DESTINATION",
    S.FINPEC: "FIN_MED",
    S.RETOUR: "RETOUR_DISPONIBLE",
    S.ANNULE: "RETOUR_DISPONIBLE",
    S.RET_BASE: "RETOUR_DISPONIBLE",
    S.REN_BASE: "ARRIVEE_CENTRE",
}


def position_item(
    unit: Any, us: str, timezone: str, speed_kmh: float | None, heading: float | None
) -> dict[str, Any]:
    """One `position` of our unit (its last known point and time)."""
    at = unit.position_at.astimezone(ZoneInfo(timezone))
    item: dict[str, Any] = {
        "resourceId": hub_resource_id(us, unit.resource_id),
        "datetime": format_hub_datetime(at),
        "coord": {"lat": unit.lat, "lon": unit.lon},
    }
    if speed_kmh is not None:
        item["speed"] = speed_kmh
    if heading is not None:
        item["cap"] = heading
    item["move"] = "MOBILE" if speed_kmh else "STATIQUE"
    item["status"] = "DISPONIBLE" if unit.availability == Availability.AVAILABLE else "INDISPONIBLE"
    if unit.status:
        item["engagedStatus"] = ENGAGED_STATUS[S(unit.status)]
    return item


def share_position(
    uow: UnitOfWork,
    *,
    samu_id: str,
    resource_id: str,
    now: datetime,
    speed_kmh: float | None = None,
    heading: float | None = None,
) -> list[HubMessage]:
    """GEO-POS of our unit to the partners of the file of its current mission (none when not on a shared file)."""
    unit = service.load_unit(uow, samu_id, resource_id, lock=False)
    if unit.mission_id is None or unit.lat is None or unit.lon is None or unit.position_at is None:
        return []
    item = fleet.mission(uow.conn, samu_id, int(unit.mission_id))
    if item is None or not item.holds_resource:
        return []
    links = links_of_file(uow.conn, samu_id, item.file_number)
    if not links:
        return []
    us = hub_id_of(uow.conn, samu_id)
    body = {"position": [position_item(unit, us, timezone_of(uow.conn, samu_id), speed_kmh, heading)]}
    partners = sorted({link.partner for link in links})
    return [
        send(uow, GEO_POS, {"geoPositionsUpdate": body}, sender=us, recipient=p, now=now) for p in partners
    ]


def _newer(position: dict[str, Any], than: dict[str, Any] | None) -> bool:
    if not than:
        return True
    try:
        return parse_hub_datetime(position["datetime"]) >= parse_hub_datetime(than["datetime"])
    except (KeyError, ValueError):
        return True


def receive_positions(uow: UnitOfWork, message: HubMessage, now: datetime) -> int:
    """GEO-POS: each position updates the resource its sender announced, on the links that follow it; returns how
    many."""
    samu_id = samu_of_client(uow.conn, message.recipient_id)
    updated = 0
    for position in message.body.get("position") or []:
        rid = str(position["resourceId"])
        links = links_following(uow, samu_id, rid, sender=message.sender_id)
        if not links:
            log.info("GEO-POS of %s from %s: it announced no such resource", rid, message.sender_id)
        for link in links:
            known = partner_resources(link)
            if _newer(position, known[rid].get("position")):
                known[rid]["position"] = dict(position)
                save_partner_resources(uow, link, known, now)
                updated += 1
    return updated
