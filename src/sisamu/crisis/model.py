"""Rules of crises and of their log: kinds, levels, attribution codes, verification statuses, the entry hash. Pure."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sisamu.domain.codes import Attribution
from sisamu.security.errors import Refused

GENESIS = "0" * 64
MAX_TEXT = 4000
LEVELS = (1, 2, 3)  # 1: alert, 2: crisis in the room(s), 3: major crisis (national means)


class CrisisKind(StrEnum):
    NOVI = "novi"  # ORSEC NOVI: mass casualties
    PLAN_BLANC = "plan_blanc"
    EPIDEMIC = "epidemic"
    HEATWAVE = "heatwave"
    CBRN = "cbrn"  # NRBC-E
    OTHER = "other"


KIND_LABELS_FR: dict[CrisisKind, str] = {
    CrisisKind.NOVI: "ORSEC NOVI — nombreuses victimes",
    CrisisKind.PLAN_BLANC: "Plan blanc",
    CrisisKind.EPIDEMIC: "Épidémie",
    CrisisKind.HEATWAVE: "Canicule",
    CrisisKind.CBRN: "NRBC-E",
    CrisisKind.OTHER: "Autre situation sanitaire exceptionnelle",
}

# The attribution a crisis gives the files opened in its rooms (HubSante.attribution): crisis regulation (SSE,
# « Régulation de crise - NOVI »), plan blanc, or regulation from a mobile command post (PC SAMU).
CRISIS_ATTRIBUTIONS = frozenset(
    {Attribution.DRM_MRU_SSE, Attribution.DRM_MRU_PLANBLAN, Attribution.DRM_MRU_PCSAMU}
)


def default_attribution(kind: CrisisKind) -> Attribution:
    return Attribution.DRM_MRU_PLANBLAN if kind is CrisisKind.PLAN_BLANC else Attribution.DRM_MRU_SSE


class Scope(StrEnum):
    SAMU = "samu"  # one SAMU's crisis, opened by its supervisor
    REGIONAL = "regional"  # opened by the national role, SAMUs attached
    NATIONAL = "national"


class Verification(StrEnum):
    UNVERIFIED = "non_verifiee"
    CONFIRMED = "confirmee"
    INVALIDATED = "infirmee"


VERIFICATION_LABELS_FR = {
    Verification.UNVERIFIED: "non vérifiée",
    Verification.CONFIRMED: "confirmée",
    Verification.INVALIDATED: "infirmée",
}


class CrisisRefused(Refused):
    """A crisis command refused for a stated reason (HTTP 409 unless said otherwise)."""

    def __init__(self, code: str, message_fr: str, *, status: int = 409) -> None:
        super().__init__(code, message_fr, status=status)


@dataclass(frozen=True, slots=True)
class Crisis:
    crisis_id: int
    scope: Scope
    owner_samu_id: str | None  # the SAMU whose supervisor opened it; None for regional and national crises
    kind: CrisisKind
    level: int
    title: str
    place: str
    attribution: Attribution
    opened_at: datetime
    opened_by: str
    samus: tuple[str, ...]  # the SAMUs attached (while open: those in crisis mode)
    closed_at: datetime | None = None
    closed_by: str | None = None
    summary: str | None = None
    pooling_switched: bool = False  # opening turned national pooling on (closing turns it off)

    @property
    def open(self) -> bool:
        return self.closed_at is None

    @property
    def audit_samu(self) -> str | None:
        """The audit chain of the crisis' own actions: its SAMU's, or the platform's for wider crises."""
        return self.owner_samu_id


@dataclass(frozen=True, slots=True)
class EntryIn:
    """What a person (or a linked event) writes in the log."""

    source: str
    information: str
    verification: Verification = Verification.UNVERIFIED
    decision: str = ""
    action: str = ""
    owner: str = ""
    due_at: datetime | None = None
    refers_to: int | None = None  # a verification change: the entry it is about
    link_kind: str | None = None  # `file`, `mission`: an entry written from a domain event
    link_id: str | None = None


@dataclass(frozen=True, slots=True)
class LogEntry:
    crisis_id: int
    seq: int
    at: datetime
    author_id: UUID | None
    author: str
    author_samu_id: str | None
    entry: EntryIn
    prev_hash: str
    hash: str


def clean(text: str | None, what: str, *, required: bool = False) -> str:
    value = (text or "").strip()
    if required and not value:
        raise CrisisRefused("CHAMP_VIDE", f"{what} : champ obligatoire.", status=422)
    if len(value) > MAX_TEXT:
        raise CrisisRefused("TEXTE_TROP_LONG", f"{what} : {MAX_TEXT} caractères au plus.", status=422)
    return value


def check_level(level: int) -> int:
    if level not in LEVELS:
        raise CrisisRefused("NIVEAU_INCONNU", "Le niveau de crise est 1, 2 ou 3.", status=422)
    return level


def entry_hash(
    *,
    crisis_id: int,
    seq: int,
    at: datetime,
    author_id: UUID | None,
    author: str,
    author_samu_id: str | None,
    entry: EntryIn,
    prev_hash: str,
) -> str:
    """SHA-256 of the entry's canonical JSON, its place in the chain and the previous entry's hash (as the audit
    trail's `security.audit.entry_hash`)."""
    body: dict[str, Any] = {
        "crisis_id": crisis_id,
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(),
        "author_id": str(author_id) if author_id else None,
        "author": author,
        "author_samu_id": author_samu_id,
        "source": entry.source,
        "information": entry.information,
        "verification": str(entry.verification),
        "decision": entry.decision,
        "action": entry.action,
        "owner": entry.owner,
        "due_at": entry.due_at.astimezone(UTC).isoformat() if entry.due_at else None,
        "refers_to": entry.refers_to,
        "link_kind": entry.link_kind,
        "link_id": entry.link_id,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    crisis_id: int
    seq: int
    reason: str
