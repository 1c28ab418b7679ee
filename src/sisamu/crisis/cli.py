"""`sisamu crisis …`: check the crisis logs' hash chains, list the crises."""

from __future__ import annotations

import typer
from rich.table import Table

from sisamu.console_output import console, fail
from sisamu.crisis import chain, store
from sisamu.crisis.model import KIND_LABELS_FR
from sisamu.platform.cli import platform_of

app = typer.Typer(no_args_is_help=True, help="Crises : mains courantes chaînées, liste des crises.")


@app.command("verify")
def verify(
    ctx: typer.Context,
    crisis: int | None = typer.Option(None, "--crisis", help="Vérifier une seule crise (numéro)."),
) -> None:
    """Vérifie la chaîne de hachage des mains courantes : détecte une entrée modifiée, insérée ou supprimée et une
    fin de chaîne coupée (code 1, chaque anomalie nommée)."""
    with platform_of(ctx) as platform, platform.engine.connect() as conn:
        checked, problems = chain.verify(conn, crisis)
    for p in problems:
        console.print(f"crise {p.crisis_id} entrée {p.seq} : {p.reason}")
    if problems:
        fail(f"{len(problems)} anomalie(s) dans les mains courantes ({checked} entrées vérifiées).")
    console.print(f"Mains courantes intègres : {checked} entrées vérifiées.")


@app.command("list")
def list_crises(
    ctx: typer.Context, all_crises: bool = typer.Option(False, "--all", help="Aussi les crises closes.")
) -> None:
    """Les crises ouvertes (et closes avec --all)."""
    with platform_of(ctx) as platform, platform.engine.connect() as conn:
        found = store.listing(conn, samu_ids=None, account_id=None, open_only=not all_crises)
    table = Table("n°", "type", "niveau", "lieu", "SAMU", "ouverte", "close")
    for c in found:
        table.add_row(
            str(c.crisis_id),
            KIND_LABELS_FR[c.kind],
            str(c.level),
            c.place,
            " ".join(c.samus),
            c.opened_at.isoformat(timespec="minutes"),
            c.closed_at.isoformat(timespec="minutes") if c.closed_at else "—",
        )
    console.print(table)
