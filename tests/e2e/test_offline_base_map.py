"""Issue 13, "a real base map": with no tile server configured, the consoles' map still draws the département's
communes with their names and the main roads of the imported road graph (`SISAMU_ROAD_GRAPH`), from the platform
itself — in Debian's chromium against `sisamu serve`."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
import numpy as np
import pytest
from console_steps import login
from playwright.sync_api import expect

from sisamu.geo.roadgraph import CLASS_CODES, RoadGraph

pytestmark = [pytest.mark.browser, pytest.mark.db]
GRAPH = Path(tempfile.gettempdir()) / "sisamu-e2e-base-map-roads.npz"


@pytest.fixture
def road_graph() -> Path:
    """A few roads through Besançon: a primary road both ways, a motorway, a street (not drawn)."""
    lat, lon = [47.2378, 47.2450, 47.2600, 47.2700], [6.0241, 6.0300, 6.0500, 6.0600]
    edges = [(0, 1, "primary"), (1, 0, "primary"), (1, 2, "motorway"), (2, 3, "residential")]
    RoadGraph(
        node_lat=np.array(lat),
        node_lon=np.array(lon),
        edge_from=np.array([e[0] for e in edges], dtype=np.int32),
        edge_to=np.array([e[1] for e in edges], dtype=np.int32),
        edge_length_m=np.full(len(edges), 800.0, dtype=np.float32),
        edge_class=np.array([CLASS_CODES[e[2]] for e in edges], dtype=np.uint8),
        edge_maxspeed_kmh=np.zeros(len(edges), dtype=np.float32),
    ).save(GRAPH)
    return GRAPH


@pytest.mark.parametrize("served", [{"SISAMU_ROAD_GRAPH": str(GRAPH)}], indirect=True)
def test_the_map_draws_communes_and_roads_without_tiles(road_graph, served, chromium, artifacts):
    page = login(chromium, served.base_url, "supervisor.250", "/console/map")
    base = page.locator(".leaflet-base-pane path")
    expect(base.first).to_be_attached(timeout=15_000)
    assert base.count() > 100  # the Doubs's communes (hundreds) and the roads
    assert page.locator(".leaflet-tile").count() == 0  # nothing fetched from a tile server
    expect(page.locator(".commune-label")).to_have_count(0)  # names hidden at the département's zoom
    for _ in range(3):  # zoom in three steps, on the map's centre (Besançon's region)
        page.locator("#map").dblclick()
        page.wait_for_timeout(400)
    expect(page.locator(".commune-label").first).to_be_visible(timeout=10_000)
    page.screenshot(path=str(artifacts / "offline-base-map.png"))

    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    roads = httpx.get(f"{served.base_url}/api/geo/departements/25/roads", cookies=cookies, timeout=10).json()
    assert {f["properties"]["class"]: f["properties"]["segments"] for f in roads["features"]} == {
        "primary": 1,
        "motorway": 1,
    }
    communes = httpx.get(
        f"{served.base_url}/api/geo/departements/25/communes", cookies=cookies, timeout=10
    ).json()
    assert "Besançon" in {f["properties"]["name"] for f in communes["features"]}
    assert httpx.get(f"{served.base_url}/api/geo/departements/25/roads", timeout=10).status_code == 401
