"""Overflow between SAMUs (débordement, entraide): agreements and national pooling, audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.calls.overflow import store as overflow_store
from sisamu.domain.errors import TransitionRefused
from sisamu.domain.events import LiveEvent
from sisamu.security import audit

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.calls.distribution.policy import OverflowAgreement
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork


def set_agreement(
    uow: UnitOfWork, *, principal: Principal | None, agreement: OverflowAgreement, active: bool, now: datetime
) -> None:
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


def set_pooling(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    national_pooling: bool,
    pooling_wait_s: float,
    now: datetime,
) -> None:
    """National pooling for crises: any SAMU may answer calls waiting longer than `pooling_wait_s`."""
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
