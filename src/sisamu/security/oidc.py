"""OpenID Connect login (Pro Santé Connect is an OIDC provider): authorization code flow with PKCE, state, nonce.

The identity provider is found by discovery (`<issuer>/.well-known/openid-configuration`). Its ID token is checked
here, not trusted: signature against the provider's JWKS (fetched again once when the key id is unknown), issuer,
audience, expiry, issue time and nonce. A verified subject (`sub`) is then mapped to an existing sisamu account by
`account.oidc_subject` — there is no self-registration — and a normal sisamu session is opened.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from sisamu.security import audit, service, store
from sisamu.security.errors import SecurityError

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.config import Settings
    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

DISCOVERY_PATH = "/.well-known/openid-configuration"
METADATA_TTL_S = 3600.0
CLOCK_SKEW_S = 60
HTTP_TIMEOUT_S = 10.0
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


class OidcError(SecurityError):
    """The provider's answer could not be trusted or used; `str(self)` says why, for the log."""

    message_fr = "La connexion par Pro Santé Connect a échoué. Réessayez ou connectez-vous par mot de passe."


class OidcUnknownSubject(SecurityError):
    message_fr = (
        "Aucun compte sisamu n'est associé à cette identité Pro Santé Connect. "
        "Demandez à l'administrateur de votre SAMU de relier votre compte."
    )


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """Where to send the browser, and the secrets to keep (signed cookie) until it comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    subject: str
    claims: dict[str, Any]


class OidcClient:
    """One relying party for one provider; caches discovery metadata and the JWKS (thread-safe enough)."""

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None) -> None:
        if not settings.oidc_issuer or not settings.oidc_client_id:
            raise OidcError("oidc_issuer and oidc_client_id must be set when oidc_enabled")
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self.client_secret = settings.oidc_client_secret or None
        self.redirect_uri = settings.oidc_redirect_uri
        self.scope = settings.oidc_scope if "openid" in settings.oidc_scope.split() else "openid"
        self._transport = transport
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._jwks: KeySet | None = None

    def _http(self) -> httpx.Client:
        return httpx.Client(timeout=HTTP_TIMEOUT_S, transport=self._transport)

    def _oauth(self) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            token_endpoint_auth_method="client_secret_post" if self.client_secret else "none",
            scope=self.scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            timeout=HTTP_TIMEOUT_S,
            transport=self._transport,
        )

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            fresh = time.monotonic() - self._metadata_at < METADATA_TTL_S
            if self._metadata is not None and fresh:
                return self._metadata
        url = self.issuer + DISCOVERY_PATH
        try:
            with self._http() as http:
                response = http.get(url)
                response.raise_for_status()
                data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError(f"discovery failed at {url}: {exc}") from exc
        if not isinstance(data, dict):
            raise OidcError(f"discovery document at {url} is not an object")
        missing = {"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"} - data.keys()
        if missing:
            raise OidcError(f"discovery document at {url} lacks {sorted(missing)}")
        if str(data["issuer"]).rstrip("/") != self.issuer:
            raise OidcError(f"discovery issuer {data['issuer']!r} differs from configured {self.issuer!r}")
        with self._lock:
            self._metadata, self._metadata_at = data, time.monotonic()
        return data

    def _key_set(self, *, refresh: bool = False) -> KeySet:
        with self._lock:
            if self._jwks is not None and not refresh:
                return self._jwks
        uri = str(self.metadata()["jwks_uri"])
        try:
            with self._http() as http:
                response = http.get(uri)
                response.raise_for_status()
                keys = KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError) as exc:
            raise OidcError(f"JWKS unavailable at {uri}: {exc}") from exc
        with self._lock:
            self._jwks = keys
        return keys

    def authorization_request(self) -> AuthorizationRequest:
        """A fresh state, nonce and PKCE verifier, and the provider URL carrying them."""
        state = secrets.token_urlsafe(24)
        nonce = secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(64)
        with self._oauth() as oauth:
            url, _ = oauth.create_authorization_url(
                self.metadata()["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
            )
        return AuthorizationRequest(url=str(url), state=state, nonce=nonce, code_verifier=verifier)

    def exchange_code(self, code: str, code_verifier: str) -> str:
        """Redeem the authorization code at the token endpoint; return the (still unverified) ID token."""
        endpoint = str(self.metadata()["token_endpoint"])
        try:
            with self._oauth() as oauth:
                token = oauth.fetch_token(endpoint, code=code, code_verifier=code_verifier)
        except Exception as exc:  # authlib raises OAuthError, httpx errors, JSON errors: all mean "refused"
            raise OidcError(f"token endpoint {endpoint} refused the code: {exc}") from exc
        id_token = token.get("id_token") if isinstance(token, dict) else None
        if not isinstance(id_token, str) or not id_token:
            raise OidcError("token response has no id_token")
        return id_token

    def verify_id_token(self, id_token: str, *, nonce: str, now: datetime) -> VerifiedIdentity:
        """Check signature (provider's JWKS) and claims (iss, aud, azp, exp, iat, nonce, sub)."""
        metadata = self.metadata()
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in offered if a in SIGNING_ALGORITHMS]  # never "none" nor HMAC
        if not algorithms:
            raise OidcError(f"no acceptable signing algorithm among {offered}")
        try:
            try:
                decoded = jwt.decode(id_token, self._key_set(), algorithms=algorithms)
            except InvalidKeyIdError:
                decoded = jwt.decode(id_token, self._key_set(refresh=True), algorithms=algorithms)
        except (JoseError, ValueError) as exc:
            raise OidcError(f"ID token signature rejected: {exc}") from exc
        claims = dict(decoded.claims)
        self._check_claims(claims, nonce=nonce, now=int(now.timestamp()))
        return VerifiedIdentity(subject=str(claims["sub"]), claims=claims)

    def _check_claims(self, claims: dict[str, Any], *, nonce: str, now: int) -> None:
        if str(claims.get("iss", "")).rstrip("/") != self.issuer:
            raise OidcError(f"ID token issuer {claims.get('iss')!r} is not {self.issuer!r}")
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if self.client_id not in audiences:
            raise OidcError(f"ID token audience {aud!r} does not include {self.client_id!r}")
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise OidcError(f"ID token azp {claims.get('azp')!r} is not {self.client_id!r}")
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int | float) or not isinstance(iat, int | float):
            raise OidcError("ID token lacks numeric exp or iat")
        if exp + CLOCK_SKEW_S < now:
            raise OidcError(f"ID token expired {now - exp:.0f} s ago")
        if iat - CLOCK_SKEW_S > now:
            raise OidcError("ID token issued in the future")
        sent = claims.get("nonce")
        if not isinstance(sent, str) or not secrets.compare_digest(sent, nonce):
            raise OidcError("ID token nonce does not match the login request")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise OidcError("ID token has no subject")


def subject_digest(subject: str) -> str:
    """What the audit trail records of a refused identity: not the identifier itself."""
    return hashlib.sha256(subject.encode()).hexdigest()[:16]


def login_with_identity(
    uow: UnitOfWork, *, identity: VerifiedIdentity, ip: str, now: datetime, settings: Settings
) -> service.OpenedSession | None:
    """Open a session for the active account bound to the verified subject, or record the refusal (None).

    As for password logins, a refusal is returned rather than raised so that the caller commits its audit entry.
    """
    row = store.account_by_oidc_subject(uow.conn, identity.subject)
    ok = row is not None and bool(row.active)
    principal = store.principal_from_row(row) if row is not None else None
    store.add_login_attempt(
        uow.conn, username=row.username if row is not None else "oidc", ip=ip, success=ok, at=now
    )
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=row.samu_id if row is not None else None,
        action="login.success" if ok else "login.failure",
        object_type="account",
        object_id=str(row.account_id) if row is not None else "oidc:" + subject_digest(identity.subject),
        at=now,
        detail={"ip": ip, "method": "oidc"},
        actor="oidc",
    )
    if not ok or principal is None:
        log.info("OIDC login refused for subject digest %s from %s", subject_digest(identity.subject), ip)
        return None
    return service.open_session(uow, principal=principal, ip=ip, now=now, settings=settings)
