"""Append-only audit trail, hash-chained per tenant.

Each entry's hash covers its content and the previous entry's hash; `audit_head` keeps the last sequence number
and hash of each chain, moved in the same transaction by a trigger that refuses an entry not extending the chain.
A changed, inserted or deleted row therefore breaks the chain (or disagrees with the head) and `verify` reports it.
The application's database role may only read the trail and append to it (no UPDATE, DELETE, TRUNCATE, no
ownership to drop or disable a trigger: `role_exposures` says when it could). What a role with every right could
still do — rewrite the rows and the head consistently — signed checkpoints outside the database catch
(`audit_checkpoints.py`): `verify` checks the chain against their `anchors`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, text

from sisamu.storage.tables import audit_event, audit_head

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from uuid import UUID

    from sisamu.security.roles import Principal

GENESIS = "0" * 64
PLATFORM = "*"
# The chain's head, locked until the transaction ends (a security-definer function: the role may not lock it).
_HEAD = text("SELECT head_seq, head_hash FROM sisamu_audit_head(:tenant)")


@dataclass(frozen=True, slots=True)
class AuditProblem:
    samu_id: str
    seq: int
    reason: str


@dataclass(frozen=True, slots=True)
class Anchor:
    """A chain's hash at a sequence number, as a signed checkpoint kept outside the database attests it."""

    samu_id: str
    seq: int
    hash: str
    at: datetime


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
    head = conn.execute(_HEAD, {"tenant": tenant}).one()
    seq = int(head.head_seq) + 1
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
        "prev_hash": str(head.head_hash),
    }
    digest = entry_hash(**fields)
    conn.execute(audit_event.insert().values(**fields, hash=digest))  # the trigger moves the head to it
    return seq


def _rows(conn: Connection, samu_id: str | None) -> Iterator[Any]:
    query = select(audit_event).order_by(audit_event.c.samu_id, audit_event.c.seq)
    if samu_id is not None:
        query = query.where(audit_event.c.samu_id == samu_id)
    result = conn.execution_options(yield_per=2000).execute(query)
    yield from result


def _row_problems(row: Any, prev_seq: int, prev_hash: str) -> Iterator[AuditProblem]:
    tenant, seq = str(row.samu_id), int(row.seq)
    if seq != prev_seq + 1:
        yield AuditProblem(tenant, seq, f"sequence gap after {prev_seq} (entry deleted?)")
    if row.prev_hash != prev_hash:
        yield AuditProblem(tenant, seq, "previous-hash link broken")
    recomputed = entry_hash(
        samu_id=tenant,
        seq=seq,
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
        yield AuditProblem(tenant, seq, "content does not match its hash (entry changed)")


def _missing_anchors(
    anchored: dict[str, dict[int, Anchor]], last: dict[str, tuple[int, str]]
) -> Iterator[AuditProblem]:
    """Checkpointed entries the walk never met: the chain was cut below them (or they were deleted)."""
    for tenant, missing in anchored.items():
        end = last.get(tenant, (0, GENESIS))[0]
        for anchor in sorted(missing.values(), key=lambda a: a.seq):
            where = "ends before it" if anchor.seq > end else "lacks it"
            yield AuditProblem(
                tenant,
                anchor.seq,
                f"checkpointed entry signed at {anchor.at.isoformat()} is missing: the chain {where} "
                f"(last entry {end}; entries cut)",
            )


def verify(
    conn: Connection, samu_id: str | None = None, anchors: Iterable[Anchor] = ()
) -> tuple[int, list[AuditProblem]]:
    """Walk every chain (or one tenant's); return the number of entries checked and the problems found.

    Each of the `anchors` (signed checkpoints) must still be in its chain: the entry at its sequence number has its
    hash (and the entries after it link to it, as every link is checked), and the chain does not end before it.
    """
    problems: list[AuditProblem] = []
    last: dict[str, tuple[int, str]] = {}
    anchored: dict[str, dict[int, Anchor]] = {}
    for anchor in anchors:
        if samu_id is None or anchor.samu_id == samu_id:
            anchored.setdefault(anchor.samu_id, {})[anchor.seq] = anchor
    checked = 0
    for row in _rows(conn, samu_id):
        checked += 1
        tenant = str(row.samu_id)
        problems.extend(_row_problems(row, *last.get(tenant, (0, GENESIS))))
        chain_anchors = anchored.get(tenant)
        met = chain_anchors.pop(int(row.seq), None) if chain_anchors else None
        if met is not None and met.hash != row.hash:
            signed = met.at.isoformat()
            problems.append(
                AuditProblem(
                    tenant, int(row.seq), f"differs from the checkpoint signed at {signed} (chain rewritten)"
                )
            )
        last[tenant] = (int(row.seq), str(row.hash))
    problems.extend(_missing_anchors(anchored, last))
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


_EXPOSURE = text(
    """
    SELECT r.rolsuper AS superuser,
           pg_has_role(current_user, c.relowner, 'MEMBER') AS owner,
           has_table_privilege('audit_event', 'UPDATE') AS update_event,
           has_table_privilege('audit_event', 'DELETE') AS delete_event,
           has_table_privilege('audit_event', 'TRUNCATE') AS truncate_event,
           has_table_privilege('audit_head', 'UPDATE') AS update_head,
           has_table_privilege('audit_head', 'DELETE') AS delete_head
      FROM pg_roles r, pg_class c
     WHERE r.rolname = current_user AND c.oid = 'audit_event'::regclass
    """
)


def role_exposures(conn: Connection) -> list[str]:
    """How the connection's role could alter the audit trail (empty: it can only read and append)."""
    row = conn.execute(_EXPOSURE).one()
    found = []
    if row.superuser:
        found.append("is a superuser")
    elif row.owner:
        found.append(
            "owns the audit tables (or may act as their owner): it may disable or drop their triggers"
        )
    rights = {
        "UPDATE audit_event": row.update_event,
        "DELETE audit_event": row.delete_event,
        "TRUNCATE audit_event": row.truncate_event,
        "UPDATE audit_head": row.update_head,
        "DELETE audit_head": row.delete_head,
    }
    if not row.superuser and (held := [name for name, granted in rights.items() if granted]):
        found.append("may " + ", ".join(held))
    user = conn.execute(text("SELECT current_user")).scalar_one()
    return [f"{user} {what}" for what in found]
