"""Which SAMUs one distribution pass must see: the SAMU, its partners, and the SAMUs it helps."""

from __future__ import annotations

from sisamu.calls.distribution.assignment import scope_of
from sisamu.calls.distribution.policy import OverflowAgreement, OverflowRules


def test_scope_follows_agreements_both_ways_and_pooling_means_everyone():
    rules = OverflowRules(
        agreements={
            "250": OverflowAgreement("250", ("680", "700"), 30),
            "390": OverflowAgreement("390", ("250",), 30),
        }
    )
    assert scope_of(["250"], rules) == {"250", "680", "700", "390"}
    assert scope_of(["680"], rules) == {"680", "250"}
    assert scope_of(["130"], rules) == {"130"}
    assert scope_of(["130"], OverflowRules(national_pooling=True)) is None
