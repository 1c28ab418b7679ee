"""`sisamu aml`: parse an AML handset location (SMS text or HTTPS form body) and print it as JSON."""

from __future__ import annotations

import json

import typer

app = typer.Typer(no_args_is_help=True, help="Localisation AML des appelants (ETSI TS 103 625).")


@app.callback()
def _group() -> None:
    """Localisation AML des appelants (ETSI TS 103 625)."""


@app.command("parse")
def parse(
    text: str = typer.Argument(..., help='Message AML : SMS (A"ML=1;lt=…) ou corps HTTPS (v=…&location_…).'),
    msisdn: str | None = typer.Option(None, "--msisdn", help="Numéro de l'expéditeur du SMS."),
) -> None:
    """Analyser un message AML et l'afficher en JSON (dates ISO 8601, UTC)."""
    from sisamu.calls.aml.model import AmlError, parse_aml

    try:
        location = parse_aml(text, msisdn=msisdn)
    except AmlError as error:
        typer.echo(f"AML invalide : {error.reason}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(json.dumps(location.to_json(), ensure_ascii=False, indent=2))
