"""SI-SAMU ↔ LRM interface: every Swagger definition has a model whose bodies the official schema accepts."""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from typing import Any

import pytest
from pydantic import ValidationError

from sisamu.calls.cti.idflux import FrontOffice
from sisamu.calls.cti.models import (
    DEFINITION_MODELS,
    AffichageDossier,
    Appelant,
    AppelEntrant,
    CorrelationDossier,
    CtiModel,
    DemandeAppelSortant,
    Error,
    Patient,
)
from sisamu.calls.cti.schema import (
    SPEC_FILES,
    CtiSchemaError,
    definition_names,
    json_schema,
    operation_definitions,
    schema_errors,
    validate_body,
)
from support import DATA

# SHA-256 of the official Swagger files (ansforge/SAMU-interface-LRM), see tests/data/PROVENANCE.md.
OFFICIAL_SHA256 = DATA / "si-samu-cti" / "swagger.sha256"

VALID: dict[tuple[str, str], dict[str, Any]] = {
    ("lrm", "AppelEntrant"): {
        "idAppel": "a1b2c3",
        "idFlux": "FR250-15-Samu-UV-F01",
        "numTel": "+33612345678",
        "nePasExecuter": False,
    },
    ("lrm", "AffichageDossier"): {"numTel": "***", "idAppel": "a1b2c3", "idNatPs": "810012345678"},
    ("lrm", "Error"): {"message": "Agent inconnu", "code": "404"},
    ("si-samu", "Appelant"): {"nom": "Martin", "prenom": "Léa", "adresse": "1 rue de la Paix, Besançon"},
    ("si-samu", "CorrelationDossier"): {
        "idNatPs": "810012345678",
        "idAppel": "a1b2c3",
        "prioriteRegul": "P0",
        "localisation": "12 avenue Foch 25000 Besançon",
        "appelant": {"nom": "Martin", "prenom": "Léa"},
        "patients": [
            {
                "nom": "Martin",
                "nomNaissance": "Durand",
                "prenom": "Paul",
                "sexe": "M",
                "age": "P38Y",
                "motifRecours": "DOULEUR_THORACIQUE",
                "patientRemarquable": True,
            },
            {"sexe": "U", "age": "P3M"},
        ],
    },
    ("si-samu", "DemandeAppelSortant"): {"numTel": "0033381000000", "idDossier": "DRFR15250A2602500001"},
    ("si-samu", "Error"): {"message": "Conflit", "code": "409"},
    ("si-samu", "Patient"): {"prenom": "Inès", "sexe": "F", "age": "P12D"},
}

INVALID: list[tuple[str, str, dict[str, Any]]] = [
    ("lrm", "AppelEntrant", {"idFlux": "FR250-15-Samu-Px-F01", "numTel": "0612345678"}),  # idAppel missing
    ("lrm", "AppelEntrant", {"idAppel": "a", "idFlux": "f", "numTel": "06 12 34 56 78"}),
    ("lrm", "AppelEntrant", {"idAppel": "a", "idFlux": "x" * 33, "numTel": "0612345678"}),
    ("lrm", "AppelEntrant", {"idAppel": "a", "idFlux": "f", "numTel": "0612345678", "nePasExecuter": "yes"}),
    ("lrm", "AffichageDossier", {"numTel": "0612345678"}),  # idNatPs missing
    ("lrm", "AffichageDossier", {"idNatPs": "x" * 33}),
    ("lrm", "Error", {"message": 42}),
    ("si-samu", "Appelant", {"adresse": "x" * 257}),
    ("si-samu", "CorrelationDossier", {"idNatPs": ""}),
    ("si-samu", "CorrelationDossier", {"idNatPs": "p", "patients": [{"sexe": "X"}]}),
    ("si-samu", "CorrelationDossier", {"idNatPs": "p", "patients": {"sexe": "M"}}),
    ("si-samu", "CorrelationDossier", {"idNatPs": "p", "appelant": {"nom": ["Martin"]}}),
    ("si-samu", "CorrelationDossier", {"idNatPs": "p", "prioriteRegul": "P4"}),
    ("si-samu", "DemandeAppelSortant", {"idDossier": "D1"}),  # numTel missing
    ("si-samu", "DemandeAppelSortant", {"numTel": "***"}),  # masked number cannot be called back
    ("si-samu", "DemandeAppelSortant", {"numTel": "0612345678", "idDossier": "x" * 26}),
    ("si-samu", "Patient", {"age": "38 ans"}),
    ("si-samu", "Patient", {"age": "P1000Y"}),
    ("si-samu", "Patient", {"patientRemarquable": 1}),
]


def test_package_copies_are_the_official_files() -> None:
    lines = OFFICIAL_SHA256.read_text(encoding="utf-8").splitlines()
    official = {name: digest for digest, name in (line.split("  ", 1) for line in lines)}
    assert set(official) == set(SPEC_FILES.values())
    for name in SPEC_FILES.values():
        packaged = files("sisamu.calls.cti").joinpath("spec", name).read_bytes()
        assert hashlib.sha256(packaged).hexdigest() == official[name], name
        assert json.loads(packaged)["swagger"] == "2.0"
    assert files("sisamu.calls.cti").joinpath("spec", "PROVENANCE.md").is_file()


def test_every_definition_has_a_model_and_an_example() -> None:
    covered = {(spec, name) for spec in SPEC_FILES for name in definition_names(spec)}  # type: ignore[arg-type]
    assert covered == set(DEFINITION_MODELS) == set(VALID)


@pytest.mark.parametrize(("spec", "definition"), sorted(VALID))
def test_model_dump_validates_against_the_swagger_definition(spec: str, definition: str) -> None:
    model = DEFINITION_MODELS[(spec, definition)]
    instance = model.model_validate(VALID[(spec, definition)])
    body = instance.to_body()
    assert body == VALID[(spec, definition)]
    assert body == instance.model_dump(by_alias=True, exclude_none=True)
    validate_body(spec, definition, body)  # type: ignore[arg-type]
    assert model.model_validate_json(json.dumps(body)) == instance


@pytest.mark.parametrize(("spec", "definition"), sorted(VALID))
def test_minimal_instances_validate(spec: str, definition: str) -> None:
    required = {
        "AppelEntrant": {"idAppel": "", "idFlux": "", "numTel": "37000123"},
        "AffichageDossier": {"idNatPs": ""},
        "CorrelationDossier": {"idNatPs": "p"},
        "DemandeAppelSortant": {"numTel": "#12"},
    }.get(definition, {})
    body = DEFINITION_MODELS[(spec, definition)].model_validate(required).to_body()
    assert body == required
    assert schema_errors(spec, definition, body) == []  # type: ignore[arg-type]


def test_models_build_by_python_names() -> None:
    body = CorrelationDossier(
        id_nat_ps="810012345678",
        priorite_regul="NR",
        appelant=Appelant(nom="Martin"),
        patients=[Patient(nom_naissance="Durand", patient_remarquable=False)],
    ).to_body()
    assert body == {
        "idNatPs": "810012345678",
        "prioriteRegul": "NR",
        "appelant": {"nom": "Martin"},
        "patients": [{"nomNaissance": "Durand", "patientRemarquable": False}],
    }
    validate_body("si-samu", "CorrelationDossier", body)
    outgoing = DemandeAppelSortant(num_tel="+33381000000", id_dossier="D1").to_body()
    validate_body("si-samu", "DemandeAppelSortant", outgoing)
    assert AffichageDossier(id_nat_ps="p").to_body() == {"idNatPs": "p"}
    assert Error().to_body() == {}


def test_incoming_call_parses_its_id_flux() -> None:
    call = AppelEntrant.model_validate(VALID[("lrm", "AppelEntrant")])
    assert call.parsed_id_flux().front_office is FrontOffice.CALL_TAKING
    with pytest.raises(ValueError, match="idFlux"):
        AppelEntrant(id_appel="a", id_flux="nonsense", num_tel="0612345678").parsed_id_flux()


@pytest.mark.parametrize(("spec", "definition", "body"), INVALID)
def test_invalid_bodies_are_rejected_by_model_and_schema(
    spec: str, definition: str, body: dict[str, Any]
) -> None:
    model: type[CtiModel] = DEFINITION_MODELS[(spec, definition)]
    with pytest.raises(ValidationError):
        model.model_validate(body)
    errors = schema_errors(spec, definition, body)  # type: ignore[arg-type]
    assert errors
    with pytest.raises(CtiSchemaError) as caught:
        validate_body(spec, definition, body)  # type: ignore[arg-type]
    assert caught.value.errors == errors


def test_schema_errors_name_the_path() -> None:
    errors = schema_errors("si-samu", "CorrelationDossier", {"idNatPs": "p", "patients": [{"sexe": "X"}]})
    assert errors == ["$.patients[0].sexe: 'X' is not one of ['M', 'F', 'O', 'U']"]
    assert schema_errors("lrm", "AppelEntrant", []) == ["$: [] is not of type 'object'"]


def test_schema_pattern_for_priority_is_unanchored_but_model_is_closed() -> None:
    body = {"idNatPs": "p", "prioriteRegul": "xP1x"}
    assert schema_errors("si-samu", "CorrelationDossier", body) == []
    with pytest.raises(ValidationError):
        CorrelationDossier.model_validate(body)


def test_unknown_spec_or_definition() -> None:
    with pytest.raises(ValueError, match="no definition 'Nope'"):
        validate_body("lrm", "Nope", {})
    with pytest.raises(ValueError, match="unknown CTI specification"):
        definition_names("other")  # type: ignore[arg-type]


def test_json_schema_is_standalone() -> None:
    from jsonschema import Draft4Validator

    schema = json_schema("si-samu", "CorrelationDossier")
    Draft4Validator.check_schema(schema)
    assert Draft4Validator(schema).is_valid(VALID[("si-samu", "CorrelationDossier")])
    assert not Draft4Validator(schema).is_valid({"patients": []})


def test_operation_definitions() -> None:
    assert (
        operation_definitions("lrm")[("POST", "/v1/cti/{idCrra}/agents/{idNatPs}/calls")]["body"]
        == "AppelEntrant"
    )
    si_samu = operation_definitions("si-samu")
    assert si_samu[("PUT", "/v1/cti/{idCrra}/dossiers/{idDossier}")] == {
        "body": "CorrelationDossier",
        "400": "Error",
        "403": "Error",
        "409": "Error",
    }
    assert si_samu[("POST", "/v1/cti/{idCrra}/agents/{idNatPs}/calls")]["body"] == "DemandeAppelSortant"
