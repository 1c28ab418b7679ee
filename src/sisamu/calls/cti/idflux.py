"""The SI-SAMU `idFlux`: `{idCRRA}-{flux}-{salle}-{prio}-{fo}`, parsed and formatted.

Rules (from the `AppelEntrant.idFlux` description of the official Swagger, `swagger-lrm.json`):

- at most 32 characters; five parts separated by `-`, none empty, each made of letters and digits only;
- `idCRRA` follows the `idCrra` path parameter pattern of the same interface: `FR` then a digit then two of
  `0-9AB` (`FR250`, `FR76A`, `FR2A0`);
- `fo` is the front office level: `F01` (call-taking) or `F02` (medical regulation);
- F01: `prio` is `Px` or `UV`; `flux` is `15`, `112`, `116117`, `Amb`, `Smur`, `PRO`… (the list is open: any
  other token is kept, `IdFlux.known_flux` is then None), but not `FluxStd`; `salle` is open (`CoordAmb`,
  `SuiviOp`, `Crise`, `Samu`, `15`, `Malv`…);
- F02: `prio` is `P0`–`P3`; `flux` is `FluxStd`; `salle` is one of `ML`, `MU`, `MUCrise`, `T2`.

Tokens are case-sensitive as in the specification, except that a known F01 flux written in another case is
refused with a hint (`smur` → `Smur`), so that what we format is always what the telephony sends.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from sisamu.calls.flux import Flux

__all__ = [
    "ID_CRRA_PATTERN",
    "ID_FLUX_MAX_LENGTH",
    "FrontOffice",
    "IdFlux",
    "format_id_flux",
    "parse_id_flux",
]

ID_CRRA_PATTERN = re.compile(r"FR[0-9][0-9AB]{2}")
ID_FLUX_MAX_LENGTH = 32
_TOKEN = re.compile(r"[A-Za-z0-9]+")
F01_PRIORITIES = frozenset({"Px", "UV"})
F02_PRIORITIES = frozenset({"P0", "P1", "P2", "P3"})
F02_FLUX = "FluxStd"
F02_ROOMS = frozenset({"ML", "MU", "MUCrise", "T2"})


class FrontOffice(enum.StrEnum):
    CALL_TAKING = "F01"
    MEDICAL_REGULATION = "F02"


@dataclass(frozen=True, slots=True)
class IdFlux:
    crra: str
    flux: str
    salle: str
    priority: str
    front_office: FrontOffice

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def known_flux(self) -> Flux | None:
        """The flux as an enumeration member for F01 lines we know; None for F02 and unknown lines."""
        if self.front_office is FrontOffice.MEDICAL_REGULATION:
            return None
        return Flux.from_token(self.flux)

    def __str__(self) -> str:
        return format_id_flux(self)


def _validate(value: IdFlux) -> None:
    if not ID_CRRA_PATTERN.fullmatch(value.crra):
        raise ValueError(f"idFlux: idCRRA {value.crra!r} does not match FR[0-9][0-9AB]{{2}} (e.g. FR250)")
    for name, token in (("flux", value.flux), ("salle", value.salle), ("prio", value.priority)):
        if not _TOKEN.fullmatch(token):
            raise ValueError(f"idFlux: {name} {token!r} must be letters and digits only, not empty")
    if value.front_office is FrontOffice.CALL_TAKING:
        _validate_f01(value)
    else:
        _validate_f02(value)
    length = len(format_id_flux(value))
    if length > ID_FLUX_MAX_LENGTH:
        raise ValueError(f"idFlux: {length} characters, more than {ID_FLUX_MAX_LENGTH}")


def _validate_f01(value: IdFlux) -> None:
    if value.priority not in F01_PRIORITIES:
        raise ValueError(f"idFlux: prio {value.priority!r} is not allowed for F01 (Px or UV)")
    if value.flux == F02_FLUX:
        raise ValueError(f"idFlux: flux {F02_FLUX} is reserved for F02")
    known = Flux.from_token(value.flux)
    if known is not None and known.value != value.flux:
        raise ValueError(f"idFlux: flux {value.flux!r} must be written {known.value!r}")


def _validate_f02(value: IdFlux) -> None:
    if value.priority not in F02_PRIORITIES:
        raise ValueError(f"idFlux: prio {value.priority!r} is not allowed for F02 (P0, P1, P2 or P3)")
    if value.flux != F02_FLUX:
        raise ValueError(f"idFlux: flux {value.flux!r} is not allowed for F02 (only {F02_FLUX})")
    if value.salle not in F02_ROOMS:
        raise ValueError(f"idFlux: salle {value.salle!r} is not allowed for F02 (ML, MU, MUCrise or T2)")


def parse_id_flux(text: str) -> IdFlux:
    """Parse `{idCRRA}-{flux}-{salle}-{prio}-{fo}`; ValueError says which part is wrong and why."""
    if len(text) > ID_FLUX_MAX_LENGTH:
        raise ValueError(f"idFlux: {len(text)} characters, more than {ID_FLUX_MAX_LENGTH}")
    parts = text.split("-")
    if len(parts) != 5:  # noqa: PLR2004 - the five parts of the format
        raise ValueError(
            f"idFlux: {len(parts)} parts separated by '-', expected 5 ({{idCRRA}}-{{flux}}-…-{{fo}})"
        )
    crra, flux, salle, priority, fo = parts
    try:
        front_office = FrontOffice(fo)
    except ValueError:
        raise ValueError(f"idFlux: fo {fo!r} is not a front office level (F01 or F02)") from None
    return IdFlux(crra, flux, salle, priority, front_office)


def format_id_flux(value: IdFlux) -> str:
    return f"{value.crra}-{value.flux}-{value.salle}-{value.priority}-{value.front_office.value}"
