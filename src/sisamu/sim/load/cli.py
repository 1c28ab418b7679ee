"""`sisamu load`: load and soak tests of a running platform through its HTTP API (see docs/load.md)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.live import Live

from sisamu.config import Settings
from sisamu.console_output import fail
from sisamu.platform.cli import platform_of
from sisamu.sim.load.accounts import create_load_accounts, tokens_document
from sisamu.sim.load.display import render, status_line
from sisamu.sim.load.driver import LoadConfig, LoadRun, RoomTokens
from sisamu.sim.load.shape import LoadShape, ShapeKind
from sisamu.sim.load.stats import LoadStats
from sisamu.tenants.registry import pilot_rooms

app = typer.Typer(
    no_args_is_help=True, help="Tests de charge et d'endurance par l'API d'une plateforme en marche."
)
console = Console(stderr=True)
PLAIN_EVERY_S = 10.0

SAMUS = typer.Option(
    None, "--samu", help="SAMU visés (répéter) ; défaut : ceux des jetons, ou les SAMU pilotes."
)
ARMS = typer.Option(
    2, "--arms", min=0, max=50, help="Comptes ARM (postes simulés) par SAMU créés par --setup."
)


@app.callback()
def _group() -> None:
    """Tests de charge et d'endurance par l'API d'une plateforme en marche."""


def refusal(url: str, *, allow_remote: bool) -> str | None:
    """Why `url` must not be loaded (None when it may): only loopback targets unless `allow_remote`."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return f"URL invalide : {url!r} (attendu http://hôte:port)."
    if allow_remote:
        return None
    host = parts.hostname
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    if local:
        return None
    return (
        f"{host} n'est pas une adresse locale (boucle locale). Un test de charge ne doit pas frapper la production "
        "par accident : passez --allow-remote si la cible est bien une plateforme de recette."
    )


def _setup(
    ctx: typer.Context, database_url: str, samu_ids: list[str], arms: int, days: float
) -> dict[str, dict[str, Any]]:
    with (
        tempfile.TemporaryDirectory(prefix="sisamu-load-") as folder,
        platform_of(ctx, settings=Settings(database_url=database_url, data_dir=Path(folder))) as platform,
    ):
        try:
            return create_load_accounts(platform, samu_ids, arms_per_samu=arms, days=days)
        except LookupError as missing:
            fail(f"SAMU inconnus dans cette base : {missing} (chargez-les : sisamu seed pilots).")
            raise


def _default_samus() -> list[str]:
    return [room.crra_id for room in pilot_rooms()]


@app.command("setup")
def setup(
    ctx: typer.Context,
    database_url: str = typer.Argument(..., help="URL PostgreSQL de la plateforme visée."),
    samu: list[str] = SAMUS,
    arms: int = ARMS,
    days: float = typer.Option(2.0, "--days", help="Validité des jetons (jours)."),
    url: str = typer.Option(
        "http://127.0.0.1:8000", "--url", help="URL notée dans le fichier pour `load run`."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Fichier JSON des jetons (défaut : sortie standard)."
    ),
) -> None:
    """Créer en base les comptes passerelle et ARM de charge et leurs jetons, et les afficher (JSON)."""
    samu_ids = samu or _default_samus()
    document = json.dumps(tokens_document(url, _setup(ctx, database_url, samu_ids, arms, days)), indent=2)
    if out is None:
        typer.echo(document)
        return
    out.write_text(document + "\n", encoding="utf-8")
    out.chmod(0o600)
    console.print(f"Jetons de {len(samu_ids)} SAMU écrits dans {out} (secrets : ne pas versionner).")


def _pairs(values: list[str], samu_ids: list[str], what: str) -> list[tuple[str, str]]:

    pairs = []
    for value in values:
        samu_id, sep, token = value.rpartition("=")
        if not sep and len(samu_ids) == 1:
            samu_id, token = samu_ids[0], value
        elif not sep or not samu_id:
            fail(f"{what} : attendu SAMU=JETON (ou un seul --samu), reçu {value[:12]}…")
        pairs.append((samu_id.upper(), token))
    return pairs


def _rooms(
    ctx: typer.Context,
    samu: list[str], gateway_tokens: list[str], arm_tokens: list[str], tokens_file: Path | None,
    setup_url: str | None, arms: int,
) -> list[RoomTokens]:  # fmt: skip

    found: dict[str, dict[str, Any]] = {}
    if setup_url:
        found = _setup(ctx, setup_url, samu or _default_samus(), arms, 2.0)
    elif tokens_file is not None:
        found = json.loads(tokens_file.read_text(encoding="utf-8"))["samus"]
    for samu_id, token in _pairs(gateway_tokens, samu, "--gateway-token"):
        found.setdefault(samu_id, {"arms": []})["gateway"] = token
    for samu_id, token in _pairs(arm_tokens, samu, "--arm-token"):
        found.setdefault(samu_id, {"arms": []})["arms"].append(token)
    wanted = samu or list(found)
    rooms = []
    for samu_id in wanted:
        entry = found.get(samu_id, {})
        if not entry.get("gateway"):
            fail(f"SAMU {samu_id} : pas de jeton passerelle (--gateway-token, --tokens ou --setup).")
        rooms.append(RoomTokens(samu_id, entry["gateway"], tuple(entry.get("arms", []))))
    if not rooms:
        fail("Aucun SAMU à charger : donnez --setup URL_BASE, --tokens FICHIER ou des --gateway-token.")
    return rooms


@app.command("run")
def run(
    ctx: typer.Context,
    url: str = typer.Option(
        "http://127.0.0.1:8000", "--url", help="Plateforme visée (boucle locale seulement)."
    ),
    samu: list[str] = SAMUS,
    gateway_token: list[str] = typer.Option(
        [], "--gateway-token", help="SAMU=JETON de la passerelle (répéter)."
    ),
    arm_token: list[str] = typer.Option([], "--arm-token", help="SAMU=JETON d'un ARM simulé (répéter)."),
    tokens: Path | None = typer.Option(None, "--tokens", help="Fichier JSON écrit par `sisamu load setup`."),
    setup_url: str | None = typer.Option(
        None, "--setup", help="URL PostgreSQL : créer comptes et jetons d'abord."
    ),
    arms: int = ARMS,
    scenario: ShapeKind = typer.Option(ShapeKind.CONSTANT, "--scenario", help="Forme de la charge."),
    rate: float = typer.Option(
        120.0, "--rate", min=0, help="Appels par heure et par SAMU (moyenne, temps réel)."
    ),
    compression: float = typer.Option(
        1440.0, "--compression", min=1, help="daily/weekly : secondes simulées par s."
    ),
    start_hour: float = typer.Option(0.0, "--start-hour", help="daily/weekly : heure simulée au départ."),
    surge_factor: float = typer.Option(
        3.0, "--surge-factor", min=1, help="surge : multiplicateur de la charge."
    ),
    surge_start: float | None = typer.Option(None, "--surge-start", help="surge : début (s ; défaut 1/3)."),
    surge_end: float | None = typer.Option(None, "--surge-end", help="surge : fin (s ; défaut 2/3)."),
    duration: float = typer.Option(
        60.0, "--duration", min=1, max=7 * 86400, help="Durée des offres d'appels (s)."
    ),
    patience: float = typer.Option(60.0, "--patience", min=1, help="Patience moyenne des appelants (s)."),
    talk: float = typer.Option(20.0, "--talk", min=0.1, help="Durée moyenne de conversation (s)."),
    handover_share: float = typer.Option(
        0.7, "--handover-share", min=0, max=1, help="Part transmise au médecin."
    ),
    max_requests: int = typer.Option(
        200_000, "--max-requests", min=1, help="Plafond de requêtes (offres, lectures)."
    ),
    max_error_rate: float = typer.Option(
        0.01, "--max-error-rate", min=0, max=1, help="Taux d'erreurs toléré."
    ),
    seed: int = typer.Option(15, "--seed", help="Graine aléatoire."),
    allow_remote: bool = typer.Option(
        False, "--allow-remote", help="Autoriser une cible hors boucle locale."
    ),
    as_json: bool = typer.Option(False, "--json", help="Résumé final en JSON sur la sortie standard."),
    ledger: Path | None = typer.Option(
        None,
        "--ledger",
        help="Fichier JSON Lines de chaque requête (instant, opération, statut, appel ou dossier visé) : "
        "le registre des opérations acquittées, à rapprocher de la base (tests de pannes).",
    ),
) -> None:
    """Charger une plateforme en marche par son API : appels offerts, ARM simulés, dossiers ouverts."""

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
    reason = refusal(url, allow_remote=allow_remote)
    if reason is not None:
        fail(reason, code=2)
    samu = [s.upper() for s in samu or []]
    rooms = _rooms(ctx, samu, gateway_token, arm_token, tokens, setup_url, arms)
    shape = LoadShape(
        scenario, rate, compression=compression, start_hour=start_hour,
        surge_factor=surge_factor if scenario is ShapeKind.SURGE else 1.0,
        surge_start_s=duration / 3 if surge_start is None else surge_start,
        surge_end_s=2 * duration / 3 if surge_end is None else surge_end,
    )  # fmt: skip
    config = LoadConfig(
        url=url.rstrip("/"), rooms=tuple(rooms), shape=shape, duration_s=duration, seed=seed,
        patience_s=patience, talk_s=talk, handover_share=handover_share, max_requests=max_requests,
    )  # fmt: skip
    names = ", ".join(f"{r.samu_id} ({len(r.arm_tokens)} ARM)" for r in rooms)
    console.print(f"Charge {scenario.value} sur {url} pendant {duration:.0f} s : {names}.")
    started = time.perf_counter()
    load = _drive(config, live=console.is_terminal)
    stats = load.stats
    if ledger is not None:
        write_ledger(ledger, load)
    summary = stats.summary(elapsed_s=time.perf_counter() - started)
    summary |= {"scenario": scenario.value, "rate_per_hour": rate, "samus": [r.samu_id for r in rooms]}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        console.print(render(stats, summary["elapsed_s"], duration))
    console.print(
        f"offered={stats.offered} answered={stats.answered} abandoned={stats.abandoned} "
        f"errors={stats.error_count} error_rate={stats.error_rate:.4f}"
    )
    if stats.error_rate > max_error_rate:
        fail(f"taux d'erreurs {stats.error_rate:.2%} au-dessus du seuil {max_error_rate:.2%}.", code=1)


def write_ledger(path: Path, load: LoadRun) -> None:
    """The run's ledger: a first line with the run id and the epoch of offset 0, then one line per request."""
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"run_id": load.config.run_id, "epoch": load.started_epoch}) + "\n")
        out.writelines(json.dumps(entry) + "\n" for entry in load.ledger)


def _drive(config: LoadConfig, *, live: bool) -> LoadRun:
    if live:
        with Live(console=console, refresh_per_second=4, transient=True) as view:
            load = LoadRun(config, progress=lambda s, t: view.update(render(s, t, config.duration_s)))
            asyncio.run(load.run())
            return load
    printed = [-PLAIN_EVERY_S]

    def every_10_s(stats: LoadStats, elapsed: float) -> None:
        if elapsed - printed[0] >= PLAIN_EVERY_S:
            printed[0] = elapsed
            console.print(status_line(stats, elapsed), soft_wrap=True)

    load = LoadRun(config, progress=every_10_s)
    asyncio.run(load.run())
    return load
