"""Reviewing the audit trail: who may read which chains, filtered and paginated; the reading is itself audited.

An auditor of a SAMU reads that SAMU's chain; an auditor without a home SAMU reads every chain, the platform's
(`*`: platform administrators' actions, nationwide accounts) included. The entry recording a reading goes on the
reader's own chain (the platform's for a nationwide auditor) and names the filters and how many entries matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from sisamu.security import audit
from sisamu.security.errors import Refused
from sisamu.security.roles import Permission, Principal, allows
from sisamu.storage.tables import audit_event

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.storage.uow import UnitOfWork

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class Filters:
    samu_id: str | None = None  # a chain: a SAMU's id, or `*` for the platform's
    actor: str | None = None
    action: str | None = None  # a prefix: `account.` finds every account action
    subject: str | None = None  # the object's id: a file number, an account id, a call id…
    since: datetime | None = None
    until: datetime | None = None

    def as_detail(self) -> dict[str, str]:
        named = {
            "samu_id": self.samu_id,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {key: value for key, value in named.items() if value is not None}


@dataclass(frozen=True, slots=True)
class Entry:
    samu_id: str
    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[Entry]
    total: int
    offset: int
    limit: int


def holds(principal: Principal) -> bool:
    """Whether `principal` reads the trail anywhere (their SAMU's chain, or every chain)."""
    return allows(principal, Permission.AUDIT_READ, principal.samu_id)


def chains_of(by: Principal, samu_id: str | None) -> str | None:
    """The one chain to read (None: every chain, for a nationwide auditor); refused beyond `by`'s reach."""
    if not holds(by):
        raise Refused(
            "audit.forbidden",
            "Vous n'avez pas accès au journal d'audit.",
            log=f"{by.username} ({by.role}) may not read the audit trail",
        )
    if by.nationwide:
        return samu_id
    if samu_id is not None and samu_id != by.samu_id:
        raise Refused(
            "audit.beyond_scope",
            "Ce journal ne relève pas de votre SAMU.",
            log=f"{by.username} asked for the audit chain of {samu_id}",
        )
    return by.samu_id


def search(
    uow: UnitOfWork, *, by: Principal, filters: Filters, offset: int, limit: int, now: datetime
) -> Page:
    """The entries matching `filters` on the chains `by` may read, newest first; the reading is audited."""
    chain = chains_of(by, filters.samu_id)
    limit = max(1, min(limit, MAX_PAGE))
    conditions = []
    if chain is not None:
        conditions.append(audit_event.c.samu_id == chain)
    if filters.actor:
        conditions.append(audit_event.c.actor == filters.actor.strip().lower())
    if filters.action:
        conditions.append(audit_event.c.action.startswith(filters.action.strip(), autoescape=True))
    if filters.subject:
        conditions.append(audit_event.c.object_id == filters.subject.strip())
    if filters.since is not None:
        conditions.append(audit_event.c.at >= filters.since)
    if filters.until is not None:
        conditions.append(audit_event.c.at < filters.until)
    total = int(uow.execute(select(func.count()).select_from(audit_event).where(*conditions)).scalar_one())
    # One chain: newest first by its sequence (its primary key's order); every chain: by time.
    order = (
        (audit_event.c.seq.desc(),)
        if chain is not None
        else (audit_event.c.at.desc(), audit_event.c.samu_id, audit_event.c.seq.desc())
    )
    rows = uow.execute(select(audit_event).where(*conditions).order_by(*order).offset(offset).limit(limit))
    entries = [
        Entry(
            samu_id=row.samu_id,
            seq=int(row.seq),
            at=row.at,
            actor=row.actor,
            role=row.role,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            detail=dict(row.detail),
        )
        for row in rows
    ]
    audit.record(
        uow.conn,
        principal=by,
        samu_id=by.samu_id,
        action="audit.read",
        object_type="audit",
        object_id=chain or "all",
        at=now,
        detail={"filters": filters.as_detail(), "offset": offset, "matched": total},
    )
    return Page(entries, total, offset, limit)


def record_verification(
    uow: UnitOfWork, *, by: Principal, samu_id: str | None, checked: int, problems: int, now: datetime
) -> None:
    """Audit a chain verification asked from the console (`chains_of` decided which chain)."""
    audit.record(
        uow.conn,
        principal=by,
        samu_id=by.samu_id,
        action="audit.verify",
        object_type="audit",
        object_id=samu_id or "all",
        at=now,
        detail={"checked": checked, "problems": problems},
    )
