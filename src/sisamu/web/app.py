"""FastAPI app factory: routers, error mapping, static assets, the live feed's lifespan, the HTTP edge's guards.

Middleware, outermost first: security headers (around Starlette's own error middleware too, so that a 500 carries
them), the database retry (a request that lost the database before any commit runs again; `database_retry.py`),
the credentials gate (401 before any body is read), the body-size limit (413 before any parsing).
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import anyio.to_thread
import xstatic.pkg.leaflet as xleaflet
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from sqlalchemy.exc import DataError
from starlette.types import ASGIApp

from sisamu import __version__
from sisamu.analytics.api import router as indicators_router
from sisamu.bootstrap import background_services, warm_reference_data
from sisamu.calls.api import router as calls_router
from sisamu.cases.api import router as cases_router
from sisamu.crisis.api import room as crisis_room_router
from sisamu.crisis.api import router as crisis_router
from sisamu.crisis.victims.api import router as victims_router
from sisamu.domain.errors import DomainError, GuardRefused
from sisamu.geo.api import router as geo_router
from sisamu.hospitals.api import router as hospitals_router
from sisamu.instructions.api import router as instructions_router
from sisamu.interop.api import router as hub_router
from sisamu.platform import Platform
from sisamu.platform.services import BackgroundService
from sisamu.resources.api import router as resources_router
from sisamu.security.errors import (
    Forbidden,
    NotAuthenticated,
    NotFound,
    Refused,
    SecurityError,
    Throttled,
)
from sisamu.smur.api import router as smur_router
from sisamu.tenants.api import router as tenants_router
from sisamu.web import (
    admin_api,
    audit_api,
    auth_pages,
    codes_api,
    health,
    live_auth,
    me_api,
    metrics_api,
    oidc_pages,
    openapi,
    pages,
    tokens_api,
)
from sisamu.web.body_limit import BodyLimit
from sisamu.web.credentials_gate import CredentialsGate
from sisamu.web.database_retry import DatabaseRetry
from sisamu.web.headers import SecurityHeaders
from sisamu.web.live import LiveHub
from sisamu.web.live import router as live_router
from sisamu.web.metrics_api import PlatformCollector, registry_for
from sisamu.web.observability import RequestId, RequestTimer
from sisamu.web.templating import templates

log = logging.getLogger(__name__)

STATUS = {NotAuthenticated: 401, Forbidden: 403, NotFound: 404, Throttled: 429}


def _telemetry(on: bool) -> TelemetryConfig:
    """FastAPI's native OpenTelemetry, all parts on or all off (setting `telemetry`)."""
    return TelemetryConfig(tracing=on, metrics=on, logs=on, operation_spans=on)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


def freeze_startup_objects() -> None:
    """Move everything built at start-up out of the garbage collector's sight (`gc.freeze`).

    Without it, a full collection a few seconds after thousands of consoles connect walks every object of the
    process and stalls the event loop for about a third of a second: every console then receives that moment's
    events late (benchmarks/console.py: p99 360 ms → 110 ms with 2,000 consoles).
    """
    gc.collect()
    gc.freeze()


class SisamuApp(FastAPI):
    """FastAPI whose whole middleware stack, Starlette's error middleware included, sits inside the security
    headers: `add_middleware` would place them within it, and a 500 would go out without them."""

    def __init__(self, *, tile_url: str, behind_tls: bool, **options: Any) -> None:
        self.tile_url, self.behind_tls = tile_url, behind_tls
        super().__init__(**options)

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        return SecurityHeaders(stack, tile_url=self.tile_url, behind_tls=self.behind_tls)


def _handle_errors(app: FastAPI) -> None:
    """Refusals and bad input become answers: French messages, the status each error means."""

    @app.exception_handler(SecurityError)
    async def security_error(request: Request, exc: SecurityError) -> Response:
        status = (
            exc.status  # a refusal that says its own status (409 taken, 422 inconsistent, 403…)
            if isinstance(exc, Refused)
            else next((STATUS[kind] for kind in type(exc).__mro__ if kind in STATUS), 403)
        )
        log.info("refused %s %s: %s", request.method, request.url.path, exc)
        if status == 401 and _wants_html(request):  # noqa: PLR2004
            return auth_pages.login_page(request, next_url=request.url.path, status_code=401)
        if _wants_html(request):
            title = "Élément introuvable" if status == 404 else "Accès refusé"  # noqa: PLR2004
            return templates.TemplateResponse(
                request,
                "error.html",
                {
                    "title": title,
                    "message": exc.message_fr,
                    # The console itself refused: no link back to it, but a way out (another account).
                    "back": request.url.path.rstrip("/") != "/console",
                    "csrf_token": getattr(request.state, "csrf_token", ""),
                },
                status_code=status,
            )
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None  # noqa: PLR2004
        body = {"detail": exc.message_fr, "code": exc.code}
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> Response:
        # `message`: French, for the person (the console shows it); `detail` stays the precise reason.
        message = exc.message_fr or exc.summary_fr or str(exc)
        body: dict[str, object] = {"detail": exc.message_fr or str(exc), "code": exc.code, "message": message}
        if isinstance(exc, GuardRefused):  # what is missing, in French, for the console to list
            body["gaps"] = list(exc.gaps)
        return JSONResponse(body, status_code=422)

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        # Values PostgreSQL refuses (NUL bytes in text, numbers out of range) come from the request: 422, not 500.
        log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc.orig)
        detail = "Requête invalide : valeur refusée par la base de données."
        return JSONResponse({"detail": detail, "code": "VALEUR_REFUSEE", "message": detail}, 422)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        message = "Saisie refusée : une valeur manque ou n'a pas la forme attendue."
        body = {
            "detail": "Requête invalide.",
            "code": "REQUETE_INVALIDE",
            "message": message,
            "errors": errors,
        }
        return JSONResponse(body, status_code=422)


def _warm() -> None:
    try:
        warm_reference_data()
    except Exception:  # the data then loads on first use
        log.exception("loading the reference data at start-up failed")


def create_app(
    platform: Platform, *, live: bool = True, services: Sequence[BackgroundService] | None = None
) -> FastAPI:
    """The web application of `platform`. Its lifespan starts the live feed (`live`) and the background services
    (default: `bootstrap.background_services`, without Hub workers — `sisamu run` adds them)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Threads for the synchronous routes: a few, so that they do not fight over the GIL (`worker_threads`).
        anyio.to_thread.current_default_thread_limiter().total_tokens = platform.settings.worker_threads
        hub: LiveHub = app.state.live_hub
        if live:
            await hub.start()
        running = list(services) if services is not None else background_services(platform)
        app.state.services = running  # their health: /readyz and /metrics
        collector.services = running
        for service in running:
            service.start()
        threading.Thread(target=_warm, name="sisamu-warm-reference-data", daemon=True).start()
        freeze_startup_objects()
        try:
            yield
        finally:
            for service in reversed(running):
                await service.stop()
            await hub.stop()

    settings = platform.settings
    app = SisamuApp(
        tile_url=settings.map_tile_url,
        behind_tls=settings.behind_tls,
        title="sisamu",
        version=__version__,
        description="API de la plateforme sisamu (SAMU – Centre 15). Authentification : cookie de session "
        "(et jeton CSRF sur les écritures) ou jeton `Authorization: Bearer`.",
        lifespan=lifespan,
        telemetry=_telemetry(settings.telemetry),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.api_docs else None,
    )
    app.state.platform = platform
    app.state.live_hub = LiveHub(
        platform.database.libpq_url,
        still_valid=partial(live_auth.still_valid, platform),
        recheck_s=settings.live_recheck_s,
        max_per_account=settings.live_max_sockets_per_account,
    )

    app.state.live = live
    app.state.services = []
    collector = PlatformCollector(platform, app.state.live_hub)
    app.state.metrics = registry_for(collector)

    _handle_errors(app)

    for router in (
        health.router,
        auth_pages.router,
        tokens_api.page_router,  # before the views' /console/{view}
        pages.router,
        me_api.router,
        admin_api.router,
        audit_api.router,
        tokens_api.router,
        tenants_router,
        instructions_router,
        calls_router,
        cases_router,
        resources_router,
        hospitals_router,
        smur_router,
        hub_router,
        geo_router,
        indicators_router,
        crisis_router,
        crisis_room_router,
        victims_router,
        codes_api.router,
        live_router,
        oidc_pages.router,
        metrics_api.router,
    ):
        app.include_router(router)

    openapi.describe(app)
    if settings.api_docs:
        openapi.serve_docs(app)
    app.add_middleware(RequestTimer)  # innermost: next to the router, which names the route
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(CredentialsGate, platform=platform)
    # Around the gate, whose lookup is the first query of most requests: both run again after a fail-over.
    app.add_middleware(DatabaseRetry, budget_s=settings.database_retry_s)
    app.add_middleware(RequestId)  # outermost: every log line of the request carries its id
    app.mount("/static/leaflet", StaticFiles(directory=xleaflet.BASE_DIR), name="leaflet")
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    return app
