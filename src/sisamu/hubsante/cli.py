"""`sisamu hub validate|roundtrip`: check Hub Santé message files against the official schemas, round-trip them
through the model. (`hub local` is in `transport_cli`; `hub worker`, which applies the business flows, in
`sisamu.interop.cli`; the root command mounts them on this app.)"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

app = typer.Typer(no_args_is_help=True, help="Messages Hub Santé : validation et aller-retour par le modèle.")

_ENVELOPE_KEYS = frozenset(
    {"distributionID", "senderID", "dateTimeSent", "distributionKind", "descriptor", "content"}
)


class _UnreadableFileError(Exception):
    pass


def _console() -> Console:
    return Console(soft_wrap=True, highlight=False)


def _load(path: Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _UnreadableFileError(f"lecture impossible ({exc.strerror})") from exc
    if path.suffix.lower() == ".xml" or text.lstrip().startswith("<"):
        raise _UnreadableFileError("format XML non pris en charge (JSON uniquement)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _UnreadableFileError(f"JSON invalide : {exc}") from exc


def is_envelope(document: Any) -> bool:
    return isinstance(document, Mapping) and bool(_ENVELOPE_KEYS & document.keys())


@app.command()
def validate(
    paths: list[Path] = typer.Argument(
        ..., help='Fichiers JSON : enveloppe EDXL-DE ou corps {"<rootKey>": {...}}.'
    ),
    message_type: str | None = typer.Option(
        None, "--type", "-t", help="Valider un corps nu (sans clé racine) contre ce schéma, ex. RS-EDA."
    ),
) -> None:
    """Valide chaque fichier contre les schémas officiels ; code de sortie 1 si l'un d'eux est invalide."""
    from sisamu.hubsante.message_types import UnknownMessageTypeError
    from sisamu.hubsante.validation import validate_document, validate_envelope, validate_message

    console = _console()
    failures = 0
    for path in paths:
        name = escape(str(path))
        try:
            document = _load(path)
            if message_type:
                issues = validate_message(message_type, document)
            elif is_envelope(document):
                issues = validate_envelope(document, exhaustive=True)
            else:
                issues = validate_document(document)
        except _UnreadableFileError as exc:
            failures += 1
            console.print(f"[red]✗[/red] {name} : {escape(str(exc))}")
            continue
        except UnknownMessageTypeError:
            from sisamu.hubsante.message_types import MESSAGE_TYPES

            valid = ", ".join(t.schema for t in MESSAGE_TYPES)
            console.print(
                f"[red]Type de message inconnu :[/red] {escape(message_type or '')}. "
                f"Types possibles : {escape(valid)} (ou leur clé racine, ex. createCaseHealth)."
            )
            raise typer.Exit(code=2) from None
        if issues:
            failures += 1
            console.print(f"[red]✗[/red] {name} : {len(issues)} problème(s)")
            for issue in issues:
                console.print(f"    [bold]{escape(issue.path or '$')}[/bold] : {escape(issue.reason)}")
        else:
            console.print(f"[green]✓[/green] {name}")
    if failures:
        console.print(f"[red]{failures} fichier(s) invalide(s) sur {len(paths)}[/red]")
        raise typer.Exit(code=1)


@app.command()
def roundtrip(
    path: Path = typer.Argument(..., help='Fichier JSON : enveloppe EDXL-DE ou corps {"<rootKey>": {...}}.'),
) -> None:
    """Lit le message dans le modèle et l'affiche re-sérialisé en JSON."""
    from sisamu.hubsante.envelope import EnvelopeError, parse_document, parse_envelope

    console = _console()
    try:
        document = _load(path)
        result = (
            parse_envelope(document).to_envelope()
            if is_envelope(document)
            else parse_document(document).to_document()
        )
    except (_UnreadableFileError, EnvelopeError) as exc:
        console.print(f"[red]✗[/red] {escape(str(path))} : {escape(str(exc))}")
        raise typer.Exit(code=1) from None
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
