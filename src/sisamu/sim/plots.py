"""PNG plots of twin runs (matplotlib, Agg backend): weekly profile, service level per room, policy comparison."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from sisamu.sim.report import TARGET_S

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from matplotlib.axes import Axes

    from sisamu.sim.engine import Outcome
    from sisamu.sim.report import Indicators

__all__ = ["policy_comparison", "service_level_per_room", "staffing_profile", "weekly_profile"]
_DAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")


def _week_axis(ax: Axes, hours: int) -> None:
    ticks = np.arange(0, hours, 24)
    ax.set_xticks(ticks)
    ax.set_xticklabels([_DAYS[(t // 24) % 7] for t in ticks])
    ax.set_xlim(0, hours)


def weekly_profile(outcome: Outcome, path: Path, title: str) -> Path:
    """Offered calls per hour and share answered within 60 s, national."""
    calls = outcome.setup.calls
    hours = outcome.setup.arms.shape[1]
    hour = np.minimum((calls.time_s // 3600).astype(np.int64), hours - 1)
    offered = np.bincount(hour, minlength=hours)
    ok = outcome.answered & (outcome.wait_s <= TARGET_S)
    good = np.bincount(hour, weights=ok, minlength=hours)
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.bar(np.arange(hours), offered, width=1.0, color="#9bb7d4", label="appels offerts / heure")
    ax.plot(
        np.arange(hours), outcome.setup.arms.sum(axis=0) * 10, color="#444", lw=1, label="ARM en poste × 10"
    )
    ax.set_ylabel("appels par heure")
    _week_axis(ax, hours)
    twin = ax.twinx()
    twin.plot(
        np.arange(hours),
        100 * good / np.maximum(offered, 1),
        color="#c0392b",
        lw=1.2,
        label="% décrochés ≤ 60 s",
    )
    twin.set_ylim(0, 101)
    twin.set_ylabel("% décrochés en 60 s")
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="lower left", fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def service_level_per_room(rooms: Sequence[Indicators], path: Path, title: str) -> Path:
    ordered = sorted(rooms, key=lambda r: r.service_level_60)
    fig, ax = plt.subplots(figsize=(12, 4))
    x = np.arange(len(ordered))
    ax.bar(x, [100 * r.service_level_60 for r in ordered], color="#2e86c1", label="≤ 60 s")
    threshold = ordered[0].lost_threshold_s if ordered else 15.0
    ax.plot(
        x,
        [100 * r.lost_share for r in ordered],
        "o",
        ms=3,
        color="#c0392b",
        label=f"perdus ≥ {threshold:g} s (%)",
    )
    ax.axhline(99, color="#27ae60", lw=1, ls="--", label="cible 99 %")
    ax.set_xticks(x)
    ax.set_xticklabels([r.scope for r in ordered], rotation=90, fontsize=5)
    ax.set_ylabel("% des appels offerts")
    ax.set_ylim(0, 101)
    ax.legend(loc="center right", fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def policy_comparison(results: Mapping[str, Indicators], path: Path, title: str) -> Path:
    names = list(results)
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.bar(x - 0.2, [100 * results[n].service_level_60 for n in names], 0.4, label="décrochés ≤ 60 s (%)")
    lost = [100 * results[n].lost_share for n in names]
    threshold = next(iter(results.values())).lost_threshold_s if results else 15.0
    ax.bar(x + 0.2, lost, 0.4, color="#c0392b", label=f"perdus, raccrochés après ≥ {threshold:g} s (%)")
    for i, v in enumerate(lost):
        ax.annotate(f"{v:.2f}", (i + 0.2, v), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x)
    ax.set_xticklabels(names, fontsize=8)
    ax.set_ylim(0, 105)
    ax.legend(fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def staffing_profile(plans: Mapping[str, np.ndarray], path: Path, title: str) -> Path:
    """National ARMs on duty per hour for each staffing plan."""
    fig, ax = plt.subplots(figsize=(10, 4))
    hours = 0
    for name, plan in plans.items():
        total = plan.sum(axis=0)
        hours = len(total)
        ax.step(np.arange(hours), total, where="post", label=f"{name} ({int(plan.sum())} h·ARM)")
    _week_axis(ax, hours)
    ax.set_ylabel("ARM en poste (national)")
    ax.legend(fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
