"""Rules for room instructions: pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sisamu.domain.errors import DomainError

MAX_LENGTH = 2000


class InstructionRefused(DomainError):
    """The instruction cannot be posted; the message is French, for the person who typed it."""

    code = "CONSIGNE_REFUSEE"
    summary_fr = None  # the message itself


@dataclass(frozen=True, slots=True)
class Instruction:
    samu_id: str
    note_id: int
    author_id: UUID
    author: str
    body: str
    created_at: datetime


def clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise InstructionRefused("La consigne est vide.")
    if len(text) > MAX_LENGTH:
        raise InstructionRefused(f"La consigne dépasse {MAX_LENGTH} caractères.")
    return text
