"""Reads of the telephony for the other features: its stores and tables stay private to `sisamu.calls`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from sisamu.calls.distribution import store
from sisamu.calls.tables import phone_call

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass(frozen=True, slots=True)
class CallFact:
    """What the activity indicators need of one call: no caller number, no file."""

    samu_id: str  # the owner: the SAMU whose number was called
    handling_samu_id: str  # whose queue and seats served it
    offered_at: datetime
    answered_at: datetime | None
    abandoned_at: datetime | None


def call_facts(
    conn: Connection, start: datetime, end: datetime, *, batch: int = 10_000
) -> Iterator[CallFact]:
    """The facts of every call offered in [start, end), streamed by batches (a year of calls in bounded memory)."""
    c = phone_call.c
    query = (
        select(c.samu_id, c.handling_samu_id, c.offered_at, c.answered_at, c.abandoned_at)
        .where(c.offered_at >= start, c.offered_at < end)
        .execution_options(yield_per=batch)
    )
    for row in conn.execute(query):
        yield CallFact(row.samu_id, row.handling_samu_id, row.offered_at, row.answered_at, row.abandoned_at)


def first_call_offered_at(conn: Connection) -> datetime | None:
    """When the oldest call on record was offered (where a rebuild of the indicators starts)."""
    return conn.execute(select(phone_call.c.offered_at).order_by(phone_call.c.offered_at).limit(1)).scalar()


def overflowed_call_owner(conn: Connection, grantee_samu_id: str, call_id: str) -> str | None:
    """The SAMU that owns `call_id` when its overflow granted the call to `grantee_samu_id`, else None: a file
    opened from that call is the owner's (`cases.room_api`)."""
    return store.owner_of_granted(conn, grantee_samu_id, call_id)


def research_calls(conn: Connection, start: datetime, end: datetime) -> Iterator[dict[str, object]]:
    """Calls offered in [start, end) with the caller's number, for the research export only (`analytics.research`
    replaces the number by a keyed pseudonym before anything is written)."""
    c = phone_call.c
    query = select(
        c.samu_id, c.call_id, c.handling_samu_id, c.flux, c.priority, c.state, c.caller_number, c.offered_at,
        c.answered_at, c.abandoned_at, c.ended_at,
    ).where(c.offered_at >= start, c.offered_at < end)  # fmt: skip
    for row in conn.execute(query.execution_options(yield_per=10_000)):
        yield row._asdict()
