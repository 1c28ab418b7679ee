"""OpenID Connect login routes (Pro Santé Connect), answering 404 unless `oidc_enabled`.

The state, nonce and PKCE verifier travel in a short-lived signed cookie (SameSite=Lax: the provider sends the
browser back with a cross-site top-level GET), so any instance can finish a login another one started.
"""

from __future__ import annotations

import html
import logging
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from sisamu.platform import Platform
from sisamu.platform.http import PlatformDep, client_ip
from sisamu.security.errors import NotFound, SecurityError
from sisamu.security.oidc import OidcClient, OidcError, OidcUnknownSubject, login_with_identity
from sisamu.web.auth_pages import login_page, safe_next, set_session_cookie

log = logging.getLogger(__name__)
router = APIRouter(prefix="/auth/oidc", include_in_schema=False)

STATE_COOKIE = "sisamu_oidc"
STATE_MAX_AGE_S = 600
_SALT = "sisamu.oidc.state"


def _client(request: Request, platform: Platform) -> OidcClient:
    settings = platform.settings
    if not settings.oidc_enabled:
        raise NotFound("OIDC login is disabled")
    key = (
        settings.oidc_issuer,
        settings.oidc_client_id,
        settings.oidc_client_secret,
        settings.oidc_redirect_uri,
    )
    cached: tuple[tuple[str, ...], OidcClient] | None = getattr(request.app.state, "oidc_client", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    client = OidcClient(settings)
    request.app.state.oidc_client = (key, client)
    return client


def _serializer(platform: Platform) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(platform.settings.resolved_secret_key(), salt=_SALT)


def _refused(request: Request, exc: SecurityError, status_code: int) -> HTMLResponse:
    response = login_page(request, error=exc.message_fr, status_code=status_code)
    response.delete_cookie(STATE_COOKIE, path="/auth/oidc")
    return response


@router.get("/login")
def oidc_login(request: Request, platform: PlatformDep, next: str = "/console") -> Response:  # noqa: A002
    client = _client(request, platform)
    try:
        auth = client.authorization_request()
    except OidcError as exc:
        log.warning("OIDC login cannot start: %s", exc)
        return _refused(request, exc, 502)
    pending = {"s": auth.state, "n": auth.nonce, "v": auth.code_verifier, "next": safe_next(next)}
    response = RedirectResponse(auth.url, status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        _serializer(platform).dumps(pending),
        max_age=STATE_MAX_AGE_S,
        httponly=True,
        secure=platform.settings.cookie_secure,
        samesite="lax",
        path="/auth/oidc",
    )
    return response


def _continue_page(target: str) -> HTMLResponse:
    """A same-site hop instead of a redirect: the session cookie is SameSite=Strict, and browsers do not send it
    on a redirect chain that a cross-site page (the provider) started; a navigation the page itself makes is
    same-site."""
    url = html.escape(target, quote=True)
    body = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={url}"><title>Connexion</title></head>'
        f'<body><p>Connexion réussie. <a href="{url}">Continuer vers la console</a></p></body></html>'
    )
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})


def _pending(request: Request, platform: Platform, *, code: str, state: str, error: str) -> dict[str, Any]:
    """The login this callback finishes, once the provider's answer and the state cookie agree."""
    if error:
        raise OidcError(f"provider returned error={error!r}")
    if not code or not state:
        raise OidcError("callback without code or state")
    raw = request.cookies.get(STATE_COOKIE)
    if not raw:
        raise OidcError("callback without a pending login (state cookie missing or expired)")
    try:
        pending = _serializer(platform).loads(raw, max_age=STATE_MAX_AGE_S)
    except BadSignature as exc:
        raise OidcError(f"state cookie rejected: {exc}") from exc
    if not isinstance(pending, dict) or not secrets.compare_digest(str(pending.get("s", "")), state):
        raise OidcError("state does not match the pending login")
    return pending


@router.get("/callback")
def oidc_callback(
    request: Request,
    platform: PlatformDep,
    code: str = "",
    state: str = "",
    error: str = "",
) -> Response:
    client = _client(request, platform)
    ip = client_ip(request)
    now = platform.clock.now()
    try:
        pending = _pending(request, platform, code=code, state=state, error=error)
        id_token = client.exchange_code(code, str(pending["v"]))
        identity = client.verify_id_token(id_token, nonce=str(pending["n"]), now=now)
    except OidcError as exc:
        log.warning("OIDC login failed from %s: %s", ip, exc)
        return _refused(request, exc, 401)
    with platform.uow() as uow:
        opened = login_with_identity(uow, identity=identity, ip=ip, now=now, settings=platform.settings)
    if opened is None:
        return _refused(request, OidcUnknownSubject(), 403)
    log.info(
        "OIDC login ok: %s (%s, samu %s)",
        opened.principal.username,
        opened.principal.role,
        opened.principal.samu_id,
    )
    response = _continue_page(safe_next(str(pending.get("next", "/console"))))
    response.delete_cookie(STATE_COOKIE, path="/auth/oidc")
    set_session_cookie(
        response,
        opened.token,
        secure=platform.settings.cookie_secure,
        max_age=int(platform.settings.session_hours * 3600),
    )
    return response
