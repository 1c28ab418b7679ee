"""File numbers DRFR15DDXAAJJJ00000 and shared ids."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sisamu.cases.numbering import file_number, hub_patient_id, local_day, owner_of, shared_id


@pytest.mark.parametrize(
    ("samu_id", "departement", "day", "sequence", "number"),
    [
        ("250", "25", date(2026, 1, 25), 7, "DRFR152502602500007"),
        ("440", "44", date(2024, 5, 17), 236, "DRFR154402413800236"),
        ("76A", "76", date(2026, 12, 31), 99_999, "DRFR1576A2636599999"),
        ("974", "974", date(2026, 2, 1), 1, "DRFR159742603200001"),
        ("2A0", "2A", date(2026, 3, 1), 12, "DRFR152A02606000012"),
    ],
)
def test_local_numbers(samu_id, departement, day, sequence, number):
    assert file_number(samu_id, departement, day, sequence) == number
    assert owner_of(number) == samu_id


def test_sequence_is_five_digits_from_one():
    with pytest.raises(ValueError, match="out of range"):
        file_number("250", "25", date(2026, 1, 1), 0)
    with pytest.raises(ValueError, match="out of range"):
        file_number("250", "25", date(2026, 1, 1), 100_000)


def test_a_samu_id_that_is_not_its_crra_code_is_refused():
    with pytest.raises(ValueError, match="CRRA"):
        file_number("25X0", "25", date(2026, 1, 1), 1)


def test_shared_and_patient_ids():
    number = "DRFR152502602500007"
    assert shared_id("250", number) == "fr.health.samu250.DRFR152502602500007"
    assert hub_patient_id("250", number, 2) == "fr.health.samu250.patient.DRFR152502602500007.2"
    assert owner_of("not-a-number") is None


def test_numbers_follow_the_samu_local_day():
    late = datetime(2026, 1, 25, 23, 30, tzinfo=UTC)  # 00:30 on the 26th in Besançon
    assert local_day(late, "Europe/Paris") == date(2026, 1, 26)
    assert local_day(late, "America/Martinique") == date(2026, 1, 25)
