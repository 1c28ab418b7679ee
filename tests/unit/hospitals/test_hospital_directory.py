# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
from sisamu.geo.gazetteer import commune, departements
from sisamu.hospitals.directory import CHU_CITIES, Specialty, all_hospitals, hospital, hospitals_in
from sisamu.tenants.registry import national_rooms

VOCABULARY = {str(s) for s in Specialty}


def test_every_departement_has_a_hospital_with_a_smur_at_its_prefecture_and_room_cities():
    by_city = {(h.departement, h.city_insee): h for h in all_hospitals()}
    for dept in departements():
        assert (dept.code, dept.chef_lieu_insee) in by_city
        assert by_city[dept.code, dept.chef_lieu_insee].has_smur
    for room in national_rooms():
        assert by_city[room.departement, room.city_insee].has_smur


def test_chu_in_every_chu_city_and_only_there():
    chu = {h.city_insee for h in all_hospitals() if h.kind == "CHU"}
    assert chu == CHU_CITIES
    assert hospital("chu-besancon-25").name == "Centre hospitalier universitaire de Besançon"
    assert hospital("chu-paris-75").name.endswith("(AP-HP)")


def test_second_most_populous_commune_has_a_hospital():
    assert [h.key for h in hospitals_in("25")] == ["chu-besancon-25", "ch-montbeliard-25"]
    assert {h.key for h in hospitals_in("68")} == {"ch-colmar-68", "ch-mulhouse-68"}
    assert {h.key for h in hospitals_in("64")} == {"ch-bayonne-64", "ch-pau-64"}


def test_keys_unique_and_coordinates_from_the_gazetteer():
    hospitals = all_hospitals()
    assert len({h.key for h in hospitals}) == len(hospitals)
    for h in hospitals:
        city = commune(h.city_insee)
        assert city.departement == h.departement
        assert (h.lat, h.lon) == (city.lat, city.lon)
        assert h.finess is None


def test_specialties_and_beds_from_the_fixed_vocabulary():
    for h in all_hospitals():
        assert set(h.specialties) <= VOCABULARY
        assert Specialty.EMERGENCY in h.specialties
        assert set(h.beds) == set(h.specialties)
        assert all(count > 0 for count in h.beds.values())
        if h.kind == "CHU":
            assert set(h.specialties) == VOCABULARY
            assert h.has_smur
            assert h.has_helismur
        else:
            assert Specialty.BURNS not in h.specialties


def test_synthetic_data_is_deterministic():
    besancon = hospital("chu-besancon-25")
    assert besancon.beds == {
        "urgences": 46,
        "réanimation": 49,
        "cardiologie interventionnelle": 32,
        "neurovasculaire (UNV)": 30,
        "pédiatrie": 49,
        "maternité": 56,
        "grands brûlés": 9,
        "traumatologie lourde": 40,
    }


def test_article_contracted_in_names():
    assert hospital("ch-le-mans-72").name == "Centre hospitalier du Mans"
