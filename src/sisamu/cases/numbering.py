"""File numbers: local `DRFR15DDXAAJJJ00000` and shared `fr.health.samuXXX.<number>` (Hub Santé helpers)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sisamu.hubsante.identifiers import (
    case_id,
    local_case_number,
    parse_local_case_number,
    patient_id,
    samu_org_id,
)

MAX_DAILY_SEQUENCE = 99_999


def local_day(moment: datetime, timezone: str) -> date:
    """The SAMU's calendar day of `moment` (numbers restart at local midnight)."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def file_number(samu_id: str, departement: str, day: date, sequence: int) -> str:
    """`("250", "25", 2026-01-25, 7)` → `DRFR152502602500007`; the CRRA code of the number is the SAMU id."""
    if not 1 <= sequence <= MAX_DAILY_SEQUENCE:
        raise ValueError(f"daily sequence out of range 1..{MAX_DAILY_SEQUENCE}: {sequence}")
    letter = samu_id[len(departement) :] or None
    number = local_case_number(departement, letter, day, sequence)
    if parse_local_case_number(number).crra != samu_id:
        raise ValueError(f"SAMU {samu_id} (département {departement}) has no CRRA code of its own")
    return number


def shared_id(samu_id: str, number: str) -> str:
    """`fr.health.samu250.DRFR15250…`: the id partners know the file by."""
    return case_id(samu_org_id(samu_id), number)


def owner_of(number: str) -> str | None:
    """The SAMU a file number belongs to (its CRRA code), or None when `number` is not a file number."""
    try:
        return parse_local_case_number(number).crra
    except ValueError:
        return None


def hub_patient_id(samu_id: str, number: str, patient_no: int) -> str:
    return patient_id(samu_org_id(samu_id), f"{number}.{patient_no}")


def hub_note_id(samu_id: str, number: str, note_no: int) -> str:
    return f"{samu_org_id(samu_id)}.medicalNote.{number}.{note_no}"
