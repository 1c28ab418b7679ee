"""Read use cases: regulation queue, room board, search, caller history, RS-EDA export (patient data audited)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sisamu.cases import export, queue, search
from sisamu.cases.access import check_file
from sisamu.cases.model import normalize_phone
from sisamu.cases.service import OBJECT_TYPE, file_owner, load_file
from sisamu.security import audit
from sisamu.security.access import authorize
from sisamu.security.errors import Forbidden
from sisamu.security.roles import Permission, Principal, Role
from sisamu.storage.tables import samu
from sisamu.storage.uow import UnitOfWork

CALLER_HISTORY_DAYS = 90


def _read_staff(principal: Principal, samu_id: str) -> None:
    if principal.role is Role.CREW:
        raise Forbidden(f"{principal.username}: crews reach files through their missions only")
    authorize(principal, Permission.PATIENT_READ, samu_id)


def _audit_list(
    uow: UnitOfWork, principal: Principal, samu_id: str, what: str, now: datetime, detail: dict[str, Any]
) -> None:
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=samu_id,
        action=f"file.{what}",
        object_type="regulation_file_list",
        object_id=what,
        at=now,
        detail=detail,
    )


def regulation_queue(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, now: datetime
) -> list[queue.QueueEntry]:
    _read_staff(principal, samu_id)
    entries = queue.regulation_queue(uow.conn, samu_id)
    _audit_list(uow, principal, samu_id, "queue", now, {"numbers": [e.number for e in entries]})
    return entries


def my_files(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, now: datetime, call_id: str | None = None
) -> list[queue.MyFile]:
    """The files `principal` works on (held by them, or opened from their call `call_id`): what a console
    restores after a reload. Audited as a list read."""
    _read_staff(principal, samu_id)
    found = queue.my_files(uow.conn, samu_id, principal.account_id, (call_id or "").strip() or None)
    _audit_list(
        uow, principal, samu_id, "mine", now, {"call_id": call_id, "numbers": [f.number for f in found]}
    )
    return found


def room_board(principal: Principal, uow: UnitOfWork, samu_id: str) -> list[Any]:
    """The supervisor's room: open files by state and priority, waiting times, holders. No patient identity."""
    authorize(principal, Permission.ROOM_READ, samu_id)
    return queue.board(uow.conn, samu_id)


def _day_bounds(uow: UnitOfWork, samu_id: str, day: date) -> tuple[datetime, datetime]:
    zone = uow.conn.execute(select(samu.c.timezone).where(samu.c.samu_id == samu_id)).scalar()
    start = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone or "Europe/Paris"))
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=start.tzinfo)


def search_files(
    uow: UnitOfWork,
    *,
    principal: Principal,
    samu_id: str,
    now: datetime,
    phone: str | None = None,
    name: str | None = None,
    commune_insee: str | None = None,
    day: date | None = None,
    number: str | None = None,
    limit: int = 50,
) -> list[search.FileSummary]:
    """Files of the SAMU matching every criterion given; the search and its results are audited."""
    _read_staff(principal, samu_id)
    since, until = _day_bounds(uow, samu_id, day) if day else (None, None)
    criteria = search.Criteria(
        phone=normalize_phone(phone),
        name=(name or "").strip() or None,
        commune_insee=commune_insee,
        since=since,
        until=until,
        number=(number or "").strip().upper() or None,
        limit=limit,
    )
    if criteria.is_empty():
        raise Forbidden("a search names at least one criterion")
    found = search.search(uow.conn, samu_id, criteria)
    given = {k: str(v) for k, v in asdict(criteria).items() if v is not None and k != "limit"}
    _audit_list(
        uow, principal, samu_id, "search", now, {"criteria": given, "numbers": [f.number for f in found]}
    )
    return found


def caller_history(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, phone: str, now: datetime
) -> list[search.FileSummary]:
    """The caller's files of the last 90 days, shown to the ARM when the call is picked up."""
    _read_staff(principal, samu_id)
    criteria = search.Criteria(
        phone=normalize_phone(phone), since=now - timedelta(days=CALLER_HISTORY_DAYS), limit=20
    )
    found = search.search(uow.conn, samu_id, criteria) if criteria.phone else []
    _audit_list(
        uow,
        principal,
        samu_id,
        "history",
        now,
        {"phone": criteria.phone, "numbers": [f.number for f in found]},
    )
    return found


def export_rs_eda(
    uow: UnitOfWork, *, principal: Principal, number: str, now: datetime, recipient_id: str | None = None
) -> dict[str, Any]:
    """The file as a Hub Santé RS-EDA message (EDXL-DE envelope), validated before it is returned."""
    owner = file_owner(number)
    check_file(uow.conn, principal, Permission.PATIENT_READ, owner, number, now)
    file = load_file(uow, owner, number, lock=False)
    envelope = export.rs_eda_envelope(file, now, recipient_id=recipient_id)
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=file.samu_id,
        action="file.export",
        object_type=OBJECT_TYPE,
        object_id=file.number,
        at=now,
        detail={
            "message": "RS-EDA",
            "recipient": envelope["descriptor"]["explicitAddress"]["explicitAddressValue"],
        },
    )
    return envelope
