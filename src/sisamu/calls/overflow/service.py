"""Overflow between SAMUs (débordement, entraide): agreements and national pooling, audited.

A SAMU's agreement is its supervisor's (`room.write` on that SAMU); national pooling is the national operator's
(role `national`). Each change records `OverflowRulesChanged`: the distribution runs a pass at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.calls.overflow import store as overflow_store
from sisamu.calls.overflow.model import OverflowRulesChanged
from sisamu.domain.errors import TransitionRefused
from sisamu.domain.events import LiveEvent
from sisamu.security import audit
from sisamu.security.access import authorize
from sisamu.security.errors import Forbidden
from sisamu.security.roles import Permission, Principal, Role

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection

    from sisamu.calls.overflow.model import OverflowAgreement
    from sisamu.storage.uow import UnitOfWork


def set_agreement(
    uow: UnitOfWork, *, principal: Principal | None, agreement: OverflowAgreement, active: bool, now: datetime
) -> None:
    if principal is not None:
        authorize(principal, Permission.ROOM_WRITE, agreement.from_samu)
    if agreement.from_samu in agreement.partners:
        raise TransitionRefused(f"samu {agreement.from_samu} cannot overflow to itself")
    overflow_store.save_agreement(uow.conn, agreement, active=active, at=now)
    detail = {
        "partners": list(agreement.partners),
        "wait_threshold_s": agreement.wait_threshold_s,
        "queue_threshold": agreement.queue_threshold,
        "hours": [[h.start, h.end] for h in agreement.hours],
        "active": active,
    }
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=agreement.from_samu,
        action="overflow.agreement",
        object_type="overflow_agreement",
        object_id=agreement.from_samu,
        at=now,
        detail=detail,
    )
    uow.emit(LiveEvent(agreement.from_samu, "overflow.agreement", agreement.from_samu))
    uow.record(OverflowRulesChanged(samu_id=agreement.from_samu, at=now, actor=principal))


def set_pooling(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    national_pooling: bool,
    pooling_wait_s: float,
    now: datetime,
) -> None:
    """National pooling for crises: any SAMU may answer calls waiting longer than `pooling_wait_s`."""
    if principal is not None and principal.role is not Role.NATIONAL:
        raise Forbidden(f"{principal.username} ({principal.role}) may not set national pooling")
    overflow_store.save_pooling(
        uow.conn, national_pooling=national_pooling, pooling_wait_s=pooling_wait_s, at=now
    )
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=None,
        action="overflow.pooling",
        object_type="overflow_pooling",
        object_id=overflow_store.NATIONAL,
        at=now,
        detail={"national_pooling": national_pooling, "pooling_wait_s": pooling_wait_s},
    )
    uow.record(OverflowRulesChanged(samu_id=None, at=now, actor=principal))


def pooling_state(conn: Connection) -> tuple[bool, float]:
    """National pooling as it stands: (on, wait in seconds) — for the features that switch it (a crisis)."""
    rules = overflow_store.load_rules(conn)
    return rules.national_pooling, rules.pooling_wait_s
