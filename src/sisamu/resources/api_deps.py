# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Request dependencies on a SAMU's missions, for the routes of units and missions and the crew's reports (`smur`):
the one place they are defined. They check, before the body is read, role × tenant on the route's `samu_id`
(`access.py`); the services check again, precisely (a crew on its own unit only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from sisamu.platform.http import PrincipalDep
from sisamu.resources import access
from sisamu.security.roles import Principal


def checked(check: Callable[[Principal, str], None]) -> Callable[..., Awaitable[Principal]]:
    """Dependency: `check(principal, samu_id)` passes for the route's `samu_id`."""

    async def dependency(request: Request, principal: PrincipalDep) -> Principal:  # no I/O: no thread hop
        check(principal, request.path_params["samu_id"])
        return principal

    return dependency


Reporter = Annotated[Principal, Depends(checked(access.room_or_crew))]  # staff who may write, or a crew
StatusReporter = Annotated[Principal, Depends(checked(access.room_or_crew_status))]  # and the supervisor
MissionReader = Annotated[Principal, Depends(checked(access.room_or_crew_reader))]
