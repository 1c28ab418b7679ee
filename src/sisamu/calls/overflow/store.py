"""Queries of overflow rules: agreements per SAMU, national pooling, and a short per-process cache."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert

from sisamu.calls.overflow.model import HourRange, OverflowAgreement, OverflowRules
from sisamu.calls.tables import overflow_agreement, overflow_pooling
from sisamu.storage.tables import samu

NATIONAL = "*"


def load_rules(conn: Connection) -> OverflowRules:
    agreements = {
        str(r.samu_id): OverflowAgreement(
            from_samu=str(r.samu_id),
            partners=tuple(r.partners),
            wait_threshold_s=float(r.wait_threshold_s),
            queue_threshold=r.queue_threshold,
            hours=tuple(HourRange(int(a), int(b)) for a, b in r.hours),
        )
        for r in conn.execute(select(overflow_agreement).where(overflow_agreement.c.active))
    }
    pooling = conn.execute(select(overflow_pooling).where(overflow_pooling.c.samu_id == NATIONAL)).first()
    return OverflowRules(
        agreements=agreements,
        national_pooling=bool(pooling and pooling.national_pooling),
        pooling_wait_s=float(pooling.pooling_wait_s) if pooling else 0.0,
    )


_RULES_TTL_S = 2.0
_rules_cache: dict[str, tuple[float, OverflowRules, dict[str, str]]] = {}


def cached_rules(conn: Connection) -> tuple[OverflowRules, dict[str, str]]:
    """Overflow rules and SAMU timezones, re-read at most every 2 s per database (agreements change rarely; a
    change made through this process is seen at once, by another instance within 2 s)."""
    key = conn.engine.url.render_as_string(hide_password=True)
    hit = _rules_cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < _RULES_TTL_S:
        return hit[1], hit[2]
    rules, zones = load_rules(conn), timezones(conn)
    _rules_cache[key] = (time.monotonic(), rules, zones)
    return rules, zones


def forget_cached_rules() -> None:
    _rules_cache.clear()


def save_agreement(conn: Connection, agreement: OverflowAgreement, *, active: bool, at: datetime) -> None:
    values = {
        "partners": list(agreement.partners),
        "wait_threshold_s": agreement.wait_threshold_s,
        "queue_threshold": agreement.queue_threshold,
        "hours": [[h.start, h.end] for h in agreement.hours],
        "active": active,
        "updated_at": at,
    }
    forget_cached_rules()
    conn.execute(
        insert(overflow_agreement)
        .values(samu_id=agreement.from_samu, **values)
        .on_conflict_do_update(index_elements=["samu_id"], set_=values)
    )


def save_pooling(conn: Connection, *, national_pooling: bool, pooling_wait_s: float, at: datetime) -> None:
    values = {"national_pooling": national_pooling, "pooling_wait_s": pooling_wait_s, "updated_at": at}
    forget_cached_rules()
    conn.execute(
        insert(overflow_pooling)
        .values(samu_id=NATIONAL, **values)
        .on_conflict_do_update(index_elements=["samu_id"], set_=values)
    )


def timezones(conn: Connection) -> dict[str, str]:
    return {str(r.samu_id): str(r.timezone) for r in conn.execute(select(samu.c.samu_id, samu.c.timezone))}
