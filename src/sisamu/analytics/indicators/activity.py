"""Every regulation and SMUR indicator, defined once, with the pure functions that count an hour's files and
missions and turn counts into indicators (`docs/indicators.md` publishes them from here).

A file counts in the hour (UTC) it was opened, for its SAMU; a mission in the hour it was created. Times run from
the file's opening to its hand-over to regulation (the ARM's « transmettre au médecin », or a P0's direct
passage) and to its first decision (the physician's, or a reflex departure); SMUR times run through the first
time each status of the mission was reported (RS-RPIS: engagement, departure, on scene, available).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sisamu.analytics.indicators.definition import Indicator
from sisamu.analytics.indicators.histogram import Additive, Steps

FILE_TIMES = Steps(30, 121)  # 0–30 s … 59 min 30–60 min, then ≥ 60 min
SMUR_TIMES = Steps(60, 241)  # 0–1 min … 239–240 min, then ≥ 4 h
PRIORITIES = ("P0", "P1", "P2", "P3", "NR")
SMUR_START = ("DECISION", "DECLENCHE")  # a mission starts at the decision, or at once at its dispatch


_HISTS = {
    "to_regulation_hist": FILE_TIMES,
    "to_decision_hist": FILE_TIMES,
    "departure_hist": SMUR_TIMES,
    "on_scene_hist": SMUR_TIMES,
    "duration_hist": SMUR_TIMES,
}


def _time(key: str, label: str, hist: str, what: str, sources: str) -> Indicator:
    """A duration read from the histogram `hist`."""
    steps = _HISTS[hist]
    step = f"{int(steps.width_s)} s" if steps.width_s < 60 else f"{int(steps.width_s // 60)} min"  # noqa: PLR2004
    return Indicator(
        key, label, "s", f"{what} (histogramme par pas de {step} : borne haute du pas)", sources, hist=hist
    )


ACTIVITY_INDICATORS: tuple[Indicator, ...] = (
    Indicator("files_opened", "Dossiers ouverts", "dossiers", "dossiers de régulation ouverts", "FileOpened"),
    *(
        Indicator(f"files_{p.lower()}", f"Dossiers {p}", "dossiers", f"dossiers de priorité {p}", "FileChanged")
        for p in PRIORITIES
    ),
    Indicator("files_dr", "Dossiers DR", "dossiers", "dossiers d'attribution DR (non médicalisés)", "FileChanged"),
    Indicator(
        "files_drm", "Dossiers DRM", "dossiers", "dossiers d'attribution DRM (régulés par un médecin)", "FileChanged"
    ),
    Indicator("drm_pct", "Part de DRM", "%", "DRM / (DR + DRM)", "FileChanged"),
    Indicator(
        "files_per_100_inhabitants",
        "Dossiers pour 100 habitants",
        "pour 100 hab.",
        "dossiers ouverts × 100 / population municipale du territoire (INSEE)",
        "FileOpened",
    ),
    Indicator(
        "files_regulated", "Dossiers transmis en régulation", "dossiers", "dossiers transmis au médecin", "FileChanged"
    ),
    _time(
        "to_regulation_median_s", "Délai de mise en régulation (médiane)", "to_regulation_hist",
        "médiane du délai entre l'ouverture et la transmission au médecin", "FileOpened, FileChanged",
    ),
    Indicator("files_decided", "Dossiers décidés", "dossiers", "dossiers avec au moins une décision", "FileChanged"),
    _time(
        "to_decision_median_s", "Délai de décision (médiane)", "to_decision_hist",
        "médiane du délai entre l'ouverture et la première décision", "FileOpened, FileChanged",
    ),
    _time(
        "to_decision_p90_s", "Délai de décision (90e centile)", "to_decision_hist",
        "90e centile du délai entre l'ouverture et la première décision", "FileOpened, FileChanged",
    ),
    Indicator("smur_missions", "Missions SMUR", "missions", "missions des vecteurs SMUR engagées", "MissionEngaged"),
    _time(
        "smur_departure_median_s", "Délai de départ SMUR (médiane)", "departure_hist",
        "médiane du délai entre l'engagement et le départ", "MissionStatusChanged",
    ),
    _time(
        "smur_on_scene_median_s", "Délai d'arrivée SMUR sur les lieux (médiane)", "on_scene_hist",
        "médiane du délai entre l'engagement et l'arrivée sur les lieux", "MissionStatusChanged",
    ),
    _time(
        "smur_on_scene_p90_s", "Délai d'arrivée SMUR sur les lieux (90e centile)", "on_scene_hist",
        "90e centile du délai entre l'engagement et l'arrivée sur les lieux", "MissionStatusChanged",
    ),
    _time(
        "smur_duration_median_s", "Durée d'intervention SMUR (médiane)", "duration_hist",
        "médiane du délai entre l'engagement et la disponibilité (RETOUR)", "MissionStatusChanged",
    ),
)  # fmt: skip
ACTIVITY_KEYS = tuple(indicator.key for indicator in ACTIVITY_INDICATORS)


@dataclass(slots=True)
class ActivityCounts(Additive):
    """Additive counts of one SAMU over a period: they sum across hours and SAMUs."""

    files_opened: int = 0
    files_p0: int = 0
    files_p1: int = 0
    files_p2: int = 0
    files_p3: int = 0
    files_nr: int = 0
    files_dr: int = 0
    files_drm: int = 0
    files_regulated: int = 0
    files_decided: int = 0
    smur_missions: int = 0
    to_regulation_hist: list[int] = field(default_factory=FILE_TIMES.empty)
    to_decision_hist: list[int] = field(default_factory=FILE_TIMES.empty)
    departure_hist: list[int] = field(default_factory=SMUR_TIMES.empty)
    on_scene_hist: list[int] = field(default_factory=SMUR_TIMES.empty)
    duration_hist: list[int] = field(default_factory=SMUR_TIMES.empty)


ACTIVITY_COUNTED = tuple(f.name for f in fields(ActivityCounts) if f.name not in _HISTS)
ACTIVITY_HISTS = tuple(_HISTS)
ACTIVITY_HIST_BUCKETS = {name: steps.buckets for name, steps in _HISTS.items()}


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else (end - start).total_seconds()


def count_file(counts: ActivityCounts, file: Mapping[str, Any]) -> None:
    """Add one file (`cases.queries.activity_facts`) to its hour's counts."""
    counts.files_opened += 1
    priority = file["priority"]
    if priority in PRIORITIES:
        name = f"files_{priority.lower()}"
        setattr(counts, name, getattr(counts, name) + 1)
    attribution = file["attribution"] or ""
    if attribution == "DRM" or attribution.startswith("DRM."):
        counts.files_drm += 1
    elif attribution == "DR" or attribution.startswith("DR."):
        counts.files_dr += 1
    to_regulation = _seconds(file["created_at"], file["queued_at"])
    if to_regulation is not None:
        counts.files_regulated += 1
        counts.to_regulation_hist[FILE_TIMES.bucket(to_regulation)] += 1
    to_decision = _seconds(file["created_at"], file["decided_at"])
    if to_decision is not None:
        counts.files_decided += 1
        counts.to_decision_hist[FILE_TIMES.bucket(to_decision)] += 1


def _at(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def count_mission(counts: ActivityCounts, mission: Mapping[str, Any]) -> None:
    """Add one mission (`resources.queries.activity_missions`) to its hour's counts: SMUR vehicles only."""
    if not str(mission["vehicle"]).startswith("SMUR"):
        return
    counts.smur_missions += 1
    times = {status: _at(at) for status, at in (mission["times"] or {}).items()}
    start = min((t for s in SMUR_START if (t := times.get(s)) is not None), default=None)
    for hist, status in (
        ("departure_hist", "DEPART"),
        ("on_scene_hist", "ARRIVEE"),
        ("duration_hist", "RETOUR"),
    ):
        elapsed = _seconds(start, times.get(status))
        if elapsed is not None:
            getattr(counts, hist)[SMUR_TIMES.bucket(elapsed)] += 1


def count_activity(
    files: Iterable[Mapping[str, Any]], missions: Iterable[Mapping[str, Any]]
) -> ActivityCounts:
    counts = ActivityCounts()
    for file in files:
        count_file(counts, file)
    for mission in missions:
        count_mission(counts, mission)
    return counts


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def activity_indicators(
    counts: ActivityCounts, population: int | None = None
) -> dict[str, float | int | None]:
    """Every indicator of ACTIVITY_INDICATORS from additive counts; files per 100 inhabitants needs the scope's
    population (None when unknown)."""
    return {
        **{name: getattr(counts, name) for name in ACTIVITY_COUNTED},
        "drm_pct": _pct(counts.files_drm, counts.files_dr + counts.files_drm),
        "files_per_100_inhabitants": round(100.0 * counts.files_opened / population, 6)
        if population
        else None,
        "to_regulation_median_s": FILE_TIMES.quantile_s(counts.to_regulation_hist, 0.5),
        "to_decision_median_s": FILE_TIMES.quantile_s(counts.to_decision_hist, 0.5),
        "to_decision_p90_s": FILE_TIMES.quantile_s(counts.to_decision_hist, 0.9),
        "smur_departure_median_s": SMUR_TIMES.quantile_s(counts.departure_hist, 0.5),
        "smur_on_scene_median_s": SMUR_TIMES.quantile_s(counts.on_scene_hist, 0.5),
        "smur_on_scene_p90_s": SMUR_TIMES.quantile_s(counts.on_scene_hist, 0.9),
        "smur_duration_median_s": SMUR_TIMES.quantile_s(counts.duration_hist, 0.5),
    }
