"""What every crisis command does besides its own change: audit it, tell the rooms, write in the log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sisamu.crisis import chain, store
from sisamu.crisis.model import KIND_LABELS_FR
from sisamu.domain.events import LiveEvent
from sisamu.security import audit
from sisamu.security.errors import NotFound

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.crisis.model import Crisis, EntryIn, LogEntry
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

PLATFORM_AUTHOR = "sisamu"


def audit_crisis(
    uow: UnitOfWork,
    principal: Principal | None,
    c: Crisis,
    action: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
    samu_id: str | None = None,
) -> None:
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=samu_id or c.audit_samu,
        action=action,
        object_type="crisis",
        object_id=str(c.crisis_id),
        at=now,
        detail=detail,
    )


def tell(
    uow: UnitOfWork, c: Crisis, kind: str, extra: tuple[str, ...] = (), *, also: tuple[str, ...] = ()
) -> None:
    """A live event (and the `also` kinds) to every room of the crisis and to the home rooms of its reinforcements
    (ids only)."""
    rooms = set(c.samus) | set(extra)
    rooms |= {
        r.home_samu_id
        for r in store.reinforcements(uow.conn, c.crisis_id)
        if r.home_samu_id and r.revoked_at is None
    }
    for samu_id in sorted(rooms):
        for each in (kind, *also):
            uow.emit(LiveEvent(samu_id, each, str(c.crisis_id)))


def write(
    uow: UnitOfWork,
    principal: Principal | None,
    c: Crisis,
    entry: EntryIn,
    now: datetime,
    *,
    also: tuple[str, ...] = (),
) -> LogEntry:
    written = chain.append(
        uow.conn,
        crisis_id=c.crisis_id,
        entry=entry,
        at=now,
        author_id=principal.account_id if principal else None,
        author=principal.display_name if principal else PLATFORM_AUTHOR,
        author_samu_id=principal.samu_id if principal else None,
    )
    tell(uow, c, "crisis.log", also=also)
    return written


def load(uow: UnitOfWork, crisis_id: int, *, lock: bool = False) -> Crisis:
    c = store.get(uow.conn, crisis_id, lock=lock)
    if c is None:
        raise NotFound(f"no crisis {crisis_id}")
    return c


def banner_text(c: Crisis) -> str:
    return f"CRISE — {KIND_LABELS_FR[c.kind]}, niveau {c.level} — {c.place} : {c.title}."
