"""Console pages (French). Each page requires a logged-in person; data come from the JSON API and the live feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from sisamu.security.roles import ROLE_LABELS_FR, Permission, Principal, allows
from sisamu.tenants import store as tenants_store
from sisamu.web.deps import PlatformDep, require
from sisamu.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/console", status_code=303)


@router.get("/console", response_class=HTMLResponse)
def console(
    request: Request,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.CONSOLE))],
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        samu = tenants_store.get_samu(conn, principal.samu_id) if principal.samu_id else None
    return templates.TemplateResponse(
        request,
        "console.html",
        {
            "principal": principal,
            "role_label": ROLE_LABELS_FR[principal.role],
            "samu": samu,
            "csrf_token": getattr(request.state, "csrf_token", ""),
            "can_post": samu is not None and allows(principal, Permission.ROOM_WRITE, samu.samu_id),
            "tile_url": platform.settings.map_tile_url,
        },
    )
