"""Who may call the telephony routes: the gate each route puts before any I/O (401, 403). The services check again,
precisely (the call's owner or its overflow grant, the person at the seat); this module imports no subpackage of
`calls`, so that every route module may use it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sisamu.platform.http import PrincipalDep, require
from sisamu.security.access import authorize
from sisamu.security.roles import Permission, Principal, allows

Reader = Annotated[Principal, Depends(require(Permission.ROOM_READ))]
Handler = Annotated[Principal, Depends(require(Permission.CALL_HANDLE))]
Gateway = Annotated[Principal, Depends(require(Permission.TELEPHONY))]
Supervisor = Annotated[Principal, Depends(require(Permission.ROOM_WRITE))]


async def handler_or_supervisor(request: Request, principal: PrincipalDep) -> Principal:
    """Ending or transferring a call: a call handler (the service then wants the one at the call's seat) or a
    supervisor of the SAMU named by the route."""
    samu_id = request.path_params["samu_id"]
    if not allows(principal, Permission.ROOM_WRITE, samu_id):
        authorize(principal, Permission.CALL_HANDLE, samu_id)
    return principal


CallHolder = Annotated[Principal, Depends(handler_or_supervisor)]
