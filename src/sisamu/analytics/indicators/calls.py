"""Every call indicator, defined once: its formula, unit and source facts, and the pure functions that count a
set of calls into an hour's counts and turn counts into indicators. The hourly rollups, the dashboards, the
exports and `docs/indicators.md` all use these definitions.

A call counts in the hour (UTC) it was offered, for the SAMU that owns it (the SAMU whose number was called);
overflow received counts for the SAMU that handled it. Waits run from the offer to the answer (or the hang-up).
Percentages of service follow the wallboard: over answered + lost calls, since a short hang-up (under the lost
call threshold) is a caller who changed their mind, not a call the room failed to take.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from sisamu.analytics.indicators.definition import Indicator
from sisamu.analytics.indicators.histogram import Additive, Steps
from sisamu.calls.queries import CallFact

WAIT_BUCKET_S = 5  # width of a wait histogram bucket
WAIT_BUCKETS = 121  # 0–5 s, 5–10 s, … 595–600 s, then ≥ 600 s
WAITS = Steps(WAIT_BUCKET_S, WAIT_BUCKETS)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("offered", "Appels présentés", "appels", "appels offerts dans la période", "CallOffered"),
    Indicator("answered", "Appels décrochés", "appels", "appels décrochés par un ARM", "CallAnswered"),
    Indicator(
        "answered_30", "Décrochés en 30 s", "appels", "décrochés avec une attente ≤ 30 s", "CallAnswered"
    ),
    Indicator(
        "answered_60", "Décrochés en 60 s", "appels", "décrochés avec une attente ≤ 60 s", "CallAnswered"
    ),
    Indicator("abandoned", "Appels raccrochés", "appels", "raccrochés avant la réponse", "CallAbandoned"),
    Indicator(
        "lost",
        "Appels perdus",
        "appels",
        "raccrochés avant la réponse après au moins le seuil d'appel perdu",
        "CallAbandoned",
    ),
    Indicator(
        "overflow_out",
        "Débordement donné",
        "appels",
        "appels du SAMU servis par un autre SAMU",
        "CallOverflowed",
    ),
    Indicator(
        "overflow_in",
        "Débordement reçu",
        "appels",
        "appels d'autres SAMU servis par ce SAMU",
        "CallOverflowed",
    ),
    Indicator(
        "qs30_pct", "QS30", "%", "décrochés en 30 s / (décrochés + perdus)", "CallAnswered, CallAbandoned"
    ),
    Indicator(
        "qs60_pct",
        "QS60",
        "%",
        "décrochés en 60 s / (décrochés + perdus) ; cible de référence : 99 %",
        "CallAnswered, CallAbandoned",
    ),
    Indicator(
        "answer_rate_pct", "Taux de décroché", "%", "décrochés / présentés", "CallOffered, CallAnswered"
    ),
    Indicator("lost_pct", "Taux d'appels perdus", "%", "perdus / (décrochés + perdus)", "CallAbandoned"),
    Indicator(
        "wait_median_s",
        "Attente médiane",
        "s",
        "médiane des attentes des appels décrochés (histogramme par pas de 5 s : borne haute du pas)",
        "CallAnswered",
        hist="wait_hist",
    ),
    Indicator(
        "wait_p90_s",
        "Attente au 90e centile",
        "s",
        "90e centile des attentes des appels décrochés (même histogramme)",
        "CallAnswered",
        hist="wait_hist",
    ),
)
INDICATOR_KEYS = tuple(indicator.key for indicator in INDICATORS)


@dataclass(slots=True)
class Counts(Additive):
    """Additive counts of one SAMU over a period: they sum across hours and SAMUs."""

    offered: int = 0
    answered: int = 0
    answered_30: int = 0
    answered_60: int = 0
    abandoned: int = 0
    lost: int = 0
    overflow_out: int = 0
    overflow_in: int = 0
    wait_hist: list[int] = field(default_factory=WAITS.empty)


_ADDITIVE = tuple(f.name for f in fields(Counts) if f.name != "wait_hist")
COUNTED = _ADDITIVE  # the additive counts a rollup row holds beside its wait histogram


def count(samu_id: str, facts: Iterable[CallFact], *, lost_threshold_s: float) -> Counts:
    """The counts of `samu_id` over `facts`: its own calls (offered, answered, lost…, overflow given) and the
    calls of other SAMUs it served (overflow received)."""
    counts = Counts()
    for fact in facts:
        if fact.samu_id != samu_id:
            if fact.handling_samu_id == samu_id:
                counts.overflow_in += 1
            continue
        counts.offered += 1
        if fact.handling_samu_id != samu_id:
            counts.overflow_out += 1
        if fact.answered_at is not None:
            wait = max(0.0, (fact.answered_at - fact.offered_at).total_seconds())
            counts.answered += 1
            counts.answered_30 += wait <= 30  # noqa: PLR2004 - QS30
            counts.answered_60 += wait <= 60  # noqa: PLR2004 - QS60
            counts.wait_hist[WAITS.bucket(wait)] += 1
        elif fact.abandoned_at is not None:
            counts.abandoned += 1
            counts.lost += (fact.abandoned_at - fact.offered_at).total_seconds() >= lost_threshold_s
    return counts


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def wait_quantile_s(hist: list[int], q: float) -> float | None:
    """The upper bound of the wait bucket holding the q-quantile (None without answered calls)."""
    return WAITS.quantile_s(hist, q)


def indicators(counts: Counts) -> dict[str, float | int | None]:
    """Every indicator of INDICATORS from additive counts."""
    served = counts.answered + counts.lost
    return {
        **{name: getattr(counts, name) for name in _ADDITIVE},
        "qs30_pct": _pct(counts.answered_30, served),
        "qs60_pct": _pct(counts.answered_60, served),
        "answer_rate_pct": _pct(counts.answered, counts.offered),
        "lost_pct": _pct(counts.lost, served),
        "wait_median_s": wait_quantile_s(counts.wait_hist, 0.5),
        "wait_p90_s": wait_quantile_s(counts.wait_hist, 0.9),
    }
