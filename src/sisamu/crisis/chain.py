"""The crisis log's hash chain: appending under the head's lock, and checking it (as `security.audit` does for the
audit trail: each entry hashes its content and the previous hash; the head, moved in the same transaction, makes a
cut tail show)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.crisis import store
from sisamu.crisis.model import GENESIS, ChainProblem, CrisisRefused, EntryIn, LogEntry, entry_hash

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy import Connection


def append(
    conn: Connection,
    *,
    crisis_id: int,
    entry: EntryIn,
    at: datetime,
    author_id: UUID | None,
    author: str,
    author_samu_id: str | None,
) -> LogEntry:
    """Extend the crisis' chain by one entry; writers of one crisis queue on its head (row lock)."""
    seq, prev_hash, closed_at = store.lock_head(conn, crisis_id)
    if closed_at is not None:
        raise CrisisRefused("CRISE_CLOSE", "La crise est close : sa main courante ne reçoit plus d'entrée.")
    if entry.refers_to is not None and not 0 < entry.refers_to <= seq:
        raise CrisisRefused("ENTREE_INCONNUE", "L'entrée visée n'existe pas.", status=422)
    fields = {
        "crisis_id": crisis_id,
        "seq": seq + 1,
        "at": at,
        "author_id": author_id,
        "author": author,
        "author_samu_id": author_samu_id,
        "entry": entry,
        "prev_hash": prev_hash,
    }
    written = LogEntry(**fields, hash=entry_hash(**fields))  # type: ignore[arg-type]
    store.append(conn, written)
    return written


def verify(conn: Connection, crisis_id: int | None = None) -> tuple[int, list[ChainProblem]]:
    """Walk every crisis' chain (or one); return the number of entries checked and the problems found."""
    problems: list[ChainProblem] = []
    last: dict[int, tuple[int, str]] = {}
    checked = 0
    for row in store.chain(conn, crisis_id):
        checked += 1
        prev_seq, prev_hash = last.get(row.crisis_id, (0, GENESIS))
        if row.seq != prev_seq + 1:
            problems.append(
                ChainProblem(row.crisis_id, row.seq, f"sequence gap after {prev_seq} (entry deleted?)")
            )
        if row.prev_hash != prev_hash:
            problems.append(ChainProblem(row.crisis_id, row.seq, "previous-hash link broken"))
        recomputed = entry_hash(
            crisis_id=row.crisis_id,
            seq=row.seq,
            at=row.at,
            author_id=row.author_id,
            author=row.author,
            author_samu_id=row.author_samu_id,
            entry=row.entry,
            prev_hash=row.prev_hash,
        )
        if recomputed != row.hash:
            problems.append(
                ChainProblem(row.crisis_id, row.seq, "content does not match its hash (entry changed)")
            )
        last[row.crisis_id] = (row.seq, row.hash)
    for cid, head_seq, head_hash in store.heads(conn, crisis_id):
        seen = last.get(cid, (0, GENESIS))
        if (head_seq, head_hash) != seen:
            problems.append(
                ChainProblem(
                    cid,
                    head_seq,
                    f"chain ends at {seen[0]} but the head says {head_seq} (entries deleted or added)",
                )
            )
    return checked, problems
