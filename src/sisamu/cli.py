"""The `sisamu` command: one Typer app with a sub-command per feature."""

from __future__ import annotations

import logging
import sys

import typer

from sisamu.calls.cli import app as aml_app
from sisamu.interop.hubsante.cli import app as hub_app

app = typer.Typer(
    name="sisamu",
    help="sisamu — plateforme ouverte pour les SAMU – Centre 15 (demo, serve, db, seed, audit, hub, simulate…).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

# Feature sub-commands are mounted here, one line each.
# --- sub-apps ---
app.add_typer(hub_app, name="hub", help="Messages Hub Santé : valider, relire (aller-retour JSON).")
app.add_typer(aml_app, name="aml", help="Localisation AML des appelants : analyser un SMS ou un corps HTTPS.")
# --- end sub-apps ---


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        sys.exit(130)
