"""Request dependencies on a regulation file, for every feature's routes under `/api/files/{file_number}` (the
file's own, its missions and dispatch, the crew's reports): the one place they are defined.

Each checks, before the body is read, that the caller may use a permission on the file the number names: staff of
the owner SAMU by their role, another SAMU's staff only on a file granted to their SAMU (otherwise the file does
not exist: 404), crews never (`access.check_file`). The services check again, precisely, and audit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from sisamu.cases.access import check_file
from sisamu.cases.service import file_owner
from sisamu.platform.http import PlatformDep, PrincipalDep
from sisamu.security.roles import Permission, Principal


def on_file(permission: Permission) -> Callable[..., Principal]:
    """Dependency: the caller may use `permission` on the file named by the route's `file_number`."""

    def check(file_number: str, principal: PrincipalDep, platform: PlatformDep) -> Principal:
        owner = file_owner(file_number)
        with platform.engine.connect() as conn:
            check_file(conn, principal, permission, owner, file_number, platform.clock.now())
        return principal

    return check


FileReader = Annotated[Principal, Depends(on_file(Permission.PATIENT_READ))]
FileWriter = Annotated[Principal, Depends(on_file(Permission.PATIENT_WRITE))]
FileRegulator = Annotated[Principal, Depends(on_file(Permission.REGULATE))]  # a physician's decisions
