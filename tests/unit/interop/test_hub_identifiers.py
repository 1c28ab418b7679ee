"""Hub identifiers and datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
from hub_reference import example_files, load

from sisamu.hubsante.datetimes import format_hub_datetime, parse_hub_datetime

if TYPE_CHECKING:
    from collections.abc import Iterator

from sisamu.hubsante.identifiers import (
    LocalCaseNumber,
    case_id,
    crra_code,
    distribution_id,
    local_case_number,
    parse_local_case_number,
    patient_id,
    resource_id,
    samu_org_id,
)


@pytest.mark.parametrize(
    ("departement", "letter", "day", "sequence", "expected"),
    [
        ("44", None, date(2024, 5, 17), 236, "DRFR154402413800236"),  # examples RS-EDA-SMUR_*
        ("77", "0", date(2024, 1, 4), 55, "DRFR157702400400055"),
        ("95", None, date(2024, 1, 10), 233, "DRFR159502401000233"),
        ("76", "A", date(2026, 12, 31), 99999, "DRFR1576A2636599999"),
        ("971", None, date(2025, 3, 1), 1, "DRFR159712506000001"),
        ("2A", None, date(2025, 1, 1), 7, "DRFR152A02500100007"),
    ],
)
def test_local_case_number(departement, letter, day, sequence, expected) -> None:
    number = local_case_number(departement, letter, day, sequence)
    assert number == expected
    assert parse_local_case_number(number) == LocalCaseNumber(crra_code(departement, letter), day, sequence)


def _sender_case_ids(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "senderCaseId" and isinstance(value, str):
                yield value
            else:
                yield from _sender_case_ids(value)
    elif isinstance(node, list):
        for item in node:
            yield from _sender_case_ids(item)


def test_well_formed_local_case_numbers_of_the_examples_round_trip() -> None:
    # Some examples carry typos (`DRFR11…`, a 4-digit sequence): only the 19-character DRFR15 ones are checked.
    found = {n for path in example_files() for n in _sender_case_ids(load(path)) if n.startswith("DRFR15")}
    well_formed = {n for n in found if len(n) == len("DRFR15DDXAAJJJ00000")}
    assert len(well_formed) >= 5
    for number in well_formed:
        parsed = parse_local_case_number(number)
        rebuilt = local_case_number(parsed.crra[:2], parsed.crra[2], parsed.day, parsed.sequence)
        assert rebuilt == number


@pytest.mark.parametrize(
    "bad", ["DRFR15690240430050", "DRFR113302601303789", "DRFR154402436800001", "DRFR154402400000001"]
)
def test_malformed_local_case_numbers(bad) -> None:
    with pytest.raises(ValueError, match=r"local case number|day of year"):
        parse_local_case_number(bad)


@pytest.mark.parametrize(("departement", "letter"), [("4", None), ("44", "AB"), ("971", "A"), ("44", "a")])
def test_bad_crra(departement, letter) -> None:
    with pytest.raises(ValueError, match="CRRA"):
        crra_code(departement, letter)


def test_sequence_range() -> None:
    with pytest.raises(ValueError, match="sequence"):
        local_case_number("44", None, date(2024, 1, 1), 100_000)


def test_other_identifiers() -> None:
    org = samu_org_id("440")
    assert org == "fr.health.samu440"
    assert case_id(org, "DRFR154402413800236") == "fr.health.samu440.DRFR154402413800236"
    assert patient_id(org, "DRFR154402413800236.1") == "fr.health.samu440.patient.DRFR154402413800236.1"
    assert patient_id(org, 3) == "fr.health.samu440.patient.3"
    assert resource_id(org, "VLM1") == "fr.health.samu440.resource.VLM1"
    assert distribution_id(org, "abc") == "fr.health.samu440_abc"
    assert distribution_id(org).startswith("fr.health.samu440_")


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2022, 7, 25, 10, 4, 34, tzinfo=timezone(timedelta(hours=1))), "2022-07-25T10:04:34+01:00"),
        (datetime(2024, 11, 18, 6, 57, tzinfo=timezone(timedelta(hours=2))), "2024-11-18T06:57:00+02:00"),
        (
            datetime(2024, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
            "2024-01-01T08:00:00-03:30",
        ),
        (datetime(2024, 1, 1, 8, 0, tzinfo=UTC), "2024-01-01T08:00:00-00:00"),
    ],
)
def test_hub_datetime_round_trip(moment, text) -> None:
    assert format_hub_datetime(moment) == text
    assert parse_hub_datetime(text) == moment


def test_fractions_are_dropped_and_naive_refused() -> None:
    assert (
        format_hub_datetime(datetime(2024, 1, 1, 8, 0, 0, 999_999, tzinfo=UTC)) == "2024-01-01T08:00:00-00:00"
    )
    with pytest.raises(ValueError, match="time zone"):
        format_hub_datetime(datetime(2024, 1, 1, 8, 0))
    with pytest.raises(ValueError, match="whole number of minutes"):
        format_hub_datetime(datetime(2024, 1, 1, tzinfo=timezone(timedelta(seconds=30))))


@pytest.mark.parametrize(
    "bad",
    [
        "2024-01-01T08:00:00Z",
        "2024-01-01T08:00:00.5+01:00",
        "2024-01-01T08:00:00",
        "2024-01-01 08:00:00+01:00",
    ],
)
def test_parse_refuses_other_forms(bad) -> None:
    with pytest.raises(ValueError, match="not a Hub"):
        parse_hub_datetime(bad)


def test_parse_accepts_plus_zero() -> None:
    assert parse_hub_datetime("2022-09-27T08:25:54+00:00") == datetime(2022, 9, 27, 8, 25, 54, tzinfo=UTC)
