"""Call lines (SI-SAMU `idFlux` flux) and the pre-answer priority signal."""

from __future__ import annotations

import enum


class Flux(enum.StrEnum):
    """The line a call came in on; values are the SI-SAMU `idFlux` tokens (front office F01)."""

    CENTRE_15 = "15"
    EU_112 = "112"
    PDSA_116117 = "116117"
    SMUR = "Smur"
    PRO = "PRO"
    AMB = "Amb"

    @property
    def label(self) -> str:
        return _FLUX_LABELS[self]

    @classmethod
    def from_token(cls, token: str) -> Flux | None:
        """The flux for an `idFlux` token, case-insensitively (`smur`, `SMUR` → `Smur`); None if unknown."""
        return _BY_TOKEN.get(token.casefold())


_FLUX_LABELS = {
    Flux.CENTRE_15: "Centre 15",
    Flux.EU_112: "112 (numéro d'urgence européen)",
    Flux.PDSA_116117: "116 117 (permanence des soins)",
    Flux.SMUR: "Ligne SMUR",
    Flux.PRO: "Ligne des professionnels de santé",
    Flux.AMB: "Ligne des ambulanciers",
}
_BY_TOKEN = {flux.value.casefold(): flux for flux in Flux}


class PrioritySignal(enum.StrEnum):
    """Pre-answer signal: `UV` (urgence vitale, from pre-answer triage) or `Px` (every other call)."""

    UV = "UV"
    PX = "Px"
