"""HTTP routes of calls, under `/api/samus/{samu_id}/telephony`: the calls, what the gateway reports (a call
offered, a hang-up) and what the ARM does with a call (answer at their seat, transfer, end).

The services check who may do what (`service.py`); the routes only gate before any I/O (`calls/http.py`). After
each command that adds a call or frees a seat, a distribution pass runs for the SAMU and its partners in the same
transaction; its duration goes to the `Server-Timing` header (`distribute;dur=<ms>`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy.exc import IntegrityError

from sisamu.calls.distribution import reads, service, store
from sisamu.calls.distribution.assignment import Assignment
from sisamu.calls.distribution.model import CallState
from sisamu.calls.distribution.passes import distribution_pass
from sisamu.calls.distribution.schemas import CallOut, OfferIn, TransferIn
from sisamu.calls.http import CallHolder, Gateway, Handler, Reader
from sisamu.calls.tables import phone_call
from sisamu.platform.http import PlatformDep
from sisamu.platform.use_cases import run
from sisamu.security.roles import Principal
from sisamu.storage.uow import UnitOfWork

room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])
CallCommand = Callable[..., store.CallRecord]


def _distribute(uow: UnitOfWork, platform: PlatformDep, samu_id: str, response: Response) -> list[Assignment]:
    done = distribution_pass(uow, platform.clock.now(), [samu_id])
    if done.elapsed_ms is not None:
        response.headers["Server-Timing"] = f"distribute;dur={done.elapsed_ms:.3f}"
    return done.made


def _reply(call: CallOut, status_code: int = status.HTTP_200_OK, timing: Response | None = None) -> Response:
    """The call as JSON, already valid (built by `CallOut.of`): returned as a response, FastAPI neither validates
    it again nor hands that to a worker thread of its own (the routes declare `response_model=CallOut` for the
    API description). `timing`: the response whose `Server-Timing` header to keep."""
    reply = Response(call.model_dump_json(), status_code=status_code, media_type="application/json")
    if timing is not None and "server-timing" in timing.headers:
        reply.headers["Server-Timing"] = timing.headers["server-timing"]
    return reply


def _call_command(
    platform: PlatformDep,
    principal: Principal,
    samu_id: str,
    call_id: str,
    response: Response,
    command: CallCommand,
    **arguments: Any,
) -> Response:
    """A command on one call, then the pass that gives the seat it freed its next call (one transaction)."""
    with platform.uow() as uow:
        done = command(
            uow, principal=principal, samu_id=samu_id, call_id=call_id, now=platform.clock.now(), **arguments
        )
        _distribute(uow, platform, done.call.handling_samu_id, response)
    return _reply(CallOut.of(done), timing=response)


# ---- reads ---------------------------------------------------------------------------------------------------------


@room.get("/calls", summary="Recent calls owned by or handled for this SAMU, newest first (read audited)")
def list_calls(
    samu_id: str,
    platform: PlatformDep,
    principal: Reader,
    state: list[CallState] | None = None,
    limit: int = 100,
) -> list[CallOut]:
    records = run(
        platform,
        reads.recent_calls,
        principal=principal,
        samu_id=samu_id,
        states=[s.value for s in state or []],
        limit=max(1, min(limit, 500)),
    )
    return [CallOut.of(r) for r in records]


@room.get("/calls/{call_id}", summary="One call (own, or granted by an overflow; read audited)")
def get_call(samu_id: str, call_id: str, platform: PlatformDep, principal: Reader) -> CallOut:
    return CallOut.of(run(platform, reads.call, principal=principal, samu_id=samu_id, call_id=call_id))


# ---- gateway -------------------------------------------------------------------------------------------------------


@room.post(
    "/calls",
    status_code=status.HTTP_201_CREATED,
    response_model=CallOut,
    summary="A call reaches the SAMU (telephony gateway)",
)
def offer_call(
    samu_id: str, payload: OfferIn, platform: PlatformDep, principal: Gateway, response: Response
) -> Response:
    try:
        with platform.uow() as uow:  # one transaction: the call, its distribution pass, the call as it is now
            record = service.offer(
                uow,
                principal=principal,
                samu_id=samu_id,
                call_id=payload.call_id,
                flux=payload.flux,
                priority=payload.priority,
                caller_number=payload.caller_number,
                now=platform.clock.now(),
            )
            for made in _distribute(uow, platform, samu_id, response):
                if made.call_samu_id == samu_id and made.call_id == payload.call_id:
                    record = made.record
    except IntegrityError as exc:  # a call id already known, or offered twice at the same instant
        if getattr(getattr(exc.orig, "diag", None), "constraint_name", None) == phone_call.primary_key.name:
            raise HTTPException(status.HTTP_409_CONFLICT, "Cet appel est déjà connu.") from exc
        raise
    return _reply(CallOut.of(record), status.HTTP_201_CREATED, timing=response)


@room.post(
    "/calls/{call_id}/hangup",
    response_model=CallOut,
    summary="The caller hung up (telephony gateway): ended, or lost",
)
def hang_up(
    samu_id: str, call_id: str, platform: PlatformDep, principal: Gateway, response: Response
) -> Response:
    return _call_command(platform, principal, samu_id, call_id, response, service.hang_up)


# ---- ARM at a seat -------------------------------------------------------------------------------------------------


@room.post("/seats/{seat_id}/answer", response_model=CallOut, summary="Pick up the call ringing at the seat")
def answer(samu_id: str, seat_id: str, platform: PlatformDep, principal: Handler) -> Response:
    return _reply(
        CallOut.of(run(platform, service.answer, principal=principal, samu_id=samu_id, seat_id=seat_id))
    )


@room.post(
    "/calls/{call_id}/transfer",
    response_model=CallOut,
    summary="Hand the answered call to a physician or another SAMU",
)
def transfer_call(
    samu_id: str,
    call_id: str,
    payload: TransferIn,
    platform: PlatformDep,
    principal: CallHolder,
    response: Response,
) -> Response:
    return _call_command(
        platform,
        principal,
        samu_id,
        call_id,
        response,
        service.transfer,
        target=payload.target,
        target_id=payload.target_id,
    )


@room.post(
    "/calls/{call_id}/end",
    response_model=CallOut,
    summary="End the conversation (the ARM at the seat, or a supervisor)",
)
def end_call(
    samu_id: str, call_id: str, platform: PlatformDep, principal: CallHolder, response: Response
) -> Response:
    return _call_command(platform, principal, samu_id, call_id, response, service.end)
