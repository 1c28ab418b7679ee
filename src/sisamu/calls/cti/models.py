"""Pydantic models of the SI-SAMU telephony ↔ LRM REST interface (both Swagger 2 files, `spec/`).

Attribute names are snake_case; the JSON names are exactly the Swagger property names (aliases), and bodies are
produced with `to_body()` (by alias, absent fields left out: the Swagger types allow no `null`). Strings and
booleans are strict (no coercion of `1` to `"1"` or `"true"` to `True`), as the JSON Schema validation is.

- `swagger-lrm.json` (the LRM's endpoints, called by the telephony): `AppelEntrant`, `AffichageDossier`, `Error`.
- `swagger-si-samu.json` (the telephony's endpoints, called by the LRM): `DemandeAppelSortant`,
  `CorrelationDossier`, `Appelant`, `Patient`, `Error`.

`prioriteRegul` is the closed list `P0`–`P3`, `NR`: the Swagger pattern `P[0-3]|NR` is unanchored, so the schema
alone would accept any string containing such a code; the model is stricter on purpose.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from sisamu.calls.cti.idflux import IdFlux, parse_id_flux

__all__ = [
    "DEFINITION_MODELS",
    "AffichageDossier",
    "AppelEntrant",
    "Appelant",
    "CorrelationDossier",
    "CtiModel",
    "DemandeAppelSortant",
    "Error",
    "IdCrra",
    "IdDossier",
    "IdNatPs",
    "Patient",
    "PrioriteRegul",
    "Sexe",
]

INCOMING_NUMBER_PATTERN = r"^(([#\+\*]|37000)?[0-9]{2,15}|\*\*\*)$"
OUTGOING_NUMBER_PATTERN = r"^([#\+\*]|37000|00+)?[0-9]{2,15}$"


def _text(max_length: int, *, min_length: int = 0, pattern: str | None = None) -> StringConstraints:
    return StringConstraints(strict=True, min_length=min_length, max_length=max_length, pattern=pattern)


Text25 = Annotated[str, _text(25)]
Text32 = Annotated[str, _text(32)]
Text64 = Annotated[str, _text(64)]
Text256 = Annotated[str, _text(256)]
AnyText = Annotated[str, _text(100_000)]
NonEmpty32 = Annotated[str, _text(32, min_length=1)]
IncomingNumber = Annotated[str, _text(64, pattern=INCOMING_NUMBER_PATTERN)]
OutgoingNumber = Annotated[str, _text(64, pattern=OUTGOING_NUMBER_PATTERN)]
Age = Annotated[str, _text(16, pattern=r"^P([0-9]{1,3}Y|[0-9]{1,2}M|[0-9]{1,2}D)$")]

# Path parameters (the strictest of the two files where they differ: ids may not be empty).
IdCrra = Annotated[str, StringConstraints(strict=True, pattern=r"^FR[0-9][0-9AB]{2}$")]
IdNatPs = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=32)]
IdDossier = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=25)]

PrioriteRegul = Literal["P0", "P1", "P2", "P3", "NR"]
Sexe = Literal["M", "F", "O", "U"]


class CtiModel(BaseModel):
    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, serialize_by_alias=True, frozen=True, extra="ignore"
    )

    def to_body(self) -> dict[str, Any]:
        """The JSON body: Swagger property names, absent fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class Error(CtiModel):
    message: AnyText | None = None
    code: AnyText | None = None


class AppelEntrant(CtiModel):
    """An incoming call presented to an agent (telephony → LRM)."""

    id_appel: Text64 = Field(alias="idAppel")
    id_flux: Text32 = Field(alias="idFlux")
    num_tel: IncomingNumber = Field(alias="numTel")
    ne_pas_executer: StrictBool | None = Field(default=None, alias="nePasExecuter")

    def parsed_id_flux(self) -> IdFlux:
        """The `idFlux` parsed by the SI-SAMU rules; ValueError with the reason if it does not follow them."""
        return parse_id_flux(self.id_flux)


class AffichageDossier(CtiModel):
    """Ask the LRM to display a case file to an agent (telephony → LRM)."""

    num_tel: IncomingNumber | None = Field(default=None, alias="numTel")
    id_appel: Text64 | None = Field(default=None, alias="idAppel")
    id_nat_ps: Text32 = Field(alias="idNatPs")


class DemandeAppelSortant(CtiModel):
    """Place an outgoing call (click-to-call, LRM → telephony)."""

    num_tel: OutgoingNumber = Field(alias="numTel")
    id_dossier: Text25 | None = Field(default=None, alias="idDossier")


class Appelant(CtiModel):
    nom: Text32 | None = None
    prenom: Text32 | None = None
    adresse: Text256 | None = None


class Patient(CtiModel):
    nom: Text32 | None = None
    nom_naissance: Text32 | None = Field(default=None, alias="nomNaissance")
    prenom: Text32 | None = None
    sexe: Sexe | None = None
    age: Age | None = None
    motif_recours: Text32 | None = Field(default=None, alias="motifRecours")
    patient_remarquable: StrictBool | None = Field(default=None, alias="patientRemarquable")


class CorrelationDossier(CtiModel):
    """Correlate a case file with a call (LRM → telephony); without `idAppel`, the agent's current call."""

    id_nat_ps: NonEmpty32 = Field(alias="idNatPs")
    id_appel: Text64 | None = Field(default=None, alias="idAppel")
    priorite_regul: PrioriteRegul | None = Field(default=None, alias="prioriteRegul")
    localisation: Text256 | None = None
    appelant: Appelant | None = None
    patients: list[Patient] | None = None


# (Swagger file, definition name) → model; every definition of both files is covered.
DEFINITION_MODELS: dict[tuple[str, str], type[CtiModel]] = {
    ("lrm", "AppelEntrant"): AppelEntrant,
    ("lrm", "AffichageDossier"): AffichageDossier,
    ("lrm", "Error"): Error,
    ("si-samu", "Appelant"): Appelant,
    ("si-samu", "CorrelationDossier"): CorrelationDossier,
    ("si-samu", "DemandeAppelSortant"): DemandeAppelSortant,
    ("si-samu", "Error"): Error,
    ("si-samu", "Patient"): Patient,
}
