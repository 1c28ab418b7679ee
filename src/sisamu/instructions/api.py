"""HTTP routes of room instructions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from sisamu.instructions import service, store
from sisamu.instructions.model import MAX_LENGTH, Instruction
from sisamu.platform.http import PlatformDep, require
from sisamu.security.roles import Permission, Principal

router = APIRouter(prefix="/api/samus/{samu_id}/instructions", tags=["room"])


class InstructionIn(BaseModel):
    body: str = Field(min_length=1, max_length=MAX_LENGTH)


class InstructionOut(BaseModel):
    note_id: int
    author: str
    body: str
    created_at: datetime

    @classmethod
    def of(cls, item: Instruction) -> InstructionOut:
        return cls(note_id=item.note_id, author=item.author, body=item.body, created_at=item.created_at)


@router.get("", summary="Recent room instructions, newest first")
def list_instructions(
    samu_id: str,
    platform: PlatformDep,
    _: Annotated[Principal, Depends(require(Permission.ROOM_READ))],
) -> list[InstructionOut]:
    with platform.engine.connect() as conn:
        return [InstructionOut.of(i) for i in store.recent(conn, samu_id)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Post an instruction to the room (supervisor)")
def post_instruction(
    samu_id: str,
    payload: InstructionIn,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.ROOM_WRITE))],
) -> InstructionOut:
    with platform.uow() as uow:
        item = service.post_instruction(
            uow, principal=principal, samu_id=samu_id, body=payload.body, now=platform.clock.now()
        )
    return InstructionOut.of(item)
