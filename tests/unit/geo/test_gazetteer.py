# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
import pytest

from sisamu.geo.gazetteer import (
    all_communes,
    commune,
    communes,
    departement,
    departement_population,
    departement_populations,
    departements,
    search_communes,
)
from sisamu.geo.name_search import normalize


def test_every_row_of_the_source_file_is_kept():
    assert len(all_communes()) == 37_530
    kinds = {item.kind for item in all_communes()}
    assert kinds == {"COM", "ARM", "COMD", "COMA", "SRM"}


def test_communes_are_current_ones_and_arrondissements():
    current = communes()
    assert {item.kind for item in current} == {"COM", "ARM"}
    assert sum(item.kind == "COM" for item in current) == 34_875
    assert sum(item.kind == "ARM" for item in current) == 45
    assert len({item.insee for item in current}) == len(current)


def test_a_commune_reads_as_expected():
    besancon = commune("25056")
    assert besancon.name == "Besançon"
    assert besancon.departement == "25"
    assert besancon.postcodes == ("25000",)
    assert 100_000 < (besancon.population or 0) < 130_000
    assert besancon.lat == pytest.approx(47.24, abs=0.05)
    assert besancon.lon == pytest.approx(6.02, abs=0.05)


def test_names_carry_their_article():
    assert commune("72181").name == "Le Mans"
    assert commune("01001").name == "L'Abergement-Clémenciat"


def test_every_commune_has_a_departement_and_a_point_in_range():
    codes = {item.code for item in departements()}
    for item in all_communes():
        assert item.departement in codes
        assert -90 <= item.lat <= 90
        assert -180 <= item.lon <= 180
    metropolitan = [item for item in communes() if not item.departement.startswith("97")]
    assert all(41 < item.lat < 51.2 and -5.3 < item.lon < 9.7 for item in metropolitan)


def test_arrondissements_and_former_communes_take_their_parents_departement():
    assert commune("75115").departement == "75"
    assert commune("75115").parent_insee == "75056"
    assert "75015" in commune("75056").postcodes
    assert commune("13201").departement == "13"


def test_departements_with_chef_lieu_and_region():
    assert len(departements()) == 101
    doubs = departement("25")
    assert (doubs.name, doubs.chef_lieu_insee, doubs.region_name) == (
        "Doubs",
        "25056",
        "Bourgogne-Franche-Comté",
    )
    assert departement("68").chef_lieu_insee == "68066"  # Colmar
    assert departement("2a").code == "2A"
    assert {"971", "972", "973", "974", "976"} <= {item.code for item in departements()}
    for item in departements():
        assert commune(item.chef_lieu_insee).departement == item.code
    with pytest.raises(KeyError):
        departement("20")


def test_populations_are_plausible():
    assert 500_000 < departement_population("25") < 600_000
    assert 2_000_000 < departement_population("75") < 2_300_000
    totals = departement_populations()
    assert set(totals) == {item.code for item in departements()}
    assert 64_000_000 < sum(totals.values()) < 69_000_000


def test_unknown_insee_is_a_key_error():
    with pytest.raises(KeyError):
        commune("00000")


@pytest.mark.parametrize(
    ("text", "insee"),
    [
        ("besancon", "25056"),
        ("BESANÇON", "25056"),
        ("Besanson", "25056"),
        ("st etienne", "42218"),
        ("Saint-Étienne", "42218"),
        ("saint etienne du rouvray", "76575"),
        ("l abergement clemenciat", "01001"),
        ("L’Abergement-Clémenciat", "01001"),
        ("le mans", "72181"),
        ("mans", "72181"),
        ("25000", "25056"),
        ("25056", "25056"),
        ("2A004", "2A004"),
        ("2a004", "2A004"),
        ("paris 15", "75115"),
        ("pointe a pitre", "97120"),
    ],
)
def test_search_finds_the_expected_commune_first(text, insee):
    results = search_communes(text)
    assert results
    assert results[0].insee == insee


def test_search_prefix_matches_come_first_by_population():
    results = search_communes("saint-e", limit=5)
    assert results[0].insee == "42218"
    assert all(normalize(item.name).startswith("saint e") for item in results)


def test_search_in_a_departement_and_limit():
    results = search_communes("saint", limit=3, departement="25")
    assert len(results) == 3
    assert all(item.departement == "25" for item in results)
    assert search_communes("", limit=3) == []
    assert search_communes("paris", limit=0) == []


def test_postcode_matches_come_before_the_same_insee_code():
    results = search_communes("25220", limit=50)
    with_postcode = [item for item in results if "25220" in item.postcodes]
    assert len(with_postcode) > 3
    assert results[: len(with_postcode)] == with_postcode
    assert commune("25220") in results


def test_former_commune_found_under_its_old_name():
    results = search_communes("bellegarde-sur-valserine")
    assert results[0].kind == "COMD"
    assert results[0].parent_insee == "01033"
    assert commune(results[0].parent_insee).name == "Valserhône"
