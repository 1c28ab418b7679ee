"""Client side of the SI-SAMU telephony interface (`swagger-si-samu.json`): what sisamu, as an LRM, asks of the
national telephony — place an outgoing call (`DemandeAppelSortant`, click-to-call, used by callbacks) and
correlate a case file with a call (`CorrelationDossier`).

`HttpSiSamuTelephony` speaks the Swagger's two operations (bearer token, bodies validated against the official
Swagger before they leave); `adapters.SiSamuAdapter` puts it behind the platform's `Telephony` port.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from sisamu.calls.cti.models import CorrelationDossier, DemandeAppelSortant, Error
from sisamu.calls.cti.schema import validate_body

__all__ = [
    "CtiRequestFailed",
    "HttpSiSamuTelephony",
    "id_crra",
    "samu_of_id_crra",
]


def id_crra(samu_id: str) -> str:
    """The SI-SAMU `idCrra` of a SAMU (`250` → `FR250`)."""
    return f"FR{samu_id}"


def samu_of_id_crra(value: str) -> str:
    """The SAMU id of an `idCrra` (`FR250` → `250`); the caller checks the pattern."""
    return value[2:]


class CtiRequestFailed(Exception):
    """The telephony refused or failed a request; `error` is its `Error` body when it sent one."""

    def __init__(self, status: int, error: Error | None) -> None:
        detail = f": {error.code or ''} {error.message or ''}".rstrip() if error else ""
        super().__init__(f"SI-SAMU telephony answered {status}{detail}")
        self.status = status
        self.error = error


class HttpSiSamuTelephony:
    """`base_url` is the telephony's API root (the Swagger `basePath`, e.g. `https://…/si-samu-back-synchro-lrm-web/api`);
    `token` the bearer token sisamu presents (None: no `Authorization` header, for a link secured otherwise).

    Raises `CtiRequestFailed` for any answer but 202, `CtiSchemaError` for a body the Swagger refuses (nothing
    sent), and httpx's `TransportError`s when the telephony cannot be reached or does not answer in time.
    """

    def __init__(
        self, base_url: str, token: str | None, *, client: httpx.Client | None = None, timeout_s: float = 5.0
    ) -> None:
        self._base = base_url.rstrip("/")
        self._client = client or httpx.Client(timeout=timeout_s)
        self._headers = {"Accept": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"

    def _send(self, method: str, path: str, definition: str, body: dict[str, object]) -> None:
        validate_body("si-samu", definition, body)
        response = self._client.request(method, self._base + path, json=body, headers=self._headers)
        if response.status_code == 202:  # noqa: PLR2004 - the only success the Swagger declares
            return
        error: Error | None = None
        try:
            payload = response.json()
            validate_body("si-samu", "Error", payload)
            error = Error.model_validate(payload)
        except ValueError:
            error = None
        raise CtiRequestFailed(response.status_code, error)

    def request_outgoing_call(self, id_crra: str, id_nat_ps: str, request: DemandeAppelSortant) -> None:
        path = f"/v1/cti/{quote(id_crra, safe='')}/agents/{quote(id_nat_ps, safe='')}/calls"
        self._send("POST", path, "DemandeAppelSortant", request.to_body())

    def correlate_file(self, id_crra: str, id_dossier: str, correlation: CorrelationDossier) -> None:
        path = f"/v1/cti/{quote(id_crra, safe='')}/dossiers/{quote(id_dossier, safe='')}"
        self._send("PUT", path, "CorrelationDossier", correlation.to_body())

    def close(self) -> None:
        self._client.close()
