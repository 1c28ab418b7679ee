"""`sisamu simulate staffing`: the fewest ARMs per hour for a service level, rooms alone and with mutual aid."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from sisamu.console_output import at_least
from sisamu.sim.scenarios import (
    Scenario,
    build_setup,
    mutual_aid_rules,
    policy_rules,
)

if TYPE_CHECKING:
    from sisamu.sim.staffing import StaffingResult

from sisamu.sim.cli.options import (
    HOURS,
    JSON,
    OUT,
    ROOMS,
    SEED,
    emit,
    rooms_of,
    run_twin,
    share_option,
)


def staffing_cmd(seed: int = SEED, as_json: bool = JSON, out: Path | None = OUT, rooms: str = ROOMS,
                 hours: int = HOURS, target: float = typer.Option(0.99, "--target", callback=share_option),
                 within: float = typer.Option(60.0, "--within", callback=at_least(0, strictly=True)),
                 rounds: int = typer.Option(6, "--rounds", callback=at_least(1)),
                 aid_wait: float = typer.Option(0.0, "--aid-wait", callback=at_least(0), help="Entraide : délai avant qu'un ARM libre "
                                                "d'une autre salle prenne l'appel (s).")) -> None:  # fmt: skip
    """Moins d'ARM par heure pour `target` décrochés en `within` s : chaque salle seule, puis avec entraide."""
    from sisamu.sim.staffing import optimise, pooled_plan, room_plan

    room_list = rooms_of(rooms, "national")
    sc = replace(Scenario("national", room_list), hours=hours)
    rates = sc.rates()
    aht, patience = sc.handling.mean_s, sc.patience.mean_s
    base = build_setup(sc, seed, physicians=False)
    alone_rules, aid_rules = (
        policy_rules(room_list, "aucun débordement"),
        mutual_aid_rules(room_list, aid_wait, national=True),
    )

    def simulate_with(rules: Any, label: str) -> Any:
        return lambda plan: run_twin(replace(base, arms=plan, rules=rules), label)

    alone = optimise(room_plan(rates, aht, patience, target, within), simulate_with(alone_rules, "salles seules"),
                     target=target, within_s=within, max_rounds=rounds)  # fmt: skip
    aid = optimise(pooled_plan(rates, aht, patience, target, within), simulate_with(aid_rules, "avec entraide"),
                   target=target, within_s=within, max_rounds=rounds)  # fmt: skip
    plots: list[str] = []
    if out is not None:
        from sisamu.sim import plots as p

        out.mkdir(parents=True, exist_ok=True)
        plans = {"salles seules": alone.confirmed, f"entraide nationale τ={aid_wait:g} s": aid.confirmed}
        plots.append(
            str(
                p.staffing_profile(
                    plans, out / "effectifs.png", f"ARM pour {100 * target:g} % en {within:g} s"
                )
            )
        )
    payload = {
        "target": target,
        "within_s": within,
        "seed": seed,
        "rooms_source": rooms,
        "calls": len(base.calls),
        "alone": _staffing_dict(alone, target),
        "mutual_aid": _staffing_dict(aid, target),
        "plots": plots,
    }
    table = Table(title=f"ARM·heures pour {100 * target:g} % décrochés en {within:g} s ({hours} h simulées)")
    for col in ("organisation", "1re estimation (Erlang)", "confirmé (simulation)", "tours", "pire salle"):
        table.add_column(col, justify="right")
    for label, res in (("salles seules", alone), (f"entraide nationale τ={aid_wait:g} s", aid)):
        table.add_row(label, str(res.first_guess_hours), str(res.confirmed_hours), str(res.rounds),
                      f"{100 * float(res.service_level.min()):.2f} %")  # fmt: skip
    emit(as_json, payload, [table])


def _staffing_dict(res: StaffingResult, target: float) -> dict[str, Any]:
    return {
        "first_guess_arm_hours": res.first_guess_hours,
        "confirmed_arm_hours": res.confirmed_hours,
        "rounds": res.rounds,
        "worst_room_service_level": float(res.service_level.min()),
        "rooms_below_target": int((res.service_level < target).sum()),
    }
