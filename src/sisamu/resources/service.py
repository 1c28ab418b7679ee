# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Use cases of units and missions: one function per command, inside the caller's unit of work.

Every entry point (console, crew terminal over HTTP, MQTT) goes through these functions: they check who acts
(`sisamu.resources.access`), lock the unit before its mission, apply the pure cycle (`sisamu.resources.mission`),
audit, and emit live events that PostgreSQL delivers after commit (`resource.*`, `mission.*`). `principal` None
is the platform itself (the MQTT adapter: the broker authenticated the terminal, the topic names the unit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, select

from sisamu.cases import service as cases
from sisamu.cases.access import check_file
from sisamu.cases.model import InvalidFile, normalize_phone
from sisamu.domain.codes import Etat, StatutVecteur
from sisamu.domain.events import LiveEvent
from sisamu.platform.events import MissionEngaged, MissionStatusChanged
from sisamu.resources import access, store
from sisamu.resources import mission as cycle
from sisamu.resources.mission import Availability, Mission, Source
from sisamu.resources.model import InvalidResource, ResourceUnavailable, check_unit, duty_json, is_available
from sisamu.resources.model import parse_duty as parse_rota
from sisamu.security import audit
from sisamu.security import store as accounts
from sisamu.security.access import authorize
from sisamu.security.errors import NotFound
from sisamu.security.roles import Permission, Principal, Role
from sisamu.storage.tables import samu
from sisamu.storage.uow import UnitOfWork

PLATFORM_ACTOR = "plateforme"
CLOSED_STATES = frozenset({Etat.CLOTURE, Etat.CLASSE, Etat.ARCHIVE})


def local_now(uow: UnitOfWork, samu_id: str, now: datetime) -> datetime:
    zone = uow.execute(select(samu.c.timezone).where(samu.c.samu_id == samu_id)).scalar_one_or_none()
    return now.astimezone(ZoneInfo(zone or "Europe/Paris"))


def _actor(principal: Principal | None) -> str:
    return principal.display_name if principal is not None else PLATFORM_ACTOR


def load_unit(uow: UnitOfWork, samu_id: str, resource_id: str, *, lock: bool) -> Row[Any]:
    row = store.load_resource(uow.conn, samu_id, resource_id, lock=lock)
    if row is None:
        raise NotFound(f"no resource {resource_id} in samu {samu_id}")
    return row


def load_mission(uow: UnitOfWork, samu_id: str, mission_id: int, *, lock: bool) -> Mission:
    found = store.load_mission(uow.conn, samu_id, mission_id, lock=lock)
    if found is None:
        raise NotFound(f"no mission {mission_id} in samu {samu_id}")
    return found


def emit_resource(uow: UnitOfWork, row: Row[Any], kind: str = "resource.status") -> None:
    data = {
        "availability": row.availability,
        "status": row.status,
        "mission_id": row.mission_id,
        "lat": row.lat,
        "lon": row.lon,
    }
    uow.emit(LiveEvent(row.samu_id, kind, row.resource_id, row.version, data))


def emit_mission(uow: UnitOfWork, item: Mission, kind: str) -> None:
    data = {"resource_id": item.resource_id, "file_number": item.file_number, "status": str(item.status)}
    uow.emit(LiveEvent(item.samu_id, kind, str(item.mission_id), item.version, data))


def audit_mission(
    uow: UnitOfWork, principal: Principal | None, item: Mission, action: str, now: datetime, **detail: Any
) -> None:
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=item.samu_id,
        action=action,
        object_type="mission",
        object_id=str(item.mission_id),
        at=now,
        detail={"file_number": item.file_number, "resource_id": item.resource_id, **detail},
        actor=None if principal is not None else PLATFORM_ACTOR,
    )


# --- units -----------------------------------------------------------------------------------------------------


def list_resources(uow: UnitOfWork, *, principal: Principal, samu_id: str) -> list[Row[Any]]:
    authorize(principal, Permission.ROOM_READ, samu_id)
    return store.resources_of(uow.conn, samu_id)


@dataclass(frozen=True, slots=True)
class UnitInput:
    resource_id: str
    name: str
    resource_type: str
    vehicle: str
    crew_level: str
    base_lat: float
    base_lon: float
    base_id: str | None = None
    base_name: str | None = None
    company: str | None = None
    partner: bool = False
    duty: Sequence[Mapping[str, Any]] = ()
    team_name: str | None = None  # the crew's name as its organisation gives it ("Equipe SMUR A")
    crew_phone: str | None = None  # the crew's phone, reachable while on mission


def crew_phone(raw: str | None) -> str | None:
    """The crew's phone in international form (`+33612345678`), as the Hub's `contact` wants it."""
    try:
        return normalize_phone(raw)
    except InvalidFile as exc:
        raise InvalidResource(str(exc)) from None


def add_resource(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, unit: UnitInput, now: datetime
) -> Row[Any]:
    """A new unit, available at its base (the supervisor's, or seeding's with `principal` None)."""
    if principal is not None:
        authorize(principal, Permission.ROOM_WRITE, samu_id)
    resource_type, vehicle, crew = check_unit(unit.resource_type, unit.vehicle, unit.crew_level)
    values = {
        "samu_id": samu_id,
        "resource_id": unit.resource_id,
        "name": unit.name,
        "resource_type": resource_type,
        "vehicle": vehicle,
        "crew_level": str(crew),
        "partner": unit.partner,
        "company": unit.company,
        "base_id": unit.base_id,
        "base_name": unit.base_name,
        "base_lat": unit.base_lat,
        "base_lon": unit.base_lon,
        "duty": duty_json(parse_rota(unit.duty)),
        "team_name": unit.team_name.strip() if unit.team_name and unit.team_name.strip() else None,
        "crew_phone": crew_phone(unit.crew_phone),
        "availability": str(Availability.AVAILABLE),
        "lat": unit.base_lat,
        "lon": unit.base_lon,
        "position_at": now,
    }
    if not store.insert_resource(uow.conn, values, now):
        if principal is None:
            return load_unit(uow, samu_id, unit.resource_id, lock=False)
        raise InvalidResource(f"resource {unit.resource_id} exists already")
    row = load_unit(uow, samu_id, unit.resource_id, lock=False)
    emit_resource(uow, row, "resource.added")
    return row


def update_resource(
    uow: UnitOfWork,
    *,
    principal: Principal,
    samu_id: str,
    resource_id: str,
    now: datetime,
    availability: Availability | None = None,
    crew_username: str | None = None,
    duty: Sequence[Mapping[str, Any]] | None = None,
    name: str | None = None,
    team_name: str | None = None,
    phone: str | None = None,
) -> Row[Any]:
    """The supervisor puts a unit in or out of service, links its crew account, changes its rota, name, crew's
    team name or phone (an empty text clears those two)."""
    authorize(principal, Permission.ROOM_WRITE, samu_id)
    row = load_unit(uow, samu_id, resource_id, lock=True)
    values: dict[str, Any] = {}
    if availability is not None and availability != row.availability:
        if Availability.ENGAGED in {availability, row.availability}:
            raise ResourceUnavailable("engagement is set by missions, not by hand")
        values["availability"] = str(availability)
    if crew_username is not None:
        found = accounts.account_by_username(uow.conn, crew_username)
        if found is None or found.role != Role.CREW or found.samu_id != samu_id:
            raise InvalidResource(f"{crew_username!r} is not a crew account of samu {samu_id}")
        values["crew_account_id"] = found.account_id
    if duty is not None:
        values["duty"] = duty_json(parse_rota(duty))
    if name is not None:
        values["name"] = name
    if team_name is not None:
        values["team_name"] = team_name.strip() or None
    if phone is not None:
        values["crew_phone"] = crew_phone(phone)
    if values:
        store.update_resource(uow.conn, samu_id, resource_id, now, **values)
        row = load_unit(uow, samu_id, resource_id, lock=False)
        emit_resource(uow, row, "resource.updated")
    return row


# --- missions --------------------------------------------------------------------------------------------------


def engage(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    number: str,
    resource_id: str,
    now: datetime,
    triggered: bool = False,
) -> Mission:
    """Send a unit of the file's SAMU on the file: a mission at DECISION, or at DECLENCHE when `triggered` (a
    départ réflexe, a partner's unit its own centre triggered); only an available unit. Partners the file is
    shared with hear of it (`MissionEngaged`, handled by the Hub flows).

    `principal` None is the platform itself (a mutual-aid request accepted through Hub Santé, seeding)."""
    owner = cases.file_owner(number)
    if principal is not None:
        check_file(uow.conn, principal, Permission.PATIENT_WRITE, owner, number, now)
    file = cases.load_file(uow, owner, number, lock=False)
    if file.state in CLOSED_STATES:
        raise ResourceUnavailable(f"file {number} is {file.state}: a new call opens a new file")
    row = load_unit(uow, owner, resource_id, lock=True)
    if not is_available(row.availability, row.duty, local_now(uow, owner, now)):
        state = row.availability if row.availability != Availability.AVAILABLE else "off duty"
        raise ResourceUnavailable(f"{resource_id} is not available ({state})")
    actor = _actor(principal)
    mission_id = store.insert_mission(
        uow.conn, samu_id=owner, resource_id=resource_id, file_number=number, now=now, engaged_by=actor
    )
    item = cycle.engage(
        samu_id=owner,
        mission_id=mission_id,
        resource_id=resource_id,
        file_number=number,
        now=now,
        actor=actor,
        status=StatutVecteur.DECLENCHE if triggered else StatutVecteur.DECISION,
    )
    store.save_mission(uow.conn, item, item.history, expected_version=item.version)
    store.update_resource(
        uow.conn,
        owner,
        resource_id,
        now,
        availability=str(Availability.ENGAGED),
        status=str(item.status),
        mission_id=mission_id,
    )
    audit_mission(uow, principal, item, "mission.engage", now, status=str(item.status))
    emit_mission(uow, item, "mission.engaged")
    emit_resource(uow, load_unit(uow, owner, resource_id, lock=False))
    uow.record(
        MissionEngaged(
            samu_id=owner, mission_id=item.mission_id, file_number=number, resource_id=resource_id, at=now,
            actor=principal,
        )
    )  # fmt: skip
    return item


def report_status(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    status: StatutVecteur | str,
    now: datetime,
    mission_id: int | None = None,
    resource_id: str | None = None,
    at: datetime | None = None,
    source: Source | None = None,
) -> Mission:
    """A status of a mission, named by its id or as the current mission of a unit (crew terminal, MQTT)."""
    if mission_id is None:
        if resource_id is None:
            raise ValueError("a mission id or a resource id is needed")
        mission_id = store.latest_mission_id(uow.conn, samu_id, resource_id)
        if mission_id is None:
            row = load_unit(uow, samu_id, resource_id, lock=False)
            if principal is not None:
                access.status_reporter(principal, samu_id, row.crew_account_id)
            raise NotFound(f"resource {resource_id} has no mission")
    peek = load_mission(uow, samu_id, mission_id, lock=False)
    if resource_id is not None and peek.resource_id != resource_id:
        raise NotFound(f"mission {mission_id} is not a mission of {resource_id}")
    row = load_unit(uow, samu_id, peek.resource_id, lock=True)  # the unit first, then its mission
    checked = (
        access.status_reporter(principal, samu_id, row.crew_account_id) if principal is not None else None
    )
    item = load_mission(uow, samu_id, mission_id, lock=True)
    version = item.version
    entry = cycle.advance(
        item, status, now=now, at=at, actor=_actor(principal), source=source or checked or Source.MQTT
    )
    store.save_mission(uow.conn, item, [entry], expected_version=version)
    if row.mission_id == item.mission_id:
        store.update_resource(
            uow.conn,
            samu_id,
            row.resource_id,
            now,
            status=str(item.status),
            availability=str(Availability.ENGAGED if item.holds_resource else Availability.AVAILABLE),
        )
        emit_resource(uow, load_unit(uow, samu_id, row.resource_id, lock=False))
    audit_mission(
        uow, principal, item, "mission.status", now, status=str(item.status), source=str(entry.source)
    )
    emit_mission(uow, item, "mission.status")
    uow.record(
        MissionStatusChanged(
            samu_id=samu_id, mission_id=item.mission_id, file_number=item.file_number,
            resource_id=item.resource_id, status=str(item.status), at=now, actor=principal,
        )
    )  # fmt: skip
    return item


def get_mission(uow: UnitOfWork, *, principal: Principal, samu_id: str, mission_id: int) -> Mission:
    item = load_mission(uow, samu_id, mission_id, lock=False)
    row = load_unit(uow, samu_id, item.resource_id, lock=False)
    access.reader(principal, samu_id, row.crew_account_id)
    return item


def list_missions(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, open_only: bool = True
) -> list[Row[Any]]:
    """The SAMU's missions; a crew sees its own units' only."""
    authorize(principal, Permission.ROOM_READ, samu_id)
    if principal.role is Role.CREW:
        units = store.resources_of_crew(uow.conn, samu_id, principal.account_id)
        return store.missions(uow.conn, samu_id, resource_ids=units, open_only=open_only)
    return store.missions(uow.conn, samu_id, open_only=open_only)


def file_missions(uow: UnitOfWork, *, principal: Principal, number: str, now: datetime) -> list[Mission]:
    """The file's missions, newest first, each with its timestamped statuses."""
    owner = cases.file_owner(number)
    check_file(uow.conn, principal, Permission.PATIENT_READ, owner, number, now)
    rows = store.missions(uow.conn, owner, file_number=number)
    return [load_mission(uow, owner, row.mission_id, lock=False) for row in rows]
