"""The telephony outbox: requests to the telephony (dial a number from a seat, correlate a file with its call),
written in the transaction that decides them and sent after its commit by the relay (`relay.py`).

A rolled-back change leaves no request; a committed one is never lost: its row stays until it is sent, refused, or
expires — a dial after `DIAL_TTL` (the ARM has moved on: a phone ringing a minute later would surprise everyone),
a correlation after `CORRELATION_TTL`. Retries back off (0.5 s, 1 s, 2 s … capped at a minute) while the telephony
says trying again may help. Times are the platform clock's, on both sides of each comparison.

Rows: `pending` → `sent` | `failed` (refused for good) | `expired`. The body holds the port's request (`DialRequest`
or `FileCorrelation`) and why it was made (`reason`, `callback_id`), as JSON.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, insert, select, update

from sisamu.calls.tables import telephony_request
from sisamu.domain.ports import DialRequest, FileCorrelation, PersonInfo
from sisamu.platform.events import DialRequested

__all__ = [
    "CORRELATION_TTL",
    "DIAL_TTL",
    "PendingRequest",
    "RequestKind",
    "RequestState",
    "backoff",
    "claim_due",
    "close",
    "correlation_body",
    "dial_body",
    "enqueue",
    "mark_retry",
    "mark_sent",
    "requests_of",
]

DIAL_TTL = timedelta(seconds=30)
CORRELATION_TTL = timedelta(minutes=10)
BACKOFF_BASE = timedelta(seconds=0.5)
BACKOFF_MAX = timedelta(seconds=60)
ERROR_LENGTH = 2000


class RequestKind(enum.StrEnum):
    DIAL = "dial"
    CORRELATE = "correlate"


class RequestState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # the telephony refused it for good
    EXPIRED = "expired"  # not sent before `expires_at`


TTL = {RequestKind.DIAL: DIAL_TTL, RequestKind.CORRELATE: CORRELATION_TTL}


def dial_body(event: DialRequested) -> dict[str, Any]:
    return {
        "seat_id": event.seat_id,
        "id_nat_ps": event.id_nat_ps,
        "number": event.number,
        "file_number": event.file_number,
        "reason": event.reason.value,
        "callback_id": event.callback_id,
    }


def correlation_body(correlation: FileCorrelation, *, seat_id: str) -> dict[str, Any]:
    body = asdict(correlation)
    del body["samu_id"]  # the row's
    return body | {"seat_id": seat_id}


def _person(value: dict[str, Any] | None) -> PersonInfo | None:
    return PersonInfo(**value) if value else None


@dataclass(frozen=True, slots=True)
class PendingRequest:
    """A due row, locked by the transaction that claimed it."""

    samu_id: str
    id: int
    kind: RequestKind
    body: dict[str, Any]
    created_at: datetime
    expires_at: datetime
    attempts: int

    @property
    def seat_id(self) -> str:
        return str(self.body.get("seat_id") or "")

    def dial(self) -> DialRequest:
        b = self.body
        return DialRequest(self.samu_id, b["seat_id"], b.get("id_nat_ps"), b["number"], b.get("file_number"))

    def correlation(self) -> FileCorrelation:
        b = self.body
        patients = tuple(p for p in map(_person, b.get("patients") or ()) if p is not None)
        return FileCorrelation(
            samu_id=self.samu_id,
            file_number=b["file_number"],
            id_nat_ps=b.get("id_nat_ps"),
            call_id=b.get("call_id"),
            priority=b.get("priority"),
            location=b.get("location"),
            caller=_person(b.get("caller")),
            patients=patients,
        )


def enqueue(conn: Connection, samu_id: str, kind: RequestKind, body: dict[str, Any], *, at: datetime) -> int:
    """Write a request in the caller's transaction; due at once, expiring after its kind's time to live."""
    row_id = conn.execute(
        insert(telephony_request)
        .values(
            samu_id=samu_id,
            kind=kind.value,
            body=body,
            created_at=at,
            expires_at=at + TTL[kind],
            next_attempt_at=at,
        )
        .returning(telephony_request.c.id)
    ).scalar_one()
    return int(row_id)


def backoff(attempts: int) -> timedelta:
    """Delay before attempt `attempts + 1`: 0.5 s, 1 s, 2 s, … capped at one minute."""
    return min(BACKOFF_BASE * (1 << min(max(attempts - 1, 0), 16)), BACKOFF_MAX)


def claim_due(conn: Connection, now: datetime, limit: int = 1) -> list[PendingRequest]:
    """Lock up to `limit` due pending rows of any SAMU (`FOR UPDATE SKIP LOCKED`: two relays never take the same
    row, and a row stays locked while it is sent); dials first — a person waits for them."""
    t = telephony_request.c
    rows = conn.execute(
        select(t.samu_id, t.id, t.kind, t.body, t.created_at, t.expires_at, t.attempts)
        .where(t.state == RequestState.PENDING.value, t.next_attempt_at <= now)
        .order_by(case((t.kind == RequestKind.DIAL.value, 0), else_=1), t.next_attempt_at, t.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    return [
        PendingRequest(
            r.samu_id, int(r.id), RequestKind(r.kind), r.body, r.created_at, r.expires_at, r.attempts
        )
        for r in rows
    ]


def _row(request: PendingRequest) -> Any:
    return and_(telephony_request.c.samu_id == request.samu_id, telephony_request.c.id == request.id)


def mark_sent(conn: Connection, request: PendingRequest, now: datetime) -> None:
    conn.execute(
        update(telephony_request)
        .where(_row(request))
        .values(state=RequestState.SENT.value, sent_at=now, attempts=request.attempts + 1)
    )


def mark_retry(conn: Connection, request: PendingRequest, error: str, now: datetime) -> datetime:
    """Another attempt after the backoff (never later than the expiry, so that it is noticed on time)."""
    attempts = request.attempts + 1
    due = min(now + backoff(attempts), request.expires_at)
    conn.execute(
        update(telephony_request)
        .where(_row(request))
        .values(attempts=attempts, last_error=error[:ERROR_LENGTH], next_attempt_at=due)
    )
    return due


def close(
    conn: Connection, request: PendingRequest, state: RequestState, error: str, *, attempted: bool
) -> None:
    """The request will never be sent: refused for good (`failed`, after an attempt) or `expired`."""
    conn.execute(
        update(telephony_request)
        .where(_row(request))
        .values(
            state=state.value,
            attempts=request.attempts + (1 if attempted else 0),
            last_error=error[:ERROR_LENGTH],
        )
    )


def requests_of(conn: Connection, samu_id: str) -> list[dict[str, Any]]:
    """A SAMU's requests, oldest first (each row as a mapping: for the tests and an operator's look)."""
    rows = conn.execute(
        select(telephony_request)
        .where(telephony_request.c.samu_id == samu_id)
        .order_by(telephony_request.c.id)
    ).mappings()
    return [dict(row) for row in rows]
