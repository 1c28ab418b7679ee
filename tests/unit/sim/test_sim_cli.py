"""`sisamu simulate …` through Typer's test runner (small rooms, short horizons)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sisamu.sim import cli
from sisamu.sim.cli import options
from sisamu.sim.scenarios import POLICIES

runner = CliRunner()


def _json(args: list[str]) -> dict:
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_single_prints_the_agreed_keys() -> None:
    got = _json(
        [
            "single",
            "--arrivals-per-hour",
            "120",
            "--agents",
            "5",
            "--aht",
            "90",
            "--hours",
            "50",
            "--seed",
            "2",
            "--json",
        ]
    )
    assert set(got) == {
        "offered",
        "answered",
        "abandoned",
        "p_wait",
        "service_level_60",
        "service_level_30",
        "mean_wait_s",
    }
    assert got["abandoned"] == 0
    assert got["offered"] == got["answered"]
    with_patience = [
        "single",
        "--arrivals-per-hour",
        "300",
        "--agents",
        "5",
        "--aht",
        "90",
        "--patience",
        "60",
    ]
    assert _json([*with_patience, "--hours", "20", "--seed", "2", "--json"])["abandoned"] > 0


def test_scenario_json_and_plots(tmp_path: Path) -> None:
    got = _json(
        [
            "covid",
            "--rooms",
            "equal:5",
            "--hours",
            "24",
            "--surge-rooms",
            "R000",
            "--seed",
            "3",
            "--json",
            "--out",
            str(tmp_path),
        ]
    )
    assert got["lost_threshold_s"] == 15.0
    assert got["national"]["offered"] == sum(r["offered"] for r in got["rooms"])
    rooms = {r["scope"]: r for r in got["rooms"]}
    assert rooms["R000"]["offered"] > 2 * rooms["R001"]["offered"]
    assert all(Path(p).stat().st_size > 1000 for p in got["plots"])
    table = runner.invoke(cli.app, ["heatwave", "--rooms", "equal:3", "--hours", "12"])
    assert table.exit_code == 0
    assert "perdus" in table.stdout


def test_compare_runs_the_four_policies(tmp_path: Path) -> None:
    got = _json(["compare", "--rooms", "equal:6", "--hours", "24", "--json", "--out", str(tmp_path)])
    assert list(got["policies"]) == list(POLICIES)
    assert got["policies"]["aucun débordement"]["overflowed"] == 0
    assert (tmp_path / "national-politiques.png").exists()


def test_staffing_alone_versus_mutual_aid() -> None:
    got = _json(["staffing", "--rooms", "equal:4", "--hours", "24", "--rounds", "2", "--json"])
    assert got["mutual_aid"]["first_guess_arm_hours"] <= got["alone"]["first_guess_arm_hours"]


def test_no_silent_fallback_without_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(scope: str) -> tuple:
        raise ImportError("sisamu.tenants.registry")

    monkeypatch.setattr(options, "rooms_from_registry", missing)
    result = runner.invoke(cli.app, ["national", "--hours", "1"])
    assert result.exit_code == 2
