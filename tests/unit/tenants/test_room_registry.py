# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
import re
from zoneinfo import ZoneInfo

import pytest

from sisamu.geo.gazetteer import commune, departements
from sisamu.tenants.registry import hub_id, national_rooms, pilot_rooms, room, rooms_of

PILOT_CITIES = {
    "68": ["Mulhouse"],
    "81": ["Albi"],
    "12": ["Rodez"],
    "25": ["Besançon"],
    "21": ["Dijon"],
    "40": ["Mont-de-Marsan"],
    "64": ["Bayonne", "Pau"],
    "23": ["Guéret"],
    "19": ["Tulle"],
    "87": ["Limoges"],
}


def test_the_eleven_pilots_and_their_cities():
    pilots = pilot_rooms()
    assert len(pilots) == 11
    cities: dict[str, list[str]] = {}
    for item in pilots:
        cities.setdefault(item.departement, []).append(commune(item.city_insee).name)
    assert cities == PILOT_CITIES
    assert room("250").city_insee == "25056"
    assert [r.crra_id for r in rooms_of("64")] == ["64A", "64B"]


def test_mulhouse_not_colmar_for_samu_68():
    assert commune(room("680").city_insee).name == "Mulhouse"


def test_national_rooms_cover_every_departement_once_plus_pau():
    rooms = national_rooms()
    assert len(rooms) == 102
    assert len({r.crra_id for r in rooms}) == 102
    assert {r.departement for r in rooms} == {d.code for d in departements()}
    assert set(pilot_rooms()) <= set(rooms)


def test_ids_follow_the_hub_convention():
    for item in national_rooms():
        assert re.fullmatch(r"(\d[\dAB])[0A-Z]|97\d", item.crra_id), item.crra_id
        assert item.crra_id.startswith(item.departement)
        assert item.hub_id == f"fr.health.samu{item.crra_id}" == hub_id(item.crra_id)
    assert room("2a0").departement == "2A"
    assert room("2B0").departement == "2B"
    assert room("76A").hub_id == "fr.health.samu76A"


def test_every_city_is_a_commune_of_the_rooms_departement():
    for item in national_rooms():
        city = commune(item.city_insee)
        assert city.kind == "COM"
        assert city.departement == item.departement
        assert city.name in item.name


def test_prefecture_by_default():
    prefectures = {d.code: d.chef_lieu_insee for d in departements()}
    elsewhere = {r.crra_id for r in national_rooms() if r.city_insee != prefectures[r.departement]}
    assert elsewhere == {"64A", "680", "910", "920", "971"}


@pytest.mark.parametrize(
    ("crra_id", "timezone"),
    [
        ("971", "America/Guadeloupe"),
        ("972", "America/Martinique"),
        ("973", "America/Cayenne"),
        ("974", "Indian/Reunion"),
        ("976", "Indian/Mayotte"),
        ("250", "Europe/Paris"),
        ("2A0", "Europe/Paris"),
    ],
)
def test_time_zones(crra_id, timezone):
    assert room(crra_id).timezone == timezone
    ZoneInfo(timezone)


def test_unknown_room():
    with pytest.raises(KeyError):
        room("999")
