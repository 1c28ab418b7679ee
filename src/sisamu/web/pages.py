"""Console pages (French): one view per job — ARM call-taking, medical regulation, the room, the crew terminal —
on one layout.

Pages carry no data: each view's script loads it from the JSON API and follows the live feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from sisamu.platform.http import PlatformDep, require
from sisamu.security.errors import NotFound
from sisamu.security.roles import ROLE_LABELS_FR, Permission, Principal, Role, allows
from sisamu.tenants import store as tenants_store
from sisamu.web.templating import templates

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class View:
    key: str
    label: str
    permission: Permission
    also: Permission | None = None  # another permission that opens the view (a hospital's own capacity)

    def open_to(self, principal: Principal, samu_id: str | None) -> bool:
        return allows(principal, self.permission, samu_id) or (
            self.also is not None and allows(principal, self.also, samu_id)
        )


VIEWS = {
    "arm": View("arm", "Appels", Permission.CALL_HANDLE),
    "regulation": View("regulation", "Régulation", Permission.REGULATE),
    "map": View("map", "Moyens", Permission.ROOM_READ),
    "room": View("room", "Salle", Permission.ROOM_READ),
    "capacity": View("capacity", "Capacités hospitalières", Permission.ROOM_READ, also=Permission.CAPACITY),
    "indicators": View("indicators", "Indicateurs", Permission.INDICATORS),
    "admin": View("admin", "Comptes", Permission.ACCOUNTS_ADMIN),
    "audit": View("audit", "Journal d'audit", Permission.AUDIT_READ),
    "crisis": View("crisis", "Crise", Permission.CRISIS),
    "crew": View("crew", "Équipage", Permission.MISSION_REPORT),
}
DEFAULT_VIEW = {
    Role.ARM: "arm",
    Role.REGULATOR: "regulation",
    Role.ANALYST: "indicators",
    Role.ADMIN: "admin",
    Role.AUDITOR: "audit",
    Role.HOSPITAL: "capacity",
    Role.CREW: "crew",
}
# A crew's terminal (a tablet in the vehicle) offers its own view only: the room's views are not its job.
ONLY_VIEW = {Role.CREW: "crew"}


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/console", status_code=303)


def _render(
    request: Request, platform: PlatformDep, principal: Principal, view: View, samu_id: str | None
) -> HTMLResponse:
    target = principal.samu_id if not principal.nationwide else samu_id
    if not view.open_to(principal, target if target is not None else principal.samu_id):
        raise NotFound(f"view {view.key} of samu {target} for {principal.username}")
    with platform.engine.connect() as conn:
        samu = tenants_store.get_samu(conn, target) if target else None
        samus = tenants_store.list_samus(conn) if principal.nationwide and samu is None else []
    if target and samu is None:
        raise NotFound(f"samu {target} does not exist")
    views = [v for v in VIEWS.values() if v.open_to(principal, target or principal.samu_id)]
    if principal.role in ONLY_VIEW:
        views = [VIEWS[ONLY_VIEW[principal.role]]]
    return templates.TemplateResponse(
        request,
        f"views/{view.key}.html",
        {
            "principal": principal,
            "role_label": ROLE_LABELS_FR[principal.role],
            "samu": samu,
            "samus": samus,
            "view": view,
            "views": views,
            "csrf_token": getattr(request.state, "csrf_token", ""),
            "can_post": samu is not None and allows(principal, Permission.ROOM_WRITE, samu.samu_id),
            "can_open_crisis": allows(
                principal, Permission.CRISIS_MANAGE, None if principal.nationwide else target
            ),
            "tile_url": platform.settings.map_tile_url,
            "refresh_s": max(2.0, platform.settings.indicators_interval_s),
        },
    )


@router.get("/console", response_class=HTMLResponse)
def console(
    request: Request,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.CONSOLE))],
    samu: Annotated[str | None, Query(max_length=8)] = None,
) -> HTMLResponse:
    """The console of the caller's job (ARM → calls, physician → regulation, crew → its terminal, others → the
    room)."""
    return _render(request, platform, principal, VIEWS[DEFAULT_VIEW.get(principal.role, "room")], samu)


@router.get("/console/{view}", response_class=HTMLResponse)
def console_view(
    view: str,
    request: Request,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.CONSOLE))],
    samu: Annotated[str | None, Query(max_length=8)] = None,
) -> HTMLResponse:
    if view not in VIEWS:
        raise NotFound(f"no console view {view!r}")
    return _render(request, platform, principal, VIEWS[view], samu)
