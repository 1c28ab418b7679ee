"""Security headers on every HTTP response: pages, JSON, static files, errors and refusals alike.

A pure ASGI middleware that appends precomputed header lines to `http.response.start`: Starlette's
`BaseHTTPMiddleware` would cost a task and a stream per request on the telephony's hot path (benchmarks/acd.py).
The Content-Security-Policy allows no inline script at all (`script-src 'self'`): the templates carry no
`<script>` body and no `on…=` attribute, the pages pass their data in `data-*` attributes; so text that slipped
into the page as markup still could not run.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = (b"strict-transport-security", b"max-age=31536000")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def tile_source(template: str) -> str | None:
    """The CSP source of a Leaflet tile URL template (`https://{s}.tile.example/{z}/{x}/{y}.png` →
    `https://*.tile.example`); None when the tiles come from this site (a relative template, or none)."""
    if not template:
        return None
    parts = urlsplit(_PLACEHOLDER.sub("*", template))
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc
    if "*" in host.removeprefix("*.") or "@" in host:
        return f"{parts.scheme}:"  # a placeholder a CSP host cannot express: the scheme alone
    return f"{parts.scheme}://{host}"


def content_security_policy(*, tile_url: str = "") -> str:
    """The policy of every response. Inline style attributes are refused too: Leaflet sets its styles through
    the DOM (allowed), the stylesheet carries the rest."""
    tiles = tile_source(tile_url)
    images = "'self' data:" + (f" {tiles}" if tiles else "")
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeaders:
    """Appends the security headers to each HTTP response; `Strict-Transport-Security` only to a request that
    came over TLS, or to every one when `behind_tls` (a TLS-terminating proxy in front)."""

    def __init__(self, app: ASGIApp, *, tile_url: str = "", behind_tls: bool = False) -> None:
        self.app = app
        self.headers: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", content_security_policy(tile_url=tile_url).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]
        self.tls_headers = [*self.headers, HSTS]
        if behind_tls:
            self.headers = self.tls_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.tls_headers if scope.get("scheme") == "https" else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
