# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
import csv
from enum import StrEnum
from importlib.resources import files

import pytest

from sisamu.domain.codes import (
    Attribution,
    Etat,
    NiveauSoin,
    Priorite,
    StatutVecteur,
    TypeDecision,
    TypeRessource,
    TypeVecteur,
    code_list,
    code_list_names,
    parse_code_list,
)

ENUMS: dict[str, type[StrEnum]] = {
    "priorite": Priorite,
    "niveauSoin": NiveauSoin,
    "typeDecision": TypeDecision,
    "statutVecteur": StatutVecteur,
    "etat": Etat,
    "attribution": Attribution,
    "typeRessource": TypeRessource,
    "typeVecteur": TypeVecteur,
}

REQUIRED_LISTS = [
    "priorite",
    "niveauSoin",
    "typeDecision",
    "statutVecteur",
    "etat",
    "attribution",
    "typeRessource",
    "typeVecteur",
    "motif",
    "lieu",
    "sexe",
    "typeAppelant",
    "typeOrientation",
    "typePEC",
    "precision",
    "canal",
]


def raw_codes(name: str) -> list[str]:
    text = (files("sisamu.domain.nomenclatures") / f"HubSante.{name}.csv").read_text(encoding="utf-8")
    return [row["code"] for row in csv.DictReader(text.splitlines())]


@pytest.mark.parametrize(("name", "enum"), ENUMS.items())
def test_enum_equals_the_codes_of_its_csv_in_order(name, enum):
    assert [member.value for member in enum] == raw_codes(name)


def test_required_lists_are_packaged():
    assert set(REQUIRED_LISTS) <= set(code_list_names())


@pytest.mark.parametrize("name", code_list_names())
def test_every_list_loads_with_unique_codes_and_labels(name):
    codes = code_list(name)
    assert len(codes) > 0
    assert len(codes.codes()) == len(set(codes.codes()))
    assert all(codes.label(code) for code in codes.codes())


def test_priorities_and_care_levels_read_as_in_the_domain():
    assert [str(p) for p in Priorite] == ["P0", "P1", "P2", "P3", "NR"]
    assert code_list("priorite").label(Priorite.P0) == "Urgence vitale"
    assert [str(n) for n in NiveauSoin] == ["R1", "R2", "R3", "R4"]
    assert Etat("CLOTURE") is Etat.CLOTURE
    assert StatutVecteur.RET_BASE == "RET-BASE"
    assert Attribution.DRM_MRU_SSE == "DRM.MRU.SSE"
    assert TypeVecteur.SMUR_HELISMUR == "SMUR.HELISMUR"


def test_large_hierarchical_lists_expose_levels_and_labels():
    motif = code_list("motif")
    assert "M01.01" in motif
    assert "M99.99" not in motif
    assert motif["M01.00"].level == 1
    assert motif["M01.01"].level == 2
    assert motif.label("M01.01").startswith("Suspicion d’arrêt cardiaque")
    lieu = code_list("lieu")
    assert lieu.label("L01.00.00") == "Domicile"
    assert len(lieu) > 100


def test_tags_and_blank_label_columns_fall_back_to_the_real_label():
    assert code_list("typeDecision").label("PMT") == "Prescription médicamenteuse téléphonique"
    assert code_list("attribution").label("DRM.MRU.MU") == "Régulation MU"


def test_headers_vary_but_parse_the_same():
    text = ",code,label_n1,Libellé niveau 2,description,commentaire\n0,A,Alpha,,first,\n1,A.B,,Beta,,note\n"
    first, second = parse_code_list(text)
    assert (first.code, first.label, first.level, first.description) == ("A", "Alpha", 1, "first")
    assert (second.label, second.level, second.comment) == ("Beta", 2, "note")


def test_unknown_list_is_a_key_error():
    with pytest.raises(KeyError):
        code_list("nope")
