# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
import json

import pytest
import shapely
from shapely.geometry import shape

from sisamu.geo.gazetteer import communes
from sisamu.geo.outlines import commune_outlines, departement_outline


def assert_polygonal_geojson(geometry):
    assert geometry["type"] in {"Polygon", "MultiPolygon"}
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for rings in polygons:
        for ring in rings:
            assert len(ring) >= 4
            assert ring[0] == ring[-1]
    parsed = shape(geometry)
    assert parsed.is_valid
    assert not parsed.is_empty


@pytest.mark.parametrize("code", ["25", "2A", "971"])
def test_departement_outline_is_a_valid_feature(code):
    feature = departement_outline(code)
    json.dumps(feature)
    assert feature["type"] == "Feature"
    assert feature["properties"]["code"] == code
    assert_polygonal_geojson(feature["geometry"])


def test_doubs_outline_contains_besancon_and_is_simplified():
    rough = departement_outline("25", tolerance=0.01)
    fine = departement_outline("25", tolerance=0.001)
    assert shape(rough["geometry"]).contains(shapely.Point(6.02, 47.24))
    assert len(json.dumps(rough)) < len(json.dumps(fine))


def test_commune_outlines_cover_the_departement():
    collection = commune_outlines("2A")
    assert collection["type"] == "FeatureCollection"
    expected = {item.insee for item in communes() if item.departement == "2A" and item.kind == "COM"}
    assert {feature["properties"]["insee"] for feature in collection["features"]} == expected
    for feature in collection["features"]:
        assert_polygonal_geojson(feature["geometry"])
