"""The telephony feature's one router: every subpackage's routes, mounted by the app.

Permissions: `room.read` to look (wallboard, calls, seats, callbacks), `call.handle` to work at a seat (ARM,
regulator), `room.write` for the overflow agreement (supervisor), `telephony` for the gateway (a `partner`
machine account of the SAMU with a bearer token: offers calls, reports hang-ups, AML), `recording.listen` for a
call's recording (regulator, supervisor). The routes gate on these
before any I/O (`http.py`); the services decide (a call is reached through the SAMU that owns it or, after an
overflow, the partner SAMU it was granted to — any other SAMU gets 404 —; a seat is commanded by the person
logged in there; a call is ended or transferred by the ARM at its seat or a supervisor: `distribution/access.py`).
"""

from __future__ import annotations

from fastapi import APIRouter

from sisamu.calls.aml import api as aml_api
from sisamu.calls.callbacks import api as callbacks_api
from sisamu.calls.cti import lrm_api, telephony_api
from sisamu.calls.distribution import api as distribution_api
from sisamu.calls.overflow import api as overflow_api
from sisamu.calls.recordings import api as recordings_api
from sisamu.calls.seats import api as seats_api
from sisamu.calls.wallboard import api as wallboard_api

router = APIRouter()
for sub in (
    wallboard_api.room,
    distribution_api.room,
    seats_api.room,
    callbacks_api.room,
    aml_api.room,
    recordings_api.room,
    overflow_api.room,
    overflow_api.router,
    lrm_api.router,
    telephony_api.router,
):
    router.include_router(sub)
