"""HTTP routes of the callback list (lost calls called back), under `/api/samus/{samu_id}/telephony`.

Starting a callback answers `dial: "requested"` when a telephony executes the platform's requests (it rings the
ARM's seat, then calls the number; a failure reaches the console as the live event `telephony.failed`), else
`"manual"`: the ARM dials the number by hand.
"""

from __future__ import annotations

from fastapi import APIRouter

from sisamu.calls.callbacks import service as callbacks
from sisamu.calls.callbacks.schemas import (
    CallbackOut,
    CallbackStartIn,
    CallbackStartOut,
    DialMode,
    OutcomeIn,
)
from sisamu.calls.http import Handler, Reader
from sisamu.platform.http import PlatformDep
from sisamu.platform.use_cases import run

room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])


@room.get(
    "/callbacks",
    summary="The callback list (open entries, oldest first; `all=true` for done ones too); numbers for the room's "
    "staff only, read audited",
)
def list_callbacks(
    samu_id: str,
    platform: PlatformDep,
    principal: Reader,
    all: bool = False,  # noqa: A002
) -> list[CallbackOut]:
    items, shown = run(
        platform, callbacks.list_callbacks, principal=principal, samu_id=samu_id, open_only=not all
    )
    return [CallbackOut.of(c, number=shown) for c in items]


@room.post(
    "/callbacks/{callback_id}/start",
    summary="Start calling back (one attempt) from the caller's own seat; the telephony dials when there is one",
)
def start_callback(
    samu_id: str, callback_id: int, payload: CallbackStartIn, platform: PlatformDep, principal: Handler
) -> CallbackStartOut:
    item = run(
        platform,
        callbacks.start_callback_attempt,
        principal=principal,
        samu_id=samu_id,
        callback_id=callback_id,
        seat_id=payload.seat_id,
    )
    dial = DialMode.REQUESTED if platform.telephony is not None else DialMode.MANUAL
    return CallbackStartOut(callback=CallbackOut.of(item), dial=dial)


@room.post("/callbacks/{callback_id}/outcome", summary="Record the outcome of the attempt")
def callback_outcome(
    samu_id: str, callback_id: int, payload: OutcomeIn, platform: PlatformDep, principal: Handler
) -> CallbackOut:
    item = run(
        platform,
        callbacks.record_callback_outcome,
        principal=principal,
        samu_id=samu_id,
        callback_id=callback_id,
        outcome=payload.outcome,
        note=payload.note,
    )
    return CallbackOut.of(item)
