"""Command-line values are checked before any work: a French message naming the option and, for a choice, every
valid value; exit code 2 as for Click's own usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sisamu.cli import app

runner = CliRunner()


def _refused(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output  # a usage error
    assert "Traceback" not in result.output
    return " ".join(result.output.split())  # Rich folds long lines


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--arrivals-per-hour", "-5", "--agents", "3", "--aht", "90"],
            "--arrivals-per-hour doit être strictement",
        ),
        (
            ["--arrivals-per-hour", "60", "--agents", "0", "--aht", "90"],
            "--agents doit être au moins 1 (reçu : 0)",
        ),
        (
            ["--arrivals-per-hour", "60", "--agents", "3", "--aht", "0"],
            "--aht doit être strictement supérieur à 0",
        ),
        (
            ["--arrivals-per-hour", "60", "--agents", "3", "--aht", "90", "--patience", "-1"],
            "--patience doit",
        ),
    ],
)
def test_the_single_room_model_refuses_impossible_rates(args: list[str], expected: str) -> None:
    assert expected in _refused(["simulate", "single", *args])


def test_the_twin_lists_the_valid_rooms_policies_and_scenarios() -> None:
    assert "Choix possibles : registry, departements, equal:N" in _refused(
        ["simulate", "national", "--rooms", "nowhere", "--hours", "1"]
    )
    assert "equal:N attend un nombre de salles N ≥ 1" in _refused(
        ["simulate", "national", "--rooms", "equal:0"]
    )
    assert "Salle inconnue (--surge-rooms) : 'R9'. Choix possibles : R000, R001." in _refused(
        ["simulate", "covid", "--rooms", "equal:2", "--surge-rooms", "R9", "--hours", "1"]
    )
    refused = _refused(["simulate", "national", "--rooms", "equal:2", "--policy", "bof"])
    assert "Politique inconnue (--policy) : 'bof'" in refused
    assert "débordement τ=30 s" in refused
    assert "national, pilots, covid, heatwave" in _refused(["simulate", "compare", "--scenario", "xx"])
    assert "--hours doit être au moins 1 (reçu : 0)" in _refused(["simulate", "national", "--hours", "0"])
    assert "99 % s'écrit 0.99" in _refused(["simulate", "staffing", "--target", "99"])


def test_a_surge_room_that_exists_is_accepted() -> None:
    result = runner.invoke(
        app, ["simulate", "covid", "--rooms", "equal:2", "--surge-rooms", "R001", "--hours", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["calls"] > 0


def test_an_unknown_hub_message_type_lists_the_known_ones(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text("{}")
    refused = " ".join(runner.invoke(app, ["hub", "validate", "-t", "RS-NOPE", str(body)]).output.split())
    assert "Type de message inconnu : RS-NOPE" in refused
    assert "RS-EDA, RS-EDA-MAJ" in refused


def test_a_route_between_communes_named_as_an_arm_would() -> None:
    result = runner.invoke(app, ["geo", "route", "lyon", "Villeurbanne"])
    assert result.exit_code == 0, result.output
    assert "Lyon (69) → Villeurbanne (69)" in " ".join(result.output.split())
    among_homonyms = runner.invoke(app, ["geo", "route", "Saint-Denis (93)", "Paris"])
    assert among_homonyms.exit_code == 0, among_homonyms.output
    assert "Saint-Denis (93) → Paris (75)" in " ".join(among_homonyms.output.split())


def test_a_commune_route_names_homonyms_and_close_spellings() -> None:
    homonyms = _refused(["geo", "route", "Saint-Denis", "Paris"])
    assert "Plusieurs communes s'appellent 'Saint-Denis'" in homonyms
    assert "Saint-Denis (93)" in homonyms
    assert "Saint-Denis (974)" in homonyms
    assert "Vouliez-vous dire" in _refused(["geo", "route", "Lyonn", "Paris"])
    assert "Coordonnées hors limites" in _refused(["geo", "route", "95,3", "Paris"])
    assert "Véhicule inconnu : 'VELO'" in _refused(["geo", "route", "Lyon", "Paris", "--vehicle", "VELO"])
