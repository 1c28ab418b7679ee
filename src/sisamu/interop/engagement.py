"""RS-ER: the regulating SAMU (LRM) asks a SMUR's software to engage resources on a shared file (15-SMUR).

The physician asks for a kind of unit (`vehicleType`, and the crew's `medicalLevel`: "a VLM with a physician"),
or for one of the SMUR's units sisamu knows (`resource_id`: its vehicle, crew level, name and team name are taken
from the unit), with free text for anything else (the crew wanted, equipment). The file must be shared with that
SMUR software first (RS-EDA: the engagement names the shared case id). Sent in the caller's transaction, audited.
The SMUR answers with RS-RI (the units it engaged) and RS-SR (their statuses), received by `resources_share`.
Receiving an RS-ER is the SMUR software's side (`smur_role.receive_engagement`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sisamu.domain.codes import TypeVecteur
from sisamu.domain.errors import DomainError
from sisamu.interop.case_share import _writable
from sisamu.interop.common import hub_id_of, links_of_file, record, send
from sisamu.resources import queries as fleet

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.hubsante.envelope import HubMessage
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

RS_ER = "RS-ER"
MEDICAL_LEVELS = frozenset({"MED", "PARAMED", "SECOURS", "SANS"})


class InvalidEngagement(DomainError):
    """The engagement asked for cannot be sent as it is."""

    code = "ENGAGEMENT_INVALIDE"
    summary_fr = "L'engagement demandé ne peut pas être envoyé tel quel."


@dataclass(frozen=True, slots=True)
class Asked:
    """One resource asked of the SMUR: a kind of unit, or one of its units (`resource_id`)."""

    vehicle: str | None = None  # HubSante.typeVecteur; from the unit when `resource_id` is given
    medical_level: str | None = None  # MED, PARAMED, SECOURS, SANS
    resource_id: str | None = None  # one of the SMUR's units in sisamu's fleet
    freetext: tuple[str, ...] = ()


def _resource(uow: UnitOfWork, samu_id: str, asked: Asked) -> dict[str, Any]:
    found: dict[str, Any] = {}
    team: dict[str, str] = {}
    vehicle, level = asked.vehicle, asked.medical_level
    if asked.resource_id is not None:
        unit = fleet.unit(uow.conn, samu_id, asked.resource_id)
        if unit is None:
            raise InvalidEngagement(f"no unit {asked.resource_id} in samu {samu_id}")
        vehicle, level = vehicle or unit.vehicle, level or unit.crew_level
        found["name"] = unit.name
        if unit.team_name:
            team["name"] = unit.team_name
    try:
        found["vehicleType"] = str(TypeVecteur(vehicle or ""))
    except ValueError:
        raise InvalidEngagement(f"{vehicle!r} is not a code of HubSante.typeVecteur") from None
    if level is not None:
        if level not in MEDICAL_LEVELS:
            raise InvalidEngagement(f"{level!r} is not a medical level ({', '.join(sorted(MEDICAL_LEVELS))})")
        team["medicalLevel"] = level
    if team:
        found["team"] = team
    texts = [text.strip() for text in asked.freetext if text.strip()]
    if texts:
        found["freetext"] = texts
    return found


def request_engagement(
    uow: UnitOfWork,
    *,
    principal: Principal,
    number: str,
    to: str,
    asked: Sequence[Asked],
    now: datetime,
) -> HubMessage:
    """Ask the SMUR software `to` to engage `asked` on file `number` (RS-ER)."""
    if not asked:
        raise InvalidEngagement("an engagement asks for at least one resource")
    file = _writable(uow, principal, number, now)
    link = next((lk for lk in links_of_file(uow.conn, file.samu_id, number) if lk.partner == to), None)
    if link is None:
        raise InvalidEngagement(f"file {number} is not shared with {to}: share it first (RS-EDA)")
    resources = [_resource(uow, file.samu_id, one) for one in asked]
    us = hub_id_of(uow.conn, file.samu_id)
    body = {"caseId": link.case_id, "resource": resources}
    message = send(uow, RS_ER, {"resourcesEngagement": body}, sender=us, recipient=to, now=now)
    record(
        uow,
        principal,
        file.samu_id,
        "file.hub.engagement",
        number,
        now,
        {"to": to, "case_id": link.case_id, "vehicles": [r["vehicleType"] for r in resources]},
    )
    return message
