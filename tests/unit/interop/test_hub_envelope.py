"""The typed envelope: every reference message parses and serialises back to an equal dict."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from hub_reference import example_files, ids, is_envelope, load, valid_samples

from sisamu.hubsante.envelope import (
    DistributionKind,
    EnvelopeError,
    Party,
    Status,
    new_message,
    parse_document,
    parse_envelope,
)
from sisamu.hubsante.validation import validate_envelope

if TYPE_CHECKING:
    from pathlib import Path

EXAMPLES = example_files()
ENVELOPES = [p for p in valid_samples() if is_envelope(load(p))]
PARIS = timezone(timedelta(hours=1))


@pytest.mark.parametrize("path", EXAMPLES, ids=ids(EXAMPLES))
def test_every_example_round_trips(path: Path) -> None:
    document = load(path)
    parsed = parse_document(document)
    assert parsed.root_key == next(iter(document))
    assert parsed.message_type.schema == path.parent.name
    assert parsed.to_document() == document


@pytest.mark.parametrize("path", ENVELOPES, ids=ids(ENVELOPES))
def test_every_valid_envelope_round_trips(path: Path) -> None:
    envelope = load(path)
    message = parse_envelope(envelope)
    assert message.to_envelope() == envelope


def test_envelope_fields_are_typed() -> None:
    envelope = load(next(p for p in ENVELOPES if p.parent.name == "RC-EDA"))
    message = parse_envelope(envelope)
    assert message.sender_id == "fr.health.samuA"
    assert message.distribution_id.startswith(message.sender_id + "_")
    assert message.sent_at == datetime(2022, 7, 25, 10, 4, 34, tzinfo=PARIS)
    assert message.kind is DistributionKind.REPORT
    assert message.status is Status.ACTUAL
    assert message.recipient_id == "fr.health.samuB"
    assert message.message_type.schema == "RC-EDA"
    assert message.header is not None
    assert message.header.recipients == (Party("samuB", "hubex:fr.health.samuB"),)
    assert message.body["caseId"] == "fr.health.samu690.DRFR15690240430050"


def test_parsing_copies_the_input() -> None:
    envelope = load(next(p for p in ENVELOPES if p.parent.name == "RC-EDA"))
    original = copy.deepcopy(envelope)
    message = parse_envelope(envelope)
    message.to_envelope()["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["createCase"][
        "x"
    ] = 1
    message.body["caseId"] = "changed"
    assert envelope == original


def _envelope() -> dict:
    return load(next(p for p in ENVELOPES if p.parent.name == "RC-EDA"))


@pytest.mark.parametrize(
    "breaks",
    [
        lambda e: e.pop("distributionID"),
        lambda e: e.update(dateTimeSent="2022-07-25T10:04:34Z"),
        lambda e: e.update(distributionKind="Whatever"),
        lambda e: e.update(content=[]),
        lambda e: e["content"][0]["jsonContent"]["embeddedJsonContent"]["message"].pop("createCase"),
        lambda e: e["content"][0]["jsonContent"]["embeddedJsonContent"]["message"].pop("recipient"),
        lambda e: e["content"][0]["jsonContent"].pop("embeddedJsonContent"),
        lambda e: e["content"][0]["jsonContent"]["embeddedJsonContent"]["message"].update(emsi={}),
    ],
    ids=["no-id", "zulu", "kind", "no-content", "no-body", "no-header", "no-embedded", "two-types"],
)
def test_structural_problems_raise(breaks) -> None:
    envelope = _envelope()
    breaks(envelope)
    with pytest.raises(EnvelopeError):
        parse_envelope(envelope)


def test_new_message_builds_a_valid_envelope() -> None:
    body = load(next(p for p in EXAMPLES if p.parent.name == "RS-EDA"))["createCaseHealth"]
    sent = datetime(2026, 1, 25, 10, 15, 30, 123456, tzinfo=PARIS)
    message = new_message(
        "RS-EDA",
        body,
        sender_id="fr.health.samu440",
        recipient_id="fr.health.samu250",
        sent_at=sent,
        unique_id="0f2c",
    )
    envelope = message.to_envelope()
    assert validate_envelope(envelope) == []
    assert envelope["distributionID"] == "fr.health.samu440_0f2c"
    assert envelope["dateTimeSent"] == "2026-01-25T10:15:30+01:00"
    assert envelope["dateTimeExpires"] == "2026-01-26T10:15:30+01:00"
    inner = envelope["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]
    assert inner["messageId"] == envelope["distributionID"]
    assert inner["sender"] == {"name": "fr.health.samu440", "URI": "hubex:fr.health.samu440"}
    assert inner["recipient"] == [{"name": "fr.health.samu250", "URI": "hubex:fr.health.samu250"}]
    assert parse_envelope(envelope) == message


def test_new_message_ids_are_unique() -> None:
    sent = datetime(2026, 1, 25, tzinfo=UTC)
    first, second = (
        new_message("RC-REF", {"distributionID": "x"}, sender_id="a", recipient_id="b", sent_at=sent)
        for _ in range(2)
    )
    assert first.distribution_id != second.distribution_id
