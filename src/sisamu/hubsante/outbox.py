"""The outbox: outgoing Hub messages written in the business transaction, relayed to the broker after commit.

`enqueue` validates the message against the official schemas and inserts it in the caller's unit of work, with a
`pg_notify` that PostgreSQL delivers only if that transaction commits: the relay (`relay.py`) then publishes it.
A rolled-back transaction leaves no message; a committed one is never lost (the row stays until it is sent or
expires).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, select, true, update

from sisamu.hubsante.tables import hub_outbox
from sisamu.hubsante.validation import ValidationIssue, validate_envelope

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from sisamu.hubsante.envelope import HubMessage
    from sisamu.storage.uow import UnitOfWork

NOTIFY_CHANNEL = "sisamu_hub_outbox"
BACKOFF_BASE = timedelta(seconds=0.5)
BACKOFF_MAX = timedelta(seconds=60)


class InvalidOutgoingMessageError(ValueError):
    """The message does not validate against the official schemas: it is not queued."""

    def __init__(self, distribution_id: str, issues: list[ValidationIssue]) -> None:
        self.issues = issues
        shown = "; ".join(str(issue) for issue in issues[:5])
        super().__init__(f"{distribution_id}: {len(issues)} schema issue(s): {shown}")


def enqueue(uow: UnitOfWork, message: HubMessage, *, samu_id: str) -> int:
    """Validate `message` and write it to the outbox inside `uow`'s transaction; returns the row id.

    `samu_id` is the sending SAMU (the tenant whose relay publishes the row). Raises
    `InvalidOutgoingMessageError` (nothing written) when the message fails the schemas.
    """
    envelope = message.to_envelope()
    issues = validate_envelope(envelope)
    if issues:
        raise InvalidOutgoingMessageError(message.distribution_id, issues)
    return enqueue_valid(uow.conn, message, envelope, samu_id=samu_id)


def enqueue_valid(conn: Connection, message: HubMessage, envelope: dict[str, Any], *, samu_id: str) -> int:
    """Insert an already validated message (`envelope` = `message.to_envelope()`) and notify the relay at commit.

    The notification rides on the INSERT's RETURNING (one round trip, not two: benchmarks/hub.py); PostgreSQL
    queues it in the transaction and delivers it only if the row commits."""
    row = conn.execute(
        insert(hub_outbox)
        .values(
            samu_id=samu_id,
            distribution_id=message.distribution_id,
            sender=message.sender_id,
            recipient=message.recipient_id,
            kind=message.kind.value,
            message_type=message.message_type.schema,
            body=envelope,
            expires_at=message.expires_at,
        )
        .returning(hub_outbox.c.id, func.pg_notify(NOTIFY_CHANNEL, samu_id))
    ).one()
    return int(row[0])


def backoff(attempts: int) -> timedelta:
    """Delay before attempt `attempts + 1`: 0.5 s, 1 s, 2 s, … capped at one minute."""
    return min(BACKOFF_BASE * (1 << min(max(attempts - 1, 0), 16)), BACKOFF_MAX)


@dataclass(frozen=True, slots=True)
class PendingMessage:
    id: int
    samu_id: str
    distribution_id: str
    sender: str
    kind: str
    body: dict[str, Any]
    expires_at: datetime
    attempts: int


def claim_pending(
    conn: Connection, samu_id: str, limit: int, *, sender: str | None = None
) -> list[PendingMessage]:
    """Lock up to `limit` due unsent rows (`FOR UPDATE SKIP LOCKED`: two relays never take the same row); only
    those of Hub client `sender` when given (a SAMU with two clients, its LRM and its SMUR software).

    Retry schedules (`next_attempt_at`) use the database's clock, on both sides of the comparison.
    """
    rows = conn.execute(
        select(
            hub_outbox.c.id,
            hub_outbox.c.samu_id,
            hub_outbox.c.distribution_id,
            hub_outbox.c.sender,
            hub_outbox.c.kind,
            hub_outbox.c.body,
            hub_outbox.c.expires_at,
            hub_outbox.c.attempts,
        )
        .where(
            hub_outbox.c.samu_id == samu_id,
            hub_outbox.c.sent_at.is_(None),
            hub_outbox.c.dropped_at.is_(None),
            hub_outbox.c.next_attempt_at <= func.now(),
            hub_outbox.c.sender == sender if sender is not None else true(),
        )
        .order_by(hub_outbox.c.next_attempt_at, hub_outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    return [PendingMessage(*row) for row in rows]


def _row(samu_id: str, row_id: int) -> Any:
    return and_(hub_outbox.c.samu_id == samu_id, hub_outbox.c.id == row_id)


def mark_all_sent(conn: Connection, messages: list[PendingMessage], now: datetime) -> None:
    """Sent and confirmed: the whole batch in one statement (the rows are locked by `claim_pending`, so `attempts` in the
    table is the claimed value)."""
    by_samu: dict[str, list[int]] = {}
    for message in messages:
        by_samu.setdefault(message.samu_id, []).append(message.id)
    for samu_id, ids in by_samu.items():
        conn.execute(
            update(hub_outbox)
            .where(hub_outbox.c.samu_id == samu_id, hub_outbox.c.id.in_(ids))
            .values(sent_at=now, attempts=hub_outbox.c.attempts + 1, last_error=None)
        )


def mark_failed(conn: Connection, message: PendingMessage, error: str) -> None:
    attempts = message.attempts + 1
    conn.execute(
        update(hub_outbox)
        .where(_row(message.samu_id, message.id))
        .values(attempts=attempts, last_error=error[:2000], next_attempt_at=func.now() + backoff(attempts))
    )


def mark_dropped(conn: Connection, message: PendingMessage, now: datetime) -> None:
    """An expired message is never sent: recorded as dropped (`dateTimeExpires` passed before it left)."""
    conn.execute(
        update(hub_outbox)
        .where(_row(message.samu_id, message.id))
        .values(dropped_at=now, last_error=f"expired at {message.expires_at.isoformat()} before sending")
    )


def record_ack(conn: Connection, samu_id: str, distribution_id: str, now: datetime) -> bool:
    """The recipient acknowledged one of our messages (RC-REF); False if we never sent that id."""
    result = conn.execute(
        update(hub_outbox)
        .where(hub_outbox.c.samu_id == samu_id, hub_outbox.c.distribution_id == distribution_id)
        .values(acked_at=func.coalesce(hub_outbox.c.acked_at, now))
    )
    return bool(result.rowcount)


def record_remote_error(conn: Connection, samu_id: str, distribution_id: str, error: str) -> bool:
    """An RS-ERROR came back about one of our messages; False if we never sent that id."""
    result = conn.execute(
        update(hub_outbox)
        .where(hub_outbox.c.samu_id == samu_id, hub_outbox.c.distribution_id == distribution_id)
        .values(remote_error=error[:2000])
    )
    return bool(result.rowcount)


@dataclass(frozen=True, slots=True)
class Backlog:
    samu_id: str
    pending: int
    oldest_age_s: float


def backlog(conn: Connection, now: datetime) -> list[Backlog]:
    """Messages not yet sent nor dropped, by SAMU, with the age of the oldest (from the pending rows' index)."""
    pending = hub_outbox.c.sent_at.is_(None) & hub_outbox.c.dropped_at.is_(None)
    rows = conn.execute(
        select(hub_outbox.c.samu_id, func.count(), func.min(hub_outbox.c.created_at))
        .where(pending)
        .group_by(hub_outbox.c.samu_id)
    )
    return [Backlog(str(s), int(n), max(0.0, (now - oldest).total_seconds())) for s, n, oldest in rows]
