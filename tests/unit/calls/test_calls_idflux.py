"""SI-SAMU idFlux: round trips and every rule."""

from __future__ import annotations

import pytest

from sisamu.calls.cti.idflux import FrontOffice, IdFlux, format_id_flux, parse_id_flux
from sisamu.calls.flux import Flux


@pytest.mark.parametrize(
    "text",
    [
        "FR250-15-Samu-Px-F01",
        "FR250-112-15-UV-F01",
        "FR76A-116117-CoordAmb-Px-F01",
        "FR2A0-Amb-SuiviOp-Px-F01",
        "FR690-Smur-Crise-UV-F01",
        "FR750-PRO-Malv-Px-F01",
        "FR250-Autre-Samu-Px-F01",
        "FR250-FluxStd-ML-P0-F02",
        "FR250-FluxStd-MU-P1-F02",
        "FR250-FluxStd-MUCrise-P2-F02",
        "FR250-FluxStd-T2-P3-F02",
    ],
)
def test_round_trip(text: str) -> None:
    parsed = parse_id_flux(text)
    assert format_id_flux(parsed) == text
    assert str(parsed) == text
    assert parse_id_flux(str(parsed)) == parsed


def test_fields_and_known_flux() -> None:
    parsed = parse_id_flux("FR250-116117-CoordAmb-UV-F01")
    assert parsed == IdFlux("FR250", "116117", "CoordAmb", "UV", FrontOffice.CALL_TAKING)
    assert parsed.known_flux is Flux.PDSA_116117
    assert parse_id_flux("FR250-Autre-Samu-Px-F01").known_flux is None
    assert parse_id_flux("FR250-FluxStd-ML-P0-F02").known_flux is None


def test_every_flux_formats() -> None:
    for flux in Flux:
        value = IdFlux("FR250", flux.value, "Samu", "Px", FrontOffice.CALL_TAKING)
        assert parse_id_flux(str(value)).known_flux is flux


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FR250-15-Samu-Px", "4 parts"),
        ("FR250-15-Samu-Px-F01-x", "6 parts"),
        ("FR250-15-Samu-Px-F03", "fo 'F03' is not a front office level"),
        ("250-15-Samu-Px-F01", "idCRRA '250' does not match"),
        ("FR25C-15-Samu-Px-F01", "idCRRA 'FR25C'"),
        ("FR250--Samu-Px-F01", "flux '' must be letters and digits"),
        ("FR250-15-Sa mu-Px-F01", "salle 'Sa mu'"),
        ("FR250-15-Samu-P1-F01", "prio 'P1' is not allowed for F01"),
        ("FR250-15-Samu-px-F01", "prio 'px' is not allowed for F01"),
        ("FR250-FluxStd-Samu-Px-F01", "FluxStd is reserved for F02"),
        ("FR250-smur-Samu-Px-F01", "must be written 'Smur'"),
        ("FR250-FluxStd-ML-UV-F02", "prio 'UV' is not allowed for F02"),
        ("FR250-15-ML-P1-F02", "flux '15' is not allowed for F02"),
        ("FR250-FluxStd-Samu-P1-F02", "salle 'Samu' is not allowed for F02"),
        ("FR250-116117-CoordAmbulancier-Px-F01", "more than 32"),
    ],
)
def test_invalid(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("(", r"\(")):
        parse_id_flux(text)


def test_constructing_an_invalid_value_is_refused() -> None:
    with pytest.raises(ValueError, match="prio 'P9'"):
        IdFlux("FR250", "FluxStd", "ML", "P9", FrontOffice.MEDICAL_REGULATION)
    with pytest.raises(ValueError, match="more than 32"):
        IdFlux("FR250", "116117", "CoordinationAmbulanciere", "Px", FrontOffice.CALL_TAKING)
