"""The indicators on hand-built calls whose answers are known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sisamu.analytics.indicators import (
    INDICATOR_KEYS,
    INDICATORS,
    WAIT_BUCKET_S,
    WAIT_BUCKETS,
    Counts,
    count,
    indicators,
    wait_quantile_s,
)
from sisamu.calls.queries import CallFact

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def answered(wait_s: float, samu: str = "250", handler: str | None = None) -> CallFact:
    offered = T0
    return CallFact(samu, handler or samu, offered, offered + timedelta(seconds=wait_s), None)


def hung_up(after_s: float, samu: str = "250") -> CallFact:
    return CallFact(samu, samu, T0, None, T0 + timedelta(seconds=after_s))


def waiting(samu: str = "250") -> CallFact:
    return CallFact(samu, samu, T0, None, None)


def test_every_indicator_is_defined_once_with_a_unit_and_its_sources() -> None:
    assert len(set(INDICATOR_KEYS)) == len(INDICATORS)
    assert all(i.label_fr and i.unit and i.formula and i.sources for i in INDICATORS)
    assert set(indicators(Counts())) == set(INDICATOR_KEYS)


def test_a_morning_of_calls_gives_the_known_service_levels() -> None:
    facts = [
        *(answered(10) for _ in range(6)),  # within 30 s
        answered(45),  # within 60 s only
        answered(90),  # late
        hung_up(5),  # a short hang-up: abandoned, not lost
        hung_up(20),  # lost (threshold 15 s)
        waiting(),  # still in the queue
    ]
    got = indicators(count("250", facts, lost_threshold_s=15))
    assert got["offered"] == 11
    assert got["answered"] == 8
    assert (got["answered_30"], got["answered_60"]) == (6, 7)
    assert (got["abandoned"], got["lost"]) == (2, 1)
    # over answered + lost = 9 calls
    assert got["qs30_pct"] == pytest.approx(66.67)
    assert got["qs60_pct"] == pytest.approx(77.78)
    assert got["lost_pct"] == pytest.approx(11.11)
    assert got["answer_rate_pct"] == pytest.approx(72.73)
    # waits 10×6, 45, 90 in 5 s buckets: the median is in 10–15 s, the 90th centile (8th of 8) in 90–95 s
    assert got["wait_median_s"] == 15.0
    assert got["wait_p90_s"] == 95.0


def test_the_lost_call_threshold_is_inclusive() -> None:
    assert count("250", [hung_up(15)], lost_threshold_s=15).lost == 1
    assert count("250", [hung_up(14.9)], lost_threshold_s=15).lost == 0


def test_overflow_counts_for_the_owner_as_given_and_for_the_partner_as_received() -> None:
    facts = [answered(20, "250", handler="680"), answered(5, "680"), answered(8, "700", handler="680")]
    owner = count("250", facts, lost_threshold_s=15)
    partner = count("680", facts, lost_threshold_s=15)
    assert (owner.offered, owner.answered, owner.overflow_out, owner.overflow_in) == (1, 1, 1, 0)
    assert (partner.offered, partner.answered, partner.overflow_out, partner.overflow_in) == (1, 1, 0, 2)


def test_counts_add_up_across_hours_and_samus() -> None:
    a = count("250", [answered(10), hung_up(30)], lost_threshold_s=15)
    b = count("250", [answered(70)], lost_threshold_s=15)
    total = Counts().add(a).add(b)
    assert total == count("250", [answered(10), hung_up(30), answered(70)], lost_threshold_s=15)


def test_no_answered_call_has_no_wait_and_no_service_level() -> None:
    got = indicators(count("250", [waiting()], lost_threshold_s=15))
    assert got["wait_median_s"] is None
    assert got["qs60_pct"] is None
    assert got["answer_rate_pct"] == 0.0


def test_a_wait_beyond_the_histogram_lands_in_its_last_bucket() -> None:
    hist = count("250", [answered(3600)], lost_threshold_s=15).wait_hist
    assert hist[-1] == 1
    assert wait_quantile_s(hist, 0.5) == (WAIT_BUCKETS - 1) * WAIT_BUCKET_S
