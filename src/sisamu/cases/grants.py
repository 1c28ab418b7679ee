"""Access grants: one file of a SAMU opened to another SAMU (overflow, shared file, crisis)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert

from sisamu.cases.tables import case_grant


def _key(samu_id: str, number: str) -> Any:
    return (case_grant.c.samu_id == samu_id) & (case_grant.c.number == number)


def has_grant(conn: Connection, samu_id: str, number: str, grantee: str, now: datetime) -> bool:
    row = conn.execute(
        select(case_grant.c.reason).where(
            _key(samu_id, number)
            & (case_grant.c.grantee_samu_id == grantee)
            & case_grant.c.revoked_at.is_(None)
            & (case_grant.c.expires_at.is_(None) | (case_grant.c.expires_at > now))
        )
    ).first()
    return row is not None


def active_grantees(conn: Connection, samu_id: str, number: str, now: datetime) -> list[str]:
    rows = conn.execute(
        select(case_grant.c.grantee_samu_id).where(
            _key(samu_id, number)
            & case_grant.c.revoked_at.is_(None)
            & (case_grant.c.expires_at.is_(None) | (case_grant.c.expires_at > now))
        )
    )
    return [r.grantee_samu_id for r in rows]


def put_grant(
    conn: Connection,
    *,
    samu_id: str,
    number: str,
    grantee: str,
    reason: str,
    granted_by: str,
    now: datetime,
    expires_at: datetime | None,
) -> None:
    values = {
        "reason": reason,
        "granted_at": now,
        "granted_by": granted_by,
        "expires_at": expires_at,
        "revoked_at": None,
    }
    conn.execute(
        insert(case_grant)
        .values(samu_id=samu_id, number=number, grantee_samu_id=grantee, **values)
        .on_conflict_do_update(index_elements=["samu_id", "number", "grantee_samu_id"], set_=values)
    )


def revoke_grant(conn: Connection, samu_id: str, number: str, grantee: str, now: datetime) -> bool:
    result = conn.execute(
        case_grant.update()
        .where(
            _key(samu_id, number)
            & (case_grant.c.grantee_samu_id == grantee)
            & case_grant.c.revoked_at.is_(None)
        )
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def active_grants(
    conn: Connection, samu_id: str, number: str, now: datetime
) -> list[tuple[str, str, datetime, str, datetime | None]]:
    """(grantee, reason, granted_at, granted_by, expires_at) of each grant in force, by grantee."""
    rows = conn.execute(
        select(
            case_grant.c.grantee_samu_id,
            case_grant.c.reason,
            case_grant.c.granted_at,
            case_grant.c.granted_by,
            case_grant.c.expires_at,
        )
        .where(
            _key(samu_id, number)
            & case_grant.c.revoked_at.is_(None)
            & (case_grant.c.expires_at.is_(None) | (case_grant.c.expires_at > now))
        )
        .order_by(case_grant.c.grantee_samu_id)
    )
    return [(r.grantee_samu_id, r.reason, r.granted_at, r.granted_by, r.expires_at) for r in rows]
