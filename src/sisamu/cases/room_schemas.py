"""Response bodies (pydantic) of a room's file lists: the regulation queue, the room board, search results."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from sisamu.domain.codes import Etat, Priorite


class QueueEntryOut(BaseModel):
    number: str
    state: Etat
    step: str
    priority: Priorite | None
    motif: str | None
    motif_label: str | None
    commune_name: str | None
    queued_at: datetime
    waiting_s: float
    patients: int


class BoardEntryOut(BaseModel):
    """One open file in the supervisor's room view: no patient identity, no reason."""

    number: str
    state: Etat
    step: str
    priority: Priorite | None
    created_at: datetime
    queued_at: datetime | None
    waiting_s: float | None
    holder_name: str | None
    held_since: datetime | None
    version: int


class FileSummaryOut(BaseModel):
    number: str
    state: Etat
    priority: Priorite | None
    created_at: datetime
    motif: str | None
    commune_name: str | None
    caller_phone: str | None
    patients: list[str]
    score: float | None


class MyFileOut(BaseModel):
    """A file the caller works on: held by them, or opened from their call in hand."""

    number: str
    state: Etat
    step: str
    priority: Priorite | None
    motif: str | None
    motif_label: str | None
    commune_name: str | None
    call_id: str | None
    created_at: datetime
    held_since: datetime | None
    held_by_me: bool
