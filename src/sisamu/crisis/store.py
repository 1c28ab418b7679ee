"""Queries on crises, their SAMUs, log, files and reinforcements (private to this feature)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, and_, exists, func, or_, select

from sisamu.crisis.model import Crisis, CrisisKind, EntryIn, LogEntry, Scope, Verification
from sisamu.crisis.tables import crisis, crisis_file, crisis_log, crisis_reinforcement, crisis_samu
from sisamu.domain.codes import Attribution


def _crisis(row: Any, samus: list[str]) -> Crisis:
    return Crisis(
        crisis_id=int(row.crisis_id),
        scope=Scope(row.scope),
        owner_samu_id=row.owner_samu_id,
        kind=CrisisKind(row.kind),
        level=int(row.level),
        title=row.title,
        place=row.place,
        attribution=Attribution(row.attribution),
        opened_at=row.opened_at,
        opened_by=row.opened_by,
        samus=tuple(samus),
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        summary=row.summary,
        pooling_switched=bool(row.pooling_switched),
    )


def _samus_of(conn: Connection, crisis_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {i: [] for i in crisis_ids}
    if crisis_ids:
        rows = conn.execute(
            select(crisis_samu.c.crisis_id, crisis_samu.c.samu_id)
            .where(crisis_samu.c.crisis_id.in_(crisis_ids))
            .order_by(crisis_samu.c.samu_id)
        )
        for r in rows:
            found[int(r.crisis_id)].append(r.samu_id)
    return found


def get(conn: Connection, crisis_id: int, *, lock: bool = False) -> Crisis | None:
    query = select(crisis).where(crisis.c.crisis_id == crisis_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        return None
    return _crisis(row, _samus_of(conn, [crisis_id])[crisis_id])


def insert(conn: Connection, c: Crisis) -> int:
    return int(
        conn.execute(
            crisis.insert()
            .values(
                scope=str(c.scope),
                owner_samu_id=c.owner_samu_id,
                kind=str(c.kind),
                level=c.level,
                title=c.title,
                place=c.place,
                attribution=str(c.attribution),
                opened_at=c.opened_at,
                opened_by=c.opened_by,
                pooling_switched=c.pooling_switched,
            )
            .returning(crisis.c.crisis_id)
        ).scalar_one()
    )


def attach(conn: Connection, crisis_id: int, samu_id: str, *, by: str, at: datetime) -> None:
    conn.execute(
        crisis_samu.insert().values(crisis_id=crisis_id, samu_id=samu_id, attached_at=at, attached_by=by)
    )


def close(conn: Connection, crisis_id: int, *, by: str, summary: str, at: datetime) -> None:
    conn.execute(
        crisis.update()
        .where(crisis.c.crisis_id == crisis_id)
        .values(closed_at=at, closed_by=by, summary=summary)
    )
    conn.execute(
        crisis_samu.update()
        .where((crisis_samu.c.crisis_id == crisis_id) & crisis_samu.c.released_at.is_(None))
        .values(released_at=at)
    )


def set_pooling_switched(conn: Connection, crisis_id: int, switched: bool) -> None:
    conn.execute(crisis.update().where(crisis.c.crisis_id == crisis_id).values(pooling_switched=switched))


def open_crisis_of(conn: Connection, samu_id: str) -> Crisis | None:
    crisis_id = conn.execute(
        select(crisis_samu.c.crisis_id).where(
            (crisis_samu.c.samu_id == samu_id) & crisis_samu.c.released_at.is_(None)
        )
    ).scalar()
    return get(conn, int(crisis_id)) if crisis_id is not None else None


def busy_samus(conn: Connection, samu_ids: list[str]) -> list[str]:
    """Those of `samu_ids` already in an open crisis."""
    rows = conn.execute(
        select(crisis_samu.c.samu_id).where(
            crisis_samu.c.samu_id.in_(samu_ids) & crisis_samu.c.released_at.is_(None)
        )
    )
    return sorted(r.samu_id for r in rows)


def other_pooling_crises(conn: Connection, crisis_id: int) -> int:
    """How many other open crises keep national pooling on."""
    return int(
        conn.execute(
            select(func.count()).where(
                crisis.c.closed_at.is_(None) & crisis.c.pooling_switched & (crisis.c.crisis_id != crisis_id)
            )
        ).scalar_one()
    )


def listing(
    conn: Connection, *, samu_ids: set[str] | None, account_id: UUID | None, open_only: bool, limit: int = 50
) -> list[Crisis]:
    """Crises involving one of `samu_ids` or where `account_id` reinforces (`samu_ids` None: every crisis)."""
    query = (
        select(crisis).order_by(crisis.c.closed_at.is_(None).desc(), crisis.c.opened_at.desc()).limit(limit)
    )
    if samu_ids is not None:
        involved = exists().where(
            (crisis_samu.c.crisis_id == crisis.c.crisis_id) & crisis_samu.c.samu_id.in_(samu_ids)
        )
        reinforced = exists().where(
            (crisis_reinforcement.c.crisis_id == crisis.c.crisis_id)
            & (crisis_reinforcement.c.account_id == account_id)
            & crisis_reinforcement.c.revoked_at.is_(None)
        )
        query = query.where(or_(involved, reinforced))
    if open_only:
        query = query.where(crisis.c.closed_at.is_(None))
    rows = list(conn.execute(query))
    samus = _samus_of(conn, [int(r.crisis_id) for r in rows])
    return [_crisis(r, samus[int(r.crisis_id)]) for r in rows]


# --- the log ----------------------------------------------------------------------------------------------------


def lock_head(conn: Connection, crisis_id: int) -> tuple[int, str, datetime | None]:
    """The chain's head (seq, hash) and the crisis' closing time, locked until the transaction ends.

    FOR NO KEY UPDATE: it does not wait for the key-share locks that inserting rows referring to the crisis takes
    (a victim, a file), so a writer that inserted such a row and then waits here for the head never deadlocks with
    the head's holder waiting for it."""
    row = conn.execute(
        select(crisis.c.log_seq, crisis.c.log_hash, crisis.c.closed_at)
        .where(crisis.c.crisis_id == crisis_id)
        .with_for_update(key_share=True)
    ).one()
    return int(row.log_seq), str(row.log_hash), row.closed_at


def head(conn: Connection, crisis_id: int) -> tuple[int, str]:
    row = conn.execute(
        select(crisis.c.log_seq, crisis.c.log_hash).where(crisis.c.crisis_id == crisis_id)
    ).one()
    return int(row.log_seq), str(row.log_hash)


def heads(conn: Connection, crisis_id: int | None) -> list[tuple[int, int, str]]:
    query = select(crisis.c.crisis_id, crisis.c.log_seq, crisis.c.log_hash).order_by(crisis.c.crisis_id)
    if crisis_id is not None:
        query = query.where(crisis.c.crisis_id == crisis_id)
    return [(int(r.crisis_id), int(r.log_seq), str(r.log_hash)) for r in conn.execute(query)]


def append(conn: Connection, entry: LogEntry) -> None:
    e = entry.entry
    conn.execute(
        crisis_log.insert().values(
            crisis_id=entry.crisis_id,
            seq=entry.seq,
            at=entry.at,
            author_id=entry.author_id,
            author=entry.author,
            author_samu_id=entry.author_samu_id,
            source=e.source,
            information=e.information,
            verification=str(e.verification),
            decision=e.decision,
            action=e.action,
            owner=e.owner,
            due_at=e.due_at,
            refers_to=e.refers_to,
            link_kind=e.link_kind,
            link_id=e.link_id,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )
    )
    conn.execute(
        crisis.update()
        .where(crisis.c.crisis_id == entry.crisis_id)
        .values(log_seq=entry.seq, log_hash=entry.hash)
    )


def _entry(r: Any) -> LogEntry:
    return LogEntry(
        crisis_id=int(r.crisis_id),
        seq=int(r.seq),
        at=r.at,
        author_id=r.author_id,
        author=r.author,
        author_samu_id=r.author_samu_id,
        entry=EntryIn(
            source=r.source,
            information=r.information,
            verification=Verification(r.verification),
            decision=r.decision,
            action=r.action,
            owner=r.owner,
            due_at=r.due_at,
            refers_to=r.refers_to,
            link_kind=r.link_kind,
            link_id=r.link_id,
        ),
        prev_hash=r.prev_hash,
        hash=r.hash,
    )


def entry(conn: Connection, crisis_id: int, seq: int) -> LogEntry | None:
    row = conn.execute(
        select(crisis_log).where((crisis_log.c.crisis_id == crisis_id) & (crisis_log.c.seq == seq))
    ).first()
    return _entry(row) if row is not None else None


def search(
    conn: Connection,
    crisis_id: int,
    *,
    text: str | None = None,
    verification: Verification | None = None,
    source: str | None = None,
    limit: int = 500,
) -> list[LogEntry]:
    """Entries newest first; `text` in any written field (case-blind), `verification` the entry's own
    status, `source` its source (case-blind)."""
    query = select(crisis_log).where(crisis_log.c.crisis_id == crisis_id)
    if text:
        pattern = f"%{_escape(text)}%"
        fields = (
            crisis_log.c.information,
            crisis_log.c.decision,
            crisis_log.c.action,
            crisis_log.c.owner,
            crisis_log.c.source,
            crisis_log.c.author,
            crisis_log.c.link_id,
        )
        query = query.where(or_(*(f.ilike(pattern, escape="\\") for f in fields)))
    if verification is not None:
        query = query.where(crisis_log.c.verification == str(verification))
    if source:
        query = query.where(crisis_log.c.source.ilike(_escape(source), escape="\\"))
    query = query.order_by(crisis_log.c.seq.desc()).limit(limit)
    return [_entry(r) for r in conn.execute(query)]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def chain(conn: Connection, crisis_id: int | None) -> Any:
    """Every entry (of one crisis, or all), in chain order, streamed."""
    query = select(crisis_log).order_by(crisis_log.c.crisis_id, crisis_log.c.seq)
    if crisis_id is not None:
        query = query.where(crisis_log.c.crisis_id == crisis_id)
    for row in conn.execute(query.execution_options(yield_per=2000)):
        yield _entry(row)


# --- files and reinforcements -------------------------------------------------------------------------------------


def add_file(
    conn: Connection, *, crisis_id: int, samu_id: str, number: str, attribution: str, at: datetime
) -> None:
    conn.execute(
        crisis_file.insert().values(
            crisis_id=crisis_id, samu_id=samu_id, number=number, attribution=attribution, attributed_at=at
        )
    )


def open_crisis_of_file(conn: Connection, number: str) -> int | None:
    return conn.execute(
        select(crisis_file.c.crisis_id)
        .join(crisis, crisis.c.crisis_id == crisis_file.c.crisis_id)
        .where((crisis_file.c.number == number) & crisis.c.closed_at.is_(None))
    ).scalar()


def files(conn: Connection, crisis_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(crisis_file)
            .where(crisis_file.c.crisis_id == crisis_id)
            .order_by(crisis_file.c.attributed_at)
        )
    )


def put_reinforcement(conn: Connection, *, crisis_id: int, account: Any, by: str, at: datetime) -> bool:
    """Add (or re-add) a reinforcement; False if already active."""
    key = and_(
        crisis_reinforcement.c.crisis_id == crisis_id, crisis_reinforcement.c.account_id == account.account_id
    )
    current = conn.execute(select(crisis_reinforcement.c.revoked_at).where(key).with_for_update()).first()
    if current is not None and current.revoked_at is None:
        return False
    values = {
        "username": account.username,
        "display_name": account.display_name,
        "role": str(account.role),
        "home_samu_id": account.samu_id,
        "joined_at": at,
        "added_by": by,
        "revoked_at": None,
        "revoked_by": None,
    }
    if current is None:
        conn.execute(
            crisis_reinforcement.insert().values(crisis_id=crisis_id, account_id=account.account_id, **values)
        )
    else:
        conn.execute(crisis_reinforcement.update().where(key).values(**values))
    return True


def revoke_reinforcements(
    conn: Connection, crisis_id: int, *, by: str, at: datetime, username: str | None = None
) -> list[Any]:
    """Revoke the active reinforcements (one, by username, or all); returns those revoked."""
    where = (crisis_reinforcement.c.crisis_id == crisis_id) & crisis_reinforcement.c.revoked_at.is_(None)
    if username is not None:
        where &= crisis_reinforcement.c.username == username
    return list(
        conn.execute(
            crisis_reinforcement.update()
            .where(where)
            .values(revoked_at=at, revoked_by=by)
            .returning(crisis_reinforcement)
        )
    )


def reinforcements(conn: Connection, crisis_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(crisis_reinforcement)
            .where(crisis_reinforcement.c.crisis_id == crisis_id)
            .order_by(crisis_reinforcement.c.joined_at)
        )
    )


def reinforces(conn: Connection, crisis_id: int, account_id: UUID) -> bool:
    return (
        conn.execute(
            select(crisis_reinforcement.c.account_id).where(
                (crisis_reinforcement.c.crisis_id == crisis_id)
                & (crisis_reinforcement.c.account_id == account_id)
                & crisis_reinforcement.c.revoked_at.is_(None)
            )
        ).first()
        is not None
    )
