"""Use cases of room instructions."""

from __future__ import annotations

from datetime import datetime

from sisamu.domain.events import LiveEvent
from sisamu.instructions import store
from sisamu.instructions.model import Instruction, clean_body
from sisamu.security.access import authorize
from sisamu.security.roles import Permission, Principal
from sisamu.storage.uow import UnitOfWork


def post_instruction(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, body: str, now: datetime
) -> Instruction:
    authorize(principal, Permission.ROOM_WRITE, samu_id)
    return _post(uow, principal=principal, samu_id=samu_id, body=body, now=now)


def post_for_crisis(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, body: str, now: datetime
) -> Instruction:
    """The instruction a crisis posts to each room it switches, on behalf of who opened or closed it (the crisis
    service checked their right on the crisis: a national operator posts to the rooms it puts in crisis)."""
    return _post(uow, principal=principal, samu_id=samu_id, body=body, now=now)


def _post(uow: UnitOfWork, *, principal: Principal, samu_id: str, body: str, now: datetime) -> Instruction:
    instruction = Instruction(
        samu_id=samu_id,
        note_id=store.next_id(uow.conn, samu_id),
        author_id=principal.account_id,
        author=principal.display_name,
        body=clean_body(body),
        created_at=now,
    )
    store.add(uow.conn, instruction)
    uow.emit(LiveEvent(samu_id=samu_id, kind="room.instruction", object_id=str(instruction.note_id)))
    return instruction
