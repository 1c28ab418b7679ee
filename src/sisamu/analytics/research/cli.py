"""`sisamu research keygen|export|query`: the pseudonymisation key, the research data set, DuckDB over it."""

from __future__ import annotations

import csv
import getpass
import sys
from datetime import date
from pathlib import Path

import duckdb
import typer
from rich.table import Table

from sisamu.analytics.research import export as exporting
from sisamu.analytics.research import query as querying
from sisamu.analytics.research.pseudonyms import KeyError_, Pseudonymiser, load_key, new_key
from sisamu.console_output import USAGE_ERROR, at_least, console, fail
from sisamu.platform.cli import platform_of

app = typer.Typer(
    no_args_is_help=True, help="Entrepôt de recherche : export pseudonymisé, k-anonyme, requêtes DuckDB."
)

KEY = typer.Option(
    ..., "--key-file", envvar="SISAMU_RESEARCH_KEY_FILE",
    help="Clé de pseudonymisation (hors du dossier d'export, lisible par son seul propriétaire).",
)  # fmt: skip


@app.command("keygen")
def keygen_cmd(path: Path = typer.Argument(..., help="Fichier de clé à créer (droits 0600).")) -> None:
    """Crée une clé de pseudonymisation ; à garder par son dépositaire, à part des données et des exports."""
    try:
        new_key(path)
    except KeyError_ as exc:
        fail(f"clé non créée : {exc}.", USAGE_ERROR)
    console.print(
        f"Clé créée : {path} (0600). Gardez-la à part : sans elle, les pseudonymes ne se recalculent pas."
    )


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    start: str = typer.Option(..., "--start", help="Premier jour (AAAA-MM-JJ, heure de Paris)."),
    end: str = typer.Option(..., "--end", help="Dernier jour inclus (AAAA-MM-JJ)."),
    out: Path = typer.Option(..., "--out", help="Dossier de l'export (nouveau ou vide)."),
    key_file: Path = KEY,
    k: int = typer.Option(
        5, "--k", callback=at_least(2), help="Taille minimale de chaque classe de quasi-identifiants."
    ),
) -> None:
    """Exporte calls, files, patients, decisions, missions en Parquet pseudonymisé, avec dictionnaire et manifeste."""
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        fail(f"dates attendues sous la forme AAAA-MM-JJ (reçu : {start!r}, {end!r}).", USAGE_ERROR)
    if last < first:
        fail(f"période vide : le {end} précède le {start}.", USAGE_ERROR)
    try:
        key = load_key(key_file, out_dir=out)
    except KeyError_ as exc:
        fail(f"clé refusée : {exc}.", USAGE_ERROR)
    with platform_of(ctx) as platform:
        try:
            with console.status("Export : comptage des classes de quasi-identifiants…") as status:
                done = exporting.export(
                    platform.engine, start=first, end=last, out_dir=out, pseudonymiser=Pseudonymiser(key), k=k,
                    now=platform.clock.now(), operator=f"cli:{getpass.getuser()}",
                    progress=lambda table: status.update(f"Export : écriture de {table}.parquet…"),
                )  # fmt: skip
        except exporting.BelowK as exc:
            fail(f"export refusé : k = {exc.k} n'est pas atteint (la plus petite classe compte {exc.reached} "
                 "enregistrement(s) au niveau le plus général). Élargissez la période ou baissez k.")  # fmt: skip
        except FileExistsError:
            fail(f"le dossier {out} n'est pas vide : un export n'en écrase jamais un autre.", USAGE_ERROR)
    rows = ", ".join(f"{table} {count:,}".replace(",", " ") for table, count in done.rows.items())
    console.print(f"Export écrit dans {out} : {rows}.")
    console.print(f"k atteint : {done.k_reached} (demandé : {k}), niveau de généralisation {done.level.number} "
                  f"({done.level.period}, âges {done.level.ages}, {done.level.place}). Manifeste : {done.manifest}")  # fmt: skip


@app.command("query")
def query_cmd(
    folder: Path = typer.Argument(..., exists=True, file_okay=False, help="Dossier d'un export."),
    sql: str = typer.Argument(
        "", help="Requête SQL (DuckDB) sur calls, files, patients, decisions, missions."
    ),
    sql_file: Path | None = typer.Option(
        None, "--file", exists=True, dir_okay=False, help="Requête lue dans un fichier."
    ),
    as_csv: bool = typer.Option(False, "--csv", help="Sortie CSV sur stdout."),
) -> None:
    """Interroge un export avec DuckDB."""
    if sql_file is not None:
        sql = sql_file.read_text(encoding="utf-8")
    if not sql.strip():
        fail("donnez une requête SQL ou --file FICHIER.", USAGE_ERROR)
    try:
        columns, rows = querying.run(folder, sql)
    except FileNotFoundError as exc:
        fail(f"{exc}", USAGE_ERROR)
    except duckdb.Error as exc:
        fail(f"requête refusée par DuckDB : {exc}", USAGE_ERROR)
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    table = Table(*columns)
    for row in rows[:200]:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)
    if len(rows) > 200:  # noqa: PLR2004 - a screenful
        console.print(f"… {len(rows) - 200} lignes de plus (--csv pour tout avoir).")
