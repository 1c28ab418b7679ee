"""`sisamu calls simulate`: the simulator gateway against a running platform's database, for load and soak tests.

Calls are offered through the same services as a real gateway's; the platform's timers worker (or this command
with `--timers`) rings them out and distributes them. Stop with Ctrl-C (or `--duration`): the simulated seats
this command logged in (`--seats`) end their calls and log out.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import typer

from sisamu.calls.simulator.gateway import SimulatorGateway, StepResult, calls_per_hour_for
from sisamu.console_output import USAGE_ERROR, at_least, fail
from sisamu.platform.cli import platform_of
from sisamu.tenants import queries as tenants
from sisamu.tenants.registry import pilot_rooms

if TYPE_CHECKING:
    from sisamu.platform import Platform

app = typer.Typer(no_args_is_help=True, help="Téléphonie : simulateur d'appels (charge, endurance).")


POSITIVE = at_least(0, strictly=True)


@app.callback()
def _group() -> None:
    """Téléphonie : simulateur d'appels (charge, endurance)."""


def _print_step(every_s: float) -> Callable[[datetime, StepResult, StepResult], None]:
    last: list[datetime] = []

    def hook(now: datetime, _done: StepResult, totals: StepResult) -> None:
        if last and (now - last[0]).total_seconds() < every_s:
            return
        last[:] = [now]
        typer.echo(
            f"{now:%H:%M:%S} offerts {totals.offered}, présentés {totals.assigned}, décrochés "
            f"{totals.answered}, terminés {totals.ended}, raccrochés avant réponse {totals.abandoned}"
        )

    return hook


@app.command("simulate")
def simulate(
    ctx: typer.Context,
    samu: list[str] = typer.Option(
        None, "--samu", help="SAMU appelés (répéter) ; défaut : les SAMU pilotes."
    ),
    rate: float = typer.Option(
        120.0, "--calls-per-hour", callback=POSITIVE, help="Appels par heure et par SAMU, maintenant."
    ),
    patience: float = typer.Option(90.0, callback=POSITIVE, help="Patience moyenne des appelants (s)."),
    talk: float = typer.Option(
        90.0, callback=POSITIVE, help="Durée moyenne d'un appel aux postes simulés (s)."
    ),
    seats: int = typer.Option(
        0, callback=at_least(0), help="Postes ARM simulés par SAMU qui décrochent (0 : aucun)."
    ),
    duration: float = typer.Option(0.0, callback=at_least(0), help="Durée (s) ; 0 : jusqu'à Ctrl-C."),
    step: float = typer.Option(1.0, callback=POSITIVE, help="Pas de simulation (s)."),
    timers: bool = typer.Option(False, "--timers", help="Faire aussi tourner minuteries et distribution."),
    seed: int = typer.Option(15, help="Graine aléatoire."),
) -> None:
    """Offrir des appels en continu (profil journalier) aux SAMU d'une plateforme en marche."""
    stop = threading.Event()
    with platform_of(ctx) as platform:
        samu_ids = samu or [r.crra_id for r in pilot_rooms()]
        with platform.engine.connect() as conn:
            known = tenants.samu_ids(conn)
        if unknown := [s for s in samu_ids if s not in known]:
            fail(
                f"SAMU inconnu(s) dans cette base : {', '.join(unknown)}. SAMU présents : "
                f"{', '.join(known) or 'aucun (chargez-les : sisamu seed pilots)'}.",
                USAGE_ERROR,
            )
        try:
            _simulate(platform, stop, samu_ids, rate=rate, patience=patience,
                      talk=talk, seats=seats, duration=duration, step=step, timers=timers, seed=seed)  # fmt: skip
        finally:
            stop.set()


def _simulate(
    platform: Platform, stop: threading.Event, samu_ids: list[str], *, rate: float, patience: float,
    talk: float, seats: int, duration: float, step: float, timers: bool, seed: int,
) -> None:  # fmt: skip
    now = platform.clock.now()
    gateway = SimulatorGateway(
        platform, samu_ids, calls_per_hour=calls_per_hour_for(rate, now), patience_s=patience,
        talk_s=talk, seed=seed, run_timers=timers,
    )  # fmt: skip
    if seats:
        gateway.log_in_simulated_seats(seats, now)
    typer.echo(f"Simulation pour {len(samu_ids)} SAMU : {', '.join(samu_ids)} (Ctrl-C pour arrêter).")
    for stop_signal in (signal.SIGTERM, signal.SIGINT):  # stop cleanly: simulated seats log out
        signal.signal(stop_signal, lambda *_: stop.set())
    if duration > 0:
        timer = threading.Timer(duration, stop.set)
        timer.daemon = True
        timer.start()
    totals = gateway.run(stop, step_s=step, on_step=_print_step(10.0))
    gateway.log_out_simulated_seats(platform.clock.now())
    typer.echo(
        f"offered={totals.offered} assigned={totals.assigned} answered={totals.answered} "
        f"ended={totals.ended} abandoned={totals.abandoned}"
    )


DEMO_CALLS_PER_HOUR = (
    120.0  # per pilot SAMU at the demo's start (one call every 30 s), then the daily profile
)
DEMO_PATIENCE_S = 120.0


def start_in_background(platform: Platform, *, auto_answer: bool = False) -> Callable[[], None]:
    """The demo's calls: the simulator gateway in a thread for the pilot SAMUs; returns the function that stops it.

    Calls are answered by people at their browser seats; simulated seats (`SIM-…`) pick up only with
    `auto_answer`. The platform's timers worker rings out and distributes, unless it is turned off."""
    now = platform.clock.now()
    gateway = SimulatorGateway(
        platform, [r.crra_id for r in pilot_rooms()], calls_per_hour=calls_per_hour_for(DEMO_CALLS_PER_HOUR, now),
        patience_s=DEMO_PATIENCE_S, run_timers=not platform.settings.timers_enabled,
    )  # fmt: skip
    if auto_answer:
        gateway.log_in_simulated_seats(2, now)
    stop = threading.Event()
    thread = threading.Thread(target=gateway.run, args=(stop,), name="sisamu-simulator", daemon=True)
    thread.start()

    def stop_simulator() -> None:
        stop.set()
        thread.join(timeout=10)
        gateway.log_out_simulated_seats(platform.clock.now())

    return stop_simulator
