"""Queries on room instructions."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from sisamu.instructions.model import Instruction
from sisamu.storage.tables import room_note


def next_id(conn: Connection, samu_id: str) -> int:
    # Serialise writers of one room on its SAMU row so ids stay dense and unique without a global sequence.
    conn.execute(select(func.pg_advisory_xact_lock(func.hashtext("room_note:" + samu_id))))
    last = conn.execute(select(func.max(room_note.c.note_id)).where(room_note.c.samu_id == samu_id)).scalar()
    return int(last or 0) + 1


def add(conn: Connection, instruction: Instruction) -> None:
    conn.execute(
        room_note.insert().values(
            samu_id=instruction.samu_id,
            note_id=instruction.note_id,
            author_id=instruction.author_id,
            author=instruction.author,
            body=instruction.body,
            created_at=instruction.created_at,
        )
    )


def recent(conn: Connection, samu_id: str, limit: int = 50) -> list[Instruction]:
    rows = conn.execute(
        select(room_note)
        .where(room_note.c.samu_id == samu_id)
        .order_by(room_note.c.note_id.desc())
        .limit(limit)
    )
    return [Instruction(r.samu_id, r.note_id, r.author_id, r.author, r.body, r.created_at) for r in rows]
