"""Append-only audit trail, hash-chained per tenant.

Each entry's hash covers its content and the previous entry's hash; `audit_head` keeps the last sequence number
and hash of each chain, updated in the same transaction. A changed, inserted or deleted row therefore breaks the
chain (or disagrees with the head) and `verify` reports it. A trigger refuses UPDATE and DELETE on the table.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert

from sisamu.storage.tables import audit_event, audit_head

if TYPE_CHECKING:
    from collections.abc import Iterator
    from uuid import UUID

    from sisamu.security.roles import Principal

GENESIS = "0" * 64
PLATFORM = "*"


@dataclass(frozen=True, slots=True)
class AuditProblem:
    samu_id: str
    seq: int
    reason: str


def entry_hash(
    *,
    samu_id: str,
    seq: int,
    at: datetime,
    actor_id: UUID | None,
    actor: str,
    role: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    body = {
        "samu_id": samu_id,
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(),
        "actor_id": str(actor_id) if actor_id else None,
        "actor": actor,
        "role": role,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    conn: Connection,
    *,
    principal: Principal | None,
    samu_id: str | None,
    action: str,
    object_type: str,
    object_id: str,
    at: datetime,
    detail: dict[str, Any] | None = None,
    actor: str | None = None,
) -> int:
    """Append one entry to the tenant's chain inside the caller's transaction; returns its sequence number."""
    tenant = samu_id or PLATFORM
    conn.execute(
        insert(audit_head)
        .values(samu_id=tenant, seq=0, hash=GENESIS)
        .on_conflict_do_nothing(index_elements=["samu_id"])
    )
    head = conn.execute(
        select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.samu_id == tenant).with_for_update()
    ).one()
    seq = int(head.seq) + 1
    fields: dict[str, Any] = {
        "samu_id": tenant,
        "seq": seq,
        "at": at,
        "actor_id": principal.account_id if principal else None,
        "actor": principal.username if principal else (actor or "system"),
        "role": str(principal.role) if principal else "system",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "detail": detail or {},
        "prev_hash": str(head.hash),
    }
    digest = entry_hash(**fields)
    conn.execute(audit_event.insert().values(**fields, hash=digest))
    conn.execute(audit_head.update().where(audit_head.c.samu_id == tenant).values(seq=seq, hash=digest))
    return seq


def _rows(conn: Connection, samu_id: str | None) -> Iterator[Any]:
    query = select(audit_event).order_by(audit_event.c.samu_id, audit_event.c.seq)
    if samu_id is not None:
        query = query.where(audit_event.c.samu_id == samu_id)
    result = conn.execution_options(yield_per=2000).execute(query)
    yield from result


def verify(conn: Connection, samu_id: str | None = None) -> tuple[int, list[AuditProblem]]:
    """Walk every chain (or one tenant's); return the number of entries checked and the problems found."""
    problems: list[AuditProblem] = []
    last: dict[str, tuple[int, str]] = {}
    checked = 0
    for row in _rows(conn, samu_id):
        checked += 1
        tenant = str(row.samu_id)
        prev_seq, prev_hash = last.get(tenant, (0, GENESIS))
        if row.seq != prev_seq + 1:
            problems.append(
                AuditProblem(tenant, int(row.seq), f"sequence gap after {prev_seq} (entry deleted?)")
            )
        if row.prev_hash != prev_hash:
            problems.append(AuditProblem(tenant, int(row.seq), "previous-hash link broken"))
        recomputed = entry_hash(
            samu_id=tenant,
            seq=int(row.seq),
            at=row.at,
            actor_id=row.actor_id,
            actor=row.actor,
            role=row.role,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            detail=row.detail,
            prev_hash=row.prev_hash,
        )
        if recomputed != row.hash:
            problems.append(
                AuditProblem(tenant, int(row.seq), "content does not match its hash (entry changed)")
            )
        last[tenant] = (int(row.seq), str(row.hash))
    heads = select(audit_head)
    if samu_id is not None:
        heads = heads.where(audit_head.c.samu_id == samu_id)
    for head in conn.execute(heads):
        seen = last.get(str(head.samu_id), (0, GENESIS))
        if (int(head.seq), str(head.hash)) != seen:
            problems.append(
                AuditProblem(
                    str(head.samu_id),
                    int(head.seq),
                    f"chain ends at {seen[0]} but the head says {head.seq} (entries deleted or added)",
                )
            )
    return checked, problems
