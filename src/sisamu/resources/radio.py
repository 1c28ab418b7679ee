# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""The radio log: text messages between the room and a unit's crew, on a mission, kept on the file (append-only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row

from sisamu.cases import service as cases
from sisamu.cases.access import check_file
from sisamu.domain.events import LiveEvent
from sisamu.resources import access, store
from sisamu.resources.mission import Source
from sisamu.resources.model import InvalidResource
from sisamu.resources.service import audit_mission, get_mission, load_mission, load_unit
from sisamu.security.roles import Permission, Principal
from sisamu.storage.uow import UnitOfWork


def post_message(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, mission_id: int, body: str, now: datetime
) -> Row[Any]:
    """A radio-log message on a mission: room → crew from the console, crew → room from the terminal."""
    item = load_mission(uow, samu_id, mission_id, lock=False)
    row = load_unit(uow, samu_id, item.resource_id, lock=False)
    source = access.reporter(principal, samu_id, row.crew_account_id)
    text = body.strip()
    if not text:
        raise InvalidResource("an empty message")
    saved = store.insert_message(
        uow.conn,
        {
            "samu_id": samu_id,
            "file_number": item.file_number,
            "mission_id": mission_id,
            "resource_id": item.resource_id,
            "direction": "CREW_TO_ROOM" if source is Source.CREW else "ROOM_TO_CREW",
            "body": text,
            "author_id": principal.account_id,
            "author": principal.display_name,
            "at": now,
        },
    )
    audit_mission(uow, principal, item, "mission.radio", now, direction=saved.direction)
    data = {"file_number": item.file_number, "resource_id": item.resource_id, "direction": saved.direction}
    uow.emit(LiveEvent(samu_id, "mission.message", str(mission_id), saved.message_id, data))
    return saved


def mission_messages(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, mission_id: int, now: datetime
) -> list[Row[Any]]:
    item = get_mission(uow, principal=principal, samu_id=samu_id, mission_id=mission_id)
    audit_mission(uow, principal, item, "mission.radio.read", now)
    return store.messages(uow.conn, samu_id, mission_id=mission_id)


def file_messages(uow: UnitOfWork, *, principal: Principal, number: str, now: datetime) -> list[Row[Any]]:
    """The radio log kept on the file: every message of every mission on it."""
    owner = cases.file_owner(number)
    check_file(uow.conn, principal, Permission.PATIENT_READ, owner, number, now)
    file = cases.load_file(uow, owner, number, lock=False)
    cases.audit_file(uow, principal, file, "file.radio.read", now)
    return store.messages(uow.conn, owner, file_number=number)
