"""Hub Santé identifiers: organisations, shared case ids, local case numbers, patients, resources, messages."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

LOCAL_CASE_NUMBER_PATTERN = re.compile(
    r"^DRFR15(?P<crra>[0-9][0-9AB][0-9A-Z])(?P<yy>\d{2})(?P<doy>\d{3})(?P<seq>\d{5})$"
)
_CRRA_PATTERN = re.compile(r"^[0-9][0-9AB][0-9A-Z]$")
_MAX_SEQUENCE = 99_999
_CENTURY = 2000


def samu_org_id(crra_code: str) -> str:
    """The Hub organisation id of a SAMU call room: `250` → `fr.health.samu250`."""
    return f"fr.health.samu{crra_code}"


def case_id(org_id: str, sender_case_id: str) -> str:
    """The shared case id `{orgId}.{senderCaseId}`, e.g. `fr.health.samu440.DRFR154402413800236`."""
    return f"{org_id}.{sender_case_id}"


def crra_code(departement: str, crra_letter: str | None = None) -> str:
    """The three-character CRRA code: département plus SAMU letter or `0` (`44` → `440`, `76`+`A` → `76A`).

    Overseas départements already have three characters (`971`) and take no letter.
    """
    letter = crra_letter or ""
    code = departement + (letter or "0") if len(departement) == 2 else departement + letter  # noqa: PLR2004
    if not _CRRA_PATTERN.fullmatch(code):
        raise ValueError(f"not a CRRA code: département {departement!r}, letter {crra_letter!r}")
    return code


def local_case_number(departement: str, crra_letter: str | None, day: date, sequence: int) -> str:
    """The local number of a regulation file, `DRFR15DDXAAJJJ00000`.

    DR FR 15, the CRRA code (département + SAMU letter or `0`), the two-digit year, the day of the year on three
    digits and the five-digit sequence of the day: `("44", None, 2024-05-17, 236)` → `DRFR154402413800236`.
    """
    if not 0 <= sequence <= _MAX_SEQUENCE:
        raise ValueError(f"daily sequence out of range 0..{_MAX_SEQUENCE}: {sequence}")
    code = crra_code(departement, crra_letter)
    return f"DRFR15{code}{day:%y}{day.timetuple().tm_yday:03d}{sequence:05d}"


@dataclass(frozen=True, slots=True)
class LocalCaseNumber:
    crra: str
    day: date
    sequence: int


def parse_local_case_number(number: str) -> LocalCaseNumber:
    """Split `DRFR15DDXAAJJJ00000` into its CRRA code, day and daily sequence (ValueError if malformed)."""
    match = LOCAL_CASE_NUMBER_PATTERN.fullmatch(number)
    if match is None:
        raise ValueError(f"not a local case number DRFR15DDXAAJJJ00000: {number!r}")
    year = _CENTURY + int(match["yy"])
    day_of_year = int(match["doy"])
    day = date(year, 1, 1) + timedelta(days=day_of_year - 1)
    if day_of_year < 1 or day.year != year:
        raise ValueError(f"day of year out of range in {number!r}")
    return LocalCaseNumber(crra=match["crra"], day=day, sequence=int(match["seq"]))


def patient_id(org_id: str, local_id: str | int) -> str:
    """`{orgId}.patient.{n}`, e.g. `fr.health.samu440.patient.DRFR154402413800236.1`."""
    return f"{org_id}.patient.{local_id}"


def resource_id(org_id: str, local_id: str) -> str:
    """`{orgId}.resource.{id}`, e.g. `fr.health.samu440.resource.VLM1`."""
    return f"{org_id}.resource.{local_id}"


def distribution_id(sender_id: str, unique_id: str | None = None) -> str:
    """A message id `{senderID}_{uniqueId}` (a random UUID unless `unique_id` is given)."""
    return f"{sender_id}_{unique_id or uuid.uuid4()}"
