"""`sisamu simulate …`: the digital twin from the command line (scenarios, policy comparison, staffing, a synthetic
year)."""

from __future__ import annotations

import typer

from sisamu.sim.cli import scenarios, staffing, year

app = typer.Typer(
    help="Jumeau numérique : charge d'appels, débordement, effectifs ARM.", no_args_is_help=True
)
for name, command in (
    ("national", scenarios.national_cmd),
    ("pilots", scenarios.pilots_cmd),
    ("covid", scenarios.covid_cmd),
    ("heatwave", scenarios.heatwave_cmd),
    ("compare", scenarios.compare_cmd),
    ("single", scenarios.single_cmd),
    ("staffing", staffing.staffing_cmd),
    ("year", year.year_cmd),
):
    app.command(name)(command)
