"""One statement for the writes that always go together: a call, the seat it rings or talks at, and the
presentation log (`WITH call AS (UPDATE …), seat AS (UPDATE …) INSERT/UPDATE call_presentation …`).

Presenting a call (distribution) and answering it each wrote three rows in three round trips; PostgreSQL runs the
data-modifying parts of one statement exactly once, on the same snapshot, so one round trip does the same. The
decision's duration and its tail under load are mostly round trips (each one gives the GIL away and waits to get it
back), hence this module. Both rows must already be locked by the caller, as for `store.update_call`/`save_seat`.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import bindparam
from sqlalchemy.sql.dml import Insert, Update

from sisamu.calls.distribution import store
from sisamu.calls.distribution.model import Call
from sisamu.calls.seats import store as seat_store
from sisamu.calls.seats.model import Agent
from sisamu.calls.tables import arm_seat, call_presentation, phone_call
from sisamu.storage import direct

Presentation = Literal["add", "close"]
_PRESENTATION_ADD = ("samu_id", "call_id", "presentation", "seat_samu_id", "seat_id", "presented_at")


def _seat_update(seat_columns: tuple[str, ...]) -> Update:
    return (
        arm_seat.update()
        .where(arm_seat.c.samu_id == bindparam("ks_samu_id"), arm_seat.c.seat_id == bindparam("ks_seat_id"))
        .values({name: bindparam(f"s_{name}", type_=arm_seat.c[name].type) for name in seat_columns})
    )


@functools.cache
def _statement(
    call_columns: tuple[str, ...], seat_columns: tuple[str, ...], presentation: Presentation | None
) -> Any:
    call_cte = (
        phone_call.update()
        .where(
            phone_call.c.samu_id == bindparam("kc_samu_id"), phone_call.c.call_id == bindparam("kc_call_id")
        )
        .values({name: bindparam(f"c_{name}", type_=phone_call.c[name].type) for name in call_columns})
        .returning(phone_call.c.call_id)
        .cte("call_written")
    )
    if presentation is None:  # the seat's update is the statement itself
        return _seat_update(seat_columns).add_cte(call_cte)
    seat_cte = _seat_update(seat_columns).returning(arm_seat.c.seat_id).cte("seat_written")
    main: Insert | Update
    if presentation == "add":
        main = call_presentation.insert().values(
            {name: bindparam(f"p_{name}", type_=call_presentation.c[name].type) for name in _PRESENTATION_ADD}
        )
    else:
        main = (
            call_presentation.update()
            .where(
                call_presentation.c.samu_id == bindparam("p_samu_id"),
                call_presentation.c.call_id == bindparam("p_call_id"),
                call_presentation.c.presentation == bindparam("p_presentation"),
            )
            .values(outcome=bindparam("p_outcome"), closed_at=bindparam("p_closed_at"))
        )
    return main.add_cte(call_cte).add_cte(seat_cte)


def write_call_and_seat(
    conn: Any,
    record: store.CallRecord,
    call: Call,
    seat: seat_store.SeatRecord,
    agent: Agent,
    *,
    presentation: Presentation | None,
    at: datetime,
    timestamps: dict[str, datetime],
    outcome: str | None = None,
) -> tuple[int, int]:
    """Write the call's new state (and `timestamps`), the seat's, and add the call's current presentation to the
    log (`add`, at the seat the call rings at), close it with `outcome` (`close`) or leave the log alone (None).
    Returns the new versions of the call and of the seat."""
    call_version, seat_version = record.version + 1, seat.version + 1
    call_values = store.call_values(call, timestamps) | {"version": call_version}
    seat_values = seat_store.seat_values(agent, call.samu_id) | {"version": seat_version}
    params: dict[str, Any] = {
        "kc_samu_id": call.samu_id,
        "kc_call_id": call.call_id,
        "ks_samu_id": agent.samu_id,
        "ks_seat_id": agent.agent_id,
        "p_samu_id": call.samu_id,
        "p_call_id": call.call_id,
        "p_presentation": call.presentations,
    }
    params |= {f"c_{name}": value for name, value in call_values.items()}
    params |= {f"s_{name}": value for name, value in seat_values.items()}
    if presentation == "add":
        params |= {"p_seat_samu_id": call.handling_samu_id, "p_seat_id": call.agent_id, "p_presented_at": at}
    elif presentation == "close":
        params |= {"p_outcome": outcome, "p_closed_at": at}
    direct.execute(conn, _statement(tuple(call_values), tuple(seat_values), presentation), params)
    return call_version, seat_version
