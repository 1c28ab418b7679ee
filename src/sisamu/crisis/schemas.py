"""Bodies of the crisis routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from sisamu.crisis.handover import Handover
from sisamu.crisis.model import (
    KIND_LABELS_FR,
    MAX_TEXT,
    VERIFICATION_LABELS_FR,
    Crisis,
    CrisisKind,
    EntryIn,
    LogEntry,
    Scope,
    Verification,
)
from sisamu.domain.codes import Attribution


class CrisisOpenIn(BaseModel):
    kind: CrisisKind
    level: int = Field(ge=1, le=3)
    title: str = Field(min_length=1, max_length=300)
    place: str = Field(min_length=1, max_length=300)
    scope: Scope | None = None  # national operator: regional or national (default: from the SAMUs given)
    samus: list[str] | None = Field(default=None, max_length=120)  # national operator: the SAMUs involved
    attribution: Attribution | None = None  # default: DRM.MRU.PLANBLAN for a plan blanc, else DRM.MRU.SSE
    pooling: bool = True  # turn national pooling on while the crisis lasts


class CrisisCloseIn(BaseModel):
    summary: str = Field(min_length=1, max_length=MAX_TEXT)


class AttachIn(BaseModel):
    samu_id: str = Field(min_length=1, max_length=8)


class ReinforcementIn(BaseModel):
    username: str = Field(min_length=1, max_length=120)


class CrisisOut(BaseModel):
    crisis_id: int
    scope: Scope
    owner_samu_id: str | None
    kind: CrisisKind
    kind_label: str
    level: int
    title: str
    place: str
    attribution: str
    samus: list[str]
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by: str | None
    summary: str | None
    pooling_switched: bool
    open: bool
    can_manage: bool = False

    @classmethod
    def of(cls, c: Crisis, *, can_manage: bool = False) -> CrisisOut:
        return cls(
            crisis_id=c.crisis_id,
            scope=c.scope,
            owner_samu_id=c.owner_samu_id,
            kind=c.kind,
            kind_label=KIND_LABELS_FR[c.kind],
            level=c.level,
            title=c.title,
            place=c.place,
            attribution=str(c.attribution),
            samus=list(c.samus),
            opened_at=c.opened_at,
            opened_by=c.opened_by,
            closed_at=c.closed_at,
            closed_by=c.closed_by,
            summary=c.summary,
            pooling_switched=c.pooling_switched,
            open=c.open,
            can_manage=can_manage,
        )


class EntryBody(BaseModel):
    source: str = Field(min_length=1, max_length=200)
    information: str = Field(min_length=1, max_length=MAX_TEXT)
    verification: Verification = Verification.UNVERIFIED
    decision: str = Field(default="", max_length=MAX_TEXT)
    action: str = Field(default="", max_length=MAX_TEXT)
    owner: str = Field(default="", max_length=200)
    due_at: datetime | None = None

    def entry(self) -> EntryIn:
        return EntryIn(**self.model_dump())


class VerificationIn(BaseModel):
    verification: Verification
    note: str = Field(default="", max_length=MAX_TEXT)


class EntryOut(BaseModel):
    seq: int
    at: datetime
    author: str
    author_samu_id: str | None
    source: str
    information: str
    verification: Verification
    verification_label: str
    decision: str
    action: str
    owner: str
    due_at: datetime | None
    refers_to: int | None
    link_kind: str | None
    link_id: str | None
    hash: str

    @classmethod
    def of(cls, e: LogEntry) -> EntryOut:
        body: dict[str, Any] = {
            k: getattr(e.entry, k)
            for k in (
                "source",
                "information",
                "verification",
                "decision",
                "action",
                "owner",
                "due_at",
                "refers_to",
                "link_kind",
                "link_id",
            )
        }
        return cls(
            seq=e.seq,
            at=e.at,
            author=e.author,
            author_samu_id=e.author_samu_id,
            hash=e.hash,
            verification_label=VERIFICATION_LABELS_FR[e.entry.verification],
            **body,
        )


class ReinforcementOut(BaseModel):
    username: str
    display_name: str
    role: str
    home_samu_id: str | None
    joined_at: datetime
    added_by: str
    revoked_at: datetime | None
    revoked_by: str | None


class HandoverOut(BaseModel):
    since: datetime
    entries: int
    files: int
    missions: int
    unverified: list[EntryOut]
    due: list[EntryOut]
    decisions: list[EntryOut]

    @classmethod
    def of(cls, h: Handover) -> HandoverOut:
        return cls(
            since=h.since,
            entries=h.entries,
            files=h.files,
            missions=h.missions,
            unverified=[EntryOut.of(e) for e in h.unverified],
            due=[EntryOut.of(e) for e in h.due],
            decisions=[EntryOut.of(e) for e in h.decisions],
        )
