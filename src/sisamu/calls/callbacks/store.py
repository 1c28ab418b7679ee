"""Queries of the callback list."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert

from sisamu.calls.callbacks.model import Callback, CallbackOutcome, CallbackState
from sisamu.calls.tables import callback


def _callback(row: Any) -> tuple[Callback, int]:
    item = Callback(
        samu_id=row.samu_id,
        callback_id=int(row.callback_id),
        caller_number=row.caller_number,
        call_ids=tuple(row.call_ids),
        first_abandoned_at=row.first_abandoned_at,
        last_abandoned_at=row.last_abandoned_at,
        longest_wait_s=float(row.longest_wait_s),
        state=CallbackState(row.state),
        attempts=row.attempts,
        outcome=CallbackOutcome(row.outcome) if row.outcome else None,
        seat_id=row.seat_id,
        started_at=row.started_at,
        done_at=row.done_at,
    )
    return item, int(row.version)


def _callback_values(item: Callback) -> dict[str, Any]:
    return {
        "caller_number": item.caller_number,
        "call_ids": list(item.call_ids),
        "first_abandoned_at": item.first_abandoned_at,
        "last_abandoned_at": item.last_abandoned_at,
        "longest_wait_s": item.longest_wait_s,
        "state": item.state.value,
        "attempts": item.attempts,
        "outcome": item.outcome.value if item.outcome else None,
        "seat_id": item.seat_id,
        "started_at": item.started_at,
        "done_at": item.done_at,
    }


def open_callback_for_number(conn: Connection, samu_id: str, number: str) -> tuple[Callback, int] | None:
    row = conn.execute(
        select(callback)
        .where(
            callback.c.samu_id == samu_id,
            callback.c.caller_number == number,
            callback.c.state != CallbackState.DONE.value,
        )
        .with_for_update()
    ).first()
    return _callback(row) if row is not None else None


def insert_callback_if_none_open(conn: Connection, item: Callback) -> tuple[Callback, int] | None:
    """Insert a new open entry; None if another transaction opened one for this number meanwhile."""
    values = _callback_values(item)
    row = conn.execute(
        insert(callback)
        .values(samu_id=item.samu_id, **values)
        .on_conflict_do_nothing(
            index_elements=["samu_id", "caller_number"],
            index_where=callback.c.state != CallbackState.DONE.value,
        )
        .returning(callback)
    ).first()
    return _callback(row) if row is not None else None


def get_callback(
    conn: Connection, samu_id: str, callback_id: int, *, lock: bool = False
) -> tuple[Callback, int] | None:
    query = select(callback).where(callback.c.samu_id == samu_id, callback.c.callback_id == callback_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _callback(row) if row is not None else None


def update_callback(conn: Connection, item: Callback, version: int, *, account_id: UUID | None = None) -> int:
    values = _callback_values(item)
    if account_id is not None:
        values["account_id"] = account_id
    conn.execute(
        callback.update()
        .where(callback.c.samu_id == item.samu_id, callback.c.callback_id == item.callback_id)
        .values(**values, version=version + 1)
    )
    return version + 1


def callbacks(
    conn: Connection, samu_id: str, *, open_only: bool, limit: int = 200
) -> list[tuple[Callback, int]]:
    query = select(callback).where(callback.c.samu_id == samu_id)
    if open_only:
        query = query.where(callback.c.state != CallbackState.DONE.value)
        query = query.order_by(callback.c.first_abandoned_at)
    else:
        query = query.order_by(callback.c.last_abandoned_at.desc())
    return [_callback(r) for r in conn.execute(query.limit(limit))]


def set_callback_note(conn: Connection, samu_id: str, callback_id: int, note: str) -> None:
    conn.execute(
        callback.update()
        .where(callback.c.samu_id == samu_id, callback.c.callback_id == callback_id)
        .values(note=note)
    )


def attempt_account(conn: Connection, samu_id: str, callback_id: int) -> UUID | None:
    """The account that started the entry's latest attempt (None: none, or the platform)."""
    found: UUID | None = conn.execute(
        select(callback.c.account_id).where(
            (callback.c.samu_id == samu_id) & (callback.c.callback_id == callback_id)
        )
    ).scalar_one_or_none()
    return found
