"""The twin's engine: conservation, overflow through the shared policy, shifts, physician stage, scenarios."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sisamu.calls.distribution.policy import OverflowAgreement, OverflowRules
from sisamu.sim.arrivals import DAY_OF_WEEK, HOUR_OF_DAY, Distribution, Surge, rate_matrix, sample_calls
from sisamu.sim.engine import TwinSetup, run
from sisamu.sim.report import indicators
from sisamu.sim.scenarios import POLICIES, Scenario, build_setup, equal_weights, mutual_aid_rules, scenario


def _two_rooms(rules: OverflowRules, hours: int = 200, seed: int = 5) -> TwinSetup:
    rates = np.array([[0.06] * hours, [0.01] * hours])
    calls = sample_calls(
        rates,
        np.random.default_rng(seed),
        handling=Distribution(90.0),
        patience=Distribution(120.0),
        rooms=("A", "B"),
    )
    arms = np.array([[4] * hours, [4] * hours], dtype=np.int64)
    return TwinSetup(("A", "B"), calls, arms, rules)


def test_profiles_match_domain_figures() -> None:
    assert np.mean(DAY_OF_WEEK) == pytest.approx(1.0)
    assert DAY_OF_WEEK[5] / DAY_OF_WEEK[0] == pytest.approx(1.5)
    assert np.mean(HOUR_OF_DAY) == pytest.approx(1.0)
    assert max(HOUR_OF_DAY) * max(DAY_OF_WEEK) == pytest.approx(2.5, abs=0.05)
    rates = rate_matrix(("A", "B"), {"A": 3.0, "B": 1.0}, 168)
    assert rates.sum() * 3600 * 365 / 7 == pytest.approx(31_000_000, rel=1e-9)
    assert rates[0].sum() == pytest.approx(3 * rates[1].sum())
    surged = rate_matrix(
        ("A", "B"), {"A": 1.0, "B": 1.0}, 168, surges=(Surge(frozenset({"A"}), 3.0, 24, 48),)
    )
    assert surged[0, 30] == pytest.approx(3 * surged[1, 30])
    assert surged[0, 50] == pytest.approx(surged[1, 50])


def test_every_call_is_answered_or_abandoned_once() -> None:
    out = run(_two_rooms(OverflowRules()))
    assert not np.isnan(out.wait_s).any()
    assert (out.wait_s >= 0).all()
    assert (out.helped_by == -1).all()
    national, rooms = indicators(out)
    assert national.offered == len(out.setup.calls) == sum(r.offered for r in rooms)
    assert national.answered + national.abandoned == national.offered
    assert 0 < national.occupancy < 1


def test_overflow_goes_through_the_policy_and_helps() -> None:
    alone = indicators(run(_two_rooms(OverflowRules())))[1][0]
    rules = OverflowRules({"A": OverflowAgreement("A", ("B",), 10.0)})
    out = run(_two_rooms(rules))
    helped = indicators(out)[1][0]
    assert helped.overflowed > 0
    assert (out.helped_by[out.setup.calls.room == 1] == -1).all()  # B has no agreement
    assert helped.lost < alone.lost
    assert helped.service_level_60 > alone.service_level_60
    # Overflowed calls were answered no sooner than the threshold.
    assert (out.wait_s[out.helped_by >= 0] >= 10.0 - 1e-9).all()


def test_shift_changes_and_physicians() -> None:
    rooms = equal_weights(3)
    sc = replace(Scenario("t", rooms, hours=48, calls_per_year=3_000_000), policy="aucun débordement")
    setup = build_setup(sc, 7)
    out = run(setup)
    assert out.staffed_s.sum() == pytest.approx(setup.arms.sum() * 3600)
    assert len(set(setup.arms[0].tolist())) > 1  # head-counts change over the day
    nat, _ = indicators(out)
    reached = ~np.isnan(out.physician_wait_s)
    assert reached.any()
    assert reached.sum() <= out.answered.sum()
    assert nat.physician_mean_wait_s >= 0


def test_same_seed_same_result_and_policies_named() -> None:
    sc = replace(
        Scenario("t", equal_weights(6), hours=24, calls_per_year=5_000_000), policy="débordement τ=10 s"
    )
    a = indicators(run(build_setup(sc, 3)))[0]
    b = indicators(run(build_setup(sc, 3)))[0]
    assert a == b
    assert set(POLICIES) == {
        "aucun débordement",
        "débordement τ=30 s",
        "débordement τ=10 s",
        "mutualisation nationale τ=10 s",
    }


def test_scenarios_and_mutual_aid_rules() -> None:
    rooms = equal_weights(12)
    covid = scenario("covid", rooms, surge_rooms=["R000"])
    assert covid.rates()[0].sum() == pytest.approx(3 * covid.rates()[1].sum())
    heat = scenario("heatwave", rooms)
    assert heat.rates().sum() == pytest.approx(1.25 * scenario("national", rooms).rates().sum())
    rules = mutual_aid_rules(rooms, 30.0)
    assert rules.agreements["R000"].partners == ("R001", "R002")
    assert all("R010" not in a.partners for s, a in rules.agreements.items() if s < "R010")  # other region
    with pytest.raises(ValueError, match="unknown scenario"):
        scenario("flood", rooms)


def test_overflow_on_arrival_by_queue_length_or_zero_threshold() -> None:
    by_queue = OverflowRules({"A": OverflowAgreement("A", ("B",), 3600.0, queue_threshold=2)})
    out = run(_two_rooms(by_queue))
    assert (out.helped_by >= 0).sum() > 0
    assert (out.wait_s[out.helped_by >= 0] < 3600.0).all()
    pooled_now = run(_two_rooms(OverflowRules(national_pooling=True, pooling_wait_s=0.0)))
    helped = pooled_now.helped_by >= 0
    assert helped.sum() > 0
    assert (pooled_now.wait_s[helped] == 0.0).sum() > 0  # taken on arrival by an idle ARM elsewhere
