"""Adapters of the platform's `Telephony` port (`sisamu.domain.ports`): what executes its telephony requests.

- `SiSamuAdapter`: the SI-SAMU national telephony (`swagger-si-samu.json`) over `HttpSiSamuTelephony` — a dial is a
  `DemandeAppelSortant` to `/v1/cti/{idCrra}/agents/{idNatPs}/calls`, a correlation a `CorrelationDossier` to
  `/v1/cti/{idCrra}/dossiers/{idDossier}`; the file's texts are cut to the Swagger's lengths, codes it does not
  know are left out rather than sent wrong.
- `RecordingTelephony`: keeps what it was asked, for the tests and a demo that has no telephony to execute; it
  refuses when told to.

`telephony_for(settings)` is bootstrap's choice: the SI-SAMU adapter when `cti_url` is set, else None (nothing
executes telephony requests: the ARM dials by hand).

A refusal is `TelephonyRefused` with a French message (the ARM's console shows it) and `retry` when trying again
may help: the telephony unreachable or overloaded (5xx, 408, 425, 429). A dial whose answer never came is not
tried again — the telephony may have dialled already, and a second attempt would ring the person twice —; a
correlation (a PUT, which says the same thing twice) is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import httpx

from sisamu.calls.cti.client import CtiRequestFailed, HttpSiSamuTelephony, id_crra
from sisamu.calls.cti.models import Appelant, CorrelationDossier, DemandeAppelSortant, Patient
from sisamu.calls.cti.schema import CtiSchemaError
from sisamu.domain.ports import DialRequest, FileCorrelation, PersonInfo, Telephony, TelephonyRefused

if TYPE_CHECKING:
    from sisamu.calls.cti.models import PrioriteRegul, Sexe
    from sisamu.config import Settings

__all__ = [
    "RecordingTelephony",
    "SiSamuAdapter",
    "appelant_of",
    "correlation_of",
    "demande_of",
    "patient_of",
    "telephony_for",
]

RETRY_STATUSES = frozenset({408, 425, 429})
SERVER_ERROR = 500
SEXES = frozenset({"M", "F", "O", "U"})
PRIORITIES = frozenset({"P0", "P1", "P2", "P3", "NR"})
MAX_AGE = 999
NAME_LENGTH = 32  # nom, prenom, nomNaissance, motifRecours
PLACE_LENGTH = 256  # localisation
CALL_ID_LENGTH = 64  # idAppel
ID_NAT_PS_LENGTH = 32
ID_DOSSIER_LENGTH = 25


def _cut(value: str | None, length: int) -> str | None:
    """`value` trimmed and cut to `length` characters; None when nothing is left."""
    if value is None:
        return None
    text = value.strip()[:length].strip()
    return text or None


def patient_of(person: PersonInfo) -> Patient:
    """A patient as the Swagger's `Patient`: age in years as `P38Y`, `sexe` only if it is one of its codes."""
    age = f"P{person.age}Y" if person.age is not None and 0 <= person.age <= MAX_AGE else None
    return Patient(
        nom=_cut(person.last_name, NAME_LENGTH),
        nom_naissance=_cut(person.birth_name, NAME_LENGTH),
        prenom=_cut(person.first_name, NAME_LENGTH),
        sexe=cast("Sexe", person.sex) if person.sex in SEXES else None,
        age=age,
        motif_recours=_cut(person.reason, NAME_LENGTH),
    )


def appelant_of(person: PersonInfo) -> Appelant | None:
    appelant = Appelant(nom=_cut(person.last_name, NAME_LENGTH), prenom=_cut(person.first_name, NAME_LENGTH))
    return appelant if appelant.to_body() else None


def demande_of(request: DialRequest) -> DemandeAppelSortant:
    """The `DemandeAppelSortant`; ValueError if the number does not follow the Swagger's pattern."""
    file_number = (
        request.file_number if request.file_number and len(request.file_number) <= ID_DOSSIER_LENGTH else None
    )
    return DemandeAppelSortant(num_tel=request.number, id_dossier=file_number)


def correlation_of(correlation: FileCorrelation) -> CorrelationDossier:
    """The `CorrelationDossier` of a file (its agent `idNatPs` must be known)."""
    if not correlation.id_nat_ps:
        raise ValueError("no idNatPs")
    patients = [p for p in map(patient_of, correlation.patients) if p.to_body()]
    call_id = (
        correlation.call_id if correlation.call_id and len(correlation.call_id) <= CALL_ID_LENGTH else None
    )
    return CorrelationDossier(
        id_nat_ps=correlation.id_nat_ps,
        id_appel=call_id,
        priorite_regul=cast("PrioriteRegul", correlation.priority)
        if correlation.priority in PRIORITIES
        else None,
        localisation=_cut(correlation.location, PLACE_LENGTH),
        appelant=appelant_of(correlation.caller) if correlation.caller is not None else None,
        patients=patients or None,
    )


def _answered(exc: CtiRequestFailed) -> str:
    detail = ""
    if exc.error is not None and (exc.error.code or exc.error.message):
        detail = f" ({': '.join(t for t in (exc.error.code, exc.error.message) if t)})"[:240]
    return f"la téléphonie SI-SAMU a répondu {exc.status}{detail}"


class SiSamuAdapter:
    """The SI-SAMU telephony behind the `Telephony` port (`client`: the HTTP client of its Swagger)."""

    name = "si-samu"

    def __init__(self, client: HttpSiSamuTelephony) -> None:
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> SiSamuAdapter:
        if not settings.cti_url:
            raise ValueError("cti_url is not set")
        return cls(
            HttpSiSamuTelephony(settings.cti_url, settings.cti_token, timeout_s=settings.cti_timeout_s)
        )

    def dial(self, request: DialRequest) -> None:
        if not request.id_nat_ps or len(request.id_nat_ps) > ID_NAT_PS_LENGTH:
            raise TelephonyRefused(
                f"le poste {request.seat_id} n'a pas d'identifiant national (idNatPs) connu de la téléphonie",
                retry=False,
            )
        try:
            demande = demande_of(request)
        except ValueError as exc:
            raise TelephonyRefused(
                "ce numéro n'est pas au format que la téléphonie sait composer", retry=False
            ) from exc
        id_nat_ps = request.id_nat_ps
        self._send(
            lambda: self.client.request_outgoing_call(id_crra(request.samu_id), id_nat_ps, demande),
            idempotent=False,
        )

    def correlate(self, correlation: FileCorrelation) -> None:
        if len(correlation.file_number) > ID_DOSSIER_LENGTH:
            raise TelephonyRefused(
                f"le numéro de dossier {correlation.file_number} dépasse 25 caractères", retry=False
            )
        try:
            dossier = correlation_of(correlation)
        except ValueError as exc:
            raise TelephonyRefused(
                "l'agent n'a pas d'identifiant national (idNatPs) connu de la téléphonie", retry=False
            ) from exc
        self._send(
            lambda: self.client.correlate_file(
                id_crra(correlation.samu_id), correlation.file_number, dossier
            ),
            idempotent=True,
        )

    @staticmethod
    def _send(request: Callable[[], None], *, idempotent: bool) -> None:
        try:
            request()
        except CtiRequestFailed as exc:
            retry = exc.status >= SERVER_ERROR or exc.status in RETRY_STATUSES
            raise TelephonyRefused(_answered(exc), retry=retry) from exc
        except CtiSchemaError as exc:
            raise TelephonyRefused("demande non conforme au Swagger SI-SAMU", retry=False) from exc
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise TelephonyRefused("la téléphonie SI-SAMU est injoignable", retry=True) from exc
        except httpx.HTTPError as exc:  # sent, but no answer: the telephony may have acted on it
            raise TelephonyRefused("la téléphonie SI-SAMU n'a pas répondu", retry=idempotent) from exc

    def close(self) -> None:
        self.client.close()


@dataclass
class RecordingTelephony:
    """Keeps what it was asked. `refusals` are raised, in order, by the next requests (which are then not kept);
    `refuse_all` by every request while set; `delay_s` makes each request take that long (a slow telephony)."""

    name: str = "recording"
    dials: list[DialRequest] = field(default_factory=list)
    correlations: list[FileCorrelation] = field(default_factory=list)
    refusals: list[TelephonyRefused] = field(default_factory=list)
    refuse_all: TelephonyRefused | None = None
    delay_s: float = 0.0
    attempts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _attempt(self) -> None:
        if self.delay_s:
            time.sleep(self.delay_s)
        with self._lock:
            self.attempts += 1
            if self.refusals:
                raise self.refusals.pop(0)
        if self.refuse_all is not None:
            raise self.refuse_all

    def dial(self, request: DialRequest) -> None:
        self._attempt()
        with self._lock:
            self.dials.append(request)

    def correlate(self, correlation: FileCorrelation) -> None:
        self._attempt()
        with self._lock:
            self.correlations.append(correlation)


def telephony_for(settings: Settings) -> Telephony | None:
    """The SI-SAMU telephony when `cti_url` is set; else None (no telephony executes requests)."""
    return SiSamuAdapter.from_settings(settings) if settings.cti_url else None
